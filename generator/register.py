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
    if not path.is_file():
        return []
    entries = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(Entry(**json.loads(line)))
        except (ValueError, TypeError):
            raise UserError(f"{path} 第 {number} 行无法读取：登记簿已损坏，请运行 jiandu register check") from None
    return entries


def issue(root: Path, *, code: str, year: int, kind: str, case: str, addressee: str, day: str,
          render: Callable[[str], bytes], out: Path | None = None, out_dir: Path | None = None) -> tuple[Entry, Path]:
    """Assign the next number for (code, year), render the document with it, record it, move it into place."""
    path = register_path(root)
    with exclusive(root / f".{REGISTER_FILE}.lock", lambda message: None, ""):
        entries = read_entries(root)
        number = 1 + max((e.number for e in entries if e.code == code and e.year == year), default=0)
        text_number = doc_number(code, year, number)
        data = render(text_number)
        out = out or (out_dir or root / "documents") / f"{text_number}-{kind}-{case}.docx"
        out.parent.mkdir(parents=True, exist_ok=True)
        temp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
        temp.write_bytes(data)
        try:
            entry = Entry(seq=len(entries) + 1, code=code, year=year, number=number, doc_number=text_number,
                          kind=kind, case=case, addressee=addressee, date=day,
                          sha256=hashlib.sha256(data).hexdigest(), prev=entries[-1].hash if entries else GENESIS)
            entry = Entry(**{**asdict(entry), "hash": entry.computed_hash()})
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, out)
        finally:
            temp.unlink(missing_ok=True)
    return entry, out


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
