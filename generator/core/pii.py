"""Personal-data gate: ID numbers, mobile numbers, bank cards and e-mail addresses (names only warned).

Run before anything is published. Matches are reported with file, field and a
masked excerpt (the full number is never printed). Values listed in the
library's pii-allow.txt (one per line) are known false positives.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.core.model import Case
from generator.core.problems import WARNING, Problem

ALLOW_FILE = "pii-allow.txt"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Matching runs on a normalised copy (NFKC: full-width digits, ＠, ．, NBSP and ideographic space become
# ASCII) in which digit groups may be separated by a space, tab, dash, dot or middle dot. Separators are
# allowed only where people group these numbers (6-8-4 or 6-4-4-4, 3-4-4, fours), so that lists of dates
# or decimals ("2025.10.14—2025.11.14", "13.5 14.2 15.3") are not read as one number.
_SEP = r"[ \t\-.·‐‑‒–—―_]"
_ID = re.compile(rf"(?<![0-9A-Za-z])(?<!\d{_SEP})\d{{6}}{_SEP}?\d{{4}}{_SEP}?\d{{4}}{_SEP}?\d{{3}}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(rf"(?<!\d)(?:(?:\+|00)?86{_SEP}?)?1[3-9]\d{_SEP}?\d{{4}}{_SEP}?\d{{4}}(?!\d)")
_CARD = re.compile(rf"(?<!\d)(?<!\d{_SEP})\d{{4}}(?:{_SEP}?\d{{4}}){{3}}(?:{_SEP}?\d{{1,3}})?(?!{_SEP}?\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+\s*@\s*[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# A likely citizen's name right after the word for a party: a warning only (names are not reliably detectable).
_PARTY = "当事人|举报人|信访人|控告人|申诉人|申请人|被申请人|被执行人|被告人|犯罪嫌疑人|嫌疑人|证人|被害人|受害人"
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
             "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_NAME = re.compile(rf"(?:{_PARTY})[：:\s]?([{_SURNAMES}][\u4e00-\u9fff]{{1,2}})(?=[，。、；：,;:\s（(）)]|$)")


# A single line break inside a paragraph is shown as a space (Markdown), so a number wrapped onto the next
# line is published whole; a blank line (a new paragraph) still separates.
_SOFT_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*(?![ \t]*\r?\n)")


def normalise(text: str) -> str:
    """What the patterns read: NFKC-normalised text with soft line breaks read as spaces (same length is
    not kept; values are reported from it)."""
    import unicodedata

    return _SOFT_BREAK.sub(" ", unicodedata.normalize("NFKC", text))


def _bare(value: str) -> str:
    return re.sub(rf"{_SEP}|\s", "", normalise(value)).upper()


def id_checksum_ok(number: str) -> bool:
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def mask(value: str) -> str:
    keep = 3 if len(value) > 8 else 1
    return value[:keep] + "*" * max(1, len(value) - keep - 2) + value[-2:]


def find_pii(text: str) -> list[tuple[str, str]]:
    """(kind, value) for every personal datum in text; values as normalised (full-width made ASCII)."""
    text = normalise(text)
    found: list[tuple[str, str]] = []
    taken: list[tuple[int, int]] = []

    def note(kind: str, match: re.Match) -> None:
        if not any(start < match.end() and match.start() < end for start, end in taken):
            taken.append(match.span())
            found.append((kind, match.group(0)))

    for match in _ID.finditer(text):
        if id_checksum_ok(_bare(match.group(0))):
            note("身份证号", match)
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if 16 <= len(digits) <= 19 and luhn_ok(digits):
            note("银行卡号", match)
    for match in _MOBILE.finditer(text):
        note("手机号", match)
    for match in _EMAIL.finditer(text):
        note("电子邮箱", match)
    return found


def find_names(text: str) -> list[str]:
    """Likely citizens' names next to 当事人, 举报人 …: reported as warnings, never certain."""
    return [match.group(1) for match in _NAME.finditer(normalise(text)) if "某" not in match.group(1)]


def _texts_of(value, path: str):
    from dataclasses import fields, is_dataclass

    if isinstance(value, str):
        yield path, value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        yield path, str(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", str(key)
            yield from _texts_of(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _texts_of(item, f"{path}[{index}]")
    elif is_dataclass(value):
        for item in fields(value):
            name = _FIELD_NAMES.get(item.name, item.name)
            yield from _texts_of(getattr(value, item.name), f"{path}.{name}" if path else name)


_FIELD_NAMES = {"sender": "from", "receiver": "to"}
_NOT_PUBLISHED = {"source", "date", "deadline", "closed_on", "reported_on"}


def case_texts(case: Case):
    """(field path, text) for every piece of text a case holds: every field, figures' names and values,
    finding and clue ids (dates and the source path are not text a person writes)."""
    from dataclasses import fields

    for item in fields(case):
        if item.name not in _NOT_PUBLISHED:
            yield from _texts_of(getattr(case, item.name), item.name)


def load_allow_list(library_root: Path) -> set[str]:
    path = library_root / ALLOW_FILE
    if not path.is_file():
        return set()
    lines = path.read_text("utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")}


def _allowed(value: str, allowed: set[str]) -> bool:
    return value in allowed or _bare(value) in {_bare(item) for item in allowed}


def scan_text(text: str, file: str, field: str, allowed: set[str] = frozenset()) -> list[Problem]:
    """Problems for one text: personal data are errors, likely names warnings."""
    problems = []
    for kind, value in find_pii(text or ""):
        if not _allowed(value, allowed):
            problems.append(Problem(file, f"疑似{kind}“{mask(value)}”：公开发布的内容不得含有个人信息；"
                                          f"如确属误报，请把原文加入 {ALLOW_FILE}", field=field))
    for name in find_names(text or ""):
        if not _allowed(name, allowed):
            problems.append(Problem(file, f"疑似公民姓名“{name[0]}{'*' * (len(name) - 1)}”：请改用“某某”或“张某”等写法；"
                                          f"如确属误报，请把原文加入 {ALLOW_FILE}", field=field, severity=WARNING))
    return problems


def scan_case(case: Case, allowed: set[str] = frozenset()) -> list[Problem]:
    return [problem for field, text in case_texts(case) for problem in scan_text(text, case.source, field, allowed)]


def scan_issued(issued: dict, cases: list[Case], allowed: set[str] = frozenset()) -> list[Problem]:
    """The addressees (--to text) of documents issued for these cases: shown on the case pages."""
    return [problem for case in cases for entry in issued.get(case.id, ())
            for problem in scan_text(entry.addressee, "register.jsonl", f"{entry.doc_number}.addressee", allowed)]


def scan_cases(cases: list[Case], allowed: set[str] = frozenset(), cache_dir: Path | None = None, *, state=None,
               fingerprints: dict[str, str] | None = None) -> list[Problem]:
    """Every suspected piece of personal information. With a build state (or a cache_dir holding one), cases
    unchanged since the last scan are not scanned again; fingerprints (case id → digest of its file, from
    validation) spare hashing each case."""
    if state is None and cache_dir is None:
        return [problem for case in cases for problem in scan_case(case, allowed)]
    import hashlib
    import pickle

    from generator.infra.buildstate import BuildState, Record
    from generator.infra.cachekey import code_key

    own = state is None
    state = BuildState(cache_dir) if own else state
    old = state.record("pii", code_key("generator.core.pii", extra="\n".join(sorted(allowed))))
    record, problems = Record(old.code), []
    for case in cases:
        key = (fingerprints or {}).get(case.id) or \
            hashlib.sha1(pickle.dumps(case, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
        found = old.values[case.id] if old.reusable(case.id, key) else scan_case(case, allowed)
        record.keys[case.id], record.values[case.id] = key, found
        problems.extend(found)
    if record.keys != old.keys:
        state.update("pii", record)
        if own:
            state.save()
    return problems


def scan_library(root: Path, cases: list[Case]) -> tuple[list[Problem], list[Problem]]:
    """`jiandu check --pii`: (personal data in public cases — errors that stop the public edition,
    reminders — in public cases below the error level and in internal cases, as warnings)."""
    allowed = load_allow_list(root)
    found = scan_cases([c for c in cases if c.is_public], allowed)
    published = [p for p in found if p.is_error]
    internal = [p for p in found if not p.is_error]
    internal += [p.as_warning() for p in scan_cases([c for c in cases if not c.is_public], allowed)]
    return published, internal
