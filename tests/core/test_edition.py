"""Editions: nothing from an internal case reaches the public build; banners on every page."""

import gzip
import zipfile
import re

import pytest
from conftest import AS_OF

from generator.core.edition import INTERNAL, PUBLIC
from generator.core.problems import LibraryError
from generator.core.project import Project
from generator.site.build import build_site

MARKERS = ["绝无仅有标记甲", "绝无仅有标记乙", "绝无仅有标记丙", "绝无仅有标记丁", "绝无仅有标记戊", "绝无仅有标记己",
           "绝无仅有标记庚", "绝无仅有标记辛", "绝无仅有标记壬", "绝无仅有标记癸", "绝无仅有标记子", "绝无仅有标记丑",
           "HA-2024-0099", "秘境市", "绝无仅有标记寅", "机密测字"]

INTERNAL_CASE = """\
id: HA-2024-0099
title: 内部案例绝无仅有标记甲
subtitle: 绝无仅有标记乙
date: 2024-08-08
region: 秘境市
classification: 内部
category: 队伍建设
mechanisms: [政治督察]
supervisors: [绝无仅有标记丙]
supervised: [绝无仅有标记丁]
keywords: [绝无仅有标记戊]
typical: true
replicable: true
summary: 绝无仅有标记己
background: 绝无仅有标记庚
practice: 绝无仅有标记辛
outcome: 绝无仅有标记壬
legal_basis: [《绝无仅有标记癸》]
figures: {绝无仅有标记子: 7}
findings:
  - id: F1
    problem: 绝无仅有标记丑
    unit: 绝无仅有标记丁
    requirement: 整改
    deadline: 2024-10-01
    status: 待整改
"""


def build(root, edition, **kwargs):
    return build_site(Project.at(root), as_of=AS_OF, quiet=True, say=lambda message: None, edition=edition, **kwargs)


def every_text(folder):
    """Every file's text; .gz decompressed, .docx/.xlsx opened and every part read."""
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            if path.suffix in (".docx", ".xlsx"):
                with zipfile.ZipFile(path) as package:
                    data = b"".join(package.read(name) for name in package.namelist())
            yield path, data.decode("utf-8", errors="replace")


@pytest.fixture
def mixed_library(library):
    from generator.office.register import issue

    (library / "cases" / "2024" / "HA-2024-0099.yaml").write_text(INTERNAL_CASE, "utf-8")
    for case_id, addressee in (("HA-2024-0099", "绝无仅有标记寅"), ("CZ-2025-001", "市公安局")):
        issue(library, code="机密测字" if case_id.startswith("HA") else "常政法监", year=2024, kind="整改通知书",
              case=case_id, addressee=addressee, day="2024-09-01", render=lambda number: b"docx",
              out_dir=library / "documents")
    return library


def test_public_build_contains_nothing_from_internal_cases(mixed_library):
    report = build(mixed_library, PUBLIC)
    assert report.cases == 1 and report.site_dir.name == "site-public"
    for folder in (mixed_library / "site-public", mixed_library / "build" / "index-public"):
        for path, text in every_text(folder):
            for marker in MARKERS:
                assert marker not in text, (marker, path)
    home = (mixed_library / "site-public" / "index.html").read_text("utf-8")
    assert re.search(r"收录案例 <strong>1</strong> 件", home)
    assert "HA-2024-002" not in "".join(text for _, text in every_text(mixed_library / "site-public"))


def test_internal_build_does_contain_them(mixed_library):
    """The same scan finds every marker in the internal edition: the public test can fail."""
    build(mixed_library, INTERNAL)
    everything = "".join(text for _, text in every_text(mixed_library / "site"))
    for marker in MARKERS:
        assert marker in everything, marker


def test_every_page_is_marked_with_its_edition(mixed_library):
    build(mixed_library, INTERNAL)
    build(mixed_library, PUBLIC)
    for folder, label in ((mixed_library / "site", "内部资料"), (mixed_library / "site-public", "公开版")):
        pages = list(folder.rglob("*.html"))
        assert pages
        for page in pages:
            text = page.read_text("utf-8")
            assert label in text, page
    assert not any("内部资料" in p.read_text("utf-8") for p in (mixed_library / "site-public").rglob("*.html"))


PII_CASE = """\
id: CZ-2025-0077
title: 含有个人信息的公开案例
date: 2025-05-05
region: 常州市
classification: {classification}
category: 执法规范
mechanisms: [联合监督]
supervisors: [市委政法委]
supervised: [市公安局]
summary: 当事人身份证号11010519491231002X，联系电话13912345678。
background: 退款打入银行卡6222021234567890128，来信请寄 someone@example.com。
practice: 编号 110105194912310021 校验位不对，不算身份证号。
outcome: 已整改。
"""


def test_public_build_refuses_personal_data_with_masked_excerpts(library):
    (library / "cases" / "CZ-2025-0077.yaml").write_text(PII_CASE.format(classification="公开"), "utf-8")
    with pytest.raises(LibraryError) as failure:
        build(library, PUBLIC)
    messages = [str(p) for p in failure.value.problems]
    assert len(messages) == 4
    assert all("cases/CZ-2025-0077.yaml" in m for m in messages)
    kinds = {"summary": ["身份证号", "手机号"], "background": ["银行卡号", "电子邮箱"]}
    for field, expected in kinds.items():
        assert sum(f"字段 {field}" in m for m in messages) == 2
        for kind in expected:
            assert any(kind in m for m in messages)
    joined = "\n".join(messages)
    assert "11010519491231002X" not in joined and "13912345678" not in joined and "110***" in joined
    assert not (library / "site-public").exists()


def test_internal_build_warns_and_allow_list_silences(library):
    (library / "cases" / "CZ-2025-0077.yaml").write_text(PII_CASE.format(classification="公开"), "utf-8")
    report = build(library, INTERNAL)
    assert len([w for w in report.warnings if "疑似" in w.message]) == 4
    (library / "pii-allow.txt").write_text("# 已核实为虚构\n11010519491231002X\n13912345678\n"
                                           "6222021234567890128\nsomeone@example.com\n", "utf-8")
    assert build(library, PUBLIC).cases == 2
