"""Cache keys derived from the code itself: no hand-kept lists of files.

A stage's key is the digest of every source file of the package that its entry
modules import, directly or through other modules, at any depth and wherever the
import statement is (lazy imports inside functions count), found by reading the
sources with `ast`; plus the package's data files those modules name (a string
constant equal to a file name in generator/data/); plus the versions of the
libraries and external tools the stage's output depends on. Editing any module a
stage uses changes its key; editing a module it does not use does not.

The import graph and the file digests are computed once per process.
"""

from __future__ import annotations

import ast
import hashlib
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from generator import PACKAGE_DIR

PACKAGE = "generator"


_IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import\b|import[ \t]+\w)", re.M)


def _import_statements(text: str) -> list[ast.stmt]:
    """The import statements of a source file, wherever they are (top level or inside a function). Only the lines
    that start an import are parsed (with their parenthesised continuation), which is an order of magnitude
    faster than parsing the whole file; a docstring line that merely looks like one is skipped."""
    found = []
    for match in _IMPORT_LINE.finditer(text):
        end = text.find("\n", match.end())
        end = len(text) if end < 0 else end
        line = text[match.start():end]
        if "(" in line and ")" not in line:
            close = text.find(")", end)
            end = len(text) if close < 0 else close + 1
        while text[match.start():end].rstrip().endswith("\\"):
            following = text.find("\n", end + 1)
            end = len(text) if following < 0 else following
        try:
            found.extend(ast.parse(text[match.start():end].strip()).body)
        except SyntaxError:
            continue
    return found


def _imported_names(statements: list[ast.stmt], module: str, is_package: bool) -> set[str]:
    """Dotted names of every module an import statement may load (with `from x import y`, y may be a module too;
    each parent package's __init__ runs as well)."""
    names: set[str] = set()
    for node in statements:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                base_parts = parts if is_package else parts[:-1]
                base_parts = base_parts[:len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    with_parents = set()
    for name in names:
        parts = name.split(".")
        with_parents.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return with_parents


@lru_cache(maxsize=None)
def _graph(root: Path, package: str) -> dict[str, tuple[Path, frozenset[str], frozenset[str]]]:
    """module → (its file, the package modules it imports, the data files it names in a string literal)."""
    data_dir = root / "data"
    data_files = sorted(p.name for p in data_dir.iterdir() if p.is_file()) if data_dir.is_dir() else []
    modules = _all_modules(root, package)
    graph = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).with_suffix("")
        is_package = relative.name == "__init__"
        module = ".".join((package, *(relative.parts[:-1] if is_package else relative.parts)))
        text = path.read_text("utf-8")
        imported = {name for name in _imported_names(_import_statements(text), module, is_package) if name in modules}
        named = {name for name in data_files if f'"{name}"' in text or f"'{name}'" in text}
        graph[module] = (path, frozenset(imported), frozenset(named))
    return graph


@lru_cache(maxsize=None)
def _all_modules(root: Path, package: str) -> frozenset[str]:
    modules = set()
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        modules.add(".".join((package, *parts)))
    return frozenset(modules)


def closure(*entries: str, root: Path = PACKAGE_DIR, package: str = PACKAGE) -> tuple[list[Path], list[Path]]:
    """(source files, data files) the entry modules use, each sorted."""
    graph = _graph(root, package)
    seen: set[str] = set()
    stack = list(entries)
    for entry in entries:
        if entry not in graph:
            raise ValueError(f"no module {entry} in {root}")
    while stack:
        module = stack.pop()
        if module in seen:
            continue
        seen.add(module)
        stack.extend(graph[module][1] - seen)
    sources = sorted(graph[m][0] for m in seen)
    data = sorted({root / "data" / name for m in seen for name in graph[m][2]})
    return sources, data


@lru_cache(maxsize=None)
def _file_digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def library_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return ""


@lru_cache(maxsize=None)
def tool_version(name: str) -> str:
    """'' when the external tool is not installed, else the first line of `<tool> --version`."""
    path = shutil.which(name)
    if path is None:
        return ""
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return f"{path} (version unknown)"
    return f"{path} {(done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else ''}"


def code_key(*entries: str, libraries: tuple[str, ...] = (), tools: tuple[str, ...] = (), extra: str = "",
             root: Path = PACKAGE_DIR, package: str = PACKAGE) -> str:
    """The key of a stage: the code its entry modules import transitively, the data files they name, the versions
    of the libraries and external tools its output depends on, and anything else in `extra`."""
    return _code_key(entries, libraries, tools, extra, root, package)


@lru_cache(maxsize=None)
def _code_key(entries: tuple[str, ...], libraries: tuple[str, ...], tools: tuple[str, ...], extra: str,
              root: Path, package: str) -> str:
    sources, data = closure(*entries, root=root, package=package)
    digest = hashlib.sha256()
    for path in sources + data:
        digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0" + _file_digest(path))
    for name in libraries:
        digest.update(f"library {name} {library_version(name)}\0".encode("utf-8"))
    for name in tools:
        digest.update(f"tool {name} {tool_version(name)}\0".encode("utf-8"))
    digest.update(extra.encode("utf-8"))
    return digest.hexdigest()


def forget() -> None:
    """Drop what was computed (tests that edit a copy of the package call this between edits)."""
    for cached in (_graph, _all_modules, _file_digest, _code_key, tool_version):
        cached.cache_clear()
