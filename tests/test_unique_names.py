"""No two functions or classes share a name across modules: module-level names in the whole package, and methods too in the search and site-index code."""

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "generator"
OWNED = ("search/", "siteindex/", "text/tokenizer.py", "search/analysis.py")
# Methods whose names an interface fixes: the planner's Source protocol, Mapping, HTMLParser.
INTERFACE = {"has", "expansions", "postings", "frequency", "items", "handle_starttag", "handle_endtag", "handle_data",
             "handle_startendtag"}


def test_names_in_search_and_siteindex_are_unique_in_the_package():
    modules = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.name.startswith("__"):
                modules[node.name].add(path.relative_to(PACKAGE).as_posix())
    clashes = {name: sorted(found) for name, found in modules.items()
               if len(found) > 1 and name not in INTERFACE and any(m.startswith(OWNED) for m in found)}
    assert not clashes, clashes


def test_module_level_names_are_unique_in_the_whole_package():
    """Every module-level function and class name appears in one module only (tools/modulemap.py reports them)."""
    import sys

    sys.path.insert(0, str(PACKAGE.parent / "tools"))
    from modulemap import shared_names

    assert shared_names(PACKAGE) == {}
