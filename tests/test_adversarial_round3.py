"""Adversarial pass, round 3 (after issue 15): each test replays one defect found by an independent pass."""

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import AS_OF, REPO, jiandu_in_process, valid_text

from generator.core.edition import PUBLIC
from generator.core.problems import UserError
from generator.core.project import Project
from generator.site.build import build_site

MARKER = "HA-2025-0077"


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return jiandu_in_process(*args, "--root", str(root))


def assert_clean_failure(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def _with_internal_case(library: Path) -> Path:
    (library / "cases" / "2025" / f"{MARKER}.yaml").write_text(
        valid_text().replace("CZ-2025-001", MARKER).replace("classification: 公开", "classification: 内部"), "utf-8")
    return library


def _files_mentioning(folder: Path, marker: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and (marker.encode() in p.read_bytes() or marker in p.name)]


def _public(library: Path):
    return build_site(Project.at(library), as_of=AS_OF, quiet=True, say=lambda m: None, edition=PUBLIC)


# --- R1: content/ is copied as it is, following links and without looking inside -------------------

def test_r1_links_out_of_content_are_refused_by_the_public_edition(library):
    _with_internal_case(library)
    build_site(Project.at(library), as_of=AS_OF, quiet=True, say=lambda m: None)  # fills build/ with internal data
    (library / "content" / "src").symlink_to("../cases")
    (library / "content" / "bld").symlink_to("../build")
    with pytest.raises(UserError, match="符号链接"):
        _public(library)
    assert not (library / "site-public").exists()
    result = cli(library, "build", "--edition", "public", "--as-of", AS_OF.isoformat())
    assert_clean_failure(result, "content/src", "content/bld")


def test_r1_links_inside_content_are_fine(library):
    _with_internal_case(library)
    (library / "content" / "简介.md").symlink_to("about.md")
    site = _public(library).site_dir
    assert (site / "简介.html").is_file() and not _files_mentioning(site, MARKER)


def test_r1_an_internal_site_copied_without_its_marker_never_reaches_the_public_site(library):
    _with_internal_case(library)
    internal = build_site(Project.at(library), as_of=AS_OF, quiet=True, say=lambda m: None).site_dir
    assert _files_mentioning(internal, MARKER)
    # `cp -r site/* content/archive/` leaves the hidden marker behind
    shutil.copytree(internal, library / "content" / "archive", ignore=shutil.ignore_patterns(".jiandu-site"))
    site = _public(library).site_dir
    assert not (site / "archive").exists() and not _files_mentioning(site, MARKER)
    # only some of its pages, without the search folder: refused, with the file named
    shutil.rmtree(library / "content" / "archive" / "search")
    with pytest.raises(UserError, match=r"content/archive/cases/.*内部版网站的页面"):
        _public(library)
    assert not _files_mentioning(site, MARKER)


# --- R2: a number wrapped onto the next line is published whole (Markdown reads the break as a space) ----

WRAPPED = [
    ("身份证110105 19491231\n002X", "身份证号"),
    ("身份证号110105\n19491231002X", "身份证号"),
    ("联系电话139\n1234 5678", "手机号"),
    ("联系电话139\r\n  1234 5678", "手机号"),
    ("卡号6217 0000\n1234 5670", "银行卡号"),
]


@pytest.mark.parametrize("text,kind", WRAPPED)
def test_r2_numbers_wrapped_across_a_line_break_are_found(text, kind):
    from generator.core.pii import find_pii

    assert [k for k, _ in find_pii(text)] == [kind]


@pytest.mark.parametrize("text", ["第一段139\n\n1234 5678", "2025.10.14\n2025.11.14", "13.5\n14.2\n15.3"])
def test_r2_paragraph_breaks_and_number_lists_are_not_joined(text):
    from generator.core.pii import find_pii

    assert find_pii(text) == []


def test_r2_wrapped_phone_stops_the_public_build(library):
    path = library / "cases" / "2025" / "CZ-2025-001.yaml"
    text = path.read_text("utf-8")
    assert "outcome: |\n" in text
    path.write_text(text.replace("outcome: |\n", "outcome: |\n  举报电话139\n  1234 5678。\n", 1), "utf-8")
    result = cli(library, "build", "--edition", "public")
    assert_clean_failure(result, "手机号", "outcome")
    assert not (library / "site-public").exists()


# --- R3: a library template could change the values it was given (the 机关代字 of the number) ---------

def _template(office: Path, text: str) -> None:
    (office / "templates").mkdir(exist_ok=True)
    bundled = (REPO / "generator" / "office" / "templates" / "整改通知书.j2").read_text("utf-8")
    (office / "templates" / "整改通知书.j2").write_text(text + bundled, "utf-8")


def test_r3_template_cannot_change_the_number_it_is_issued_under(office):
    _template(office, "{% set _ = settings.codes.update({'整改通知书': '伪造'}) %}")
    result = cli(office, "doc", "rectification", "CZ-2026-001", "--to", "市司法局", "--date", "2026-11-23",
                 "--deadline", "2026-12-31")
    assert_clean_failure(result, "不允许")
    assert not (office / "register.jsonl").exists()  # no number taken, under any code
    assert not list(office.rglob("*伪造*"))


@pytest.mark.parametrize("body,words", [
    ("{% import '整改通知书.j2' as me %}", ["模板", "RecursionError"]),
    ("{% for x in case %}{{ x }}{% endfor %}", ["模板", "TypeError"]),
    ("{{ 1 / 0 }}", ["模板", "ZeroDivisionError"]),
    ("{{ 2 ** 100000000 }}", ["不允许", "指数"]),
    ("{{ 'x' * 100000000 }}", ["不允许", "重复"]),
    ("{% include '/etc/passwd' %}", ["找不到模板"]),
])
def test_r3_failing_templates_give_a_chinese_error(office, body, words):
    _template(office, body + "\n")
    result = cli(office, "doc", "rectification", "CZ-2026-001", "--to", "市司法局", "--draft")
    assert_clean_failure(result, *words)


def test_r3_bundled_templates_still_render(office):
    result = cli(office, "doc", "rectification", "CZ-2026-001", "--to", "市司法局", "--draft")
    assert result.returncode == 0, result.stderr


# --- R4: a link planted under the temporary name made --out write into the file it points to -----------

def test_r4_planted_link_at_the_temporary_name_is_not_followed(tmp_path, monkeypatch):
    from generator.core.outputs import write_output

    monkeypatch.setattr("os.getpid", lambda: 4242)
    shared = tmp_path / "shared"
    shared.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("原有内容", "utf-8")
    (shared / ".schema.json.tmp-4242").symlink_to(victim)
    out = write_output(shared / "schema.json", b"{}", manifest=tmp_path / "outputs.json")
    assert victim.read_text("utf-8") == "原有内容"
    assert out.is_file() and not out.is_symlink() and out.read_bytes() == b"{}"
    assert (shared / ".schema.json.tmp-4242").is_symlink()  # someone else's file: left alone


def test_r4_planted_link_beside_an_issued_document_is_not_followed(tmp_path, monkeypatch):
    from generator.office.register import _place

    monkeypatch.setattr("os.getpid", lambda: 4243)
    victim = tmp_path / "victim.txt"
    victim.write_text("原有内容", "utf-8")
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / ".x〔2026〕1号.docx.tmp-4243").symlink_to(victim)
    _place(documents / "x〔2026〕1号.docx", b"docx")
    assert victim.read_text("utf-8") == "原有内容"
    assert (documents / "x〔2026〕1号.docx").read_bytes() == b"docx"


# --- R5: an integer of more than 4300 digits made YAML reading raise a traceback ------------------------

def test_r5_a_huge_number_in_a_case_is_a_problem_not_a_traceback(library):
    path = library / "cases" / "2025" / "CZ-2025-001.yaml"
    path.write_text(path.read_text("utf-8") + "extra_number: " + "9" * 5000 + "\n", "utf-8")
    result = cli(library, "check")
    assert_clean_failure(result, "CZ-2025-001.yaml", "extra_number", "100 位")


def test_r5_a_huge_number_in_the_settings_is_a_chinese_error(office):
    settings = office / "organisation.yaml"
    settings.write_text(settings.read_text("utf-8").replace("reply_days: 15", "reply_days: " + "9" * 5000), "utf-8")
    result = cli(office, "doc", "report", "CZ-2026-001", "--draft")
    assert_clean_failure(result, "organisation.yaml", "reply_days", "100 位")
    (office / "taxonomy.yaml").write_text("categories: [{name: 甲, description: " + "9" * 5000 + "}]\n", "utf-8")
    assert_clean_failure(cli(office, "check"), "taxonomy.yaml")


# --- R6: --to with a control character raised a traceback; with RLO it was registered and published ------

@pytest.mark.parametrize("to", ["中共\x01常州市委", "中共\u202e常州市委", "中共\u200b常州市委", "中共\n常州市委", "长" * 500])
def test_r6_addressee_with_invisible_characters_is_refused_before_a_number_is_taken(office, to):
    result = cli(office, "doc", "report", "CZ-2026-001", "--to", to, "--date", "2026-11-23")
    assert_clean_failure(result, "主送单位")
    assert not (office / "register.jsonl").exists()


# --- R7: more Markdown payloads (round 3); all were already harmless, kept as a regression suite --------

ROUND3_MARKDOWN = [
    "<javascript:alert(1)>",
    "[a](&#106avascript:alert(1))",                  # a reference without its semicolon
    "[a](java&Tab;script:alert(1))",
    "[a](java&NewLine;script:alert(1))",
    "[a](<javascript:alert(1)>)",
    "[a](javascript\\:alert(1))",
    "[a](&Jfr;avascript:alert(1))",
    "[a](&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1))",
    "[a](http://x \"t\\\" onmouseover=alert(1) x=\\\"\")",
    "[a](http://x\" onmouseover=\"alert(1))",
    "![a\" onerror=\"alert(1)](x)",
    "[a](http://example.com){: onclick=\"alert(1)\" }",
    "[a](http://example.com){: href=\"javascript:alert(1)\" }",
    "段落\n{: onmouseover=\"alert(1)\" style=\"position:fixed;inset:0\" }",
    "# 标题 {: onclick=\"alert(1)\" }",
    "[a](http://x){: style=\"position:fixed;inset:0;background:red\" }",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>a</details>",
    "!!! note \"<img src=x onerror=alert(1)>\"\n    a",
    "*[HTML]: <img src=x onerror=alert(1)>\nHTML",
    "`</code><img src=x onerror=alert(1)>`",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> [x](javascript:alert(1)) |",
    "[a](#\" onfocus=\"alert(1)\" autofocus=\")",
    "--8<-- \"/etc/passwd\"",
]


def _active_markup(html: str) -> list[str]:
    """Attributes that run script, load something or restyle the page; links that are not http(s)/mailto/relative."""
    import re
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if name.startswith("on") or name in ("style", "src", "srcdoc", "formaction"):
                    found.append(f"{tag} {name}={value}")
                if name == "href" and not re.match(r"(https?://|mailto:|#|[^:]*$)", value or ""):
                    found.append(f"{tag} href={value}")
            if tag in ("script", "iframe", "object", "embed", "style", "svg", "math", "img", "form", "base"):
                found.append(tag)

    Parser().feed(html)
    return found


@pytest.mark.parametrize("text", ROUND3_MARKDOWN)
def test_r7_markdown_payloads_give_no_active_markup(text):
    from generator.text.safetext import markdown_to_html

    html = markdown_to_html(text)
    assert _active_markup(html) == [], html
    assert "root:" not in html


@pytest.mark.browser
def test_r7_payloads_in_a_built_site_run_nothing_in_chromium(library):
    import yaml

    from tools.browser import chromium_page, serve_directory

    case = yaml.safe_load(valid_text())
    case.update(id="CZ-2025-0099", title="标题</title><script>alert(1)</script>", keywords=["\"><svg onload=alert(2)>"],
                insight="\n\n".join(ROUND3_MARKDOWN[:-1]) + "\n")
    (library / "cases" / "2025" / "CZ-2025-0099.yaml").write_text(yaml.safe_dump(case, allow_unicode=True), "utf-8")
    site = _public(library).site_dir
    pages = ["cases/CZ-2025-0099.html", *[p.relative_to(site).as_posix() for p in (site / "browse" / "keyword").glob("v-*.html")]]
    assert len(pages) == 2, pages  # the case and its hashed keyword page
    hook = "window.__ran = []; for (const f of ['alert', 'confirm', 'prompt']) window[f] = m => window.__ran.push(String(m));"
    events = "() => { for (const el of document.querySelectorAll('article *')) for (const e of ['mouseover', 'focus', 'click', 'toggle']) el.dispatchEvent(new Event(e, {bubbles: true})); }"
    with serve_directory(site) as base, chromium_page() as (page, outside):
        page.add_init_script(hook)
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for root in (base, site.resolve().as_uri() + "/"):
            for relative in pages:
                page.goto(root + relative)
                page.evaluate(events)
                page.wait_for_timeout(100)
                assert page.evaluate("window.__ran") == [] and dialogs == [], relative
                protocols = page.eval_on_selector_all("article a[href]", "links => links.map(a => a.protocol)")
                assert set(protocols) <= {"http:", "https:", "file:", "mailto:"}, protocols
        assert outside == []


# --- R8: `jiandu build --site-dir site-public` (a forgotten --edition public) put every internal case there ---

def test_r8_internal_edition_never_goes_into_the_public_folder(library):
    _with_internal_case(library)
    public = _public(library).site_dir
    assert public == (library / "site-public").resolve()
    with pytest.raises(UserError, match="公开版的输出目录"):
        build_site(Project.at(library), as_of=AS_OF, site_dir=library / "site-public", quiet=True, say=lambda m: None)
    result = cli(library, "build", "--site-dir", str(library / "site-public"))
    assert_clean_failure(result, "--edition public")
    assert not _files_mentioning(public, MARKER) and "jiandu-edition-public" in (public / "index.html").read_text("utf-8")


# --- R9: `schema --out cases/…/新文件.yaml` put a file that is not a case among the cases --------------------

def test_r9_no_output_is_written_into_the_cases_folder(office):
    for args in (["schema"], ["compile", "2024"], ["ledger"]):
        target = office / "cases" / "2024" / ("新文件.yaml" if args == ["schema"] else "新文件.docx")
        result = cli(office, *args, "--out", str(target))
        assert_clean_failure(result, "案例目录")
        assert not target.exists()
    assert cli(office, "check").returncode == 0
