"""The 文号 register: append-only, hash-chained, safe under concurrent issuance.

register.jsonl lives in the library root, so it is versioned with the cases.
Each line records one issued document: kind, case, addressee, date, the
SHA-256 of the .docx, and the hash of the previous entry.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from .files import exclusive
from .layout import doc_number
from .problems import UserError

REGISTER_FILE = "register.jsonl"
GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    seq: int
    code: str
    year: int
    number: int
    doc_number: str
    kind: str
    case: str
    addressee: str
    date: str
    sha256: str
    prev: str
    hash: str = ""

    def computed_hash(self) -> str:
        body = {key: value for key, value in asdict(self).items() if key != "hash"}
        return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def register_path(root: Path) -> Path:
    return root / REGISTER_FILE


def read_entries(root: Path) -> list[Entry]:
    path = register_path(root)
    if path.exists() and not path.is_file():
        raise UserError(f"{path} 不是文件：登记簿应为一个文本文件")
    if not path.is_file():
        return []
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path} 不是 UTF-8 编码：登记簿已损坏，请从版本库恢复") from None
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(Entry(**json.loads(line)))
        except (ValueError, TypeError):
            raise UserError(f"{path} 第 {number} 行无法读取：登记簿已损坏，请从版本库恢复该行后再印发") from None
    return entries


def issue(root: Path, *, code: str, year: int, kind: str, case: str, addressee: str, day: str,
          render: Callable[[str], bytes], out: Path | None = None, out_dir: Path | None = None) -> tuple[Entry, Path]:
    """Assign the next number for (code, year), render the document with it, record it, move it into place."""
    path = register_path(root)
    with exclusive(root / f".{REGISTER_FILE}.lock", lambda message: None, ""):
        count, broken = check_chain(root)
        if broken:
            raise UserError(f"登记簿校验未通过，暂停印发：{broken}")
        entries = read_entries(root)
        number = 1 + max((e.number for e in entries if e.code == code and e.year == year), default=0)
        text_number = doc_number(code, year, number)
        out = out or (out_dir or root / "documents") / safe_file_name(f"{text_number}-{kind}-{case}.docx")
        if out.exists():
            raise UserError(f"{out} 已存在：不覆盖已有文件（已印发的文书不能被替换），请用 --out 指定新文件")
        data = render(text_number)
        out.parent.mkdir(parents=True, exist_ok=True)
        temp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
        temp.write_bytes(data)
        try:
            os.link(temp, out)  # fails if the name was taken meanwhile: never overwrites
        except FileExistsError:
            raise UserError(f"{out} 已存在：不覆盖已有文件") from None
        finally:
            temp.unlink(missing_ok=True)
        try:
            entry = Entry(seq=len(entries) + 1, code=code, year=year, number=number, doc_number=text_number,
                          kind=kind, case=case, addressee=addressee, date=day,
                          sha256=hashlib.sha256(data).hexdigest(), prev=entries[-1].hash if entries else GENESIS)
            entry = Entry(**{**asdict(entry), "hash": entry.computed_hash()})
            _append(path, json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True))
        except BaseException:
            out.unlink(missing_ok=True)  # no file without its register entry
            raise
    return entry, out


def _append(path: Path, line: str) -> None:
    needs_newline = path.is_file() and path.stat().st_size > 0 and not path.read_bytes().endswith(b"\n")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(("\n" if needs_newline else "") + line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def safe_file_name(name: str) -> str:
    """A file name that stays in its folder: no separators, no control characters, no leading dots."""
    cleaned = "".join("_" if ch in "/\\" or ord(ch) < 32 else ch for ch in name).strip().lstrip(".")
    return cleaned[:150] or "文书"


def find_by_file(root: Path, file: Path) -> Entry | None:
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    return next((entry for entry in read_entries(root) if entry.sha256 == digest), None)


def check_chain(root: Path) -> tuple[int, str | None]:
    """(entries checked, description of the first broken entry or None)."""
    previous = GENESIS
    entries = read_entries(root)
    for entry in entries:
        if entry.prev != previous:
            return len(entries), f"第 {entry.seq} 条（{entry.doc_number}）的前序哈希与上一条不符：之前的记录被改动或删除"
        if entry.computed_hash() != entry.hash:
            return len(entries), f"第 {entry.seq} 条（{entry.doc_number}）的内容与其哈希不符：这一条被改动过"
        previous = entry.hash
    return len(entries), None


def entries_by_case(root: Path) -> dict[str, list[Entry]]:
    grouped: dict[str, list[Entry]] = {}
    for entry in read_entries(root):
        grouped.setdefault(entry.case, []).append(entry)
    return grouped
