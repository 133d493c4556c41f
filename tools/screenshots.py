"""Take the screenshots of the sample site with the project's browser tooling.

    python tools/screenshots.py            # builds nothing: run `jiandu build` first

README pictures (home, dashboard, case, search) and one picture of every page kind
at a desktop (1280 px) and a phone (390 px) width: docs/screenshots/<kind>-1280.png,
<kind>-390.png, the search page with results, the combined filter, and the home, case and ledger
pages in the dark scheme.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.browser import chromium_page, search, serve_directory  # noqa: E402
from tools.pagecheck import PAGE_KINDS  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
WIDTHS = {1280: 860, 390: 844}


def readme_pictures(page, base: str) -> None:
    page.goto(base + "index.html")
    page.screenshot(path=str(OUT / "home.png"))
    page.set_viewport_size({"width": 1280, "height": 2600})
    page.locator(".jiandu-dashboard").screenshot(path=str(OUT / "dashboard.png"))
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(base + "cases/JMS-2024-002.html")
    page.screenshot(path=str(OUT / "case.png"))
    page.goto(base + "index.html")
    search(page, "犯罪记录封存")
    page.screenshot(path=str(OUT / "search.png"))


def page_kinds(page, base: str, site: Path, width: int) -> None:
    for kind, path in PAGE_KINDS.items():
        if (site / path).is_file():
            page.goto(base + path)
            page.screenshot(path=str(OUT / f"{kind}-{width}.png"))


def main() -> int:
    site = REPO / "site"
    if not (site / "index.html").is_file():
        print("请先运行 jiandu build 生成 site/", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    blocked = []
    with serve_directory(site) as base:
        with chromium_page(1280, 860) as (page, outside):
            readme_pictures(page, base)
            page_kinds(page, base, site, 1280)
            page.goto(base + "cases/index.html#f.area=%E5%8A%9E%E6%A1%88%E6%95%88%E7%8E%87&f.year=2024")
            page.wait_for_selector(".jiandu-list-results tbody tr")
            page.screenshot(path=str(OUT / "combined-filter-1280.png"), full_page=True)
            page.goto(base + "find.html#q=" + quote("挂案 2024年"))
            page.wait_for_selector("#jiandu-search-results li")
            page.screenshot(path=str(OUT / "search-page-results-1280.png"), full_page=True)
            page.emulate_media(color_scheme="dark")
            for kind in ("home", "case", "ledger"):
                page.goto(base + PAGE_KINDS[kind])
                page.screenshot(path=str(OUT / f"{kind}-1280-dark.png"))
            blocked += outside
        with chromium_page(390, 844) as (page, outside):
            page_kinds(page, base, site, 390)
            blocked += outside
    if blocked:
        print(f"页面试图访问外部地址：{blocked}", file=sys.stderr)
        return 1
    print(f"截图已保存到 {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
