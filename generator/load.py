"""Stage 1 — load: read case YAML files into plain data plus a line map.

Dates stay strings here (an impossible date such as 2025-02-30 must become a
validation error, not a crash inside the YAML library), aliases are refused
(they can blow a small file up into gigabytes), and duplicate keys are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import Problem

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_FILE_BYTES = 10 * 1024 * 1024


class CaseYamlLoader(_BaseLoader):
    """SafeLoader without the implicit timestamp type: dates arrive as text."""


CaseYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class RawCase:
    """One file as read: its data (any YAML value) and the line of every field path."""

    path: Path
    display: str
    data: object
    lines: dict[tuple, int] = field(default_factory=dict)

    def line_of(self, path: tuple) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


class _AliasFound(Exception):
    def __init__(self, line: int):
        self.line = line


_MAX_DIGITS = 100  # Python refuses to read integers of more than 4300 digits; no count in a case is near 100


class _NumberTooLong(Exception):
    def __init__(self, line: int, field: str):
        self.line, self.field = line, field


def _map_lines(node, path: tuple, lines: dict, seen: set, problems: list, display: str) -> None:
    if id(node) in seen:
        raise _AliasFound(node.start_mark.line + 1)
    seen.add(id(node))
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int") and len(node.value) > _MAX_DIGITS:
        raise _NumberTooLong(node.start_mark.line + 1, dotted(path))
    if isinstance(node, yaml.MappingNode):
        keys_seen: set = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(display, "键必须是简单文本，不能是列表或映射", field=dotted(path),
                                        line=key_node.start_mark.line + 1))
                continue
            key = key_node.value
            if key in keys_seen:
                problems.append(Problem(display, f"键“{key}”重复出现，后一个会覆盖前一个", field=dotted(path + (key,)),
                                        line=key_node.start_mark.line + 1))
            keys_seen.add(key)
            _map_lines(value_node, path + (key,), lines, seen, problems, display)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, path + (index,), lines, seen, problems, display)


def dotted(path: tuple) -> str:
    """A field path as people write it: findings[0].deadline."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse_yaml(text: str, display: str) -> tuple[object, dict, list[Problem]]:
    """Parse one YAML document; return (data, line map, problems)."""
    problems: list[Problem] = []
    loader = CaseYamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, problems
        lines: dict = {}
        _map_lines(node, (), lines, set(), problems, display)
        data = loader.construct_document(node)
        return data, lines, problems
    except _AliasFound as alias:
        problems.append(Problem(display, "不支持 YAML 锚点与别名（&/*），请直接写出内容", line=alias.line))
    except _NumberTooLong as number:
        problems.append(Problem(display, f"数字超过 {_MAX_DIGITS} 位，不是合理的取值", field=number.field,
                                line=number.line))
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        problems.append(Problem(display, f"含有不允许的字符（编码 {exc.character!r}），可能是二进制内容或不可见控制字符", line=line))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark  # an unclosed quote or bracket: point at where it opened
        line = mark.line + 1 if mark else None
        problems.append(Problem(display, f"YAML 语法错误：{_yaml_reason(exc)}", line=line))
    except yaml.YAMLError as exc:
        problems.append(Problem(display, f"YAML 语法错误：{exc}"))
    except RecursionError:
        problems.append(Problem(display, "YAML 嵌套层次过深，案例文件不应有这样的结构"))
    finally:
        loader.dispose()
    return None, {}, problems


def _yaml_reason(exc: yaml.MarkedYAMLError) -> str:
    reason = exc.problem or exc.context or "无法解析"
    known = {
        "mapping values are not allowed": "此处不允许出现“键: 值”（常见原因：值中含有未加引号的冒号或缩进错误）",
        "found a tab character": "含有 Tab 字符，YAML 只能用空格缩进",
        "found character that cannot start any token": "含有不能出现在此处的字符（常见原因：用了 Tab 缩进，YAML 只能用空格）",
        "did not find expected key": "缩进不一致或缺少冒号",
        "did not find expected node content": "缺少内容（常见原因：列表或映射没有写完）",
        "found unexpected end of stream": "引号或括号没有闭合",
        "found unexpected end of file": "引号或括号没有闭合",
        "found unhashable key": "键必须是简单文本，不能是列表或映射",
        "found unknown escape character": "双引号中含有无效的转义字符（\\ 后面的字符）",
        "control characters are not allowed": "含有不可见的控制字符",
        "found duplicate anchor": "锚点重复",
        "could not find expected ':'": "缺少冒号“:”",
        "found character '\\t' that cannot start any token": "含有制表符（Tab），YAML 只能用空格缩进",
        "expected <block end>, but found '<block mapping start>'": "缩进不一致",
        "found undefined alias": "引用了未定义的别名",
    }
    for english, chinese in known.items():
        if english in reason:
            return f"{chinese}（{reason}）"
    return reason


def read_case_file(path: Path, root: Path) -> tuple[RawCase | None, list[Problem]]:
    display = _display_path(path, root)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Problem(display, f"文件过大（{size // 1024} KB），单个案例文件不得超过 {MAX_FILE_BYTES // 1024 // 1024} MB")]
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(display, f"文件不是 UTF-8 编码（第 {exc.start} 字节处无法解码）")]
    except OSError as exc:
        return None, [Problem(display, f"无法读取文件：{exc.strerror}")]
    data, lines, problems = parse_yaml(text, display)
    if any(p.is_error for p in problems):
        return None, problems
    return RawCase(path=path, display=display, data=data, lines=lines), problems


def find_case_files(cases_dir: Path) -> list[Path]:
    files = [p for p in cases_dir.rglob("*") if p.suffix.lower() in (".yaml", ".yml") and p.is_file()]
    return sorted(files, key=lambda p: p.as_posix())


def _display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
