"""Loading and validation: one test per kind of error, each naming file, field and line."""

from datetime import date

import pytest
from conftest import valid_text

from generator.core.problems import WARNING
from generator.core.taxonomy import load_taxonomy
from generator.core.validate import load_cases


def check(cases_dir, root=None):
    return load_cases(cases_dir, load_taxonomy(root))


def only_error(problems):
    errors = [p for p in problems if p.is_error]
    assert len(errors) == 1, [str(p) for p in errors]
    return errors[0]


def test_valid_fixture_loads_into_case_objects(write_case):
    cases, problems = check(write_case(valid_text()))
    assert problems == []
    case = cases[0]
    assert case.id == "CZ-2025-001" and case.date == date(2025, 6, 26)
    assert case.mechanisms == ("联合监督", "信息共享")
    assert case.findings[0].closed_on == date(2025, 10, 8)
    assert case.clues[0].sender == "市委政法委" and case.clues[0].is_closed
    assert case.findings[1].is_overdue(date(2025, 9, 1)) and not case.findings[1].is_overdue(date(2025, 8, 31))


def test_yaml_syntax_error_names_file_and_line(write_case):
    text = valid_text().replace("region: 常州市", "region: 常州市: 新北区")
    cases, problems = check(write_case(text))
    error = only_error(problems)
    assert cases == []
    assert error.file == "cases/CZ-2025-001.yaml" and error.line == 5
    assert "YAML 语法错误" in str(error) and "第 5 行" in str(error)


def test_top_level_must_be_a_mapping(write_case):
    error = only_error(check(write_case("- 一个列表\n- 不是映射\n"))[1])
    assert "顶层应为映射" in error.message and error.file.endswith("CZ-2025-001.yaml")


def test_missing_required_field(write_case):
    text = valid_text().replace("summary: 市人大常委会与市委政法委组成联合监督组，对涉企案件办理开展联合监督。\n", "")
    error = only_error(check(write_case(text))[1])
    assert error.field == "summary" and "缺少必填字段" in error.message


def test_wrong_type(write_case):
    text = valid_text().replace("typical: true", "typical: 是")
    error = only_error(check(write_case(text))[1])
    assert error.field == "typical" and error.line == 12 and "true 或 false" in error.message


def test_list_field_given_as_text(write_case):
    text = valid_text().replace("supervised: [市公安局, 市中级人民法院]", "supervised: 市公安局")
    error = only_error(check(write_case(text))[1])
    assert error.field == "supervised" and "列表" in error.message


def test_impossible_date_is_an_error_not_a_crash(write_case):
    text = valid_text().replace("deadline: 2025-09-30", "deadline: 2025-02-30")
    error = only_error(check(write_case(text))[1])
    assert error.field == "findings[0].deadline" and "2025-02-30" in error.message
    assert error.line == 31


def test_value_outside_taxonomy(write_case):
    text = valid_text().replace("category: 执法规范", "category: 执法公正").replace("[联合监督, 信息共享]", "[联合监督, 协同调研]")
    errors = [p for p in check(write_case(text))[1] if p.is_error]
    assert {e.field for e in errors} == {"category", "mechanisms[1]"}
    assert all("分类体系" in e.message for e in errors)


def test_library_taxonomy_extends_the_defaults(write_case, tmp_path):
    (tmp_path / "taxonomy.yaml").write_text("mechanisms:\n  - name: 协同调研\n", encoding="utf-8")
    text = valid_text().replace("[联合监督, 信息共享]", "[联合监督, 协同调研]")
    cases, problems = check(write_case(text), tmp_path)
    assert problems == [] and cases[0].mechanisms == ("联合监督", "协同调研")


def test_duplicate_ids_across_files(write_case):
    write_case(valid_text())
    cases_dir = write_case(valid_text(), name="2025/CZ-2025-001.yaml")
    cases, problems = check(cases_dir)
    error = only_error(problems)
    assert "重复" in error.message and error.field == "id" and error.line == 1
    assert len(cases) == 1


def test_file_name_must_equal_id(write_case):
    error = only_error(check(write_case(valid_text(), name="CZ-2025-009.yaml"))[1])
    assert error.field == "id" and "文件名" in error.message and "CZ-2025-009.yaml" in error.file


@pytest.mark.parametrize("bad_id", ["../../x", "cz-2025-001", "CZ-25-001", "CZ-2025-1"])
def test_id_must_match_pattern(write_case, bad_id):
    text = valid_text().replace("id: CZ-2025-001", f'id: "{bad_id}"', 1)
    errors = [p for p in check(write_case(text))[1] if p.is_error]
    assert any(e.field == "id" and "格式不对" in e.message for e in errors)


def test_signed_off_finding_needs_closed_on(write_case):
    text = valid_text().replace("    closed_on: 2025-10-08\n", "")
    error = only_error(check(write_case(text))[1])
    assert error.field == "findings[0].closed_on" and "已销号" in error.message


def test_closed_on_only_when_signed_off(write_case):
    text = valid_text().replace("    status: 整改中\n", "    status: 整改中\n    closed_on: 2025-09-01\n")
    error = only_error(check(write_case(text))[1])
    assert error.field == "findings[1].closed_on"


def test_closed_on_before_case_date(write_case):
    text = valid_text().replace("closed_on: 2025-10-08", "closed_on: 2025-01-08")
    error = only_error(check(write_case(text))[1])
    assert error.field == "findings[0].closed_on" and "早于案例日期" in error.message


def test_closed_clue_needs_result_and_date_order(write_case):
    text = valid_text().replace("    result: 已督促纠正并书面反馈\n", "").replace("closed_on: 2025-08-01", "closed_on: 2025-06-01")
    errors = [p for p in check(write_case(text))[1] if p.is_error]
    assert {e.field for e in errors} == {"clues[0].result", "clues[0].closed_on"}


@pytest.mark.parametrize("marking", ["秘密", "机密", "绝密", "机密★1年"])
def test_classified_marking_is_refused(write_case, marking):
    text = valid_text().replace("classification: 公开", f"classification: {marking}")
    error = only_error(check(write_case(text))[1])
    assert error.field == "classification" and "涉密材料不得录入本系统" in error.message


def test_classified_marking_inside_text_is_refused(write_case):
    text = valid_text().replace("部分涉企案件", "机密★ 部分涉企案件")
    error = only_error(check(write_case(text))[1])
    assert error.field == "background" and "涉密" in error.message


def test_oversize_field_is_refused_quickly(write_case):
    text = valid_text().replace("  部分涉企案件立案后久拖不决，企业反映强烈。", "  " + "案" * 700_000)  # 2.1 MB of UTF-8
    error = only_error(check(write_case(text))[1])
    assert error.field == "background" and "过长" in error.message


def test_unknown_key_and_year_mismatch_are_warnings(write_case):
    text = valid_text().replace("region: 常州市", "region: 常州市\nregoin: 常州").replace("date: 2025-06-26", "date: 2024-06-26")
    cases, problems = check(write_case(text))
    assert len(cases) == 1
    assert sorted(p.field for p in problems) == ["id", "regoin"]
    assert all(p.severity == WARNING for p in problems)


def test_aliases_are_refused(write_case):
    text = valid_text().replace("supervisors: [市人大常委会, 市委政法委]", "supervisors: &who [市人大常委会, 市委政法委]")
    text = text.replace("supervised: [市公安局, 市中级人民法院]", "supervised: *who")
    error = only_error(check(write_case(text))[1])
    assert "别名" in error.message


def test_duplicate_keys_are_reported(write_case):
    text = valid_text().replace("region: 常州市", "region: 常州市\nregion: 淮安市")
    error = only_error(check(write_case(text))[1])
    assert error.field == "region" and error.line == 6


def test_all_problems_reported_at_once(write_case):
    write_case("id: [broken\n", name="A.yaml")
    write_case(valid_text().replace("category: 执法规范", "category: 其他"))
    cases_dir = write_case(valid_text().replace("CZ-2025-001", "CZ-2025-002").replace("date: 2025-06-26", "date: 2025-13-01"),
                           name="CZ-2025-002.yaml")
    errors = [p for p in check(cases_dir)[1] if p.is_error]
    assert {e.file for e in errors} == {"cases/A.yaml", "cases/CZ-2025-001.yaml", "cases/CZ-2025-002.yaml"}


def test_deep_nesting_is_an_error_not_a_crash(write_case):
    error = only_error(check(write_case("id: " + "[" * 5000 + "]" * 5000 + "\n"))[1])
    assert "嵌套层次过深" in error.message and error.line == 1


def test_non_utf8_file_and_bom(write_case):
    cases_dir = write_case(valid_text())
    (cases_dir / "CZ-2025-001.yaml").write_bytes("\ufeff".encode("utf-8") + valid_text().encode("utf-8"))
    (cases_dir / "CZ-2025-002.yaml").write_bytes(valid_text().replace("CZ-2025-001", "CZ-2025-002").encode("gb18030"))
    cases, problems = check(cases_dir)
    error = only_error(problems)
    assert [c.id for c in cases] == ["CZ-2025-001"]
    assert error.file == "cases/CZ-2025-002.yaml" and "UTF-8" in error.message


def test_list_as_mapping_key_is_reported_not_a_crash(write_case):
    text = valid_text().replace("figures: {办结涉企案件: 12}", "figures:\n  ? [a, b]\n  : 1")
    errors = [p for p in check(write_case(text))[1] if p.is_error]
    assert errors and all(e.file == "cases/CZ-2025-001.yaml" for e in errors)


def test_bare_number_where_text_is_expected(write_case):
    text = valid_text().replace("region: 常州市", "region: 0571")
    error = only_error(check(write_case(text))[1])
    assert error.field == "region" and "请加引号" in error.message


def test_tab_indentation_message_is_chinese(write_case):
    text = valid_text().replace("  - id: F2", "\t- id: F2")
    error = only_error(check(write_case(text))[1])
    assert "Tab" in error.message


def test_unclosed_quote_points_at_where_it_opened(write_case):
    text = valid_text().replace("region: 常州市", 'region: "常州市')
    error = only_error(check(write_case(text))[1])
    assert error.line == 5 and "没有闭合" in error.message


def test_not_classified_is_not_mistaken_for_a_marking(write_case):
    error = only_error(check(write_case(valid_text().replace("classification: 公开", "classification: 非涉密")))[1])
    assert "只能是 公开 或 内部" in error.message


def test_full_width_digits_in_id_are_refused(write_case):
    errors = [p for p in check(write_case(valid_text().replace("id: CZ-2025-001", "id: CZ-２０２５-001")))[1] if p.is_error]
    assert any(e.field == "id" and "格式不对" in e.message for e in errors)


def test_control_characters_are_refused(write_case):
    error = only_error(check(write_case(valid_text().replace("region: 常州市", 'region: "常州\\x01市"')))[1])
    assert error.field == "region" and "控制字符" in error.message


def test_load_cache_revalidates_only_changed_files(tmp_path, monkeypatch):
    import shutil

    import generator.core.validate as validate_module
    from conftest import FIXTURES

    from generator.core.taxonomy import load_taxonomy
    from generator.core.validate import load_cases

    cases_dir = tmp_path / "cases"
    shutil.copytree(FIXTURES / "library" / "cases", cases_dir)
    cache = tmp_path / "cache"
    first, problems = load_cases(cases_dir, load_taxonomy(), cache)
    checked = []
    real = validate_module.check_file
    monkeypatch.setattr(validate_module, "check_file", lambda path, *a, **k: checked.append(path.name) or real(path, *a, **k))
    again, _ = load_cases(cases_dir, load_taxonomy(), cache)
    assert checked == [] and again == first
    path = next(cases_dir.rglob("CZ-2025-001.yaml"))
    path.write_text(path.read_text("utf-8").replace("人大与政法委联合监督涉企案件办理", "缓存测试用的新标题"), "utf-8")
    edited, _ = load_cases(cases_dir, load_taxonomy(), cache)
    assert checked == ["CZ-2025-001.yaml"]
    assert "缓存测试用的新标题" in [case.title for case in edited]
    path.write_text("id: [", "utf-8")  # broken now: the error is reported, not an old cached case
    broken, problems = load_cases(cases_dir, load_taxonomy(), cache)
    assert "CZ-2025-001" not in [case.id for case in broken] and any(p.is_error for p in problems)


def test_figure_names_and_characters_xml_cannot_hold_are_refused(write_case):
    from conftest import valid_text

    from generator.core.taxonomy import load_taxonomy
    from generator.core.validate import load_cases

    cases_dir = write_case(valid_text().replace("figures: {", "figures: {\"坏\\u0001名\": 3, ", 1))
    cases, problems = load_cases(cases_dir, load_taxonomy())
    assert cases == [] and any("统计数字的名称" in p.message for p in problems)
    write_case(valid_text().replace("subtitle: ", "subtitle: \ufffe", 1))
    cases, problems = load_cases(cases_dir, load_taxonomy())
    assert cases == [] and any("控制字符" in p.message for p in problems)


def test_scaffold_placeholders_are_refused(write_case):
    text = valid_text().replace("region: 常州市", "region: 请填写地区")
    error = only_error(check(write_case(text))[1])
    assert error.field == "region" and error.line == 5 and "占位文字“请填写地区”" in error.message


# --- the validate record of the build state: stat-based checks ----------------------------------

def _loaded_titles(library, state):
    from generator.core.validate import load_library_files

    cases, _, fingerprints = load_library_files(library / "cases", load_taxonomy(library), state)
    return {case.id: case.title for case in cases}, fingerprints


def _age(path, seconds=60):
    import os

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns - seconds * 10**9, stat.st_mtime_ns - seconds * 10**9))


def test_an_unchanged_file_is_not_read_again_and_an_edited_one_is(library, monkeypatch):
    from pathlib import Path

    from generator.infra.buildstate import BuildState

    files = sorted((library / "cases").rglob("*.yaml"))
    for path in files:
        _age(path)
    state = BuildState(library / "build" / "cache")
    titles, prints = _loaded_titles(library, state)
    state.save()
    edited = files[0]
    text = edited.read_text("utf-8")
    case_id = edited.stem
    edited.write_text(text.replace(titles[case_id], titles[case_id][:-2] + "改过", 1), "utf-8")  # same size or not
    read = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: (self.suffix == ".yaml" and read.append(self.name)) or real(self))
    again, again_prints = _loaded_titles(library, BuildState(library / "build" / "cache"))
    assert set(read) == {edited.name}  # only the file whose size, times or inode changed (hashed, then parsed)
    assert again[case_id].endswith("改过") and again_prints[case_id] != prints[case_id]
    assert {k: v for k, v in again_prints.items() if k != case_id} == {k: v for k, v in prints.items() if k != case_id}


def test_a_file_changed_right_after_the_last_check_is_read_again(library):
    from generator.infra.buildstate import BuildState

    path = sorted((library / "cases").rglob("*.yaml"))[0]
    state = BuildState(library / "build" / "cache")
    titles, _ = _loaded_titles(library, state)
    state.save()
    # the same size and, on a coarse clock, the same mtime: only the recent check time makes it suspect
    stat = path.stat()
    text = path.read_text("utf-8").replace(titles[path.stem], titles[path.stem][::-1], 1)
    path.write_text(text, "utf-8")
    import os

    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again, _ = _loaded_titles(library, BuildState(library / "build" / "cache"))
    assert again[path.stem] == titles[path.stem][::-1]
