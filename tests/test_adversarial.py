"""Adversarial pass, round 2 (issue 15): each test replays one defect D1–D14 or the public-edition policy.

Register tampering, crash recovery and kill -9 loops are in test_register_integrity.py.
"""

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AS_OF, REPO, examples, jiandu_in_process, valid_text

from generator.core.edition import PUBLIC
from generator.core.problems import UserError
from generator.core.project import Project
from generator.text.safetext import is_safe_url, markdown_to_html
from generator.site.build import build_site


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return jiandu_in_process(*args, "--root", str(root))


def assert_clean_failure(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


# --- D1: entity-encoded javascript: links ---------------------------------------------------

HOSTILE_LINKS = [
    "详见[附件清单](&#106;avascript:alert(document.domain))",
    "[一](javascript&colon;alert(1))",
    "[二](&#x6A;avascript:alert(2))",
    "[三](&#X6a;&#x61;vascript:alert(3))",
    "[四](&#0000106;avascript:alert(4))",
    "[五](java&#x09;script:alert(5))",
    "[六](&amp;#106;avascript:alert(6))",
    "[七](&#x20;javascript:alert(7))",
    "[八](jav&#x0A;ascript:alert(8))",
    "[九](java\u200bscript:alert(9))",
    "[十](&#x64;ata:text/html,<script>alert(10)</script>)",
    "[十一][ref]\n\n[ref]: &#106;avascript:alert(11)",
    "[十二][r2]\n\n[r2]: javascript&colon;alert(12) \"标题\"",
    "[十三](vbscript&#58;msgbox(13))",
]


@pytest.mark.parametrize("text", HOSTILE_LINKS)
def test_d1_encoded_script_links_lose_their_href(text):
    html = markdown_to_html(text)
    assert "href" not in html, html


def _encoded_scheme(draw_choice) -> str:
    """javascript: with every character written as itself, a decimal or hex reference, or an entity name."""
    import html.entities

    names = {":": ["&colon;"], "\t": ["&Tab;"], "\n": ["&NewLine;"]}
    out = []
    for char in "javascript:":
        forms = [char, char.upper(), f"&#{ord(char)};", f"&#000{ord(char)};", f"&#x{ord(char):x};", f"&#X{ord(char):X};",
                 *names.get(char, [])]
        out.append(draw_choice(forms))
        out.append(draw_choice(["", "", "", "&Tab;", "&#x0A;", "\t", "\u200b"]))
    assert html.entities.html5["colon;"] == ":"
    return "".join(out)


def test_d1_any_encoding_of_the_scheme_is_refused():
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=examples(300), deadline=None)
    @given(st.data())
    def check(data):
        url = _encoded_scheme(lambda forms: data.draw(st.sampled_from(forms))) + "alert(1)"
        assert not is_safe_url(url)
        assert "href" not in markdown_to_html(f"[链接]({url})")
        assert "href" not in markdown_to_html(f"[链接][r]\n\n[r]: {url}")

    check()


def test_d1_safe_links_keep_working():
    assert 'href="https://www.gov.cn/?a=1&amp;b=2"' in markdown_to_html("[政府网](https://www.gov.cn/?a=1&amp;b=2)")
    assert 'href="../cases/CZ-2025-001.html"' in markdown_to_html("[案例](../cases/CZ-2025-001.html)")
    assert is_safe_url("mailto:office@example.gov.cn") and not is_safe_url("&#106;avascript:x")


@pytest.mark.browser
def test_d1_rendered_links_are_not_javascript_in_chromium(tmp_path):
    from tools.browser import chromium_page, serve_directory

    body = "\n".join(f"<div>{markdown_to_html(text)}</div>" for text in HOSTILE_LINKS)
    (tmp_path / "links.html").write_text(f"<!doctype html><meta charset=utf-8><body>{body}</body>", "utf-8")
    with serve_directory(tmp_path) as base, chromium_page() as (page, outside):
        for url in (base + "links.html", (tmp_path / "links.html").as_uri()):
            dialogs = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(url)
            protocols = page.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href') === null ? '' : a.protocol)")
            assert len(protocols) == len(HOSTILE_LINKS)
            assert all(p in ("", "http:", "https:", "file:", "mailto:") for p in protocols), protocols
            for index in range(len(protocols)):
                page.locator("a").nth(index).click()
            page.wait_for_timeout(200)
            assert dialogs == [] and page.url == url
        assert outside == []


# --- D2: a site inside content/ -----------------------------------------------------------

def test_d2_site_inside_a_source_folder_is_refused(library):
    for inside in ("content/preview", "cases/site", "templates/x", "build/site", "documents/site"):
        with pytest.raises(UserError, match="源文件夹|项目目录"):
            build_site(Project.at(library), as_of=AS_OF, site_dir=library / inside, quiet=True)
    result = cli(library, "build", "--site-dir", str(library / "content" / "preview"))
    assert_clean_failure(result, "content")
    assert not (library / "content" / "preview").exists()


def test_d2_a_built_site_placed_in_content_never_reaches_the_public_site(library):
    (library / "cases" / "2025" / "HA-2025-0077.yaml").write_text(
        valid_text().replace("CZ-2025-001", "HA-2025-0077").replace("classification: 公开", "classification: 内部"), "utf-8")
    internal = build_site(Project.at(library), as_of=AS_OF, quiet=True, say=lambda m: None).site_dir
    shutil.copytree(internal, library / "content" / "preview")  # copied by hand, past the --site-dir check
    report = build_site(Project.at(library), as_of=AS_OF, quiet=True, say=lambda m: None, edition=PUBLIC)
    assert not (report.site_dir / "preview").exists()
    assert not any("HA-2025-0077" in p.name for p in report.site_dir.rglob("*"))


# --- D3: PII forms that slipped through ------------------------------------------------------

def _id_number() -> str:
    from generator.core.pii import _ID_CHECK, _ID_WEIGHTS

    base = "32040219850612341"
    return base + _ID_CHECK[sum(int(d) * w for d, w in zip(base, _ID_WEIGHTS)) % 11]


def _card_number() -> str:
    from generator.core.pii import luhn_ok

    return next(f"622848001234567{d}" for d in range(10) if luhn_ok(f"622848001234567{d}"))


def _wide(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


PII_FORMS = {
    "全角身份证号": lambda: _wide(_id_number()),
    "空格分隔的身份证号": lambda: f"{_id_number()[:6]} {_id_number()[6:14]} {_id_number()[14:]}",
    "连字符分隔的身份证号": lambda: f"{_id_number()[:6]}-{_id_number()[6:14]}-{_id_number()[14:]}",
    "全角手机号": lambda: _wide("13912345678"),
    "全角句点分隔的手机号": lambda: "139．1234．5678",
    "0086 手机号": lambda: "0086 139 1234 5678",
    "不换行空格分隔的手机号": lambda: "139\u00a01234\u00a05678",
    "全角空格分隔的手机号": lambda: "139\u30001234\u30005678",
    "全角＠邮箱": lambda: "zhangsan＠example.com",
    "句点分隔的银行卡号": lambda: ".".join(_card_number()[i:i + 4] for i in range(0, 16, 4)),
}


@pytest.mark.parametrize("form", PII_FORMS)
def test_d3_normalised_forms_are_found(form):
    from generator.core.pii import find_pii

    assert find_pii(f"当事人联系方式：{PII_FORMS[form]()}。"), form


def test_d3_dates_and_decimals_are_not_numbers():
    from generator.core.pii import find_pii

    for text in ("2025.10.14—2025.11.14、2026.01.01", "13.5 14.2 15.3 16.1 17.2", "0519-12345678", "第 2024 1031 0001 号"):
        assert find_pii(text) == [], text


def test_d3_every_text_field_is_scanned(write_case):
    from generator.core.pii import scan_case
    from generator.core.taxonomy import load_taxonomy
    from generator.core.validate import load_cases

    text = valid_text().replace("figures: {办结涉企案件: 12}", "figures: {办结涉企案件: 12, 联系13912345678: 1, 核查人数: 13812345678}")
    assert text != valid_text()
    cases_dir = write_case(text)
    cases, problems = load_cases(cases_dir, load_taxonomy(cases_dir.parent))
    assert cases, problems
    fields = {p.field for p in scan_case(cases[0])}
    assert any(f.startswith("figures.") and f.endswith("核查人数") for f in fields), fields
    assert any("联系" in f for f in fields), fields


def test_d3_ids_of_findings_and_clues_and_names(write_case):
    from generator.core.pii import case_texts, find_names

    from conftest import sample_cases

    case = next(c for c in sample_cases() if c.findings and c.clues)
    paths = {path for path, _ in case_texts(case)}
    assert "findings[0].id" in paths and "clues[0].id" in paths and "clues[0].from" in paths
    assert find_names("举报人张伟，反映") == ["张伟"] and find_names("当事人息诉罢访") == [] \
        and find_names("举报人王某某反映") == []


def test_d3_addressee_with_pii_is_refused(office):
    result = cli(office, "doc", "rectification", "CZ-2026-001", "--to", "市市场监督管理局 139 1234 5678", "--draft")
    assert_clean_failure(result, "--to", "手机号")


# --- D4 / D13: --out never destroys what the tool did not make --------------------------------

def test_d4_out_refuses_the_register_case_files_and_issued_documents(office):
    register = office / "register.jsonl"
    register.write_text("", "utf-8")
    issued = cli(office, "doc", "rectification", "CZ-2026-001", "--to", "市市场监督管理局", "--date", "2026-11-23",
                 "--deadline", "2026-12-31")
    assert issued.returncode == 0, issued.stderr
    document = next((office / "documents").glob("常政法监*.docx"))
    before = {path: path.read_bytes() for path in (register, document, office / "cases" / "2024" / "CZ-2024-001.yaml")}
    attempts = [("schema", "--out", str(register), "--force"),
                ("schema", "--out", str(office / "cases" / "2024" / "CZ-2024-001.yaml"), "--force"),
                ("doc", "report", "JMS-2024-002", "--draft", "--out", str(document), "--force"),
                ("ledger", "--out", str(document), "--force")]
    for attempt in attempts:
        assert_clean_failure(cli(office, *attempt), "拒绝写入")
    for path, data in before.items():
        assert path.read_bytes() == data, path


def test_d4_foreign_files_need_force_and_own_outputs_do_not(office):
    notes = office / "notes.json"
    notes.write_text("手写的笔记", "utf-8")
    assert_clean_failure(cli(office, "schema", "--out", str(notes)), "已存在", "--force")
    assert notes.read_text("utf-8") == "手写的笔记"
    assert cli(office, "schema", "--out", str(notes), "--force").returncode == 0
    assert notes.read_text("utf-8").startswith("{")
    schema = office / "out" / "schema.json"
    assert cli(office, "schema", "--out", str(schema)).returncode == 0
    assert cli(office, "schema", "--out", str(schema)).returncode == 0  # the tool's own file
    schema.write_text("改过了", "utf-8")
    assert_clean_failure(cli(office, "schema", "--out", str(schema)), "已存在")


def _full_disk(monkeypatch):
    """Binary writes fail with ENOSPC (the simulation behind the tmpfs tests, for machines without mount)."""
    import builtins

    real_open = builtins.open

    class Full:
        def __init__(self, handle):
            self.handle = handle

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def __getattr__(self, name):
            return getattr(self.handle, name)

    def fake_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        return Full(handle) if "w" in mode and "b" in mode else handle

    monkeypatch.setattr(builtins, "open", fake_open)


def test_d13_full_disk_leaves_no_truncated_output_and_names_the_file(office, monkeypatch):
    from generator.core.outputs import write_output

    target = office / "schema.json"
    target.write_bytes(b'{"old": true}')
    _full_disk(monkeypatch)
    with pytest.raises(UserError, match="磁盘空间不足") as caught:
        write_output(target, b'{"new": true}' * 1000, manifest=office / "build" / "m.json", force=True)
    assert str(target) in str(caught.value)
    monkeypatch.undo()
    assert target.read_bytes() == b'{"old": true}'
    assert [p.name for p in office.iterdir() if ".tmp-" in p.name] == []


def test_d13_copy_errors_are_one_chinese_line():
    from generator.cli.main import _os_error_text

    error = shutil.Error([("/src/a.css", "/site/a.css", "[Errno 28] No space left on device")] * 3)
    text = _os_error_text(error)
    assert text.startswith("复制文件失败：/site/a.css：磁盘空间不足") and "另有 2 个" in text and "[(" not in text
    assert "磁盘空间不足" in _os_error_text(OSError(errno.ENOSPC, "No space left", "/site/x.html"))


# --- D7: library templates are sandboxed -------------------------------------------------------

def test_d7_template_payload_does_not_run(office, tmp_path):
    from generator.office.documents import compose, load_settings

    from datetime import date

    witness = tmp_path / "ran"
    (office / "templates").mkdir()
    payload = f'{{{{ cycler.__init__.__globals__.os.popen("touch {witness}").read() }}}}\n'
    (office / "templates" / "整改通知书.j2").write_text(payload, "utf-8")
    case = next(c for c in Project.at(office).load_valid().cases if c.id == "CZ-2026-001")
    with pytest.raises(UserError, match="不允许"):
        compose(office, case, "整改通知书", load_settings(office), day=date(2026, 11, 23), to="市市场监督管理局")
    result = cli(office, "doc", "rectification", "CZ-2026-001", "--to", "市市场监督管理局", "--draft")
    assert_clean_failure(result, "模板")
    assert not witness.exists()


# --- D8: full disk during issuance leaves nothing behind ------------------------------------------

def test_d8_full_disk_during_issuance_leaves_no_temp_file_and_takes_no_number(office, monkeypatch):
    from generator.office.register import issue, read_entries

    (office / "register.jsonl").write_text("", "utf-8")
    _full_disk(monkeypatch)
    with pytest.raises(UserError, match="磁盘空间不足"):
        issue(office, code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001", addressee="市公安局",
              day="2026-11-23", render=lambda number: b"x" * 4096)
    monkeypatch.undo()
    documents = office / "documents"
    assert not documents.exists() or list(documents.iterdir()) == []
    assert read_entries(office) == []
    entry, _ = issue(office, code="常政法监", year=2026, kind="整改通知书", case="CZ-2026-001", addressee="市公安局",
                     day="2026-11-23", render=lambda number: b"x")
    assert entry.number == 1


def _tmpfs_available() -> str | None:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return "需要 root 和 unshare 才能挂载一个小 tmpfs"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True, timeout=30)
    return None if probe.returncode == 0 else "此机器不允许挂载 tmpfs"


def _on_tiny_tmpfs(mountpoint: Path, size_kb: int, setup: str, command: str) -> subprocess.CompletedProcess:
    """Run shell `command` in a private mount namespace where mountpoint is a tmpfs of size_kb."""
    script = f"mount -t tmpfs -o size={size_kb}k tmpfs {mountpoint} && {setup} && {command}"
    return subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300)


@pytest.fixture
def tmpfs(tmp_path_factory):
    reason = _tmpfs_available()
    if reason:
        pytest.skip(reason)
    return tmp_path_factory.mktemp("full")


@pytest.mark.slow
def test_d8_d13_real_full_tmpfs(office, tmpfs):
    py = sys.executable
    copy = f"cp -r {office}/. {tmpfs}/lib && : > {tmpfs}/lib/register.jsonl"
    # Fill what is left, then issue, write a schema and build: each must fail cleanly, leaving no partial file.
    fill = f"(head -c 100000000 /dev/zero > {tmpfs}/fill 2>/dev/null; true)"
    commands = " ; ".join([
        fill,
        f"{py} -m generator.cli doc rectification CZ-2026-001 --to 市市场监督管理局 --date 2026-11-23 "
        f"--deadline 2026-12-31 --root {tmpfs}/lib; echo doc=$?",
        f"{py} -m generator.cli schema --out {tmpfs}/lib/schema.json --root {tmpfs}/lib; echo schema=$?",
        f"{py} -m generator.cli build -q --root {tmpfs}/lib; echo build=$?",
        f"find {tmpfs}/lib -name '*.tmp-*' | sed 's/^/LEFT /'",
        f"ls {tmpfs}/lib/documents 2>/dev/null | sed 's/^/DOC /'",
        f"wc -c < {tmpfs}/lib/register.jsonl | sed 's/^/REG /'",
        f"test -e {tmpfs}/lib/schema.json && echo SCHEMA-EXISTS; true",
    ])
    result = _on_tiny_tmpfs(tmpfs, 1800, copy, commands)
    out, err = result.stdout, result.stderr
    assert "doc=1" in out and "schema=1" in out and "build=1" in out, (out, err)
    assert "LEFT " not in out and "DOC " not in out and "REG 0" in out and "SCHEMA-EXISTS" not in out, out
    assert "Traceback" not in err and "[(" not in err and "Errno" not in err, err
    assert err.count("磁盘空间不足") == 3, err


# --- D11 ----------------------------------------------------------------------------------------

def test_d11_non_positive_limit_is_a_usage_error(library):
    for value in ("0", "-5", "x"):
        result = cli(library, "search", "挂案", "--limit", value)
        assert result.returncode == 2 and "Traceback" not in result.stderr and "--limit" in result.stderr


# --- D12: the site swap is one exchange -----------------------------------------------------------

def test_d12_site_swap_exchanges_in_one_step(tmp_path, monkeypatch):
    from generator.infra import files

    old, new = tmp_path / "site", tmp_path / ".site.tmp-1"
    old.mkdir()
    (old / "v").write_text("old")
    new.mkdir()
    (new / "v").write_text("new")
    if not files.exchange_paths(new, old):
        pytest.skip("此内核或文件系统不支持 renameat2(RENAME_EXCHANGE)")
    files.exchange_paths(new, old)  # back
    calls = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda *a: (calls.append(a), real_replace(*a))[1])
    files.replace_dir(new, old)
    assert (old / "v").read_text() == "new" and not new.exists() and calls == []  # no window without site/


def test_d12_fallback_without_exchange(tmp_path, monkeypatch):
    from generator.infra import files

    old, new = tmp_path / "site", tmp_path / ".site.tmp-1"
    old.mkdir()
    new.mkdir()
    (new / "v").write_text("new")
    monkeypatch.setattr(files, "exchange_paths", lambda a, b: False)
    files.replace_dir(new, old)
    assert (old / "v").read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["site"]


@pytest.mark.slow
def test_d12_kill_during_builds_always_leaves_a_site(library):
    """kill -9 at spread-out moments of repeated builds: site/ is there and whole after every one."""
    import random
    import time

    assert cli(library, "build", "-q", "--as-of", "2026-11-23").returncode == 0
    rng = random.Random(15)
    for _ in range(3):
        process = subprocess.Popen([sys.executable, "-m", "generator.cli", "build", "-q", "--as-of", "2026-11-23",
                                    "--root", str(library)], cwd=REPO, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.8, 2.5))
        process.kill()
        process.wait()
        site = library / "site"
        assert (site / "index.html").is_file() and (site / ".jiandu-site").is_file()
    assert cli(library, "build", "-q", "--as-of", "2026-11-23").returncode == 0
    assert [p.name for p in library.iterdir() if p.name.startswith(".site.")] == []


# --- D14: odd entries and invisible characters ------------------------------------------------------

def test_d14_non_files_named_yaml_are_reported(write_case):
    from generator.core.taxonomy import load_taxonomy
    from generator.core.validate import load_cases

    cases_dir = write_case(valid_text())
    (cases_dir / "dangling.yaml").symlink_to(cases_dir / "missing.yaml")
    (cases_dir / "folder.yaml").mkdir()
    os.mkfifo(cases_dir / "pipe.yaml")
    _, problems = load_cases(cases_dir, load_taxonomy(cases_dir.parent))
    messages = {Path(p.file).name: p.message for p in problems if p.is_error}
    assert "符号链接" in messages["dangling.yaml"] and "目录" in messages["folder.yaml"] \
        and "FIFO" in messages["pipe.yaml"]


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\u200d", "\u2066", "\ufeff"])
def test_d14_invisible_characters_are_rejected(write_case, char):
    from generator.core.taxonomy import load_taxonomy
    from generator.core.validate import load_cases

    text = valid_text().replace("keywords: [", f"keywords: [挂{char}案, ", 1)
    assert text != valid_text()
    cases_dir = write_case(text)
    _, problems = load_cases(cases_dir, load_taxonomy(cases_dir.parent))
    assert any(f"U+{ord(char):04X}" in p.message for p in problems if p.is_error), problems


def test_d14_keywords_differing_in_case_get_distinct_file_names(write_case):
    from generator.site.pages import slug
    from generator.core.taxonomy import load_taxonomy
    from generator.core.validate import load_cases

    assert slug("AI").lower() != slug("ai").lower()
    first = valid_text().replace("keywords: [", "keywords: [AI, ", 1)
    second = valid_text().replace("CZ-2025-001", "CZ-2025-002").replace("keywords: [", "keywords: [ai, ", 1)
    write_case(first)
    cases_dir = write_case(second, "CZ-2025-002.yaml")
    _, problems = load_cases(cases_dir, load_taxonomy(cases_dir.parent))
    assert any("只有大小写不同" in p.message and not p.is_error for p in problems)


# --- public edition policy ---------------------------------------------------------------------------

OPEN_CLUE = "一名执法人员涉嫌违规为当事人说情"


def _sample_root(tmp_path: Path) -> Path:
    root = tmp_path / "sample"
    root.mkdir()
    for name in ("mkdocs.yml", "organisation.yaml"):
        shutil.copy(REPO / name, root / name)
    for name in ("content", "cases"):
        shutil.copytree(REPO / name, root / name)
    return root


def _public_text(site: Path) -> str:
    return "\n".join(p.read_text("utf-8", "replace") for p in site.rglob("*.html"))


def test_policy_public_edition_shows_concluded_referrals_and_finding_totals(tmp_path):
    root = _sample_root(tmp_path)
    cases = Project.at(root).load_valid().cases
    open_clues = [c for case in cases if case.is_public for c in case.clues if not c.is_closed]
    assert open_clues, "the sample library must have an open referral in a public case for this test"
    units = {f.unit for case in cases if case.is_public for f in case.findings if f.is_overdue(AS_OF)}
    site = build_site(Project.at(root), as_of=AS_OF, quiet=True, say=lambda m: None, edition=PUBLIC).site_dir
    text = _public_text(site)
    for clue in open_clues:
        assert clue.summary not in text
    ledger = (site / "ledger.html").read_text("utf-8")
    assert "汇总数字" in ledger and "这是默认设置" in ledger and "超期未整改" in ledger
    assert not any(unit in ledger for unit in units) and "超期 " not in _public_text(site / "cases")
    assert "已办结的线索" in (site / "clues.html").read_text("utf-8")


def test_policy_opt_in_is_stated(tmp_path):
    root = _sample_root(tmp_path)
    settings = root / "organisation.yaml"
    settings.write_text(settings.read_text("utf-8") + "public_edition:\n  open_referrals: true\n  finding_details: true\n",
                        "utf-8")
    cases = Project.at(root).load_valid().cases
    open_clue = next(c for case in cases if case.is_public for c in case.clues if not c.is_closed)
    site = build_site(Project.at(root), as_of=AS_OF, quiet=True, say=lambda m: None, edition=PUBLIC).site_dir
    clues = (site / "clues.html").read_text("utf-8")
    assert open_clue.summary in _public_text(site) and "public_edition" in clues and "含尚未办结" in clues
    settings.write_text(settings.read_text("utf-8").replace("open_referrals: true", "open_referrals: 是"), "utf-8")
    with pytest.raises(UserError, match="open_referrals"):
        build_site(Project.at(root), as_of=AS_OF, quiet=True, say=lambda m: None, edition=PUBLIC)


def test_policy_internal_edition_unchanged(sample_site):
    ledger = (sample_site / "site" / "ledger.html").read_text("utf-8")
    assert "责任单位" in ledger and "jiandu-ledger-totals" not in ledger and "公开版只收录" not in ledger


@pytest.mark.slow
def test_kill_during_indexing_never_breaks_search(library):
    """kill -9 while the command-line index is rebuilt: the next search still answers (rebuilding if needed)."""
    import random
    import time

    rng = random.Random(1515)
    for _ in range(3):
        process = subprocess.Popen([sys.executable, "-m", "generator.cli", "index", "--rebuild", "--root", str(library)],
                                   cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.4, 1.5))
        process.kill()
        process.wait()
        result = cli(library, "search", "涉企", "--json")
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        assert '"CZ-2025-001"' in result.stdout
