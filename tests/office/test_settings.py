"""organisation.yaml: required keys, codes, bodies, the compilation title."""

import shutil

import pytest
from conftest import REPO

from generator.core.problems import UserError
from generator.office.settings import load_settings


@pytest.fixture
def office(tmp_path):
    """A library root with the sample cases and organisation settings."""
    shutil.copytree(REPO / "cases", tmp_path / "cases")
    shutil.copy(REPO / "organisation.yaml", tmp_path / "organisation.yaml")
    return tmp_path


def test_missing_settings(tmp_path):
    with pytest.raises(UserError, match="organisation.yaml"):
        load_settings(tmp_path)


def test_bad_settings_are_clear_errors(office):
    for text, message in [("- a\n- b\n", "顶层应为映射"), ("issuer: 甲\nprinted_by: 乙\ncodes: {整改通知书: A/B}\n", "机关代字"),
                          ("issuer: 甲\nprinted_by: 乙\ncodes: {整改通知书: 甲}\ncompilation_title: '{yr}'\n", "{year}")]:
        (office / "organisation.yaml").write_text(text, "utf-8")
        with pytest.raises(UserError, match=message):
            load_settings(office)


@pytest.mark.parametrize("title", ["执法司法监督经验汇编", "{year}/../../汇编", "{year}年度..汇编"])
def test_compilation_title_must_name_the_year_and_be_a_safe_file_name(office, title):
    path = office / "organisation.yaml"
    path.write_text(path.read_text("utf-8") + f"compilation_title: \"{title}\"\n", "utf-8")
    with pytest.raises(UserError, match="compilation_title"):
        load_settings(office)
