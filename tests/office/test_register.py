"""The 文号 register: numbering under concurrency, verify, never overwrite; reserve/record (attacks: test_register_integrity.py)."""

import shutil
from multiprocessing import get_context
from pathlib import Path
from datetime import date

import pytest
from conftest import REPO, examples, sample_cases

from generator.core.problems import UserError
from generator.office.documents import compose, render
from generator.office.register import check_chain, find_by_file, issue, read_entries
from generator.office.settings import load_settings

DAY = date(2026, 11, 23)


@pytest.fixture
def office(tmp_path):
    """A library root with the sample cases and organisation settings."""
    shutil.copytree(REPO / "cases", tmp_path / "cases")
    shutil.copy(REPO / "organisation.yaml", tmp_path / "organisation.yaml")
    return tmp_path


def case(case_id):
    return next(c for c in sample_cases() if c.id == case_id)


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


def test_file_names_stay_in_their_folder():
    from generator.office.register import safe_file_name

    for name in ["../../etc/passwd", "a/b\\c", ".hidden", "x\x01y"]:
        cleaned = safe_file_name(name)
        assert "/" not in cleaned and "\\" not in cleaned and not cleaned.startswith(".") and "\x01" not in cleaned


# --- reserve / record: the register API the issuance module uses ------------------------------------

def test_reserve_then_record_registers_the_rendered_bytes(tmp_path):
    from generator.office.register import record, reserve

    with reserve(tmp_path, code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001") as slot:
        assert slot.doc_number == "常政法监〔2026〕1号" and not slot.out.exists()
        entry = record(slot, f"rendered with {slot.doc_number}".encode("utf-8"), addressee="市公安局", day="2026-11-23")
    assert slot.out.read_bytes() == "rendered with 常政法监〔2026〕1号".encode("utf-8")
    assert read_entries(tmp_path) == [entry] and check_chain(tmp_path) == (1, None)
    assert (tmp_path / "register.head").is_file() and not (tmp_path / ".register.pending").exists()


def test_leaving_reserve_without_record_gives_the_number_back(tmp_path):
    from generator.office.register import record, reserve

    with pytest.raises(ValueError):
        with reserve(tmp_path, code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001") as slot:
            raise ValueError("the template failed while rendering")
    assert read_entries(tmp_path) == [] and not (tmp_path / "documents").exists()
    with pytest.raises(RuntimeError):
        record(slot, b"late", addressee="x", day="2026-11-23")  # the lock is gone: refused
    assert read_entries(tmp_path) == []
    with reserve(tmp_path, code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001") as again:
        assert again.number == 1
        record(again, b"x", addressee="x", day="2026-11-23")
        with pytest.raises(RuntimeError):
            record(again, b"y", addressee="y", day="2026-11-23")  # one number, one document
    assert check_chain(tmp_path) == (1, None)


def test_check_register_repairs_only_when_asked(tmp_path):
    from generator.office.register import SET_ASIDE_DIR, check_register

    issue(tmp_path, code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001", addressee="甲",
          day="2026-11-23", render=lambda number: number.encode("utf-8"))
    stray = tmp_path / "documents" / "常政法监〔2026〕2号-整改通知书-CZ-2026-001.docx"
    stray.write_bytes(b"left by an older version")
    checked = check_register(tmp_path)
    assert checked.repaired == [] and any("未登记" in e for e in checked.errors) and stray.is_file()
    repaired = check_register(tmp_path, repair=True)
    assert len(repaired.repaired) == 1 and repaired.errors == [] and repaired.count == 1
    assert (tmp_path / "documents" / SET_ASIDE_DIR / stray.name).is_file()


def test_find_by_file_names_a_missing_file(tmp_path):
    with pytest.raises(UserError, match="文件不存在"):
        find_by_file(tmp_path, tmp_path / "none.docx")
