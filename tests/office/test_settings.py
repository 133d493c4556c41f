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


BASE = "issuer: 甲机关\nprinted_by: 甲办公室\ncodes: {整改通知书: 甲监}\n"


@pytest.mark.parametrize("extra, message", [
    ("bodies: 乙机关\n", "bodies 应为发文机关列表"),
    ("bodies:\n  - issuer: 乙机关\n", "bodies 第 1 项：应为映射，并用 match 写明"),
    ("bodies:\n  - {issuer: 乙机关, printed_by: 乙, match: {region: 淮安市}, codes: {整改通知书: 甲监}}\n", "机关代字 甲监 被多个发文机关使用"),
    ("bodies:\n  - {issuer: 乙机关, match: {region: 淮安市}, codes: {整改通知书: 乙/监}}\n", "bodies 第 1 项：codes"),
])
def test_further_bodies_are_checked(tmp_path, extra, message):
    (tmp_path / "organisation.yaml").write_text(BASE + extra, "utf-8")
    with pytest.raises(UserError, match=message):
        load_settings(tmp_path)


def test_further_bodies_inherit_and_are_chosen_by_the_case(tmp_path, capsys):
    from types import SimpleNamespace

    (tmp_path / "organisation.yaml").write_text(
        BASE + "reply_days: 20\ncolour: red\nbodies:\n  - {issuer: 乙机关, printed_by: 乙办公室, match: {region: 淮安市}, "
        "codes: {整改通知书: 乙监}}\n", "utf-8")
    settings = load_settings(tmp_path)
    assert "未知设置项 colour" in capsys.readouterr().err
    other = settings.for_case(SimpleNamespace(region="淮安市"))
    assert other.issuer == "乙机关" and other.reply_days == 20 and other.codes == {"整改通知书": "乙监"}
    assert settings.for_case(SimpleNamespace(region="常州市")) is settings
    assert settings.for_case(SimpleNamespace(region="淮安市"), "甲机关") is settings
