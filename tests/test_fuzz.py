"""Property-based tests: random and mutated input is reported cleanly, never an unhandled exception."""

import re
from html import unescape
from urllib.parse import urlsplit
from pathlib import Path

from conftest import examples, valid_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.core.load import RawCase, parse_yaml
from generator.text.safetext import markdown_to_html
from generator.core.taxonomy import load_taxonomy
from generator.core.validate import validate_raw

TAXONOMY = load_taxonomy()
FAST = settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOSTILE_BITS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
                "<a href='javascript:alert(1)'>a</a>", "![i](http://evil/x.png)", "&#x6a;avascript:", "\x00",
                "{{ config }}", "{% raw %}", "---", "```", "| a | b |", "\u202e", "﻿", "\t", ":", "- ", "&", "*"]
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25)


def load(text: str):
    data, lines, problems = parse_yaml(text, "cases/X.yaml")
    if data is None:
        return None, problems
    case, more = validate_raw(RawCase(Path("cases/X.yaml"), "cases/X.yaml", data, lines), TAXONOMY)
    return case, problems + more


@FAST
@given(st.text(max_size=400))
def test_random_text_is_reported_not_raised(text):
    case, problems = load(text)
    assert case is None or not [p for p in problems if p.is_error]
    assert all(p.file == "cases/X.yaml" and p.message for p in problems)


@FAST
@given(st.data())
def test_mutated_case_files(data):
    text = valid_text()
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "hostile"]))
        if action == "delete":
            text = text[:position] + text[position + data.draw(st.integers(1, 20)):]
        elif action == "insert":
            text = text[:position] + data.draw(st.text(max_size=8)) + text[position:]
        else:
            text = text[:position] + data.draw(st.sampled_from(HOSTILE_BITS)) + text[position:]
    case, problems = load(text)
    for problem in problems:
        assert str(problem).startswith(("[错误] cases/X.yaml", "[警告] cases/X.yaml"))


@FAST
@given(json_like)
def test_any_yaml_value_as_a_case(value):
    case, problems = validate_raw(RawCase(Path("cases/X.yaml"), "cases/X.yaml", value, {}), TAXONOMY)
    assert case is None and [p for p in problems if p.is_error]


@FAST
@given(st.lists(st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE_BITS)), max_size=12))
def test_markdown_renderer_output_is_inert(parts):
    html = markdown_to_html("".join(parts))
    tags = re.findall(r"<[a-zA-Z][^>]*>", html)
    assert all(re.match(r"<(p|ol|ul|li|strong|em|code|pre|a|span|br|hr|h[3-6]|blockquote|table|thead|tbody|tr|th|td)"
                        r"(\s|>|/)", tag) for tag in tags), tags
    assert not any(re.search(r"\son\w+\s*=", tag) for tag in tags)
    for href in re.findall(r'href="([^"]*)"', html):
        as_browser_reads_it = re.sub(r"[\x00-\x20]", "", unescape(href))  # browsers drop tabs, newlines, controls
        assert urlsplit(as_browser_reads_it).scheme.lower() in ("", "http", "https", "mailto"), href


PLAIN_PIECES = ["联合监督", "检察建议", "。", "，", "2025年", "12337", "a", "B", " ", "\n", "\n\n", "1.", "1. ", "-", "- ",
                "（一）", "“挂案”", "50%", "3.5", ":", "e-mail", "#", "*", "_", "<b>", "&", "|", "  \n", "\t", "　"]


@FAST
@given(st.lists(st.sampled_from(PLAIN_PIECES), max_size=30).map("".join))
def test_plain_text_fast_path_renders_as_the_markdown_engine_does(text):
    from generator.text.safetext import _markdown_engine

    assert markdown_to_html(text) == _markdown_engine(text)
