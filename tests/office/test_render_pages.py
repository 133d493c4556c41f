"""Each kind rendered by LibreOffice and measured on the PDF: rules, title lines, 版记 at the foot,
page numbers, characters per line (GB/T 9704-2012 7.3.1, 7.4.1, 7.5, 10.1)."""

import re
import shutil
import subprocess
from datetime import date

import pytest
from conftest import REPO, sample_cases
from lxml import etree

from generator.office.documents import compose, render
from generator.office.pdf import to_pdf
from generator.office.settings import load_settings
from generator.office.titles import break_title

pytestmark = pytest.mark.office
DAY = date(2026, 11, 23)
MM = 72 / 25.4
TOP, BOTTOM, PAGE_H = 37, 297 - 35, 297
KINDS = [("整改通知书", "CZ-2026-001", {"to": "市市场监督管理局", "deadline": date(2026, 12, 31)}),
         ("监督建议书", "CZ-2026-001", {"to": "市司法局"}),
         ("督办通知", "HA-2026-001", {"deadline": date(2026, 12, 31)}),
         ("线索移送函", "JMS-2026-001", {"clue_id": "X3"}),
         ("监督报告", "JMS-2024-002", {})]


def rows(pdf) -> list[list[dict]]:
    """Text rows per page, positions in mm from the page's top-left corner."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    pages = []
    for page in etree.fromstring(xml, etree.XMLParser(recover=True)).iter("{*}page"):
        found = []
        for line in page.iter("{*}line"):
            words = list(line.iter("{*}word"))
            found.append({"text": "".join(w.text or "" for w in words),
                          "x0": float(line.get("xMin")) / MM, "x1": float(line.get("xMax")) / MM,
                          "y0": float(line.get("yMin")) / MM, "y1": float(line.get("yMax")) / MM})
        pages.append(found)
    return pages


def red_rules(pdf, dpi=200) -> tuple[list[dict], list[float]]:
    """Red horizontal rules on page 1 (runs of red pixels at least 60 mm long), merged over pixel rows,
    and the rows (mm) with shorter red runs: the red 标志's glyphs."""
    data = subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", str(pdf)], capture_output=True,
                          check=True).stdout
    width, height, offset = *map(int, re.match(rb"P6\s+(\d+)\s+(\d+)\s+\d+\s", data).groups()), \
        re.match(rb"P6\s+\d+\s+\d+\s+\d+\s", data).end()
    per_mm, rules, glyphs = dpi / 25.4, [], []
    for y in range(height):
        row = data[offset + y * width * 3: offset + (y + 1) * width * 3]
        red = [x for x in range(0, width) if row[3 * x] > 150 and row[3 * x + 1] < 110 and row[3 * x + 2] < 110]
        if len(red) / per_mm < 60:
            if red:
                glyphs.append(y / per_mm)
            continue
        if rules and y - rules[-1]["p1"] <= 1:
            rules[-1]["p1"] = y
        else:
            rules.append({"p0": y, "p1": y, "x0": red[0] / per_mm, "x1": (red[-1] + 1) / per_mm})
    for rule in rules:
        rule.update(y0=rule["p0"] / per_mm, y1=(rule["p1"] + 1) / per_mm)
    return rules, glyphs


def units(text: str) -> float:
    return sum(1 if ord(ch) >= 0x2000 else 0.5 for ch in text if not ch.isspace())


@pytest.fixture(scope="module", params=KINDS, ids=[k[0] for k in KINDS])
def rendered(request, tmp_path_factory):
    if not (shutil.which("soffice") or shutil.which("libreoffice")) or not shutil.which("pdftoppm"):
        pytest.skip("LibreOffice or poppler-utils missing")
    kind, case_id, options = request.param
    case = next(c for c in sample_cases() if c.id == case_id)
    settings = load_settings(REPO).for_case(case)
    composition = compose(REPO, case, kind, settings, day=DAY, formal=True, **options)
    docx = tmp_path_factory.mktemp("pages") / f"{kind}.docx"
    docx.write_bytes(render(composition, settings, number="常政法监〔2026〕9号", day=DAY))
    pdf = to_pdf(docx)
    return kind, composition, pdf, rows(pdf)


def test_letter_double_rules(rendered):
    kind, _, pdf, pages = rendered
    rules, glyphs = red_rules(pdf)
    if kind == "监督报告":  # ordinary format: one red rule under the 文号 (7.2.7)
        assert len(rules) == 1 and abs(rules[0]["x1"] - rules[0]["x0"] - 156) < 2
        logo = next(r for r in pages[0] if r["text"].endswith("委员会"))
        assert abs(logo["y0"] - (TOP + 35)) < 2  # 标志 35 mm below the type-area top (7.2.4)
        return
    assert len(rules) == 4
    top, foot = rules[:2], rules[2:]
    thickness = [r["y1"] - r["y0"] for r in rules]
    assert thickness[0] > 1.5 * thickness[1] and thickness[3] > 1.5 * thickness[2]  # 上粗下细, 上细下粗
    assert all(abs(r["x1"] - r["x0"] - 170) < 1.5 and abs(r["x0"] - 20) < 1 for r in rules)
    logo = [y for y in glyphs if y < top[0]["y0"]]
    assert abs(min(logo) - 30) < 1.5  # 标志 glyphs start 30 mm from the top edge
    assert abs(top[0]["y0"] - max(logo) - 4) < 1  # the rule 4 mm under the 标志
    assert abs(PAGE_H - (foot[0]["y0"] + foot[1]["y1"]) / 2 - 20) < 1  # 20 mm above the bottom edge


def test_title_lines_are_the_hand_breaks(rendered):
    _, composition, _, pages = rendered
    wanted = break_title(composition.title)
    texts = [r["text"] for r in pages[0]]
    start = texts.index(wanted[0])
    assert texts[start:start + len(wanted)] == wanted
    for row in pages[0][start:start + len(wanted)]:
        assert row["x1"] - row["x0"] < 0.95 * 156  # never a full line wrapped by the word processor
        assert abs((row["x0"] + row["x1"]) / 2 - (28 + 78)) < 1.5  # centred


def test_imprint_at_the_foot_of_the_last_page_in_one_piece(rendered):
    kind, _, _, pages = rendered
    where = [(number, row) for number, page in enumerate(pages) for row in page
             if row["text"].startswith("抄送") or row["text"].endswith("印发")]
    assert {number for number, _ in where} == {len(pages) - 1}
    assert BOTTOM - where[-1][1]["y1"] < 12
    assert len(where) == (1 if kind != "监督报告" else 2)  # letter format: 抄送 only (10.1)
    signature = next(number for number, page in enumerate(pages) for row in page
                     if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", row["text"]))
    body_above = [row for row in pages[signature] if TOP - 1 < row["y0"] and "委员会" not in row["text"]
                  and not re.fullmatch(r"[—\d\s]+", row["text"]) and "常委会" not in row["text"]]
    assert body_above  # never a page with only the 署名 and date (7.3.5.5)


def test_page_numbers_and_characters_per_line(rendered):
    kind, _, _, pages = rendered
    for number, page in enumerate(pages, 1):
        numbers = [row for row in page if re.fullmatch(r"—\s*\d+\s*—", row["text"].strip())]
        if kind != "监督报告" and number == 1:
            assert not numbers  # 10.1 首页不显示页码
        else:
            assert len(numbers) == 1 and numbers[0]["text"].replace(" ", "") == f"—{number}—"
            drop = (numbers[0]["y0"] + numbers[0]["y1"]) / 2 - BOTTOM
            assert 5 < drop < 9  # 一字线 about 7 mm below the type area (7.5)
            assert (numbers[0]["x1"] > 150) == bool(number % 2)  # odd right, even left
    for page in pages:
        for row in page:
            if not TOP - 1 < row["y0"] < BOTTOM:
                continue
            width = units(row["text"])
            if row["x1"] > 184.5 and row["text"][-1] in "，。、；：？！）”》":
                width -= 1  # a closing mark hanging past the right edge (标点悬挂)
            assert width <= 28, row["text"]


@pytest.mark.parametrize("letter", [False, True], ids=["ordinary", "letter"])
@pytest.mark.parametrize("short_by", range(5))
def test_body_ending_near_the_page_end(tmp_path, letter, short_by):
    """Whatever line the body ends on, the 署名 has body text above it and the 版记 sits at the foot."""
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice missing")
    from generator.office.layout import Letterhead, OfficialDocument, place

    document = OfficialDocument(letter=letter)
    document.masthead(Letterhead("常州市委政法委员会", "常政法报〔2026〕1号", letter, "" if letter else "王立新"))
    document.title(["关于测试的报告"])
    document.addressee("中共常州市委")
    document.body("二" * 60)
    placed = place(document.flow, document.page_pt, document.start_pt)
    left = int((document.page_pt - placed[-1][3]) // document.pitch)
    document.body("一" * (26 + 28 * (left - 1 - short_by)))
    document.signature("常州市委政法委员会", DAY)
    document.imprint(["市人民检察院"], "常州市委政法委员会办公室", DAY)
    docx = tmp_path / "near-end.docx"
    docx.write_bytes(document.to_docx(DAY))
    pages = rows(to_pdf(docx))
    date_page = next(n for n, page in enumerate(pages) for row in page if row["text"] == "2026年11月23日")
    assert any(row["text"].startswith("一一一") for row in pages[date_page])
    imprint = [(n, row) for n, page in enumerate(pages) for row in page if row["text"].startswith("抄送")]
    assert imprint[0][0] == len(pages) - 1 and BOTTOM - imprint[-1][1]["y1"] < 12 + (0 if letter else 10.5)
