#!/usr/bin/env bash
# Refresh requirements.lock: the exact version of every Python package the project installs
# (pyproject's dependencies and its [test] extra, with everything they pull in), resolved once
# for every platform (Linux, Windows) from CPython 3.11 on. Run it deliberately, then run the
# full suite (bash .ci/run) before committing the new lock: a new release of any dependency
# changes nothing until this script is run.
#   bash tools/lock.sh              # newest versions within pyproject.toml's ranges
#   bash tools/lock.sh -P pyyaml    # only upgrade one package (other uv pip compile options pass through)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v uv >/dev/null || { echo "需要 uv：python3 -m pip install uv" >&2; exit 1; }
uv pip compile pyproject.toml --extra test --universal --python-version 3.11 --fork-strategy fewest \
  --quiet -o requirements.lock "$@"
echo "requirements.lock 已更新；请运行 bash .ci/run 确认全部测试通过后再提交。"
