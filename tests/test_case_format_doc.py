"""docs/case-format.md is the data contract in the repository: complete with respect to the code.

Every field the contract table knows (generator/core/contract.py) and every message the loader and validator
can produce (each string in generator/core/load.py and generator/core/validate.py, with its variable parts as gaps)
must appear in it.
"""

import ast
import re

import pytest
from conftest import REPO

from generator.core import contract

DOC = (REPO / "docs" / "case-format.md").read_text("utf-8")
CJK = re.compile(r"[\u4e00-\u9fff]")


def section(title: str) -> str:
    start = DOC.index(title)
    end = DOC.find("\n## ", start + 1)
    return DOC[start:end if end > 0 else None]


@pytest.mark.parametrize("fields,title", [(contract.CASE_FIELDS, "## 案例字段"),
                                          (contract.FINDING_FIELDS, "## 发现问题"),
                                          (contract.CLUE_FIELDS, "## 线索移送")])
def test_every_contract_field_is_described(fields, title):
    text = section(title)
    for field in fields:
        row = next((line for line in text.splitlines() if line.startswith(f"| `{field.key}` |")), None)
        assert row is not None, f"{field.key} missing from {title}"
        assert f"| {field.label} |" in row and ("| 是 |" in row) == field.required, row
        assert all(choice in row for choice in field.choices), row


def test_limits_and_choices_are_stated():
    for value in (*contract.CLASSIFICATIONS, *contract.FINDING_STATUSES, *contract.CLUE_STATUSES):
        assert value in DOC
    assert f"{contract.TITLE_MIN}–{contract.TITLE_MAX} 个字" in DOC
    assert f"{contract.MAX_TEXT_CHARS:,} 字" in DOC and f"{contract.MAX_LIST_ITEMS:,} 项" in DOC
    from generator.core.load import MAX_DEPTH, MAX_FILE_BYTES

    assert f"超过 {MAX_DEPTH} 层的嵌套" in DOC and f"{MAX_FILE_BYTES // 1024 // 1024} MB" in DOC


def messages(module: str) -> list[tuple[int, list[str]]]:
    """(line, literal pieces) of every string with Chinese in it, except docstrings and regular expressions."""
    tree = ast.parse((REPO / "generator" / module).read_text("utf-8"))
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # a docstring
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "compile":
            skip.update(id(arg) for arg in node.args)
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            for value in node.values:
                skip.add(id(value))
            pieces = [v.value.strip() for v in node.values if isinstance(v, ast.Constant)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            pieces = [node.value.strip()]
        else:
            continue
        pieces = [piece for piece in pieces if piece]
        if any(CJK.search(piece) for piece in pieces):
            found.append((node.lineno, pieces))
    return found


@pytest.mark.parametrize("module", ["core/load.py", "core/validate.py"])
def test_every_message_is_listed(module):
    lines = DOC.splitlines()
    missing = []
    for lineno, pieces in messages(module):
        pattern = re.compile(".*?".join(re.escape(piece) for piece in pieces))
        if not any(pattern.search(line) for line in lines):
            missing.append((lineno, pieces))
    assert not missing, f"docs/case-format.md lacks messages of generator/{module}: {missing}"
