"""`jiandu search` answers from an index that follows the case files: no `jiandu index` needed after an edit."""
from conftest import copy_project, jiandu_in_process

from generator.core.project import Project
from generator.search.library_index import cases_stamp, ensure_current_index


def _retitle(root, old: str, new: str) -> None:
    path = next(p for p in (root / "cases").rglob("*.yaml") if old in p.read_text("utf-8"))
    path.write_text(path.read_text("utf-8").replace(old, new, 1), "utf-8")


def test_search_indexes_on_first_use_and_after_an_edit(tmp_path):
    root = copy_project(tmp_path / "p")
    first = jiandu_in_process("search", "挂案", "--root", str(root))
    assert first.returncode == 0 and "首次使用" in first.stderr
    again = jiandu_in_process("search", "挂案", "--root", str(root))
    assert again.returncode == 0 and again.stderr == ""  # current: nothing to do
    assert "鸬鹚湾" not in again.stdout
    _retitle(root, "title: 联合清理", "title: 鸬鹚湾联合清理")
    edited = jiandu_in_process("search", "鸬鹚湾", "--root", str(root))
    assert edited.returncode == 0 and "案例有改动" in edited.stderr
    assert "鸬鹚湾" in edited.stdout


def test_the_stamp_changes_with_any_case_file_and_only_then(tmp_path):
    root = copy_project(tmp_path / "p")
    project = Project.at(root)
    before = cases_stamp(project.cases_dir)
    assert cases_stamp(project.cases_dir) == before
    (root / "content" / "about.md").write_text("改动的不是案例", "utf-8")
    assert cases_stamp(project.cases_dir) == before
    case = next((root / "cases").rglob("*.yaml"))
    case.write_text(case.read_text("utf-8") + "\n", "utf-8")
    assert cases_stamp(project.cases_dir) != before
    said = []
    assert ensure_current_index(project, project.index_dir, said.append) is not None
    assert ensure_current_index(project, project.index_dir, said.append) is None
    assert len(said) == 1
