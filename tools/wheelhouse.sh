#!/usr/bin/env bash
# Build a wheelhouse for a machine with no package registry: every package the program needs, at the
# versions in requirements.lock, as wheels for the target platform, plus this project's own wheel.
#   bash tools/wheelhouse.sh linux     # → wheelhouse/linux-x86_64/   (Linux x86-64, CPython 3.11)
#   bash tools/wheelhouse.sh windows   # → wheelhouse/windows-amd64/  (64-bit Windows, CPython 3.11)
# Run on a connected machine with uv (python3 -m pip install uv). On the target:
#   python -m pip install --no-index --find-links DIR -r DIR/requirements.txt
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-linux}"
python_version="${PYTHON_VERSION:-3.11}"
case "$target" in
  linux) out="wheelhouse/linux-x86_64"; uv_platform="x86_64-manylinux_2_28"
         platforms=(manylinux_2_28_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64 linux_x86_64) ;;
  windows) out="wheelhouse/windows-amd64"; uv_platform="x86_64-pc-windows-msvc"; platforms=(win_amd64) ;;
  *) echo "用法：bash tools/wheelhouse.sh linux|windows" >&2; exit 2 ;;
esac
command -v uv >/dev/null || { echo "需要 uv：python3 -m pip install uv" >&2; exit 1; }
abi="cp${python_version/./}"
rm -rf "$out" && mkdir -p "$out"
# What the program needs on that platform (no test tools), each pinned to the lock's version.
uv pip compile pyproject.toml --constraint requirements.lock --python-version "$python_version" \
  --python-platform "$uv_platform" --no-header --no-annotate --quiet -o "$out/pins.txt"
platform_args=()
for p in "${platforms[@]}"; do platform_args+=(--platform "$p"); done
while read -r pin; do
  [ -z "$pin" ] && continue
  if ! python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: "${platform_args[@]}" \
        --python-version "$python_version" --implementation cp --abi "$abi" --abi abi3 --abi none -d "$out" "$pin"; then
    # No wheel published (e.g. jieba): build one from the source release; it must be pure Python.
    python3 -m pip wheel -q --disable-pip-version-check --no-deps -w "$out" "$pin"
  fi
done < "$out/pins.txt"
python3 -m pip wheel -q --disable-pip-version-check --no-deps -w "$out" .
for wheel in "$out"/*.whl; do
  case "$target:$wheel" in
    *-any.whl|linux:*x86_64.whl|windows:*win_amd64.whl) ;;
    *) echo "不适用于目标平台的安装包：$wheel" >&2; exit 1 ;;
  esac
done
{ cat "$out/pins.txt"; echo "jiandu"; } > "$out/requirements.txt"
rm "$out/pins.txt"
echo "已生成 $out（$(ls "$out"/*.whl | wc -l) 个安装包）。在目标机器上："
echo "  python -m pip install --no-index --find-links $out -r $out/requirements.txt"
