"""issuance.issue_document called directly: the whole sequence, without the command line."""

import hashlib
from datetime import date

import pytest

from generator.core.problems import LibraryError, UserError
from generator.core.project import Project
from generator.office import issuance
from generator.office.issuance import issue_document
from generator.office.register import check_chain, find_by_file, read_entries

DAY = date(2026, 11, 23)
LATER = date(2026, 12, 31)


def test_issues_numbers_registers_and_writes_the_document(office):
    notes = []
    issued = issue_document(Project.at(office), "rectification", "CZ-2026-001", day=DAY, to="市市场监督管理局",
                            deadline=LATER, say=notes.append)
    assert not issued.draft and issued.kind == "整改通知书" and issued.case == "CZ-2026-001"
    assert issued.entry.doc_number == "常政法监〔2026〕1号" and issued.addressee == "市市场监督管理局"
    assert issued.path == office / "documents" / "常政法监〔2026〕1号-整改通知书-CZ-2026-001.docx"
    assert issued.entry.sha256 == hashlib.sha256(issued.path.read_bytes()).hexdigest()
    assert read_entries(office) == [issued.entry] and find_by_file(office, issued.path) == issued.entry
    assert issued.pdf is None and issued.pdf_failure is None and notes == []
    second = issue_document(Project.at(office), "整改通知书", "CZ-2026-001", day=DAY, to="市司法局", deadline=LATER)
    assert second.entry.number == 2 and check_chain(office) == (2, None)


def test_draft_takes_no_number_and_is_marked(office):
    issued = issue_document(Project.at(office), "report", "JMS-2024-002", day=date(2024, 10, 20), draft=True)
    assert issued.draft and issued.entry is None and issued.path.name.startswith("草稿-监督报告-JMS-2024-002-")
    assert issued.path.is_file() and read_entries(office) == [] and not (office / "register.jsonl").exists()
    again = issue_document(Project.at(office), "report", "JMS-2024-002", day=date(2024, 10, 20), draft=True)
    assert again.path == issued.path  # the tool's own draft is replaced


@pytest.mark.parametrize("kind, case_id, options, message", [
    ("memo", "CZ-2026-001", {}, "文种"),
    ("rectification", "NO-2026-999", {}, "不存在"),
    ("rectification", "CZ-2026-001", {"to": "市市场监督管理局"}, "--deadline"),  # a deadline not after the date
    ("rectification", "CZ-2026-001", {"to": "市公安局 13912345678", "deadline": LATER}, "个人信息"),
    ("rectification", "CZ-2026-001", {"to": "市市场监督管理局", "deadline": LATER, "issuer": "无此机关"}, "发文机关"),
    ("referral", "JMS-2026-001", {"clue": "X9"}, "X9"),
])
def test_every_refusal_comes_before_a_number_is_taken(office, kind, case_id, options, message):
    with pytest.raises(UserError, match=message):
        issue_document(Project.at(office), kind, case_id, day=DAY, **options)
    assert not (office / "register.jsonl").exists() and not (office / "documents").exists()


def test_an_invalid_library_issues_nothing(office):
    (office / "cases" / "broken.yaml").write_text("id: [\n", "utf-8")
    with pytest.raises(LibraryError):
        issue_document(Project.at(office), "rectification", "CZ-2026-001", day=DAY, to="市市场监督管理局",
                       deadline=LATER)
    assert not (office / "register.jsonl").exists()


def test_missing_libreoffice_costs_no_number(office, monkeypatch):
    def absent():
        raise UserError("未安装 LibreOffice")

    monkeypatch.setattr(issuance, "libreoffice", absent)
    with pytest.raises(UserError, match="LibreOffice"):
        issue_document(Project.at(office), "rectification", "CZ-2026-001", day=DAY, to="市市场监督管理局",
                       deadline=LATER, pdf=True)
    assert read_entries(office) == []


def test_a_failed_pdf_leaves_the_issued_document_and_says_why(office, monkeypatch):
    def broken(docx):
        raise UserError(f"LibreOffice 转换失败：{docx.name}")

    monkeypatch.setattr(issuance, "libreoffice", lambda: "soffice")
    monkeypatch.setattr(issuance, "to_pdf", broken)
    issued = issue_document(Project.at(office), "rectification", "CZ-2026-001", day=DAY, to="市市场监督管理局",
                            deadline=LATER, pdf=True)
    assert issued.entry.number == 1 and issued.path.is_file() and issued.pdf is None
    assert isinstance(issued.pdf_failure, UserError) and issued.path.name in str(issued.pdf_failure)


def test_an_existing_out_file_is_never_replaced(office):
    taken = office / "taken.docx"
    taken.write_bytes(b"earlier")
    with pytest.raises(UserError, match="已存在"):
        issue_document(Project.at(office), "rectification", "CZ-2026-001", day=DAY, to="市市场监督管理局",
                       deadline=LATER, out=taken)
    assert taken.read_bytes() == b"earlier" and read_entries(office) == []


def test_a_cut_short_issuance_is_reported_through_say(office):
    issue_document(Project.at(office), "rectification", "CZ-2026-001", day=DAY, to="市市场监督管理局", deadline=LATER)
    stray = office / "documents" / "常政法监〔2026〕2号-整改通知书-CZ-2026-001.docx"
    stray.write_bytes(b"left by an older version")
    notes = []
    issued = issue_document(Project.at(office), "rectification", "CZ-2026-001", day=DAY, to="市司法局",
                            deadline=LATER, say=notes.append)
    assert issued.entry.number == 2 and len(notes) == 1 and "未登记" in notes[0]
