"""Cache keys from the import graph: editing a module a stage uses changes the stage's key, editing one it
does not use does not. Run on a copy of the package in a temporary folder (never the checkout)."""

import shutil
from pathlib import Path

import pytest

from generator import PACKAGE_DIR
from generator.infra import cachekey
from generator.infra.cachekey import closure, code_key

# Each stage's entry modules, as the build asks for them.
STAGES = {
    "validate": ("generator.core.validate",),
    "pii": ("generator.core.pii",),
    "segments": ("generator.text.tokenizer",),
    "analysis": ("generator.search.analysis",),
    "pages": ("generator.site.pages", "generator.site.frames"),
    "ledger": ("generator.office.ledger",),
    "books": ("generator.office.compilation",),
    "frames": ("generator.site.frames",),
}


@pytest.fixture
def package(tmp_path):
    copy = tmp_path / "generator"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    yield copy
    cachekey.forget()


def keys(root: Path) -> dict[str, str]:
    cachekey.forget()
    return {name: code_key(*entries, root=root) for name, entries in STAGES.items()}


def modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py"))


def test_editing_any_module_changes_exactly_the_stages_that_import_it(package):
    before = keys(package)
    used = {name: set(closure(*entries, root=package)[0]) for name, entries in STAGES.items()}
    checked_unused = 0
    for path in modules(package):
        original = path.read_bytes()
        path.write_bytes(original + b"\n# edited\n")
        after = keys(package)
        path.write_bytes(original)
        for name in STAGES:
            if path in used[name]:
                assert after[name] != before[name], f"{path.relative_to(package)} is used by {name}"
            else:
                assert after[name] == before[name], f"{path.relative_to(package)} is not used by {name}"
                checked_unused += 1
    assert checked_unused > 20  # the keys are not simply a digest of the whole package
    assert keys(package) == before


def test_what_each_stage_uses(package):
    def names(*entries):
        return {p.relative_to(package).as_posix() for p in closure(*entries, root=package)[0]}

    pages = names(*STAGES["pages"])
    # the two files the issue found missing from the hand-kept list of the page renderer
    assert {"text/textwidth.py", "core/contract.py", "site/charts.py", "core/stats.py"} <= pages
    books = names(*STAGES["books"])
    assert {"core/enrich.py", "core/contract.py", "office/layout.py"} <= books  # missing from the books' list
    assert "office/ledger.py" not in books and "cli/main.py" not in pages
    validate = names(*STAGES["validate"])
    assert "site/pages.py" not in validate and "text/tokenizer.py" not in validate
    assert [p.name for p in closure("generator.text.tokenizer", root=package)[1]] == ["userdict.txt"]


def test_an_import_inside_a_function_and_a_relative_import_count(package):
    (package / "infra" / "extra_helper.py").write_text("VALUE = 1\n", "utf-8")
    (package / "infra" / "relative_user.py").write_text("from . import extra_helper\n", "utf-8")
    validate = package / "core" / "pii.py"
    validate.write_text(validate.read_text("utf-8") + "\n\ndef later():\n    from generator.infra import relative_user\n"
                        "    return relative_user\n", "utf-8")
    before = keys(package)
    (package / "infra" / "extra_helper.py").write_text("VALUE = 2\n", "utf-8")
    after = keys(package)
    assert after["pii"] != before["pii"]
    assert after["segments"] == before["segments"]


def test_a_data_file_named_by_a_used_module_counts(package):
    before = keys(package)
    (package / "data" / "userdict.txt").write_text((package / "data" / "userdict.txt").read_text("utf-8") + "新词 3\n",
                                                   "utf-8")
    after = keys(package)
    assert after["segments"] != before["segments"] and after["analysis"] != before["analysis"]
    assert after["validate"] == before["validate"] and after["ledger"] == before["ledger"]


def test_library_and_tool_versions_are_part_of_the_key(monkeypatch):
    cachekey.forget()
    plain = code_key("generator.core.pii")
    assert code_key("generator.core.pii", libraries=("PyYAML",)) != plain
    monkeypatch.setattr(cachekey.shutil, "which", lambda name: None)
    cachekey.forget()
    absent = code_key("generator.office.compilation", tools=("soffice",))
    monkeypatch.setattr(cachekey.shutil, "which", lambda name: "/usr/bin/true")
    cachekey.forget()
    present = code_key("generator.office.compilation", tools=("soffice",))
    assert absent != present  # installing LibreOffice changes the books' key
    cachekey.forget()
