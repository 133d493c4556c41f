"""In-browser search, improved on top of mkdocs-material's built-in plugin.

- Sub-words: material indexes jieba's precise words, and the browser matches
  word prefixes only, so 检察院 would not find 人民检察院. After the build, each
  search document gets a hidden `subwords` field with the dictionary words
  inside its longer words (and the Simplified form of any Traditional word).
  The worker segments Chinese queries against the whole index vocabulary, so
  these words become findable.
- Traditional queries: a character table generated from OpenCC (t2s) is
  shipped with the site; search-normalize.js converts the query, and folds
  full-width characters, before it reaches the search worker.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .tokens import normalize, sub_words

SUBWORDS_FIELD = "subwords"
SUBWORDS_BOOST = 1.0
T2S_DATA = "t2s-data.js"
CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def enrich_search_index(index_file: Path) -> int:
    """Add the subwords field to every document; return how many sub-words were added."""
    from .segment import jieba_ready

    freq = jieba_ready().dt.FREQ
    data = json.loads(index_file.read_text("utf-8"))
    separator = re.compile(data["config"]["separator"])
    added = 0
    for doc in data["docs"]:
        text = re.sub(r"<[^>]+>", " ", f"{doc.get('title', '')} {doc.get('text', '')}")
        extra: dict[str, None] = {}
        for word in separator.split(text):
            simplified = normalize(word)
            if simplified != word:
                extra[simplified] = None
            for part in sub_words(simplified, freq):
                extra[part] = None
        if extra:
            doc[SUBWORDS_FIELD] = " ".join(extra)
            added += len(extra)
    data["config"].setdefault("fields", {})[SUBWORDS_FIELD] = {"boost": SUBWORDS_BOOST}
    index_file.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
    return added


def t2s_table() -> dict[str, str]:
    """Every CJK character whose Simplified form (OpenCC t2s) is a different single character."""
    from .tokens import _t2s

    converter = _t2s()
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


def search_plugin():
    """A MkDocs plugin instance that enriches the search index after material wrote it."""
    from mkdocs.plugins import BasePlugin, event_priority

    class EnrichSearch(BasePlugin):
        @event_priority(-50)  # after material's search plugin, before the offline plugin copies the index
        def on_post_build(self, *, config):
            index_file = Path(config.site_dir) / "search" / "search_index.json"
            if index_file.is_file():
                enrich_search_index(index_file)

    return EnrichSearch()
