"""Library templates: lookup order and Chinese errors (the sandbox itself: tests/test_adversarial*.py)."""

import shutil
from datetime import date

import pytest
from conftest import REPO, sample_cases

from generator.core.problems import UserError
from generator.office.documents import compose
from generator.office.settings import load_settings

DAY = date(2026, 11, 23)


@pytest.fixture
def office(tmp_path):
    """A library root with the sample cases and organisation settings."""
    shutil.copytree(REPO / "cases", tmp_path / "cases")
    shutil.copy(REPO / "organisation.yaml", tmp_path / "organisation.yaml")
    return tmp_path


def case(case_id):
    return next(c for c in sample_cases() if c.id == case_id)


def test_library_template_overrides_the_shipped_one(office):
    (office / "templates").mkdir()
    (office / "templates" / "督办通知.j2").write_text("# 一、本地模板\n{{ finding.problem }}\n", "utf-8")
    settings = load_settings(office)
    composition = compose(office, case("HA-2026-001"), "督办通知", settings, day=DAY)
    assert composition.markup.startswith("# 一、本地模板")


def test_bad_templates_are_clear_errors(office):
    (office / "templates").mkdir()
    (office / "templates" / "督办通知.j2").write_text("{% for x in %}\n", "utf-8")
    with pytest.raises(UserError, match="第 1 行有语法错误"):
        compose(office, case("HA-2026-001"), "督办通知", load_settings(office), day=DAY)
    (office / "templates" / "督办通知.j2").write_text("{{ no_such_value }}\n", "utf-8")
    with pytest.raises(UserError, match="模板无法生成正文"):
        compose(office, case("HA-2026-001"), "督办通知", load_settings(office), day=DAY)
