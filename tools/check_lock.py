"""Check that the installed Python packages are exactly those in requirements.lock (run by .ci/run).

    python3 tools/check_lock.py
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, _, marker = line.partition(";")
        if marker.strip():
            from packaging.markers import Marker

            if not Marker(marker).evaluate():
                continue
        name, _, pinned = requirement.strip().partition("==")
        found[canonical(name)] = pinned.strip()
    return found


def main() -> int:
    wrong = []
    for name, pinned in sorted(pins(LOCK.read_text("utf-8")).items()):
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "未安装"
        if installed != pinned:
            wrong.append(f"  {name}: 锁定 {pinned}，实际 {installed}")
    if wrong:
        print("已安装的 Python 包与 requirements.lock 不一致：\n" + "\n".join(wrong), file=sys.stderr)
        return 1
    print(f"已安装的 Python 包与 requirements.lock 一致（{len(pins(LOCK.read_text('utf-8')))} 个）。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
