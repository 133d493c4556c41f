"""Documents from case data: kinds, addressees, errors, templates, register, verify."""

import io
import shutil
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import pytest
from conftest import examples, REPO, jiandu_in_process, sample_cases
from docx import Document

from generator.office.documents import compose, kind_named, render
from generator.office.settings import load_settings
from generator.core.problems import UserError
from generator.office.register import check_chain, find_by_file, issue, read_entries

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


def test_missing_settings_and_unknown_kind(tmp_path):
    with pytest.raises(UserError, match="organisation.yaml"):
        load_settings(tmp_path)
    with pytest.raises(UserError, match="文种"):
        kind_named("memo")


def test_library_template_overrides_the_shipped_one(office):
    (office / "templates").mkdir()
    (office / "templates" / "督办通知.j2").write_text("# 一、本地模板\n{{ finding.problem }}\n", "utf-8")
    settings = load_settings(office)
    composition = compose(office, case("HA-2026-001"), "督办通知", settings, day=DAY)
    assert composition.markup.startswith("# 一、本地模板")


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


def _issue_one(args):
    root, index = args
    entry, _ = issue(Path(root), code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001",
                     addressee=f"单位{index}", day="2026-11-23", render=lambda number: number.encode("utf-8"),
                     out_dir=Path(root) / "documents")
    return entry.number


def test_parallel_issuance_gives_distinct_consecutive_numbers(tmp_path):
    count = examples(200)  # 200 issuances on CI, fewer in the local fast lane
    with get_context("fork").Pool(8) as pool:
        numbers = pool.map(_issue_one, [(str(tmp_path), i) for i in range(count)])
    assert sorted(numbers) == list(range(1, count + 1))
    assert check_chain(tmp_path) == (count, None)
    assert len(list((tmp_path / "documents").iterdir())) == count


def test_verify_and_tampering(office):
    settings = load_settings(office)
    composition = compose(office, case("CZ-2026-001"), "整改通知书", settings, day=DAY, to="市市场监督管理局")
    entry, out = issue(office, code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001",
                       addressee=composition.addressee, day=DAY.isoformat(),
                       render=lambda number: render(composition, settings, number=number, day=DAY))
    assert entry.doc_number == "常政法监〔2026〕1号" and out.is_file()
    assert find_by_file(office, out) == entry
    again = render(composition, settings, number=entry.doc_number, day=DAY)
    assert again == out.read_bytes()  # regenerating reproduces the issued bytes
    out.write_bytes(out.read_bytes() + b"x")
    assert find_by_file(office, out) is None
    lines = (office / "register.jsonl").read_text("utf-8").splitlines()
    (office / "register.jsonl").write_text(lines[0].replace("市市场监督管理局", "市公安局") + "\n", "utf-8")
    count, broken = check_chain(office)
    assert count == 1 and "第 1 条" in broken


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


def test_issuing_never_overwrites_and_never_loses_a_number(office):
    settings = load_settings(office)
    composition = compose(office, case("CZ-2026-001"), "整改通知书", settings, day=DAY, to="市市场监督管理局")
    make = lambda number: render(composition, settings, number=number, day=DAY)
    taken = office / "taken.docx"
    taken.write_bytes(b"earlier")
    with pytest.raises(UserError, match="已存在"):
        issue(office, code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001", addressee="x",
              day=DAY.isoformat(), render=make, out=taken)
    assert taken.read_bytes() == b"earlier" and read_entries(office) == []
    entry, out = issue(office, code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001", addressee="x",
                       day=DAY.isoformat(), render=make)
    register = office / "register.jsonl"
    register.write_bytes(register.read_bytes().rstrip(b"\n"))  # hand-edited: no final newline
    second, _ = issue(office, code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001", addressee="y",
                      day=DAY.isoformat(), render=make)
    assert second.number == 2 and check_chain(office) == (2, None)
    register.write_text(register.read_text("utf-8").replace('"addressee": "x"', '"addressee": "z"'), "utf-8")
    with pytest.raises(UserError, match="暂停印发"):
        issue(office, code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001", addressee="w",
              day=DAY.isoformat(), render=make)


def test_bad_templates_and_settings_are_clear_errors(office):
    (office / "templates").mkdir()
    (office / "templates" / "督办通知.j2").write_text("{% for x in %}\n", "utf-8")
    with pytest.raises(UserError, match="第 1 行有语法错误"):
        compose(office, case("HA-2026-001"), "督办通知", load_settings(office), day=DAY)
    (office / "templates" / "督办通知.j2").write_text("{{ no_such_value }}\n", "utf-8")
    with pytest.raises(UserError, match="模板无法生成正文"):
        compose(office, case("HA-2026-001"), "督办通知", load_settings(office), day=DAY)
    for text, message in [("- a\n- b\n", "顶层应为映射"), ("issuer: 甲\nprinted_by: 乙\ncodes: {整改通知书: A/B}\n", "机关代字"),
                          ("issuer: 甲\nprinted_by: 乙\ncodes: {整改通知书: 甲}\ncompilation_title: '{yr}'\n", "{year}")]:
        (office / "organisation.yaml").write_text(text, "utf-8")
        with pytest.raises(UserError, match=message):
            load_settings(office)


def test_file_names_stay_in_their_folder():
    from generator.office.register import safe_file_name

    for name in ["../../etc/passwd", "a/b\\c", ".hidden", "x\x01y"]:
        cleaned = safe_file_name(name)
        assert "/" not in cleaned and "\\" not in cleaned and not cleaned.startswith(".") and "\x01" not in cleaned


@pytest.mark.parametrize("title", ["执法司法监督经验汇编", "{year}/../../汇编", "{year}年度..汇编"])
def test_compilation_title_must_name_the_year_and_be_a_safe_file_name(office, title):
    path = office / "organisation.yaml"
    path.write_text(path.read_text("utf-8") + f"compilation_title: \"{title}\"\n", "utf-8")
    with pytest.raises(UserError, match="compilation_title"):
        load_settings(office)
