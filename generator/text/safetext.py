"""Untrusted case text → safe HTML.

Case files are written by many hands: raw HTML in them must show as text and
links may only point to http(s), mailto or relative targets. Images are
replaced by their alt text so that no page ever fetches from outside.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

SAFE_SCHEMES = {"", "http", "https", "mailto"}
# A line break between two Chinese characters is a wrapped line, not a space.
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_LINE_BREAK = re.compile(f"(?<=[{_CJK}])\n(?=[{_CJK}])")
_PRE_BLOCK = re.compile(r"(<pre>.*?</pre>)", re.S)


def escape(text: str) -> str:
    return html.escape(text, quote=True)


# What a browser ignores inside a URL: ASCII tab/newline anywhere, C0 controls and spaces at the ends;
# zero-width and bidi marks are dropped too so that they cannot hide a scheme from this check.
_URL_IGNORED = re.compile("[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def decoded_url(url: str) -> str:
    """The URL a browser acts on: HTML character references decoded until nothing changes, ignored characters removed."""
    text = url
    for _ in range(10):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return _URL_IGNORED.sub("", text)


def is_safe_url(url: str) -> bool:
    cleaned = decoded_url(url)
    if "&" in cleaned and html.unescape(cleaned) != cleaned:
        return False  # still encoded after ten rounds: not a link a case needs
    head = re.split(r"[/?#]", cleaned, maxsplit=1)[0]
    if ":" in head and head.split(":", 1)[0].lower() not in SAFE_SCHEMES:
        return False
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return False
    return scheme in SAFE_SCHEMES


class _SanitizeLinks(Treeprocessor):
    def run(self, root):
        for element in root.iter():
            # Headings inside a case's text sit under the page's own ## sections.
            if element.tag in ("h1", "h2", "h3", "h4", "h5"):
                element.tag = f"h{min(6, int(element.tag[1]) + 2)}"
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "img":
                    replacement = _text_element(child.get("alt", ""), child.tail)
                    parent.remove(child)
                    parent.insert(index, replacement)
                elif child.tag == "a":
                    href = child.get("href", "")
                    if not is_safe_url(href):
                        child.attrib.pop("href", None)
                        continue
                    # The decoded form is what was judged; the serializer escapes it, so a browser sees the same.
                    child.set("href", decoded_url(href))
                    if urlsplit(child.get("href")).netloc:
                        child.set("rel", "noopener noreferrer")
        return None


def _text_element(text: str, tail: str | None):
    from xml.etree.ElementTree import Element

    span = Element("span")
    span.text = text
    span.tail = tail
    return span


class _NoRawHtml(Extension):
    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SanitizeLinks(md), "jiandu_sanitize", 0)


def _new_markdown() -> markdown.Markdown:
    return markdown.Markdown(extensions=["sane_lists", "tables", _NoRawHtml()], output_format="html")


_MD = _new_markdown()


# Text with none of Markdown's marks is plain paragraphs: rendered without the Markdown engine
# (a tenth of the time; most case sections are plain). Anything that might be markup goes the slow way.
_MARKUP_CHARS = re.compile(r"[\\`*_\[\]<>&#|!~\t\r\x0b\x0c]| \n| $|^\s|\n\s|^(?:\d+[.)]|[-+*=>:])|\n(?:\d+[.)]|[-+*=>:])")


def _plain_paragraphs(text: str) -> str | None:
    if _MARKUP_CHARS.search(text):
        return None
    paragraphs = [block for block in text.strip("\n").split("\n\n") if block]
    if any(not block or block.startswith("\n") for block in paragraphs):
        return None
    return "\n".join(f"<p>{block}</p>" for block in paragraphs)


def markdown_to_html(text: str) -> str:
    """Render untrusted Markdown: raw HTML escaped, unsafe links inert, no images."""
    plain = _plain_paragraphs(text)
    if plain is not None:
        return _CJK_LINE_BREAK.sub("", plain)
    return _markdown_engine(text)


def _markdown_engine(text: str) -> str:
    _MD.reset()
    parts = _PRE_BLOCK.split(_MD.convert(text))
    return "".join(part if part.startswith("<pre") else _CJK_LINE_BREAK.sub("", part) for part in parts)



@dataclass
class Block:
    """A paragraph of case text for Word: kind p | li | heading, runs of (text, bold), list prefix."""

    kind: str
    runs: list = field(default_factory=list)
    prefix: str = ""

    @property
    def text(self) -> str:
        return self.prefix + "".join(text for text, _ in self.runs)


class _Blocks(HTMLParser):
    """Blocks from the safe renderer's HTML; list items numbered 1. 2. or marked ·, bold kept."""

    BLOCKS = {"p", "li", "h3", "h4", "h5", "h6", "pre"}

    def __init__(self):
        super().__init__()
        self.blocks: list[Block] = []
        self.lists: list[list] = []  # [kind, counter]
        self.bold = 0
        self.open_li_empty = False

    def handle_starttag(self, tag, attrs):
        if tag in ("ol", "ul"):
            self.lists.append([tag, 0])
        elif tag == "li":
            prefix = "·"
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                prefix = f"{self.lists[-1][1]}. "
            self.blocks.append(Block("li", prefix=prefix))
            self.open_li_empty = True
        elif tag == "tr":
            self.blocks.append(Block("p"))  # a table row becomes one line, cells separated by spaces
        elif tag in ("td", "th") and self.blocks and self.blocks[-1].runs:
            self.blocks[-1].runs.append(("\u3000", False))
        elif tag in self.BLOCKS and not self.open_li_empty:
            self.blocks.append(Block("heading" if tag.startswith("h") else "p"))
        elif tag in ("strong", "b"):
            self.bold += 1

    def handle_endtag(self, tag):
        if tag in ("ol", "ul") and self.lists:
            self.lists.pop()
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        if tag in self.BLOCKS:
            self.open_li_empty = False

    def handle_data(self, data):
        if not self.blocks:
            self.blocks.append(Block("p"))
        text = data.replace("\n", "")
        if text:
            self.blocks[-1].runs.append((text, self.bold > 0))
        if data.strip():
            self.open_li_empty = False


def markdown_blocks(text: str) -> list[Block]:
    """Untrusted Markdown as Word-ready blocks (paragraphs, numbered or bulleted items, bold runs)."""
    parser = _Blocks()
    parser.feed(markdown_to_html(text))
    return [b for b in parser.blocks if "".join(t for t, _ in b.runs).strip()]


def markdown_paragraphs(text: str) -> list[str]:
    """Plain paragraphs of untrusted Markdown, for Word documents (no literal asterisks)."""
    return [block.text.strip() for block in markdown_blocks(text)]
