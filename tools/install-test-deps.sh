#!/usr/bin/env bash
# Install what the tests need on a fresh Debian machine: the package with its
# test extras at the locked versions, Debian's chromium (driven by Playwright), LibreOffice Writer and
# poppler (documents rendered to PDF and read back), and CJK fonts.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "AR PL UKai" || missing+=(fonts-arphic-ukai)
command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Python packages: exactly the versions in requirements.lock (see README, 开发).
python3 -m pip install -q --disable-pip-version-check -c requirements.lock -e ".[test]"
# axe-core (accessibility checks injected into the pages by the browser tests), at the locked version
npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error
