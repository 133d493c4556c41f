import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID_CASE = FIXTURES / "library" / "cases" / "2025" / "CZ-2025-001.yaml"

sys.path.insert(0, str(REPO))


@pytest.fixture
def library(tmp_path) -> Path:
    """A throw-away project root: the repo's mkdocs.yml and content/ with the two fixture cases."""
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copytree(FIXTURES / "library" / "cases", tmp_path / "cases")
    return tmp_path


@pytest.fixture
def write_case(tmp_path):
    """Write case text to cases/<name>; returns the cases folder."""
    cases = tmp_path / "cases"
    cases.mkdir(exist_ok=True)

    def write(text: str, name: str = "CZ-2025-001.yaml") -> Path:
        path = cases / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return cases

    return write


def valid_text() -> str:
    return VALID_CASE.read_text(encoding="utf-8")
