"""Documents from case data: kinds, addressees, errors, hostile text, the command line (register: test_register.py)."""

import io
import shutil
from datetime import date

import pytest
from conftest import REPO, jiandu_in_process, sample_cases
from docx import Document

from generator.office.documents import compose, kind_named, render
from generator.office.settings import load_settings
from generator.core.problems import UserError
from generator.office.register import read_entries

DAY = date(2026, 11, 23)


@pytest.fixture
def office(tmp_path):
    """A library root with the sample cases and organisation settings."""
    shutil.copytree(REPO / "cases", tmp_path / "cases")
    shutil.copy(REPO / "organisation.yaml", tmp_path / "organisation.yaml")
    return tmp_path


def case(case_id):
    return next(c for c in sample_cases() if c.id == case_id)


def text_of(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [p.text for p in document.sections[0].first_page_header.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("kind, case_id, options, expected", [
    ("rectification", "CZ-2026-001", {"to": "市市场监督管理局"}, ["市市场监督管理局：", "一、存在的问题", "于2026年11月10日前整改到位"]),
    ("监督建议书", "CZ-2026-001", {"to": "市司法局"}, ["市司法局：", "四、监督建议", "行政执法监督平台"]),
    ("supervision", "HA-2026-001", {}, ["督办事项", "请于"]),
    ("referral", "JMS-2026-001", {"clue_id": "X3"}, ["市人民检察院：", "二、线索内容", "反馈"]),
    ("report", "JMS-2024-002", {}, ["中共常州市委：", "一、基本情况", "四、发现的问题及整改情况", "已销号（2024年8月20日销号）"]),
])
def test_each_kind_generates(office, kind, case_id, options, expected):
    settings = load_settings(office)
    composition = compose(office, case(case_id), kind_named(kind), settings, day=DAY, **options)
    text = text_of(render(composition, settings, number="常政法监〔2026〕7号", day=DAY))
    assert "常州市委政法委员会" in text and "常政法监〔2026〕7号" in text and "2026年11月23日" in text
    assert "抄送：市人大常委会办公室，市人民检察院。" in text
    # 印发机关和印发日期: only in the ordinary format; the letter format omits them (10.1)
    assert ("2026年11月23日印发" in text) == (kind == "report")
    for piece in expected:
        assert piece in text, piece
    assert "**" not in text and "{{" not in text


def test_rectification_lists_only_that_units_open_findings(office):
    settings = load_settings(office)
    composition = compose(office, case("CZ-2026-001"), "整改通知书", settings, day=DAY, to="市市场监督管理局")
    assert [f.id for f in composition.findings] == ["F1"]


@pytest.mark.parametrize("options, message", [
    ({"to": "市公安局"}, "没有待整改或整改中的问题"),
    ({}, "请用 --to 指定"),
    ({"finding_ids": ["F9"]}, "没有问题 F9"),
])
def test_clear_errors(office, options, message):
    with pytest.raises(UserError, match=message):
        compose(office, case("CZ-2026-001"), "整改通知书", load_settings(office), day=DAY, **options)


def test_hostile_case_text_is_plain_text_in_word(office):
    from conftest import HOSTILE_CASE

    from generator.core.project import Project

    (office / "cases" / "CZ-2025-009.yaml").write_text(HOSTILE_CASE, "utf-8")
    hostile = next(c for c in Project.at(office).load_valid().cases if c.id == "CZ-2025-009")
    settings = load_settings(office)
    composition = compose(office, hostile, "监督报告", settings, day=DAY)
    text = text_of(render(composition, settings, number="（草稿）", day=DAY))
    assert "正文<script>alert('background')</script>" in text
    assert "点我" in text and "javascript" not in text.lower()


def test_cli_issue_verify_and_check(office):
    run = lambda *args: jiandu_in_process(*args, "--root", str(office))  # noqa: E731
    late = run("doc", "rectification", "CZ-2026-001", "--to", "市市场监督管理局", "--date", "2026-11-23")
    assert late.returncode == 1 and "--deadline" in late.stderr and "Traceback" not in late.stderr
    first = run("doc", "rectification", "CZ-2026-001", "--to", "市市场监督管理局", "--date", "2026-11-23",
                "--deadline", "2026-12-31")
    assert first.returncode == 0, first.stderr
    second = run("doc", "整改通知书", "CZ-2026-001", "--to", "市司法局", "--date", "2026-11-23")
    assert "常政法监〔2026〕2号" in second.stdout
    issued = sorted((office / "documents").glob("常政法监*.docx"))
    assert len(issued) == 2
    assert run("verify", str(issued[0])).returncode == 0
    draft = run("doc", "report", "JMS-2024-002", "--draft", "--date", "2024-10-20")
    assert draft.returncode == 0 and "草稿" in draft.stdout and len(read_entries(office)) == 2
    assert run("register", "check").returncode == 0
    bad = run("doc", "rectification", "CZ-2024-001", "--date", "2026-11-23")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "无需制发" in bad.stderr


def test_unknown_kind(tmp_path):
    with pytest.raises(UserError, match="文种"):
        kind_named("memo")
