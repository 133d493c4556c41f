"""Take the README screenshots of the sample site with the project's browser tooling.

    python tools/screenshots.py            # builds nothing: run `jiandu build` first
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.browser import chromium_page, search, serve_directory  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"


def main() -> int:
    site = REPO / "site"
    if not (site / "index.html").is_file():
        print("请先运行 jiandu build 生成 site/", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with serve_directory(site) as base, chromium_page(1280, 860) as (page, outside):
        page.goto(base + "index.html")
        page.screenshot(path=str(OUT / "home.png"))
        page.set_viewport_size({"width": 1280, "height": 1500})
        page.locator(".jiandu-dashboard").screenshot(path=str(OUT / "dashboard.png"))
        page.set_viewport_size({"width": 1280, "height": 860})
        page.goto(base + "cases/JMS-2024-002.html")
        page.screenshot(path=str(OUT / "case.png"))
        page.goto(base + "index.html")
        search(page, "犯罪记录封存")
        page.screenshot(path=str(OUT / "search.png"))
        if outside:
            print(f"页面试图访问外部地址：{outside}", file=sys.stderr)
            return 1
    print(f"截图已保存到 {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
