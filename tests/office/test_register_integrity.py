"""The 文号 register under attack and accident (issue 15: D5, D6, D10, D15, forks, kill -9)."""

import json
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest
from conftest import REPO

from generator.core.problems import UserError
from generator.office.register import (GENESIS, PENDING_FILE, SET_ASIDE_DIR, Entry, audit, check_chain, issue,
                                read_entries, recover)

CODE = "常政法监"


def issue_one(root: Path, addressee: str = "市公安局", code: str = CODE, **kwargs):
    return issue(root, code=code, year=2026, kind="整改通知书", case="CZ-2026-001", addressee=addressee,
                 day="2026-11-23", render=lambda number: f"{number}|{addressee}".encode("utf-8"), **kwargs)


def errors(root: Path) -> list[str]:
    return audit(root, root / "documents").errors


def lines(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / "register.jsonl").read_text("utf-8").splitlines() if line.strip()]


def rewrite(root: Path, records: list[dict]) -> None:
    """Write records back with seq, prev and hash recomputed: tampering that a plain hash chain cannot see."""
    previous, out = GENESIS, []
    for seq, record in enumerate(records, 1):
        entry = Entry(**{**record, "seq": seq, "prev": previous, "hash": ""})
        entry = Entry(**{**asdict(entry), "hash": entry.computed_hash()})
        previous = entry.hash
        out.append(json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True))
    (root / "register.jsonl").write_text("\n".join(out) + "\n", "utf-8")


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args, "--root", str(root)],
                          capture_output=True, text=True, cwd=REPO, timeout=300)


@pytest.fixture
def three(tmp_path) -> Path:
    for addressee in ("甲", "乙", "丙"):
        issue_one(tmp_path, addressee)
    assert errors(tmp_path) == [] and (tmp_path / "register.head").is_file()
    return tmp_path


# --- D15 -----------------------------------------------------------------------------------------

def test_d15_byte_order_mark_is_accepted(three):
    register = three / "register.jsonl"
    register.write_bytes(b"\xef\xbb\xbf" + register.read_bytes())
    assert len(read_entries(three)) == 3 and errors(three) == []
    assert issue_one(three, "丁")[0].number == 4 and errors(three) == []


# --- D10 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ['"3"', "null", "3.0", "true"])
def test_d10_wrong_number_types_are_named(three, value):
    register = three / "register.jsonl"
    text = register.read_text("utf-8").splitlines()
    text[2] = text[2].replace('"number": 3', f'"number": {value}')
    register.write_text("\n".join(text) + "\n", "utf-8")
    with pytest.raises(UserError, match="第 3 行.*number"):
        check_chain(three)
    result = cli(three, "register", "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr and "第 3 行" in result.stderr


# --- D6: truncation, duplicates, gaps, mismatched doc_number --------------------------------------

def test_d6_deleting_the_last_line_or_the_file_is_detected(three):
    register = three / "register.jsonl"
    full = register.read_text("utf-8")
    register.write_text("".join(full.splitlines(keepends=True)[:2]), "utf-8")
    assert any("截断" in e for e in errors(three))
    documents = sorted((three / "documents").iterdir())
    with pytest.raises(UserError, match="暂停印发"):
        issue_one(three, "戊")  # the deleted number is not handed out again
    assert sorted((three / "documents").iterdir()) == documents  # nothing moved while the register is damaged
    register.unlink()
    assert any("截断" in e and "只有 0 条" in e for e in errors(three))
    result = cli(three, "register", "check")
    assert result.returncode == 1 and "截断" in result.stderr


def test_d6_rehashed_duplicates_gaps_and_wrong_text_are_detected(three):
    records = lines(three)
    rewrite(three, records + [dict(records[1])])  # number 2 again, chain and head recomputed
    (three / "register.head").unlink()
    assert any("重号" in e and "常政法监〔2026〕2号" in e for e in errors(three))
    rewrite(three, [records[0], records[2]])  # number 2 removed
    assert any("不连续" in e and "常政法监〔2026〕2号" in e for e in errors(three))
    wrong = dict(records[2], doc_number="常政法监〔2026〕9号")
    rewrite(three, records[:2] + [wrong])
    assert any("doc_number" in e for e in errors(three))


def test_d6_git_history_anchors_survive_rewriting_register_and_head(three):
    git = lambda *args: subprocess.run(["git", "-C", str(three), *args], check=True, capture_output=True)
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "base")
    git("add", "register.jsonl", "register.head")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "three issued")
    records = lines(three)
    rewrite(three, records[:2])
    (three / "register.head").unlink()  # the tamperer also removes the local anchor
    found = errors(three)
    assert any("git 提交" in e and "第 3 条" in e for e in found), found


# --- D5: a crash between writing and registering ---------------------------------------------------

CRASH = """
import os, sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from generator.office import register
register._append = lambda *args: os._exit(9)  # killed after the numbered file exists, before registering
register.issue(Path({root!r}), code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001", addressee="己",
               day="2026-11-23", render=lambda number: number.encode("utf-8"))
"""


def test_d5_orphan_is_reported_then_adopted(three):
    subprocess.run([sys.executable, "-c", CRASH.format(repo=str(REPO), root=str(three))], timeout=60)
    orphan = next((three / "documents").glob("常政法监〔2026〕4号*"))
    report = audit(three, three / "documents")
    assert any("未登记" in e and "4号" in e for e in report.errors)
    assert any(PENDING_FILE in note for note in report.notes)
    result = cli(three, "register", "check")
    assert result.returncode == 1 and "未登记" in result.stderr
    entry, _ = issue_one(three, "庚")
    assert entry.number == 5 and [e.addressee for e in read_entries(three)][-2:] == ["己", "庚"]
    assert orphan.is_file() and errors(three) == [] and not (three / PENDING_FILE).exists()


def test_d5_orphan_without_intent_is_moved_aside_and_the_number_reused(three):
    stray = three / "documents" / "常政法监〔2026〕4号-整改通知书-CZ-2026-001.docx"
    stray.write_bytes(b"left by an older version")
    assert any("未登记" in e for e in errors(three))
    assert cli(three, "register", "repair").returncode == 0
    assert (three / "documents" / SET_ASIDE_DIR / stray.name).read_bytes() == b"left by an older version"
    assert issue_one(three, "辛")[0].number == 4 and errors(three) == []


def test_cross_check_of_issued_files(three):
    issued = sorted((three / "documents").glob("*.docx"))
    issued[0].write_bytes(b"altered")
    assert any("被改动过" in e for e in errors(three))
    issued[0].unlink()  # archived elsewhere: honest note, not an error
    report = audit(three, three / "documents")
    assert report.errors == [] and any("不在" in note for note in report.notes)


def test_sample_register_checks_on_a_fresh_copy(tmp_path):
    for name in ("register.jsonl", "register.head"):
        shutil.copy(REPO / name, tmp_path / name)
    result = cli(tmp_path, "register", "check")
    assert result.returncode == 0, result.stderr
    assert "登记簿完整" in result.stdout and "不随案例库提交" in result.stdout


# --- two clerks, one merge -----------------------------------------------------------------------------

def test_merged_registers_name_the_duplicates_and_the_fork(three):
    def git(*args, check=True):
        return subprocess.run(["git", "-C", str(three), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                              check=check, capture_output=True, text=True)

    git("init", "-q", "-b", "main")
    git("add", "register.jsonl", "register.head")
    git("commit", "-q", "-m", "three issued")
    git("checkout", "-q", "-b", "clerk-b")
    issue_one(three, "clerk-b")
    git("commit", "-q", "-am", "clerk b issues number 4")
    git("checkout", "-q", "main")
    issue_one(three, "clerk-a")
    git("commit", "-q", "-am", "clerk a issues number 4")
    assert git("merge", "clerk-b", check=False).returncode != 0  # both appended: a conflict
    register = three / "register.jsonl"
    kept = [line for line in register.read_text("utf-8").splitlines() if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))]
    register.write_text("\n".join(kept) + "\n", "utf-8")  # the clerk keeps both sides
    git("checkout", "--ours", "register.head")
    git("commit", "-q", "-am", "merge")
    result = cli(three, "register", "check")
    assert result.returncode == 1
    assert "重号：常政法监〔2026〕4号" in result.stderr and "第 4、5 行" in result.stderr
    assert "分叉" in result.stderr and "第 3 行" in result.stderr and "git checkout" in result.stderr
    with pytest.raises(UserError, match="暂停印发"):
        issue_one(three, "clerk-c")


# --- kill -9 during issuance, at small scale -----------------------------------------------------------

LOOP = """
import sys, time
from pathlib import Path
sys.path.insert(0, {repo!r})
from generator.office.register import issue
for index in range(1000):
    issue(Path({root!r}), code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001", addressee=f"单位{{index}}",
          day="2026-11-23", render=lambda number: (time.sleep(0.002), number.encode("utf-8"))[1])
"""


@pytest.mark.slow
def test_kill_during_issuance_is_always_recoverable(tmp_path):
    rng = random.Random(1515)
    script = LOOP.format(repo=str(REPO), root=str(tmp_path))
    register = tmp_path / "register.jsonl"
    lines = lambda: len(register.read_bytes().splitlines()) if register.exists() else 0  # noqa: E731
    for _ in range(10):
        before = lines()
        process = subprocess.Popen([sys.executable, "-c", script])
        deadline = time.monotonic() + 120
        while lines() == before and time.monotonic() < deadline:  # at least one issuance per round, however slow
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.05))
        process.kill()
        process.wait()
        recover(tmp_path, tmp_path / "documents")
        assert errors(tmp_path) == []
    entries = read_entries(tmp_path)
    assert [e.number for e in entries] == list(range(1, len(entries) + 1)) and len(entries) >= 10
    files = {p.name for p in (tmp_path / "documents").glob("*.docx")}
    assert len(files) == len(entries) and not list((tmp_path / "documents").glob(".*"))
    assert issue_one(tmp_path, "最后")[0].number == len(entries) + 1
