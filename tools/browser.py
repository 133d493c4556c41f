"""Real-browser helpers shared by the browser tests and the screenshot script.

Debian's chromium driven by Playwright; every request that is not to this
machine (127.0.0.1 or file://) is blocked and recorded, so a page that tries
to reach outside is caught.
"""

from __future__ import annotations

import functools
import http.server
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about"):
        return True
    return parts.hostname in ("127.0.0.1", "localhost", "::1")


@contextmanager
def serve_directory(directory: Path):
    """Serve a folder on 127.0.0.1 at a free port; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextmanager
def chromium_page(width: int = 1280, height: int = 900):
    """Yield (page, outside_requests): a fresh page and the list of blocked outside URLs."""
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")

        def route(route):
            if is_local(route.request.url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        try:
            yield page, outside
        finally:
            context.close()
            browser.close()


def search(page, query: str, timeout_ms: int = 15000) -> list[str]:
    """Type a query into the material search box; return the titles of the results."""
    box = page.locator("input.md-search__input")
    box.click(timeout=timeout_ms)
    box.fill("")
    box.type(query, delay=20)
    box.press("End")  # material listens for keyup; typed CJK text arrives as input events only
    page.wait_for_function(
        "() => { const m = document.querySelector('.md-search-result__meta');"
        " return m && !/正在|键入|Initializing|Type to start/.test(m.textContent) }", timeout=timeout_ms)
    page.wait_for_timeout(300)
    return page.locator(".md-search-result__item h1, .md-search-result__item h2").all_inner_texts()


def search_result_pages(page, query: str) -> list[str]:
    """Search, then return the page paths of the results in ranked order (sections folded into their page)."""
    search(page, query)
    hrefs = page.eval_on_selector_all(".md-search-result__link", "links => links.map(a => a.href)")
    paths: list[str] = []
    for href in hrefs:
        path = href.split("#")[0].split("?")[0]
        if path not in paths:
            paths.append(path)
    return paths
