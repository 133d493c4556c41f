"""The package's module map: folders, files, lines, the longest functions, import cycles.

    python3 tools/modulemap.py [PACKAGE_DIR]     (default: generator/ beside this folder)

Used for the before/after figures of a restructuring; tests/test_import_graph.py checks the cycles.
"""
from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path


def modules(package: Path) -> dict[str, Path]:
    """Dotted module name → file, for every .py file in the package."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(package: Path) -> dict[str, set[str]]:
    """Module → the package modules it imports (at any depth in the file: late imports count too)."""
    known = modules(package)
    root = package.name
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = _absolute(name, path, node)
                if module.split(".")[0] != root:
                    continue
                for alias in node.names:
                    full = f"{module}.{alias.name}"
                    deps.add(full if full in known else module)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.split(".")[0] == root)
        graph[name] = {d for d in deps if d in known and d not in (name, root)}
    return graph


def _absolute(name: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an `from … import` names (relative imports resolved against the importing module)."""
    if node.level == 0:
        return node.module or ""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    base = package[:len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def function_lengths(path: Path) -> list[tuple[int, str]]:
    """(lines, qualified name) of every function and method in a file."""
    lengths = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lengths.append((child.end_lineno - child.lineno + 1, prefix + child.name))
                visit(child, prefix + child.name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")

    visit(ast.parse(path.read_text("utf-8")), "")
    return lengths


def shared_names(package: Path) -> dict[str, list[str]]:
    """Top-level function and class names defined in more than one module."""
    where = defaultdict(list)
    for name, path in modules(package).items():
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                where[node.name].append(name)
    return {name: mods for name, mods in sorted(where.items()) if len(mods) > 1}


def report(package: Path) -> str:
    found = modules(package)
    folders = defaultdict(list)
    for name, path in found.items():
        folders[str(path.parent.relative_to(package.parent))].append(path)
    lines = ["| folder | files | lines | longest function |", "|---|---|---|---|"]
    everything = []
    for folder, paths in sorted(folders.items()):
        total = sum(len(p.read_text("utf-8").splitlines()) for p in paths)
        longest = max((length for p in paths for length in function_lengths(p)), default=(0, "—"))
        everything += [(n, f"{p.relative_to(package.parent)}:{q}") for p in paths for n, q in function_lengths(p)]
        lines.append(f"| {folder}/ | {len(paths)} | {total} | {longest[1]} ({longest[0]}) |")
    all_lines = sum(len(p.read_text("utf-8").splitlines()) for p in found.values())
    lines.append(f"| total | {len(found)} | {all_lines} | |")
    lines.append("")
    lines.append("longest functions: " + ", ".join(f"{q} ({n})" for n, q in sorted(everything, reverse=True)[:8]))
    lines.append(f"functions over 60 lines: {sum(1 for n, _ in everything if n > 60)}")
    lines.append("import cycles: " + ("; ".join(" ⇄ ".join(c) for c in cycles(imports(package))) or "none"))
    layers = defaultdict(set)
    for module, deps in imports(package).items():
        for dep in deps:
            a, b = (m.split(".")[1] if m.count(".") else "" for m in (module, dep))
            if a and b and a != b:
                layers[a].add(b)
    lines.append("folders import: " + "; ".join(f"{a} → {', '.join(sorted(b))}" for a, b in sorted(layers.items())))
    shared = shared_names(package)
    lines.append(f"names defined in more than one module: {len(shared)}"
                 + ("" if not shared else " — " + ", ".join(f"{k} ({len(v)})" for k, v in shared.items())))
    return "\n".join(lines)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "generator"
    print(report(target.resolve()))
