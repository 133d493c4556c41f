"""Stage 1 — load: read case YAML files into plain data plus a line map.

Dates stay strings here (an impossible date such as 2025-02-30 must become a
validation error, not a crash inside the YAML library), aliases are refused
(they can blow a small file up into gigabytes), and duplicate keys are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.core.problems import Problem, UserError

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


_MAX_DIGITS = 100  # Python refuses to read integers of more than 4300 digits; no count in a case is near 100


class _NumberTooLong(Exception):
    def __init__(self, line: int, field: str):
        self.line, self.field = line, field


def _map_lines(node, path: tuple, lines: dict, problems: list, display: str, depth: int = 0) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int") and len(node.value) > _MAX_DIGITS:
        raise _NumberTooLong(node.start_mark.line + 1, dotted(path))
    if isinstance(node, yaml.CollectionNode):
        depth += 1
        if depth > MAX_DEPTH:  # also checked while screening; here for files that skip the screen
            raise _Refused(node.start_mark.line + 1, _TOO_DEEP)
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
            _map_lines(value_node, path + (key,), lines, problems, display, depth)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, path + (index,), lines, problems, display, depth)


def dotted(path: tuple) -> str:
    """A field path as people write it: findings[0].deadline."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse_yaml(text: str, display: str) -> tuple[object, dict, list[Problem]]:
    """Parse one YAML document; return (data, line map, problems).

    Every failure becomes a Chinese message with a line number. The messages are decided by the kind of
    failure and the text at the place it points to, never by the YAML library's own (English) wording.
    """
    problems: list[Problem] = []
    try:
        screened = _needs_screen(text)
        if screened:
            _screen_events(text)
        loader = CaseYamlLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, {}, problems
            lines: dict = {}
            _map_lines(node, (), lines, problems, display)
            if any(p.is_error for p in problems):
                return None, {}, problems
            return _construct(loader, node), lines, problems
        except (yaml.YAMLError, RecursionError):
            if not screened:  # a refusal the screen words better (e.g. nesting the scanner gave up on) comes first
                _screen_events(text)
            raise
        finally:
            loader.dispose()
    except _NumberTooLong as number:
        problems.append(Problem(display, f"整数超过 {_MAX_DIGITS} 位，不是合理的取值", field=number.field,
                                line=number.line))
    except _Refused as refused:
        problems.append(Problem(display, refused.message, line=refused.line))
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else 1
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character or 0)
        problems.append(Problem(display, f"含有不允许的字符（U+{code:04X}），可能是二进制内容或不可见控制字符", line=line))
    except yaml.MarkedYAMLError as exc:
        line, message = _syntax_problem(exc, text)
        problems.append(Problem(display, message, line=line))
    except (yaml.YAMLError, RecursionError):
        problems.append(Problem(display, "YAML 语法错误：文件无法解析，请对照案例格式检查缩进、冒号和引号", line=1))
    return None, {}, problems


MAX_DEPTH = 32  # a case needs 3 levels (case → findings → finding); the library's own limits differ by version
_TOO_DEEP = f"YAML 嵌套层次过深（超过 {MAX_DEPTH} 层），案例文件不应有这样的结构"
_CORE_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")} | {"!"}
_KIND_NAMES = {"int": "整数", "float": "数字", "bool": "true/false", "null": "空值"}


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


_SCREEN_SIGNS = ("&", "!", "\n---", "\n...", "\n%")  # anchors, tags, another document, directives


def _needs_screen(text: str) -> bool:
    """Whether the text could hold what _screen_events refuses besides deep nesting (which _map_lines checks
    on the composed nodes). Without these signs YAML cannot write an anchor (so no alias: an alias to an
    undefined anchor fails to compose, and a failure is screened), a tag, a directive or a second document.
    Skipping the event pass for such files takes a third off the time to read a library."""
    return any(sign in text for sign in _SCREEN_SIGNS) or text.startswith(("---", "...", "%"))


def _screen_events(text: str) -> None:
    """Refuse, before anything is built, what a case file never needs: deep nesting, anchors and aliases
    (a small file could expand into gigabytes), a second document, and tags beyond the core types."""
    depth, documents = 0, 0
    for event in yaml.parse(text, Loader=CaseYamlLoader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _Refused(line, "一个案例文件只能有一个 YAML 文档：第二个“---”之后的内容请另存为一个文件")
        elif isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(line, "不支持 YAML 锚点与别名（&/*），请直接写出内容")
        if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)) and event.tag is not None \
                and event.tag not in _CORE_TAGS:
            raise _Refused(line, _tag_message(event.tag))
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(line, _TOO_DEEP)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _tag_message(tag: str) -> str:
    shown = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag
    if shown == "!!timestamp":
        return "不支持 YAML 标签“!!timestamp”：日期直接写成 YYYY-MM-DD（如 2026-05-12），不加标签，也不写时刻"
    return f"不支持 YAML 标签“{shown[:40]}”：请删除标签，直接写出内容（文本、数字、true/false、列表或映射）"


def _construct(loader, node):
    """Build the Python data; a value the core types cannot hold (e.g. !!int abc, a 5,000-digit number)
    is reported at its own line."""
    try:
        return loader.construct_document(node)
    except Exception as exc:  # the constructors raise ValueError, TypeError, ConstructorError … for such values
        failed = exc
    for scalar in _scalars(node):
        try:
            loader.construct_object(scalar, deep=True)
        except Exception:
            kind = _KIND_NAMES.get(scalar.tag.rsplit(":", 1)[-1], "此类型的值")
            raise _Refused(scalar.start_mark.line + 1,
                           f"值“{scalar.value[:40]}”不能作为{kind}读取（如果是文本，请加引号）") from None
    mark = getattr(failed, "problem_mark", None) or node.start_mark
    raise _Refused(mark.line + 1, "YAML 内容无法转换为数据（常见原因：“<<”合并键的用法不对），请直接写出内容")


def _scalars(node):
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(key)
            yield from _scalars(value)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """Line and Chinese message for a scanner, parser or composer error, from its class and marks."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    here = _char_at(text, mark)
    if _flow_depth(text, mark) > MAX_DEPTH:  # some libyaml builds stop deep [[[… while scanning, before any event
        return line, f"YAML 嵌套层次过深（超过 {MAX_DEPTH} 层），案例文件不应有这样的结构"
    if _at_end(text, mark) and exc.context_mark is not None and exc.context_mark is not mark:
        return exc.context_mark.line + 1, "YAML 语法错误：引号或括号没有闭合（从这一行开始，到文件末尾也没有找到结束的引号或括号）"
    if here == "\t" or (here is not None and "\t" in _line_text(text, mark)[: mark.column + 1]):
        return line, "YAML 语法错误：含有 Tab 字符，YAML 只能用空格缩进"
    if isinstance(exc, yaml.scanner.ScannerError):
        if here == ":":
            return line, "YAML 语法错误：此处不允许出现“键: 值”（常见原因：值中含有未加引号的冒号，或缩进错误）"
        if "\\" in (here, _char_at(text, mark, -1)):
            return line, "YAML 语法错误：双引号中的反斜杠“\\”后面是无效的转义字符；要写反斜杠本身请改用单引号"
        return line, f"YAML 语法错误：第 {line} 行第 {mark.column + 1 if mark else 1} 列有无法识别的写法（常见原因：未加引号的冒号、引号不成对、特殊符号开头）"
    if isinstance(exc, yaml.parser.ParserError):
        return line, "YAML 语法错误：结构不完整（常见原因：缩进不一致、缺少冒号“:”，或列表、映射没有写完）"
    return line, "YAML 语法错误：文档结构有误，请对照案例格式检查"


def _flow_depth(text: str, mark) -> int:
    """The deepest [ / { nesting in the text up to mark (quotes ignored: only used to name a failure)."""
    if mark is None:
        return 0
    lines = text.split("\n")
    before = "\n".join(lines[: mark.line] + [_line_text(text, mark)[: mark.column + 1]])
    depth = deepest = 0
    for char in before:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _line_text(text: str, mark) -> str:
    lines = text.split("\n")
    return lines[mark.line] if mark is not None and 0 <= mark.line < len(lines) else ""


def _char_at(text: str, mark, offset: int = 0) -> str | None:
    if mark is None:
        return None
    row = _line_text(text, mark)
    column = mark.column + offset
    return row[column] if 0 <= column < len(row) else None


def _at_end(text: str, mark) -> bool:
    if mark is None:
        return False
    rest = text.split("\n")[mark.line + 1:] if mark.line < text.count("\n") + 1 else []
    return not _line_text(text, mark)[mark.column:].strip() and not any(row.strip() for row in rest)


def parse_settings_yaml(text: str, display: str) -> object:
    """A settings file (organisation.yaml, taxonomy.yaml): its data, or a UserError with the same Chinese messages."""
    data, _, problems = parse_yaml(text, display)
    errors = [str(p).removeprefix(f"[{p.severity}] ") for p in problems if p.is_error]
    if errors:
        raise UserError("\n".join(errors))
    return data


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


def find_case_files(cases_dir: Path) -> tuple[list[Path], list[Path]]:
    """One walk of the cases folder (symlinked folders are listed, not entered): the case files, and the other
    entries named *.yaml / *.yml (folders, broken links, pipes), each sorted by path."""
    import os

    files, others = [], []
    for folder, folders, names in os.walk(cases_dir):
        for name in names + folders:
            if os.path.splitext(name)[1].lower() in (".yaml", ".yml"):
                path = os.path.join(folder, name)
                (files if os.path.isfile(path) else others).append(Path(path))
    return sorted(files, key=Path.as_posix), sorted(others, key=Path.as_posix)


def _display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
