"""Issue 14: schema order of every property written, titles by words, issuers per case, dates and refusals."""

import io
import shutil
import zipfile
from datetime import date

import pytest
from conftest import REPO, jiandu_in_process, sample_cases
from lxml import etree

from generator.office.documents import compose, render
from generator.office.settings import load_settings
from generator.office.layout import SCHEMA_ORDER, FlowBlock, count_lines, place
from generator.core.problems import UserError
from generator.office.titles import break_title

DAY = date(2026, 11, 23)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
KINDS = [("整改通知书", "CZ-2026-001", {"to": "市市场监督管理局", "deadline": date(2026, 12, 31)}),
         ("监督建议书", "CZ-2026-001", {"to": "市司法局"}),
         ("督办通知", "HA-2026-001", {"deadline": date(2026, 12, 31)}),
         ("线索移送函", "JMS-2026-001", {"clue_id": "X3"}),
         ("监督报告", "JMS-2024-002", {})]


def case(case_id):
    return next(c for c in sample_cases() if c.id == case_id)


def issued(kind, case_id, options, day=DAY):
    settings = load_settings(REPO).for_case(case(case_id))
    composition = compose(REPO, case(case_id), kind, settings, day=day, formal=True, **options)
    return composition, render(composition, settings, number="常政法监〔2026〕9号", day=day)


def ledger_docx() -> bytes:
    from generator.office.ledger import docx_bytes, rows

    return docx_bytes(rows(sample_cases(), DAY, issued={}), "整改落实跟踪台账", DAY)


@pytest.mark.parametrize("kind, case_id, options", KINDS + [("台账", None, None)], ids=lambda v: str(v)[:8])
def test_every_property_child_is_in_schema_order(kind, case_id, options):
    data = ledger_docx() if case_id is None else issued(kind, case_id, options)[1]
    package = zipfile.ZipFile(io.BytesIO(data))
    checked = 0
    for name in package.namelist():
        if not (name.startswith("word/") and name.endswith(".xml")):
            continue
        root = etree.fromstring(package.read(name))
        for parent_name, order in SCHEMA_ORDER.items():
            for parent in root.iter(W + parent_name):
                names = [etree.QName(item).localname for item in parent if etree.QName(item).namespace == W[1:-1]]
                unknown = [n for n in names if n not in order]
                assert not unknown, (name, parent_name, unknown)
                # header and footer references form one choice group (EG_HdrFtrReferences): any order
                ranks = [order.index("headerReference" if n == "footerReference" else n) for n in names]
                assert ranks == sorted(ranks), (name, parent_name, names)
                if parent_name == "tblPr":
                    assert names.count("tblW") <= 1
                checked += 1
    assert checked > 20


def test_ambiguous_punctuation_is_hinted_east_asian():
    _, data = issued("监督报告", "JMS-2024-002", {})
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    root = etree.fromstring(xml.encode())
    quoted = [r for r in root.iter(W + "r") if "“" in "".join(t.text or "" for t in r.iter(W + "t"))]
    assert quoted and all(r.find(f"{W}rPr/{W}rFonts").get(W + "hint") == "eastAsia" for r in quoted)


@pytest.mark.parametrize("title, lines", [
    ("关于限期整改行政执法与刑事司法衔接联合监督中发现问题的通知", 2),
    ("关于督办两级人大联动代表见证执行化解涉民生执行积案有关问题的通知", 2),
    ("关于联合清理一年以上未结“挂案”和民营企业涉法涉诉问题的监督报告", 2),
    ("关于一案双查的通知", 1),
])
def test_titles_break_between_words_and_keep_quotes_whole(title, lines):
    import jieba  # noqa: F401  (the domain dictionary is loaded by generator.text.dictionary)

    from generator.text.dictionary import jieba_ready

    broken = break_title(title)
    assert "".join(broken) == title and len(broken) == lines
    assert all(len(line) <= 19 for line in broken)
    words = list(jieba_ready().cut(title, HMM=False))
    bounds, position = set(), 0
    for word in words:
        position += len(word)
        bounds.add(position)
    position = 0
    for line in broken[:-1]:
        position += len(line)
        assert position in bounds, (line, words)  # a break falls between two words
        assert line.count("“") == line.count("”")
    assert all(len(line) > 3 for line in broken)
    if lines == 2:
        assert abs(len(broken[0]) - len(broken[1])) <= 4  # balanced


def test_line_model_counts_and_places():
    assert count_lines("一" * 28, 28) == 1 and count_lines("一" * 29, 28) == 2
    assert count_lines("一" * 26, 28, first_indent=2) == 1 and count_lines("一" * 27, 28, 2) == 2
    assert count_lines("2026" * 14, 28) == 1  # half-width digits
    assert count_lines("一" * 28 + "。", 28) == 2  # the full stop cannot open the second line alone
    placed = place([FlowBlock(20, 28.95), FlowBlock(3, 28.95)], 637.8)
    assert placed[1][0] == 0 and placed[1][2] == 1  # two lines on page 1, the third on page 2


def test_issuer_follows_the_case_and_can_be_named():
    settings = load_settings(REPO)
    assert settings.for_case(case("JMS-2024-002")).issuer == "佳木斯市委政法委员会"
    assert settings.for_case(case("HA-2026-001")).codes["督办通知"] == "淮人常督"
    assert settings.for_case(case("CZ-2026-001")).issuer == "常州市委政法委员会"
    assert settings.for_case(case("JMS-2024-002"), "常州市委政法委员会").issuer == "常州市委政法委员会"
    with pytest.raises(UserError, match="没有发文机关"):
        settings.for_case(case("JMS-2024-002"), "无此机关")


def test_report_is_addressed_and_signed_by_the_owning_body():
    composition, data = issued("监督报告", "JMS-2024-002", {}, day=date(2024, 10, 20))
    from docx import Document

    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    assert composition.addressee == "中共佳木斯市委" and "中共佳木斯市委：" in texts
    assert "佳木斯市委政法委员会" in texts and "特此报告。" in texts
    number = next(p for p in document.paragraphs if "签发人：" in p.text)
    assert number.text.startswith("\u3000常政法监〔2026〕9号\t签发人：刘志强")  # 居左空一字


def test_deadline_before_the_document_date_is_refused_for_formal_issuance():
    settings = load_settings(REPO)
    with pytest.raises(UserError, match="--deadline"):
        compose(REPO, case("CZ-2026-001"), "整改通知书", settings, day=DAY, to="市市场监督管理局", formal=True)
    with pytest.raises(UserError, match="不晚于成文日期"):
        compose(REPO, case("CZ-2026-001"), "整改通知书", settings, day=DAY, to="市市场监督管理局",
                deadline=date(2026, 11, 1), formal=True)
    later = compose(REPO, case("CZ-2026-001"), "整改通知书", settings, day=DAY, to="市市场监督管理局",
                    deadline=date(2026, 12, 31), formal=True)
    assert "于2026年12月31日前整改到位" in later.markup and "2026年11月10日" not in later.markup
    draft = compose(REPO, case("CZ-2026-001"), "整改通知书", settings, day=DAY, to="市市场监督管理局")
    assert "2026年11月10日" in draft.markup  # a draft keeps the recorded deadline


def test_signed_off_finding_and_referral_back_are_refused():
    settings = load_settings(REPO)
    with pytest.raises(UserError, match="已销号"):
        compose(REPO, case("CZ-2026-001"), "整改通知书", settings, day=DAY, finding_ids=["F4"])
    jms = settings.for_case(case("JMS-2026-001"))
    with pytest.raises(UserError, match="不能移送回来源单位"):  # X1 came from 市人民检察院
        compose(REPO, case("JMS-2026-001"), "线索移送函", jms, day=DAY, clue_id="X1", to="市人民检察院")
    with pytest.raises(UserError, match="不能向本机关移送"):  # X1 went to 市委政法委, the issuing body itself
        compose(REPO, case("JMS-2026-001"), "线索移送函", jms, day=DAY, clue_id="X1")


def test_wording_per_kind():
    notice, _ = issued("整改通知书", "CZ-2026-001", {"to": "市市场监督管理局", "deadline": date(2026, 12, 31)})
    assert "《中国共产党政法工作条例》" in notice.markup and "检察建议工作规定" not in notice.markup
    assert "1.涉嫌" in notice.markup and "1. " not in notice.markup
    advice, _ = issued("监督建议书", "CZ-2026-001", {"to": "市司法局"})
    for part in ("问题来源", "查明的事实及依据", "问题产生的原因", "监督建议", "回复要求", "书面回复", "加盖单位公章"):
        assert part in advice.markup, part
    assert "发现问题4个" not in advice.markup  # no case-wide counts reused
    assert "不符合《行政执法机关移送涉嫌犯罪案件的规定》的有关要求" in advice.markup
    supervision, _ = issued("督办通知", "HA-2026-001", {"deadline": date(2026, 12, 31)})
    assert "2026年12月31日前办结" in supervision.markup and "每15日书面报告" in supervision.markup
    referral, _ = issued("线索移送函", "JMS-2026-001", {"clue_id": "X3"})
    assert "附件：X3号线索登记表" in referral.markup and "特此函告。" in referral.markup
    assert referral.markup.index("特此函告。") < referral.markup.index("附件：")
    assert "\n特此函告。\n" in referral.markup  # a paragraph of its own


def test_suggestion_without_causes_is_refused_formally():
    settings = load_settings(REPO).for_case(case("HA-2026-001"))  # its findings record no cause
    with pytest.raises(UserError, match="cause"):
        compose(REPO, case("HA-2026-001"), "监督建议书", settings, day=DAY, formal=True)
    draft = compose(REPO, case("HA-2026-001"), "监督建议书", settings, day=DAY)
    assert "原因有待你单位自查说明" in draft.markup


def test_settings_with_several_bodies_are_checked(tmp_path):
    (tmp_path / "organisation.yaml").write_text(
        "issuer: 甲\ncodes: {整改通知书: 甲监}\nprinted_by: 甲办\nbodies:\n"
        "  - match: {region: 乙市}\n    issuer: 乙\n    codes: {整改通知书: 甲监}\n    printed_by: 乙办\n", "utf-8")
    with pytest.raises(UserError, match="机关代字 甲监"):
        load_settings(tmp_path)
    (tmp_path / "organisation.yaml").write_text(
        "issuer: 甲\ncodes: {整改通知书: 甲监}\nprinted_by: 甲办\nbodies:\n  - issuer: 乙\n", "utf-8")
    with pytest.raises(UserError, match="match"):
        load_settings(tmp_path)


def test_sample_register_matches_the_settings():
    from generator.office.register import check_chain, read_entries

    assert check_chain(REPO)[1] is None
    settings = load_settings(REPO)
    cases = {c.id: c for c in sample_cases()}
    for entry in read_entries(REPO):
        body = settings.for_case(cases[entry.case])
        assert body.codes[entry.kind] == entry.code, entry
        if entry.kind == "监督报告":
            assert entry.addressee == body.report_to


def test_cli_issues_with_a_new_deadline(tmp_path):
    for name in ("cases", "content"):
        shutil.copytree(REPO / name, tmp_path / name)
    for name in ("organisation.yaml", "mkdocs.yml"):
        shutil.copy(REPO / name, tmp_path / name)
    run = lambda *args: jiandu_in_process(*args, "--root", str(tmp_path))  # noqa: E731
    done = run("doc", "supervision", "HA-2026-001", "--date", "2026-11-23", "--deadline", "2026-12-31")
    assert done.returncode == 0, done.stderr
    assert "淮人常督〔2026〕1号" in done.stdout
    refused = run("doc", "supervision", "HA-2026-001", "--date", "2026-11-23", "--findings", "F2")
    assert refused.returncode == 1 and "已销号" in refused.stderr and "Traceback" not in refused.stderr


def test_ledger_docx_rows_stay_whole_with_page_numbers_and_wide_columns():
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(io.BytesIO(ledger_docx()))
    table = document.tables[0]
    rows = table._tbl.tr_lst
    assert all(row.trPr is not None and row.trPr.find(qn("w:cantSplit")) is not None for row in rows)
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert table.columns[0].width.mm >= 14 and table.columns[-1].width.mm >= 14  # 序号, 标识
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and document.settings.odd_and_even_pages_header_footer


def test_site_book_page_says_why_contents_have_no_page_numbers():
    from generator.site.pages import compilation_page

    page = compilation_page(2024, [], "2024.docx", "2024年度汇编")
    assert "更新域" in page.body and "jiandu compile" in page.body


def test_signature_never_opens_a_page_alone():
    from generator.office.layout import Letterhead, OfficialDocument

    document = OfficialDocument(letter=False)
    document.masthead(Letterhead("常州市委政法委员会", "常政法报〔2026〕1号", False, "王立新"))
    document.title(["关于测试的报告"])
    document.addressee("中共常州市委")
    placed = place(document.flow, document.page_pt)
    lines_left = int((document.page_pt - placed[-1][3]) // document.pitch)
    document.body("一" * (26 + 28 * (lines_left - 1)))  # the body ends on the last line of page 1
    document.signature("常州市委政法委员会", DAY)
    pages = place(document.flow, document.page_pt)
    signature_page = pages[-2][0]
    body_pages = {first for first, _, last, _ in pages[-4:-2]} | {last for _, _, last, _ in pages[-4:-2]}
    assert signature_page in body_pages  # some body text shares the 署名's page
    moved = document.last_body[0].paragraph_format
    assert moved.keep_with_next and moved.keep_together  # Word, WPS and LibreOffice move it along whole
