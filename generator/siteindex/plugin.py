"""Site search glue: material's search plugin made idle, content pages collected, T→S table.

- The index itself is ours (generator/siteindex/ (writer.py, query.py …), sharded, loaded a few files per
  query by generator/site/assets/jiandu-search-worker.js). material's search plugin still
  provides the search box and strips `data-search-*` attributes from pages, but
  search_plugin() swaps its index for one that records nothing and writes only the
  configuration stub, so material neither segments nor indexes page text.
- Hand-written pages are indexed by us: the plugin collects each page's plain text.
- Traditional queries: a character table generated from OpenCC (t2s) is shipped
  with the site; search-normalize.js converts the query, and folds full-width
  characters, before it reaches the search worker.
"""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

from generator.siteindex.shards import stub_index

T2S_DATA = "t2s-data.js"
CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def t2s_table() -> dict[str, str]:
    """Every CJK character whose Simplified form (OpenCC t2s) is a different single character."""
    from generator.text.tokenizer import opencc_t2s

    converter = opencc_t2s()
    table = {}
    for low, high in CJK_RANGES:
        chars = "".join(chr(code) for code in range(low, high + 1))
        converted = converter.convert(chars)
        if len(converted) != len(chars):  # fall back to one character at a time
            converted = "".join(c if len(c) == 1 else ch for ch, c in ((ch, converter.convert(ch)) for ch in chars))
        table.update((t, s) for t, s in zip(chars, converted) if t != s)
    return table


def write_t2s_data(path: Path) -> None:
    table = t2s_table()
    traditional, simplified = "".join(table), "".join(table.values())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "/* Traditional → Simplified characters for the site search, generated from OpenCC t2s. */\n"
        f"window.__jianduT2S = {json.dumps([traditional, simplified], ensure_ascii=False)};\n", "utf-8")


class _IdleIndex:
    """Stands in for material's SearchIndex: indexes nothing, writes the configuration stub."""

    def __init__(self, separator: str):
        self.separator = separator
        self.entries: list = []

    def add_entry_from_context(self, page) -> None:
        pass

    def generate_search_index(self, prev=None) -> str:
        return stub_index(self.separator)


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr"})
_SKIPPED = frozenset({"script", "style", "template", "svg"})
_BREAKS = frozenset({"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
                     "td", "th", "table", "blockquote", "pre", "section", "article", "aside", "header", "footer",
                     "nav", "figure", "figcaption", "details", "summary", "br", "hr"})


class _PlainText(HTMLParser):
    """Visible text of rendered page HTML, without scripts and `data-search-exclude` parts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[str] = []
        self.skip_at: int | None = None  # stack depth where an excluded element started

    def handle_starttag(self, tag, attrs):
        if tag in _BREAKS:
            self.parts.append("\n")
        if tag in _VOID:
            return
        self.stack.append(tag)
        if self.skip_at is None and (tag in _SKIPPED or any(name == "data-search-exclude" for name, _ in attrs)):
            self.skip_at = len(self.stack)

    def handle_startendtag(self, tag, attrs):
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _BREAKS:
            self.parts.append("\n")
        if tag not in self.stack:
            return
        while self.stack:
            if self.stack.pop() == tag:
                break
        if self.skip_at is not None and len(self.stack) < self.skip_at:
            self.skip_at = None

    def handle_data(self, data):
        if self.skip_at is None:
            self.parts.append(data)


def page_text(html: str) -> str:
    """Plain text of a page's content HTML: one line per block, spaces collapsed."""
    parser = _PlainText()
    parser.feed(html or "")
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def search_plugin():
    """A MkDocs plugin that idles material's search plugin and collects the pages to index.

    After the build, `.pages` lists {"location", "title", "text"} for every page not marked
    `search: exclude: true` in its front matter (location relative to the site root).
    """
    from mkdocs.plugins import BasePlugin, event_priority

    class JianduSearch(BasePlugin):
        def __init__(self):
            super().__init__()
            self.pages: list[dict] = []

        @event_priority(-50)  # after material's search plugin created its index
        def on_config(self, config):
            self.pages = []
            material = config.plugins.get("material/search")
            if material is not None and getattr(material, "search_index", None) is not None:
                material.search_index = _IdleIndex(material.config.separator)
            return config

        @event_priority(50)  # before material's search plugin strips the data-search-* attributes
        def on_page_context(self, context, *, page, config, nav):
            search = page.meta.get("search") if isinstance(page.meta, dict) else None
            if not (isinstance(search, dict) and search.get("exclude")):
                self.pages.append({"location": page.url, "title": str(page.title or ""),
                                   "text": page_text(page.content or "")})
            return context

        @event_priority(50)  # before material writes search_index.json and the offline plugin .js
        def on_post_build(self, *, config):
            # They write in place: never through a hard link into a previous build.
            for name in ("search_index.json", "search_index.js"):
                try:
                    os.unlink(Path(config.site_dir) / "search" / name)
                except FileNotFoundError:
                    pass

    return JianduSearch()
