"""Personal-data gate: ID numbers, mobile numbers, bank cards and e-mail addresses.

Run before anything is published. Matches are reported with file, field and a
masked excerpt (the full number is never printed). Values listed in the
library's pii-allow.txt (one per line) are known false positives.
"""

from __future__ import annotations

import re
from pathlib import Path

from .model import Case
from .problems import Problem

ALLOW_FILE = "pii-allow.txt"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_CARD = re.compile(r"(?<!\d)\d(?:[ -]?\d){15,18}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


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
    """(kind, value) for every personal datum in text."""
    found: list[tuple[str, str]] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, match: re.Match) -> None:
        if not any(start < match.end() and match.start() < end for start, end in taken):
            taken.append(match.span())
            found.append((kind, match.group(0)))

    for match in _ID.finditer(text):
        if id_checksum_ok(match.group(0)):
            add("身份证号", match)
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if 16 <= len(digits) <= 19 and luhn_ok(digits):
            add("银行卡号", match)
    for match in _MOBILE.finditer(text):
        add("手机号", match)
    for match in _EMAIL.finditer(text):
        add("电子邮箱", match)
    return found


def case_texts(case: Case):
    """(field path, text) for every piece of text a case publishes."""
    for name in ("id", "title", "subtitle", "region", "summary", "background", "practice", "outcome", "insight"):
        yield name, getattr(case, name)
    for name in ("supervisors", "supervised", "keywords", "legal_basis"):
        for index, value in enumerate(getattr(case, name)):
            yield f"{name}[{index}]", value
    for name in case.figures:
        yield f"figures.{name}", name
    for index, finding in enumerate(case.findings):
        for name in ("problem", "unit", "requirement", "evidence"):
            yield f"findings[{index}].{name}", getattr(finding, name)
    for index, clue in enumerate(case.clues):
        for name, value in (("from", clue.sender), ("to", clue.receiver), ("summary", clue.summary),
                            ("result", clue.result)):
            yield f"clues[{index}].{name}", value


def load_allow_list(library_root: Path) -> set[str]:
    path = library_root / ALLOW_FILE
    if not path.is_file():
        return set()
    lines = path.read_text("utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")}


def scan_case(case: Case, allowed: set[str] = frozenset()) -> list[Problem]:
    problems = []
    for field, text in case_texts(case):
        for kind, value in find_pii(text or ""):
            if value in allowed:
                continue
            problems.append(Problem(case.source, f"疑似{kind}“{mask(value)}”：公开发布的内容不得含有个人信息；"
                                                 f"如确属误报，请把原文加入 {ALLOW_FILE}", field=field))
    return problems


def scan_cases(cases: list[Case], allowed: set[str] = frozenset(), cache_dir: Path | None = None) -> list[Problem]:
    """Every suspected piece of personal information; with cache_dir, unchanged cases are not scanned again."""
    if cache_dir is None:
        return [problem for case in cases for problem in scan_case(case, allowed)]
    import hashlib
    import pickle

    from .files import package_digest, read_cache, write_cache

    signature = package_digest("pii.py", extra="\n".join(sorted(allowed)))
    path = cache_dir / "pii.pickle"
    old = read_cache(path, signature)
    old = old if isinstance(old, dict) else {}
    found, problems = {}, []
    for case in cases:
        key = hashlib.sha1(pickle.dumps(case, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
        entry = old.get(key)
        found[key] = entry if isinstance(entry, list) else scan_case(case, allowed)
        problems.extend(found[key])
    if found.keys() != old.keys():
        write_cache(path, signature, found)
    return problems
