"""Loading YAML: every failure of the YAML library becomes a Chinese message with file and line.

No assertion here depends on the library's own wording: the messages are ours, and each test checks the
kind of problem and the line it names.
"""

import re

import pytest
import yaml
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import generator.core.load as load
from generator.core.load import parse_yaml

ENGLISH = re.compile(r"[A-Za-z]{3,}[ ,]+[A-Za-z]{3,}")  # two English words in a row: a library message leaked


class PurePythonLoader(yaml.SafeLoader):
    """The same rules on the pure-Python parser (used where the C extension is missing)."""


PurePythonLoader.yaml_implicit_resolvers = load.CaseYamlLoader.yaml_implicit_resolvers


@pytest.fixture(params=["libyaml", "python"])
def loader(request, monkeypatch):
    if request.param == "python":
        monkeypatch.setattr(load, "CaseYamlLoader", PurePythonLoader)
    return request.param


def only_problem(text):
    data, lines, problems = parse_yaml(text, "cases/X.yaml")
    assert data is None and len(problems) == 1, problems
    problem = problems[0]
    assert problem.file == "cases/X.yaml" and problem.line is not None and problem.is_error
    assert re.search(r"[\u4e00-\u9fff]", problem.message) and not ENGLISH.search(problem.message), problem.message
    return problem


CASES = [
    # (name, text, line, words the message must contain)
    ("scanner: colon in a value", "id: a\nregion: 常州市: 新北区\n", 2, "冒号"),
    ("scanner: tab indentation", "a:\n  - 1\n\t- 2\n", 3, "Tab"),
    ("scanner: unclosed quote", "id: a\nregion: \"常州市\ntitle: x\n", 2, "没有闭合"),
    ("scanner: bad escape", "id: a\nb: \"x\\qy\"\n", 2, "转义"),
    ("scanner: reserved character", "a: %x\n", 1, "无法识别"),
    ("parser: unclosed bracket", "id: [a, b\ntitle: x\n", 2, "没有写完"),
    ("parser: bad indentation", "a:\n  b: 1\n c: 2\n", 3, "缩进"),
    ("composer: two documents", "a: 1\n---\nb: 2\n", 2, "一个 YAML 文档"),
    ("composer: undefined alias", "a: 1\nb: *x\n", 2, "别名"),
    ("alias", "a: &x [1]\nb: *x\n", 1, "别名"),
    ("nesting, flow", "id: " + "[" * 5000 + "]" * 5000 + "\n", 1, "嵌套层次过深"),
    ("nesting, block", "".join("  " * i + "a:\n" for i in range(200)), load.MAX_DEPTH + 1, "嵌套层次过深"),
    ("unknown tag", "a: 1\nb: !foo bar\n", 2, "!foo"),
    ("python tag", "a: !!python/object/apply:os.system [ls]\n", 1, "不支持 YAML 标签"),
    ("timestamp with a time", "date: !!timestamp 2026-05-12T10:00:00\n", 1, "YYYY-MM-DD"),
    ("timestamp, impossible date", "date: !!timestamp 2025-02-30\n", 1, "YYYY-MM-DD"),
    ("constructor: !!int on text", "a: 1\nb: !!int abc\n", 2, "整数"),
    ("constructor: !!bool on text", "b: !!bool maybe\n", 1, "true/false"),
    ("constructor: number too long", "a: " + "9" * 5000 + "\n", 1, "整数"),
    ("constructor: merge key", "a: 1\nb:\n  <<: 1\n", 3, "合并键"),
    ("reader: control character", "a: 1\nb: \"\x01\"\n", 2, "U+0001"),
    ("mapping key", "a:\n  ? [x, y]\n  : 1\n", 2, "键必须是简单文本"),
]


@pytest.mark.parametrize("name,text,line,words", CASES, ids=[c[0] for c in CASES])
def test_every_yaml_failure_is_a_chinese_message_with_a_line(loader, name, text, line, words):
    problem = only_problem(text)
    assert problem.line == line and words in problem.message


def test_plain_dates_stay_text_for_the_validator(loader):
    data, _, problems = parse_yaml("date: 2025-02-30\nwhen: 2026-05-12T10:00:00\n", "cases/X.yaml")
    assert problems == [] and data == {"date": "2025-02-30", "when": "2026-05-12T10:00:00"}


def test_core_tags_are_accepted(loader):
    data, _, problems = parse_yaml("a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: !!bool true\ne: !!null ''\n"
                                   "f: !!seq [1]\ng: !!map {x: 1}\n", "cases/X.yaml")
    assert problems == [] and data == {"a": "12", "b": 7, "c": 1.0, "d": True, "e": None, "f": [1],
                                       "g": {"x": 1}}


TAGS = ["", "!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!binary", "!!set", "!!omap",
        "!!pairs", "!!seq", "!!map", "!!merge", "!!value", "!!python/object:os.system", "!!python/name:os.system",
        "!foo", "!", "!<tag:yaml.org,2002:int>", "!<tag:example.com,2000:x>", "!!yaml"]
SCALARS = ["2026-05-12T10:00:00", "2025-02-30", "2025-02-28", "2026-05-12 10:00:00 +8", "abc", "", "~", "null",
           "0x1F", "0o17", "1_000", "-.inf", ".nan", "1e400", "9" * 4400, "yes", "no", "true", "'quoted'",
           "\"双引号\"", "[1, 2]", "{a: 1}", "常州市", "aGVsbG8=", "- a", "? x", "<<"]


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(tag=st.sampled_from(TAGS), scalar=st.sampled_from(SCALARS) | st.text(max_size=12),
       shape=st.sampled_from(["{key}: {tag} {value}\n", "{key}:\n  - {tag} {value}\n", "- {tag} {value}\n",
                              "{tag} {value}\n", "{key}: [{tag} {value}]\n", "{key}: {{x: {tag} {value}}}\n"]))
def test_any_tag_on_any_scalar_is_reported_not_raised(loader, tag, scalar, shape):
    text = shape.format(key="date", tag=tag, value=scalar)
    data, lines, problems = parse_yaml(text, "cases/X.yaml")  # must not raise
    for problem in problems:
        assert problem.file == "cases/X.yaml" and problem.line is not None
        assert re.search(r"[\u4e00-\u9fff]", problem.message) and not ENGLISH.search(problem.message), problem.message
    if problems:
        assert data is None


def test_settings_files_get_the_same_chinese_messages(tmp_path):
    from generator.office.settings import load_settings
    from generator.core.problems import UserError
    from generator.core.taxonomy import load_taxonomy

    (tmp_path / "taxonomy.yaml").write_text("categories: [司法公正\n", "utf-8")
    with pytest.raises(UserError) as error:
        load_taxonomy(tmp_path)
    assert "没有闭合" in str(error.value) and "第 1 行" in str(error.value) and not ENGLISH.search(str(error.value))
    (tmp_path / "organisation.yaml").write_text("issuer: 常州市委政法委\ncodes: !!set {a}\n", "utf-8")
    with pytest.raises(UserError) as error:
        load_settings(tmp_path)
    assert "organisation.yaml 第 2 行" in str(error.value) and "!!set" in str(error.value)


SCREEN_PARITY = [text for _, text, _, _ in CASES] + [
    "a: 1\n" + "b:\n" + "".join("  " * i + "- x:\n" for i in range(1, 40)),  # deep block nesting, no screen signs
    "id: " + "[" * 40 + "]" * 40 + "\n",  # deep flow nesting below what the scanner refuses
    "a: 1\n...\n", "--- \na: 1\n", "a: x*y\nb: 'p&q'\n", "title: 监督！检察建议\nsummary: 要点：整改\n",
    "body: |\n  **要点**：整改率 95%\n  * 列表\n", "a: *x\n", "a: [*x]\n", "a: 1\n%TAG ! tag:x,2000:\n---\nb: 2\n",
]


@pytest.mark.parametrize("text", SCREEN_PARITY)
def test_skipping_the_event_screen_changes_no_result(loader, monkeypatch, text):
    """Files without anchor, alias, tag, directive or document signs skip the event pass; every result must be
    what the full screen gives (the same data, lines and problems)."""
    fast = parse_yaml(text, "cases/X.yaml")
    monkeypatch.setattr(load, "_needs_screen", lambda text: True)
    assert parse_yaml(text, "cases/X.yaml") == fast


def test_files_without_screen_signs_skip_the_event_pass(monkeypatch):
    calls = []
    original = load._screen_events
    monkeypatch.setattr(load, "_screen_events", lambda text: calls.append(text) or original(text))
    parse_yaml("id: CZ-2026-001\ntitle: 检察建议\nkeywords: [挂案, 清理]\n", "cases/X.yaml")
    assert calls == []
    parse_yaml("a: &x 1\n", "cases/X.yaml")
    assert len(calls) == 1
