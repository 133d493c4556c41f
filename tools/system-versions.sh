#!/usr/bin/env bash
# The Debian packages the tests use are not in requirements.lock. Their versions at the last green run
# are recorded in tools/system-versions.txt; .ci/run checks the installed ones against the record.
#   bash tools/system-versions.sh            # compare: a missing package fails; a different version is reported
#   bash tools/system-versions.sh --record   # after the suite passed with new versions: update the record
set -euo pipefail
cd "$(dirname "$0")"
record=system-versions.txt
packages=(chromium libreoffice-writer-nogui poppler-utils fonts-noto-cjk fonts-arphic-ukai)
command -v dpkg-query >/dev/null || { echo "没有 dpkg-query：这不是 Debian 系统，无法核对 Debian 软件包版本" >&2; exit 1; }
current() {
  for package in "${packages[@]}"; do
    printf '%s %s\n' "$package" "$(dpkg-query -W -f='${Version}' "$package" 2>/dev/null || echo 未安装)"
  done
}
if [ "${1:-}" = "--record" ]; then
  { echo "# Debian 软件包：测试通过时的版本（bash tools/system-versions.sh --record 生成）。npm 包（axe-core）由 tests/axe/package-lock.json 锁定。"
    current; } > "$record"
  echo "已记录到 tools/$record"
  exit 0
fi
# Debian serves only its current version of a package, so a newer chromium after a security update cannot be
# refused here: the difference is printed for the run's log and the suite decides whether it still works.
# A package that is not installed at all is a failure.
if current | grep -q ' 未安装$'; then
  echo "缺少 Debian 软件包：$(current | grep ' 未安装$' | cut -d' ' -f1 | tr '\n' ' ')" >&2
  exit 1
fi
if ! diff <(grep -v '^#' "$record") <(current) > "${TMPDIR:-/tmp}/jiandu-system-versions.diff"; then
  echo "[注意] Debian 软件包版本与 tools/$record 的记录不同（< 记录，> 实际）：" >&2
  cat "${TMPDIR:-/tmp}/jiandu-system-versions.diff" >&2
  echo "若全部测试通过，请运行 bash tools/system-versions.sh --record 更新记录并提交。" >&2
else
  echo "Debian 软件包版本与记录一致：${packages[*]}"
fi
