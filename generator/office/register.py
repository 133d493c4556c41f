"""The 文号 register: append-only, hash-chained, safe under concurrent issuance.

register.jsonl lives in the library root, so it is versioned with the cases.
Each line records one issued document: kind, case, addressee, date, the
SHA-256 of the .docx, and the hash of the previous entry.
"""

from __future__ import annotations

import hashlib
import json
import errno
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from contextlib import contextmanager
from typing import Callable, Iterator

from generator.core.problems import UserError
from generator.infra.files import exclusive, write_file
from generator.office.numbering import doc_number

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


HEAD_FILE = "register.head"
PENDING_FILE = ".register.pending"
SET_ASIDE_DIR = "未登记-已移出"
_FIELD_TYPES = {"seq": int, "code": str, "year": int, "number": int, "doc_number": str, "kind": str, "case": str,
                "addressee": str, "date": str, "sha256": str, "prev": str, "hash": str}
_HEX64 = re.compile(r"[0-9a-f]{64}")
_NUMBERED = re.compile(r"^(.+?〔\d{4}〕\d+号)")


def head_path(root: Path) -> Path:
    return root / HEAD_FILE


def _entry_from(path: Path, line_number: int, line: str) -> Entry:
    where = f"{path.name} 第 {line_number} 行"
    try:
        data = json.loads(line)
    except ValueError:
        raise UserError(f"{where} 不是有效的 JSON：登记簿已损坏，请从版本库恢复该行后再印发") from None
    if not isinstance(data, dict):
        raise UserError(f"{where} 应为一条记录（{{…}}）：登记簿已损坏，请从版本库恢复该行后再印发")
    missing = [name for name in _FIELD_TYPES if name not in data]
    unknown = [str(name) for name in data if name not in _FIELD_TYPES]
    if missing or unknown:
        detail = "；".join(filter(None, [f"缺少字段 {'、'.join(missing)}" if missing else "",
                                          f"多出字段 {'、'.join(unknown)}" if unknown else ""]))
        raise UserError(f"{where}：{detail}：登记簿已损坏，请从版本库恢复该行后再印发")
    for name, kind in _FIELD_TYPES.items():
        value = data[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            shown = "空值" if value is None else f"{type(value).__name__} {json.dumps(value, ensure_ascii=False)[:40]}"
            raise UserError(f"{where}：字段 {name} 应为{'整数' if kind is int else '文本'}，现为 {shown}：登记簿被改动过，请从版本库恢复该行")
        if name in ("sha256", "prev", "hash") and not _HEX64.fullmatch(value):
            raise UserError(f"{where}：字段 {name} 不是 64 位十六进制哈希：登记簿被改动过，请从版本库恢复该行")
    return Entry(**data)


def read_entries(root: Path) -> list[Entry]:
    return [entry for _, entry in _numbered_entries(root)]


def _numbered_entries(root: Path) -> list[tuple[int, Entry]]:
    """(line number, entry); a UTF-8 byte-order mark (Notepad) is accepted."""
    path = register_path(root)
    if path.exists() and not path.is_file():
        raise UserError(f"{path} 不是文件：登记簿应为一个文本文件")
    if not path.is_file():
        return []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{path} 不是 UTF-8 编码：登记簿已损坏，请从版本库恢复") from None
    return [(number, _entry_from(path, number, line)) for number, line in enumerate(text.splitlines(), 1)
            if line.strip()]


@dataclass
class Slot:
    """The next number of one series, held under the register lock until record() or the end of reserve()."""
    root: Path
    code: str
    year: int
    number: int
    doc_number: str
    kind: str
    case: str
    out: Path
    seq: int
    prev: str
    state: str = "open"  # open -> recorded; closed when reserve() ends


@contextmanager
def reserve(root: Path, *, code: str, year: int, kind: str, case: str, out: Path | None = None,
            out_dir: Path | None = None, say: Callable[[str], None] = lambda message: None) -> Iterator[Slot]:
    """Hold the register and the next number for (code, year) while the caller renders the document.

    Nothing is written unless record() is called inside the block: leaving it (an error while
    rendering) gives the number back. A cut-short issuance from before is finished or undone first."""
    documents = out_dir or root / "documents"
    with exclusive(root / f".{REGISTER_FILE}.lock", lambda message: None, ""):
        for message in recover(root, documents):
            say(message)
        problems = audit(root, documents).errors
        if problems:
            raise UserError("登记簿校验未通过，暂停印发：" + "；".join(problems[:3]))
        entries = read_entries(root)
        number = 1 + max((e.number for e in entries if e.code == code and e.year == year), default=0)
        text_number = doc_number(code, year, number)
        out = out or documents / safe_file_name(f"{text_number}-{kind}-{case}.docx")
        if out.exists():
            raise UserError(f"{out} 已存在：不覆盖已有文件（已印发的文书不能被替换），请用 --out 指定新文件")
        slot = Slot(root, code, year, number, text_number, kind, case, out, len(entries) + 1,
                    entries[-1].hash if entries else GENESIS)
        try:
            yield slot
        finally:
            slot.state = "closed"


def record(slot: Slot, data: bytes, *, addressee: str, day: str) -> Entry:
    """Register the rendered document under the slot's number and move it into place.

    Recoverable at every step: an intent (.register.pending) is written before the numbered file appears,
    so the next issuance registers a file whose registration was cut short (or drops an intent whose
    file never appeared), and unregistered numbered files left by older versions are moved aside."""
    if slot.state != "open":  # a programming error: one number, one document, under the lock
        done = "登记" if slot.state == "recorded" else "释放"
        raise RuntimeError(f"文号 {slot.doc_number} 已{done}：record() 只能在 reserve() 之内调用一次")
    root, out, path = slot.root, slot.out, register_path(slot.root)
    entry = Entry(seq=slot.seq, code=slot.code, year=slot.year, number=slot.number, doc_number=slot.doc_number,
                  kind=slot.kind, case=slot.case, addressee=addressee, date=day,
                  sha256=hashlib.sha256(data).hexdigest(), prev=slot.prev)
    entry = Entry(**{**asdict(entry), "hash": entry.computed_hash()})
    try:
        write_file(root / PENDING_FILE, json.dumps({"entry": asdict(entry), "out": str(out.resolve())},
                                                   ensure_ascii=False).encode("utf-8"))
    except OSError as exc:
        raise UserError(f"无法开始印发（写入 {root / PENDING_FILE} 失败：{_reason(exc)}）；没有取用文号") from None
    _place(out, data)
    slot.state = "recorded"
    try:
        _append(path, json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True))
    except BaseException as exc:  # a failure we see (not a crash): no file without its register entry
        slot.state = "closed"
        out.unlink(missing_ok=True)
        (root / PENDING_FILE).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UserError(f"无法登记到 {path}：{_reason(exc)}；文件已撤回，没有取用文号") from None
        raise
    try:
        _write_head(root, entry)
    except OSError:
        pass  # registered; the anchor catches up at the next issuance (register check says so)
    (root / PENDING_FILE).unlink(missing_ok=True)
    return entry


def issue(root: Path, *, code: str, year: int, kind: str, case: str, addressee: str, day: str,
          render: Callable[[str], bytes], out: Path | None = None, out_dir: Path | None = None,
          say: Callable[[str], None] = lambda message: None) -> tuple[Entry, Path]:
    """reserve() and record() around render(number), for bytes that depend on the number alone
    (tests, benchmarks); documents are issued by issuance.issue_document."""
    with reserve(root, code=code, year=year, kind=kind, case=case, out=out, out_dir=out_dir, say=say) as slot:
        return record(slot, render(slot.doc_number), addressee=addressee, day=day), slot.out


def _place(out: Path, data: bytes) -> None:
    """The numbered file appears complete or not at all, and never replaces an existing file."""
    try:
        write_file(out, data, new=True)
    except FileExistsError:
        raise UserError(f"{out} 已存在：不覆盖已有文件") from None
    except OSError as exc:
        raise UserError(f"无法写入 {out}：{_reason(exc)}；没有取用文号，也没有留下不完整的文件") from None


def _reason(exc: OSError) -> str:
    return "磁盘空间不足" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))


def _write_head(root: Path, entry: Entry) -> None:
    head = {"seq": entry.seq, "doc_number": entry.doc_number, "hash": entry.hash}
    write_file(head_path(root), (json.dumps(head, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))


def recover(root: Path, documents: Path) -> list[str]:
    """Finish or undo an issuance that was cut short; move unregistered numbered files aside. Messages."""
    messages = []
    entries = read_entries(root)
    pending = root / PENDING_FILE
    if pending.is_file():
        messages.append(_finish_pending(root, pending, entries))
        entries = read_entries(root)
    _advance_head(root, entries)
    if audit(root, None).errors:
        return [m for m in messages if m]  # a damaged register: leave every file where it is, as evidence
    registered = {e.doc_number for e in entries}
    for orphan in _numbered_files(documents):
        number = _NUMBERED.match(orphan.name).group(1)
        if number not in registered:
            aside = documents / SET_ASIDE_DIR / orphan.name
            aside.parent.mkdir(parents=True, exist_ok=True)
            os.replace(orphan, aside)
            messages.append(f"{orphan.name} 带有文号 {number} 却未登记（印发被中断）：已移到 {aside.parent}，该文号将重新使用")
    return [m for m in messages if m]


def _finish_pending(root: Path, pending: Path, entries: list[Entry]) -> str:
    try:
        data = json.loads(pending.read_text("utf-8"))
        entry = Entry(**data["entry"])
        out = Path(data["out"])
    except (OSError, ValueError, TypeError, KeyError):
        pending.unlink(missing_ok=True)
        return "上次印发被中断，中断记录无法读取，已删除（请运行 jiandu register check 核对）"
    for temp in out.parent.glob(f".{out.name}.tmp-*"):
        temp.unlink(missing_ok=True)
    message = ""
    if any(e.hash == entry.hash for e in entries):
        message = ""  # registered; only the head and the intent were left to write
    elif not out.is_file() or hashlib.sha256(out.read_bytes()).hexdigest() != entry.sha256:
        message = f"上次印发 {entry.doc_number} 在生成文件前被中断：文号未使用，将重新使用"
    elif entry.seq == len(entries) + 1 and entry.prev == (entries[-1].hash if entries else GENESIS):
        _append(register_path(root), json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True))
        message = f"上次印发 {entry.doc_number} 在登记前被中断：文件 {out} 完整，已补登"
    pending.unlink(missing_ok=True)
    _advance_head(root, read_entries(root))
    return message


def _advance_head(root: Path, entries: list[Entry]) -> None:
    """Move the anchor to the last entry, only forward along the chain (never over a truncation)."""
    head = _read_head(root)
    if not entries or head == (entries[-1].seq, entries[-1].hash):
        return
    if head is None or (0 < head[0] <= len(entries) and entries[head[0] - 1].hash == head[1]):
        if not _chain_problems(list(enumerate(entries, 1))):
            _write_head(root, entries[-1])


def _numbered_files(documents: Path) -> list[Path]:
    if not documents.is_dir():
        return []
    return sorted(p for p in documents.iterdir() if p.suffix.lower() == ".docx" and not p.name.startswith(".")
                  and _NUMBERED.match(p.name) and p.is_file())


def _append(path: Path, line: str) -> None:
    """One line at the end; a failed write (a full disk) is cut back so that no half line remains."""
    size = path.stat().st_size if path.is_file() else 0
    needs_newline = size > 0 and not path.read_bytes().endswith(b"\n")
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(("\n" if needs_newline else "") + line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        if path.is_file() and path.stat().st_size != size:
            os.truncate(path, size)
        raise


def safe_file_name(name: str) -> str:
    """A file name that stays in its folder: no separators, no control characters, no leading dots."""
    cleaned = "".join("_" if ch in "/\\" or ord(ch) < 32 else ch for ch in name).strip().lstrip(".")
    return cleaned[:150] or "文书"


def find_by_file(root: Path, file: Path) -> Entry | None:
    """The register entry of exactly this file (by SHA-256), or None: what `jiandu verify` reports."""
    if not file.is_file():
        raise UserError(f"文件不存在：{file}")
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    return next((entry for entry in read_entries(root) if entry.sha256 == digest), None)


def check_chain(root: Path) -> tuple[int, str | None]:
    """(entries checked, description of the first problem or None)."""
    report = audit(root, None)
    return report.count, (report.errors[0] if report.errors else None)


@dataclass
class Audit:
    count: int
    errors: list
    notes: list
    repaired: list = field(default_factory=list)  # what check_register(repair=True) finished or moved aside


def check_register(root: Path, *, repair: bool = False) -> Audit:
    """`register check`; with repair, cut-short issuances are first finished or undone (`register repair`)."""
    documents = root / "documents"
    repaired = recover(root, documents) if repair else []
    report = audit(root, documents)
    report.repaired = repaired
    return report


def audit(root: Path, documents: Path | None) -> Audit:
    """Everything `register check` verifies: the hash chain (and forks from merged copies), numbers unique and
    consecutive per 机关代字 and year, doc_number text, the head anchor and its git history, and the
    issued files in documents/ against the register."""
    numbered = _numbered_entries(root)
    errors, notes = _chain_problems(numbered), []
    errors += _number_problems(numbered)
    advised = [index for index, error in enumerate(errors) if _FORK_ADVICE in error]
    for index in advised[1:]:
        errors[index] = errors[index].replace(f"。{_FORK_ADVICE}", "（处理办法见上）")
    entries = [entry for _, entry in numbered]
    errors += _head_problems(root, entries, notes)
    errors += _history_problems(root, entries)
    if documents is not None:
        errors += _document_problems(documents, entries, notes)
    pending = root / PENDING_FILE
    if pending.is_file():
        notes.append(f"上次印发被中断（{PENDING_FILE}）：下次印发或运行 jiandu register repair 时自动补登或清理")
    return Audit(len(entries), errors, notes)


_FORK_ADVICE = ("处理办法：这通常是两位经办人各自印发后合并了登记簿。保留先印发的一支，把 register.jsonl 和 register.head "
                "恢复为该支的版本（git checkout <该支的提交> -- register.jsonl register.head），另一支印发的文书作废，"
                "用 jiandu doc 重新印发（取得新文号，接在链尾）")


def _chain_problems(numbered: list[tuple[int, Entry]]) -> list[str]:
    problems = []
    previous = GENESIS
    lines = {GENESIS: (0, "登记簿开头")}
    children: dict[str, int] = {}
    for index, (line, entry) in enumerate(numbered, 1):
        if entry.computed_hash() != entry.hash:
            problems.append(f"第 {line} 行（第 {entry.seq} 条，{entry.doc_number}）的内容与其哈希不符：这一条被改动过")
        elif entry.prev != previous:
            if entry.prev in children:
                parent_line, parent_number = lines[entry.prev]
                problems.append(f"登记簿分叉：第 {line} 行（{entry.doc_number}）与第 {children[entry.prev]} 行都接在"
                                f"第 {parent_line} 行（{parent_number}）之后。{_FORK_ADVICE}")
            else:
                problems.append(f"第 {line} 行（第 {entry.seq} 条，{entry.doc_number}）的前序哈希与上一条不符：之前的记录被改动或删除")
        if entry.seq != index:
            problems.append(f"第 {line} 行的序号是 {entry.seq}，应为 {index}：记录被删除、插入或重排")
        children.setdefault(entry.prev, line)
        lines[entry.hash] = (line, entry.doc_number)
        previous = entry.hash
    return problems


def _number_problems(numbered: list[tuple[int, Entry]]) -> list[str]:
    problems = []
    series: dict[tuple[str, int], dict[int, list[int]]] = {}
    for line, entry in numbered:
        expected = doc_number(entry.code, entry.year, entry.number)
        if entry.doc_number != expected:
            problems.append(f"第 {line} 行：doc_number 为“{entry.doc_number}”，与 code/year/number 应得的“{expected}”不符")
        if entry.number < 1:
            problems.append(f"第 {line} 行：number 应为正整数，现为 {entry.number}")
        series.setdefault((entry.code, entry.year), {}).setdefault(entry.number, []).append(line)
    for (code, year), numbers in series.items():
        for number, lines in sorted(numbers.items()):
            if len(lines) > 1:
                problems.append(f"重号：{doc_number(code, year, number)} 登记了 {len(lines)} 次（第 "
                                f"{'、'.join(map(str, lines))} 行）。{_FORK_ADVICE}")
        gaps = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        if gaps:
            shown = "、".join(doc_number(code, year, n) for n in gaps[:5]) + ("等" if len(gaps) > 5 else "")
            problems.append(f"{code}〔{year}〕的文号不连续，缺少 {shown}：登记簿中的记录被删除过")
    return problems


def _read_head(root: Path) -> tuple[int, str] | None:
    path = head_path(root)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
        return int(data["seq"]), str(data["hash"])
    except (OSError, ValueError, TypeError, KeyError):
        return (-1, "")


def _head_problems(root: Path, entries: list[Entry], notes: list) -> list[str]:
    head = _read_head(root)
    if head is None:
        if entries:
            notes.append(f"没有 {HEAD_FILE}（登记簿末条的锚点）：下次印发时生成；请把它与 register.jsonl 一起提交")
        return []
    seq, digest = head
    if seq < 0:
        return [f"{HEAD_FILE} 无法读取：请从版本库恢复"]
    if seq > len(entries):
        return [f"登记簿被截断：{HEAD_FILE} 记录登记簿已有 {seq} 条，现在只有 {len(entries)} 条——末尾的记录（或整个文件）"
                f"被删除了。请从版本库恢复 register.jsonl；删除的文号不能重新使用"]
    if seq > 0 and entries[seq - 1].hash != digest:
        return [f"{HEAD_FILE} 记录的第 {seq} 条与登记簿中的第 {seq} 条不同：登记簿被改写或替换过，请从版本库恢复"]
    if seq < len(entries):
        notes.append(f"{HEAD_FILE} 只记到第 {seq} 条（共 {len(entries)} 条）：上次印发在更新锚点前被中断，下次印发时更新")
    return []


def _history_problems(root: Path, entries: list[Entry]) -> list[str]:
    """Every register.head ever committed must still be in the register (when the library is a git repository)."""
    import subprocess

    def git(*args: str) -> str | None:
        try:
            result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return None
        return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else None

    if not (root / ".git").exists() and git("rev-parse", "--show-toplevel") is None:
        return []
    prefix = (git("rev-parse", "--show-prefix") or "").strip()
    commits = (git("rev-list", "--max-count=200", "HEAD", "--", HEAD_FILE) or "").split()
    hashes = {entry.hash: entry.seq for entry in entries}
    for commit in commits:
        text = git("show", f"{commit}:{prefix}{HEAD_FILE}")
        try:
            data = json.loads(text or "")
            seq, digest = int(data["seq"]), str(data["hash"])
        except (ValueError, TypeError, KeyError):
            continue
        if seq > 0 and digest not in hashes:
            return [f"git 提交 {commit[:10]} 中的 {HEAD_FILE} 记录了第 {seq} 条（{data.get('doc_number', '')}），"
                    f"当前登记簿中没有这一条：登记簿被截断或改写。请用 git log -p register.jsonl 查明并恢复"]
    return []


def _document_problems(documents: Path, entries: list[Entry], notes: list) -> list[str]:
    problems = []
    by_number = {e.doc_number: e for e in entries}
    digests = {e.sha256 for e in entries}
    present = set()
    for path in _numbered_files(documents):
        number = _NUMBERED.match(path.name).group(1)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in digests:
            present.add(digest)
        elif number in by_number:
            problems.append(f"{path} 与登记的 {number} 不一致：已印发的文件被改动过（jiandu verify 可逐个核对）")
        else:
            problems.append(f"{path} 带有文号 {number} 却未登记（印发在登记前被中断）：运行 jiandu register repair "
                            f"或下次印发时自动处理（移到 {SET_ASIDE_DIR}/，文号重新使用）")
    absent = [e.doc_number for e in entries if e.sha256 not in present]
    if entries and absent:
        notes.append(f"{len(absent)} 份已登记的文书不在 {documents} 中（已印发的正式文书由发文机关归档保存，"
                     f"不随案例库提交）：{'、'.join(absent[:5])}{'等' if len(absent) > 5 else ''}")
    return problems


def entries_by_case(root: Path) -> dict[str, list[Entry]]:
    grouped: dict[str, list[Entry]] = {}
    for entry in read_entries(root):
        grouped.setdefault(entry.case, []).append(entry)
    return grouped
