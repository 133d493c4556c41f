"""Stage 2 — validate: raw YAML data → Case objects, every problem reported at once."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path


from generator.core.contract import (
    CASE_FIELDS,
    CLASSIFICATIONS,
    CLASSIFIED_WORDS,
    CLUE_FIELDS,
    FINDING_FIELDS,
    ID_PATTERN,
    MAX_LIST_ITEMS,
    MAX_TEXT_CHARS,
    MAX_UNKNOWN_KEY_WARNINGS,
    SCAFFOLD_PLACEHOLDERS,
    SUB_ID_PATTERN,
    TITLE_MAX,
    TITLE_MIN,
    Field,
)
from generator.core.load import RawCase, _display_path, dotted, find_case_files, read_case_file
from generator.core.model import Case, Clue, Finding
from generator.infra.parallel import map_in_processes
from generator.core.problems import WARNING, Problem
from generator.core.taxonomy import Taxonomy

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_ID_RE = re.compile(ID_PATTERN.replace("$", r"\Z"), re.ASCII)
_SUB_ID_RE = re.compile(SUB_ID_PATTERN.replace("$", r"\Z"), re.ASCII)
_MARKING_RE = re.compile(r"(绝密|机密|秘密)\s*[★*]")
# Control characters, and what XML 1.0 cannot hold (Word documents are XML): surrogates, U+FFFE, U+FFFF.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Invisible characters that change how text looks (RLO and other bidi controls) or make look-alike
# values (zero-width joiners and spaces: two keyword pages that look the same).
_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_TYPE_NAMES = {str: "文本", int: "整数", float: "数字", bool: "true/false", list: "列表", dict: "映射",
               type(None): "空值"}


def line_text_problem(value: str, max_chars: int = 200) -> str | None:
    """Why a one-line value given on the command line (a document's addressee) cannot be used, or None."""
    found = _CONTROL_RE.search(value) or _INVISIBLE_RE.search(value) or re.search(r"[\r\n\t]", value)
    if found:
        return (f"含有不可见的字符 U+{ord(found.group(0)):04X}（控制字符、换行、零宽字符或文字方向控制符），"
                "它会让文字看起来与实际内容不同，或使文书无法生成")
    if len(value) > max_chars:
        return f"过长（{len(value)} 字，不得超过 {max_chars} 字）"
    return None


def _type_name(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


class _Checker:
    """Collects problems for one file while converting its values."""

    def __init__(self, raw: RawCase, taxonomy: Taxonomy):
        self.raw = raw
        self.taxonomy = taxonomy
        self.problems: list[Problem] = []

    def report(self, path: tuple, message: str, severity: str = "错误") -> None:
        self.problems.append(Problem(self.raw.display, message, field=dotted(path),
                                     line=self.raw.line_of(path), severity=severity))

    # --- scalar kinds -------------------------------------------------
    def line_text(self, path: tuple, value: object, label: str) -> str | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.report(path, f"{label}应为文本，实际是数字 {value}；如果确实要写数字，请加引号，如 \"{value}\"")
            return None
        if not isinstance(value, str):
            self.report(path, f"{label}应为文本，实际是{_type_name(value)}")
            return None
        if len(value) > MAX_TEXT_CHARS:
            self.report(path, f"{label}过长（{len(value)} 字），单个字段不得超过 {MAX_TEXT_CHARS} 字；案例是工作总结，不是档案")
            return None
        if _CONTROL_RE.search(value):
            self.report(path, f"{label}含有不可见的控制字符（如 \\x01），请删除")
            return None
        if _INVISIBLE_RE.search(value):
            found = _INVISIBLE_RE.search(value).group(0)
            self.report(path, f"{label}含有不可见的字符 U+{ord(found):04X}（零宽字符或文字方向控制符），"
                              "它会让文字看起来与实际内容不同，请删除")
            return None
        if _MARKING_RE.search(value):
            self.report(path, "含有国家秘密标志（绝密★/机密★/秘密★），涉密材料不得录入本系统")
            return None
        if not value.strip():
            self.report(path, f"{label}不能为空")
            return None
        if any(words in value for words in SCAFFOLD_PLACEHOLDERS):
            self.report(path, f"{label}还是 jiandu new 模板中的占位文字“{value.strip()[:30]}”，请改写为本案例的内容")
            return None
        return value.strip()

    def day(self, path: tuple, value: object, label: str) -> date | None:
        if isinstance(value, date):
            return value
        if not isinstance(value, str) or not _DATE_RE.match(value.strip()):
            self.report(path, f"{label}应为 YYYY-MM-DD 格式的日期，实际是“{str(value)[:40]}”")
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            self.report(path, f"{label}“{value}”不是真实存在的日期")
            return None

    def yes_no(self, path: tuple, value: object, label: str) -> bool | None:
        if not isinstance(value, bool):
            self.report(path, f"{label}应为 true 或 false，实际是“{str(value)[:40]}”")
            return None
        return value

    def strings(self, path: tuple, value: object, label: str, required: bool) -> tuple[str, ...] | None:
        if isinstance(value, str):
            self.report(path, f"{label}应为列表（如 [甲, 乙]），实际是单个文本")
            return None
        if not isinstance(value, list):
            self.report(path, f"{label}应为列表，实际是{_type_name(value)}")
            return None
        if required and not value:
            self.report(path, f"{label}不能为空列表")
            return None
        if len(value) > MAX_LIST_ITEMS:
            self.report(path, f"{label}有 {len(value)} 项，超过上限 {MAX_LIST_ITEMS} 项")
            return None
        items = [self.line_text(path + (i,), item, label) for i, item in enumerate(value)]
        if any(item is None for item in items):
            return None
        return tuple(items)

    def choice(self, path: tuple, value: object, label: str, allowed, where: str) -> str | None:
        text = self.line_text(path, value, label)
        if text is None:
            return None
        if text not in allowed:
            self.report(path, f"{label}“{text}”不在{where}中，可选：{'、'.join(allowed)}")
            return None
        return text

    def classification(self, path: tuple, value: object) -> str | None:
        text = self.line_text(path, value, "密级标识")
        if text is None:
            return None
        if text.startswith(CLASSIFIED_WORDS) or "★" in text:
            self.report(path, f"“{text}”是涉密标识：涉密材料不得录入本系统，请勿提交此案例")
            return None
        if text not in CLASSIFICATIONS:
            self.report(path, f"密级标识“{text}”无效，只能是 公开 或 内部")
            return None
        return text

    def figures(self, path: tuple, value: object) -> dict[str, int] | None:
        if not isinstance(value, dict):
            self.report(path, f"统计数字应为映射（名称: 整数），实际是{_type_name(value)}")
            return None
        result: dict[str, int] = {}
        if len(value) > MAX_LIST_ITEMS:
            self.report(path, f"统计数字有 {len(value)} 项，超过上限 {MAX_LIST_ITEMS} 项")
            return None
        for name, number in value.items():
            if not isinstance(name, str) or not name.strip():
                self.report(path, f"统计数字的名称应为文本，实际是“{name}”")
            elif _CONTROL_RE.search(name) or _INVISIBLE_RE.search(name):
                self.report(path, f"统计数字的名称“{_CONTROL_RE.sub('?', name)[:40]}”含控制字符或无法保存的字符，请删除")
            elif isinstance(number, bool) or not isinstance(number, int):
                self.report(path + (name,), f"统计数字“{name}”应为整数，实际是“{str(number)[:40]}”")
            elif number < 0:
                self.report(path + (name,), f"统计数字“{name}”不能为负数")
            else:
                result[str(name)] = number
        return result

    def unknown_keys(self, path: tuple, data: dict, fields: tuple[Field, ...]) -> None:
        unknown = [key for key in data if key not in {f.key for f in fields}]
        for key in unknown[:MAX_UNKNOWN_KEY_WARNINGS]:
            self.report(path + (str(key),), f"未知字段“{key}”（可能是拼写错误），已忽略", severity=WARNING)
        if len(unknown) > MAX_UNKNOWN_KEY_WARNINGS:
            self.report(path, f"另有 {len(unknown) - MAX_UNKNOWN_KEY_WARNINGS} 个未知字段未逐一列出", severity=WARNING)


def _check_mapping(checker: _Checker, path: tuple, data: dict, fields: tuple[Field, ...]) -> dict:
    checker.unknown_keys(path, data, fields)
    values: dict = {}
    for spec in fields:
        fpath = path + (spec.key,)
        if spec.key not in data or data[spec.key] is None:
            if spec.required:
                checker.report(fpath, f"缺少必填字段 {spec.key}（{spec.label}）")
            continue
        values[spec.key] = _check_value(checker, fpath, data[spec.key], spec)
    return values


def _check_value(checker: _Checker, path: tuple, value: object, spec: Field):
    kind = spec.kind
    if kind in ("str", "text", "markdown"):
        return checker.line_text(path, value, spec.label)
    if kind == "id":
        text = checker.line_text(path, value, spec.label)
        if text is not None and not _ID_RE.match(text):
            checker.report(path, f"案例编号“{text[:40]}”格式不对，应为 地区代码-年份-序号，如 CZ-2025-003")
            return None
        return text
    if kind == "subid":
        text = checker.line_text(path, value, spec.label)
        if text is not None and not _SUB_ID_RE.match(text):
            checker.report(path, f"编号“{text[:40]}”只能由字母、数字、-、_ 组成，如 F1、X1")
            return None
        return text
    if kind == "date":
        return checker.day(path, value, spec.label)
    if kind == "bool":
        return checker.yes_no(path, value, spec.label)
    if kind == "strings":
        items = checker.strings(path, value, spec.label, spec.required)
        return None if items is None else tuple(dict.fromkeys(items))
    if kind == "enum" and spec.key == "classification":
        return checker.classification(path, value)
    if kind == "enum":
        return checker.choice(path, value, spec.label, spec.choices, "允许的取值")
    if kind == "category":
        return checker.choice(path, value, spec.label, tuple(checker.taxonomy.categories), "分类体系的监督内容")
    if kind == "mechanisms":
        items = checker.strings(path, value, spec.label, True)
        if items is None:
            return None
        allowed = tuple(checker.taxonomy.mechanisms)
        bad = [i for i, item in enumerate(items) if item not in allowed]
        for i in bad:
            checker.report(path + (i,), f"工作机制“{items[i]}”不在分类体系中，可选：{'、'.join(allowed)}")
        return None if bad else tuple(dict.fromkeys(items))
    if kind == "figures":
        return checker.figures(path, value)
    if kind in ("findings", "clues"):
        return _check_items(checker, path, value, kind)
    raise AssertionError(f"unknown field kind {kind}")


def _check_items(checker: _Checker, path: tuple, value: object, kind: str) -> tuple | None:
    label = "发现问题" if kind == "findings" else "线索移送"
    if not isinstance(value, list):
        checker.report(path, f"{label}应为列表，实际是{_type_name(value)}")
        return None
    fields = FINDING_FIELDS if kind == "findings" else CLUE_FIELDS
    items, seen_ids, ok = [], set(), True
    for index, item in enumerate(value):
        ipath = path + (index,)
        if not isinstance(item, dict):
            checker.report(ipath, f"{label}的每一项应为映射，实际是{_type_name(item)}")
            ok = False
            continue
        before = len([p for p in checker.problems if p.is_error])
        values = _check_mapping(checker, ipath, item, fields)
        item_id = values.get("id")
        if item_id is not None:
            if item_id in seen_ids:
                checker.report(ipath + ("id",), f"编号“{item_id}”在本案例中重复")
            seen_ids.add(item_id)
        if kind == "findings":
            _check_finding_rules(checker, ipath, values)
        else:
            _check_clue_rules(checker, ipath, values)
        if len([p for p in checker.problems if p.is_error]) > before:
            ok = False
        else:
            items.append(values)
    if not ok:
        return None
    if kind == "findings":
        return tuple(Finding(id=v["id"], problem=v["problem"], unit=v["unit"], requirement=v["requirement"],
                             deadline=v["deadline"], status=v["status"], closed_on=v.get("closed_on"),
                             reported_on=v.get("reported_on"), evidence=v.get("evidence") or "",
                             cause=v.get("cause") or "")
                     for v in items)
    return tuple(Clue(id=v["id"], date=v["date"], sender=v["from"], receiver=v["to"], summary=v["summary"],
                      status=v["status"], result=v.get("result") or "", closed_on=v.get("closed_on"))
                 for v in items)


def _check_finding_rules(checker: _Checker, path: tuple, v: dict) -> None:
    status = v.get("status")
    if status == "已销号" and "closed_on" not in v:
        checker.report(path + ("closed_on",), "状态为“已销号”时必须填写 closed_on（销号日期）")
    if status and status != "已销号" and v.get("closed_on"):
        checker.report(path + ("closed_on",), f"状态为“{status}”时不应填写 closed_on，只有已销号的问题才有销号日期")


def _check_clue_rules(checker: _Checker, path: tuple, v: dict) -> None:
    status = v.get("status")
    if status == "已办结":
        if "result" not in v:
            checker.report(path + ("result",), "状态为“已办结”时必须填写 result（办理结果反馈）")
        if "closed_on" not in v:
            checker.report(path + ("closed_on",), "状态为“已办结”时必须填写 closed_on（办结日期）")
    elif status and v.get("closed_on"):
        checker.report(path + ("closed_on",), f"状态为“{status}”时不应填写 closed_on，只有已办结的线索才有办结日期")
    if v.get("closed_on") and v.get("date") and v["closed_on"] < v["date"]:
        checker.report(path + ("closed_on",), f"办结日期 {v['closed_on']} 早于移送日期 {v['date']}")


def _check_case_rules(checker: _Checker, v: dict) -> None:
    raw = checker.raw
    case_id, case_date = v.get("id"), v.get("date")
    if case_id and Path(raw.display).stem != case_id:
        checker.report(("id",), f"文件名应与编号一致：编号是 {case_id}，文件名却是 {Path(raw.display).name}（应为 {case_id}.yaml）")
    if case_id and case_date and case_id.split("-")[1] != str(case_date.year):
        checker.report(("id",), f"编号中的年份 {case_id.split('-')[1]} 与日期年份 {case_date.year} 不一致", severity=WARNING)
    title = v.get("title")
    if title is not None and not TITLE_MIN <= len(title) <= TITLE_MAX:
        checker.report(("title",), f"标题应为 {TITLE_MIN}–{TITLE_MAX} 个字，现为 {len(title)} 个字")
    if case_date:
        for index, finding in enumerate(v.get("findings") or ()):
            if finding.closed_on and finding.closed_on < case_date:
                checker.report(("findings", index, "closed_on"), f"销号日期 {finding.closed_on} 早于案例日期 {case_date}")


def validate_raw(raw: RawCase, taxonomy: Taxonomy) -> tuple[Case | None, list[Problem]]:
    checker = _Checker(raw, taxonomy)
    if not isinstance(raw.data, dict):
        what = "空文件" if raw.data is None else f"{_type_name(raw.data)}"
        checker.report((), f"案例文件的顶层应为映射（键: 值），实际是{what}")
        return None, checker.problems
    values = _check_mapping(checker, (), raw.data, CASE_FIELDS)
    _check_case_rules(checker, values)
    if any(p.is_error for p in checker.problems):
        return None, checker.problems
    case = Case(
        id=values["id"], title=values["title"], date=values["date"], region=values["region"],
        classification=values["classification"], category=values["category"],
        mechanisms=values["mechanisms"], supervisors=values["supervisors"], supervised=values["supervised"],
        summary=values["summary"], background=values["background"], practice=values["practice"],
        outcome=values["outcome"], source=raw.display, subtitle=values.get("subtitle") or "",
        keywords=values.get("keywords") or (), typical=values.get("typical") or False,
        replicable=values.get("replicable") or False, insight=values.get("insight") or "",
        legal_basis=values.get("legal_basis") or (), figures=values.get("figures") or {},
        findings=values.get("findings") or (), clues=values.get("clues") or (),
    )
    return case, checker.problems


@dataclass(frozen=True)
class FileResult:
    """One case file, read and validated: what a cache may keep between builds."""

    case: Case | None
    problems: tuple[Problem, ...]
    id_line: int | None


def check_file(path: Path, root: Path, taxonomy: Taxonomy) -> FileResult:
    raw, problems = read_case_file(path, root)
    if raw is None:
        return FileResult(None, tuple(problems), None)
    case, found = validate_raw(raw, taxonomy)
    return FileResult(case, tuple(problems + found), raw.line_of(("id",)))


def check_duplicates(cases: list[Case], id_lines: dict[str, int | None]) -> list[Problem]:
    problems, first_seen = [], {}
    for case in cases:
        if case.id in first_seen:
            problems.append(Problem(case.source, f"案例编号 {case.id} 重复，已在 {first_seen[case.id]} 中使用",
                                    field="id", line=id_lines.get(case.source)))
        else:
            first_seen[case.id] = case.source
    return problems


def unreadable_entries(others: list[Path], root: Path) -> list[Problem]:
    """Names ending in .yaml that are not regular files (find_case_files): reported, never skipped silently."""
    import stat

    problems = []
    for path in others:
        if path.is_symlink() and not path.exists():
            what = f"是指向不存在文件（{os.readlink(path)}）的符号链接"
        elif path.is_dir():
            what = "是一个目录"
        else:
            mode = path.lstat().st_mode
            what = "是命名管道（FIFO）" if stat.S_ISFIFO(mode) else "不是普通文件"
        shown = path.relative_to(root).as_posix() if root in path.parents else path.as_posix()  # not resolved
        problems.append(Problem(shown, f"{what}，无法作为案例读取：请删除或改名"))
    return problems


def check_case_variants(cases: list[Case]) -> list[Problem]:
    """Browse values that differ only in letter case (AI / ai): one page each, but easily confused."""
    problems, seen = [], {}
    for case in cases:
        for index, keyword in enumerate(case.keywords):
            first = seen.setdefault(keyword.casefold(), keyword)
            if first != keyword:
                problems.append(Problem(case.source, f"关键词“{keyword}”与“{first}”只有大小写不同，请统一写法",
                                        field=f"keywords[{index}]", severity=WARNING))
    return problems


def load_cases(cases_dir: Path, taxonomy: Taxonomy, cache_dir: Path | None = None) -> tuple[list[Case], list[Problem]]:
    """Load and validate the whole library. Returns valid cases and all problems.

    Files unchanged since the last load (same bytes, same taxonomy, same
    validator) come from the build state in cache_dir; the others are read in
    two processes when there are many.
    """
    from generator.infra.buildstate import BuildState

    state = BuildState(cache_dir)
    cases, problems, _ = load_library_files(cases_dir, taxonomy, state)
    state.save()
    return cases, problems


def load_library_files(cases_dir: Path, taxonomy: Taxonomy, state) -> tuple[list[Case], list[Problem], dict[str, str]]:
    """(valid cases, every problem, case id → fingerprint of the case's file and the validating code)."""
    if not cases_dir.is_dir():
        return [], [Problem(str(cases_dir), "案例目录不存在")], {}
    root = cases_dir.parent
    paths, others = find_case_files(cases_dir)
    results, prints = validated_files(paths, root, taxonomy, state)
    problems: list[Problem] = []
    cases: list[Case] = []
    id_lines: dict[str, int | None] = {}
    fingerprints: dict[str, str] = {}
    for result, fingerprint in zip(results, prints):
        problems.extend(result.problems)
        if result.case is not None:
            cases.append(result.case)
            fingerprints[result.case.id] = fingerprint
            id_lines[result.case.source] = result.id_line
    problems.extend(unreadable_entries(others, root))
    duplicates = check_duplicates(cases, id_lines)
    problems.extend(duplicates)
    problems.extend(check_case_variants(cases))
    duplicate_sources = {p.file for p in duplicates}
    cases = [c for c in cases if c.source not in duplicate_sources]
    cases.sort(key=lambda c: (c.date, c.id), reverse=True)
    return cases, problems, fingerprints


PARALLEL_FROM = 200  # files to read; below this forking costs more than it saves
STAGE = "validate"
_RACY_SECONDS = 2.0  # a file changed this close to the last check may have changed again within one mtime tick


def validate_code_key(taxonomy: Taxonomy) -> str:
    from generator.infra.cachekey import code_key

    return code_key("generator.core.validate", libraries=("PyYAML",), extra=repr(taxonomy))


def _stat_key(stat: os.stat_result) -> str:
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}:{stat.st_ctime_ns}"


def validated_files(paths: list[Path], root: Path, taxonomy: Taxonomy, state) -> tuple[list[FileResult], list[str]]:
    """(FileResult, content fingerprint) of every file; files whose size, times and inode are as at the last check
    are not even read, files whose bytes are unchanged are not validated again (state: infra/buildstate.py)."""
    import time

    from generator.infra.buildstate import Record

    code = validate_code_key(taxonomy)
    old = state.record(STAGE, code) if state is not None else Record(code)
    checked_at = float(old.meta.get("checked_at", 0.0))
    record = Record(code, meta={"checked_at": time.time()})
    root = root.resolve()
    todo: list[Path] = []
    digests: dict[Path, str] = {}
    for path in paths:
        name = _cache_key(path, root)
        try:
            stat = path.stat()
        except OSError:
            todo.append(path)
            continue
        key = _stat_key(stat)
        if old.reusable(name, key) and stat.st_mtime < checked_at - _RACY_SECONDS:
            record.keys[name], record.values[name] = key, old.values[name]
            continue
        try:
            digest = hashlib.sha1(path.read_bytes()).hexdigest()
        except OSError:
            todo.append(path)
            continue
        if name in old.values and old.values[name][0] == digest:
            record.keys[name], record.values[name] = key, old.values[name]
        else:
            digests[path] = digest
            record.keys[name] = key
            todo.append(path)
    checked = dict(zip(todo, _check_all(todo, root, taxonomy)))
    results, fingerprints = [], []
    for path in paths:
        name = _cache_key(path, root)
        if path in checked:
            result, digest = checked[path], digests.get(path, "")
            if digest:
                record.values[name] = (digest, result)
        else:
            digest, result = record.values[name]
        results.append(result)
        fingerprints.append(hashlib.sha1(f"{code}\0{name}\0{digest}".encode("utf-8")).hexdigest() if digest else "")
    if state is not None and (todo or old.keys.keys() != record.keys.keys()):
        state.update(STAGE, record)
    return results, fingerprints


def _cache_key(path: Path, root: Path) -> str:
    text, prefix = str(path), str(root) + os.sep  # string work: Path.relative_to costs 20 µs, twice per file
    if text.startswith(prefix):
        return text[len(prefix):].replace(os.sep, "/")
    return _display_path(path, root)


def _check_one(job: tuple[Path, Taxonomy], path: Path) -> FileResult:
    return check_file(path, *job)


def _check_all(paths: list[Path], root: Path, taxonomy: Taxonomy) -> list[FileResult]:
    return map_in_processes(_check_one, (root, taxonomy), paths, parallel_from=PARALLEL_FROM)
