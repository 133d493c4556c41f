import functools
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID_CASE = FIXTURES / "library" / "cases" / "2025" / "CZ-2025-001.yaml"
PROJECT_FILES = ("mkdocs.yml", "content", "cases", "organisation.yaml", "register.jsonl")

sys.path.insert(0, str(REPO))

# Tests never write into the checkout: byte code of everything imported from here on, in this process, in the
# pytest-xdist workers and in the CLI subprocesses, goes to the user's cache folder (kept between runs and shared
# by the workers: compiling every imported module afresh in each process costs seconds), and Hypothesis' example
# database to a temporary folder.
_SCRATCH = Path(tempfile.mkdtemp(prefix="jiandu-tests-"))
# Byte code is written there even when PYTHONDONTWRITEBYTECODE is set (it keeps checkouts clean; this does too).
sys.pycache_prefix = str(Path(__import__("platformdirs").user_cache_dir("jiandu")) / "test-pycache")
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ["PYTHONPYCACHEPREFIX"] = sys.pycache_prefix
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


# Hypothesis examples: CI (JIANDU_REQUIRE_TOOLS=1, as .ci/run sets, or CI=true) runs every property test at its
# full count; a local run, the fast lane included, runs a fifth of it (at least 30). JIANDU_FULL_EXAMPLES=1 forces
# the full count locally.
FULL_EXAMPLES = any(os.environ.get(name, "").lower() in ("1", "true")
                    for name in ("JIANDU_REQUIRE_TOOLS", "CI", "JIANDU_FULL_EXAMPLES"))


def examples(full: int) -> int:
    """The number of Hypothesis examples to run for a test whose CI count is `full`."""
    return full if FULL_EXAMPLES else max(30, full // 5)


def _hypothesis_outside_the_checkout() -> None:
    from hypothesis import configuration, settings

    configuration.set_hypothesis_home_dir(str(_SCRATCH / "hypothesis"))
    settings.register_profile("ci", database=None, max_examples=100)
    settings.register_profile("fast", database=None, max_examples=examples(100))
    settings.load_profile("ci" if FULL_EXAMPLES else "fast")


_hypothesis_outside_the_checkout()


def pytest_unconfigure(config):
    shutil.rmtree(_SCRATCH, ignore_errors=True)


# --- slow tests and the tools they need ------------------------------------------------------------
# A missing tool skips the test with a reason; with JIANDU_REQUIRE_TOOLS=1 (set by .ci/run) it fails it.

def _missing(marker: str) -> list[str]:
    if marker == "browser":
        needed = [("Debian 的 chromium（/usr/bin/chromium）", Path("/usr/bin/chromium").exists()),
                  ("Python 包 playwright", importlib.util.find_spec("playwright") is not None)]
    else:
        needed = [(f"{tool}（LibreOffice / poppler-utils）", shutil.which(tool) is not None)
                  for tool in ("soffice", "pdftotext", "pdftoppm")]
    return [name for name, present in needed if not present]


@functools.lru_cache(maxsize=None)
def _tool_problem(marker: str) -> str | None:
    missing = _missing(marker)
    if not missing:
        return None
    return f"缺少 {'、'.join(missing)}：运行 bash tools/install-test-deps.sh 安装"


def pytest_runtest_setup(item):
    for marker in ("browser", "office"):
        if item.get_closest_marker(marker) and (problem := _tool_problem(marker)):
            if os.environ.get("JIANDU_REQUIRE_TOOLS") == "1":
                pytest.fail(f"{problem}（JIANDU_REQUIRE_TOOLS=1：CI 中缺少工具即为失败）", pytrace=False)
            pytest.skip(problem)


def copy_project(root: Path) -> Path:
    """The repository's sample library (configuration, pages, cases, register) copied to root."""
    root.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    return root


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory) -> Path:
    """A read-mostly copy of the sample library for commands that would write build/ or documents/."""
    return copy_project(tmp_path_factory.mktemp("project") / "project")


@pytest.fixture
def library(tmp_path) -> Path:
    """A throw-away project root: the repo's mkdocs.yml and content/ with the two fixture cases."""
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copytree(FIXTURES / "library" / "cases", tmp_path / "cases")
    return tmp_path


@pytest.fixture
def office(library) -> Path:
    """A project root with organisation.yaml and the full sample cases (documents can be issued)."""
    shutil.copy(REPO / "organisation.yaml", library / "organisation.yaml")
    shutil.rmtree(library / "cases")
    shutil.copytree(REPO / "cases", library / "cases")
    return library


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


SCAFFOLD_ANSWERS = {
    "请填写案例标题": "联合监督推动挂案清理",
    "用一句话概括这项做法": "以联合监督推动挂案清理",
    "请填写地区": "常州市",
    "请用一到三句话概括案例要旨。": "政法委牵头、检察机关同步监督，集中清理挂案。",
    "请填写基本情况：监督的起因、对象和范围。": "部分刑事案件立案后长期挂而不决。",
    "1. 请分条填写主要做法；": "1. 逐案建立台账；",
    "请填写工作成效，尽量写明数字。": "清理挂案 12 件。",
    "请填写经验启示（可选）。": "联合监督形成合力。",
}


def fill_scaffold(path: Path) -> None:
    """Do what a user does after `jiandu new`: replace every placeholder with the case's own words."""
    text = path.read_text("utf-8")
    for placeholder, answer in SCAFFOLD_ANSWERS.items():
        assert placeholder in text, placeholder
        text = text.replace(placeholder, answer)
    path.write_text(text, "utf-8")


def valid_text() -> str:
    return VALID_CASE.read_text(encoding="utf-8")


AS_OF = __import__("datetime").date(2026, 11, 23)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The bundled sample library built once into a temporary project root; returns that root."""
    from generator.core.project import Project
    from generator.site.build import build_site

    root = tmp_path_factory.mktemp("sample")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "cases", root / "cases")
    build_site(Project.at(root), as_of=AS_OF, quiet=True, say=lambda message: None)
    return root


HOSTILE_CASE = """\
id: CZ-2025-009
title: 注入测试<script>alert('title')</script>案例
date: 2025-03-01
region: 常州市<img src=x onerror=alert('region')>
classification: 公开
category: 执法规范
mechanisms: [联合监督]
supervisors: [市委政法委]
supervised: ["市公安局<b onmouseover=alert('unit')>"]
keywords: ["<i>关键词</i>"]
summary: 导语<script>alert('summary')</script>
background: |
  正文<script>alert('background')</script> [点我](javascript:alert('link')) [再点](JAVASCRIPT:alert('upper'))
  <iframe src="https://example.com/"></iframe> ![图](https://example.com/x.png)
practice: |
  1. <b onclick="alert('practice')">做法</b>
outcome: 成效 &lt;已转义&gt; & 原样
subtitle: "副标题<script>alert('subtitle')</script>"
insight: "启示<img src=x onerror=alert('insight')>"
legal_basis: ["《条例》<script>alert('law')</script>"]
clues:
  - id: X1
    date: 2025-03-02
    from: "市委政法委<script>alert('from')</script>"
    to: 市人民检察院
    summary: "线索<script>alert('clue')</script>"
    status: 已移送
findings:
  - id: F1
    problem: "问题<script>alert('finding')</script>"
    unit: "市公安局<b onmouseover=alert('unit')>"
    requirement: 整改<svg onload=alert('svg')>
    deadline: 2025-05-01
    status: 待整改
"""


@functools.lru_cache(maxsize=1)
def _sample_cases() -> tuple:
    from generator.core.taxonomy import load_taxonomy
    from generator.core.validate import load_cases

    cases, problems = load_cases(REPO / "cases", load_taxonomy(REPO), cache_dir=None)  # no cache: reads only
    assert not [p for p in problems if p.is_error], problems
    return tuple(cases)


def sample_cases() -> list:
    return list(_sample_cases())


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> Path:
    """A Whoosh index of the bundled sample library."""
    from generator.search.whoosh_index import update_index

    index_dir = tmp_path_factory.mktemp("index") / "index"
    update_index(index_dir, sample_cases(), say=lambda message: None)
    return index_dir


def judgments():
    import yaml

    return yaml.safe_load((Path(__file__).parent / "search_judgments.yaml").read_text("utf-8"))


def ranking_quality(ranked: dict[str, list[str]]) -> tuple[float, float]:
    """recall@5 and MRR of ranked ids per query against tests/search_judgments.yaml."""
    recalls, reciprocal = [], []
    for item in judgments():
        top = ranked[item["query"]][:5]
        relevant = item["relevant"]
        recalls.append(len(set(top) & set(relevant)) / len(relevant))
        first = next((rank for rank, case_id in enumerate(top, 1) if case_id in relevant), None)
        reciprocal.append(1 / first if first else 0.0)
    return sum(recalls) / len(recalls), sum(reciprocal) / len(reciprocal)


def jiandu_in_process(*argv: str):
    """`python3 -m generator.cli ARGV` (cwd = the checkout) run through main() in this process: the same exit
    code, stdout and stderr, without a new interpreter loading jieba each time. An exception main() does not
    turn into a message propagates and fails the test, as a traceback would. tests/test_cli.py, test_files.py,
    test_readme.py (serve), test_pii.py and the kill -9 tests still run the real process."""
    import contextlib
    import io
    import subprocess

    from generator.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(REPO), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(["jiandu", *argv], code, out.getvalue(), err.getvalue())


# --- shared by several test modules -------------------------------------------------------------
# Sample queries the browser tests type, each with the title expected in the top five.
SAMPLE_QUERIES = {
    "挂案": "联合清理一年以上未结“挂案”和民营企业涉法涉诉问题",
    "犯罪记录封存": "未成年人犯罪记录封存制度执行情况专项监督",
    "立功": "立功情节认定专项评查推动公检法出台证据指引",
    "减刑假释": "监狱巡回检查推动减刑假释案件实质化审查",
    "员额法官": "员额法官检察官履职评议推动“两官”任后监督",
    "联席会议": "人大常委会与市委政法委联席会议推动监督贯通协调",
    "一案双查": "政法干警违纪违法案件“一案双查”专项检查",
    "行刑衔接": "行政执法与刑事司法衔接联合监督",
}


def clean_titles(titles):
    """Result titles as shown, without the zero-width marks the worker puts around matches."""
    return [t.replace("\u200b", "").strip() for t in titles if t.strip()]


def make_case(text: str, name: str = "cases/CZ-2025-001.yaml"):
    """A validated case from YAML text."""
    from generator.core.load import RawCase, parse_yaml
    from generator.core.taxonomy import load_taxonomy
    from generator.core.validate import validate_raw

    data, lines, _ = parse_yaml(text, name)
    case, problems = validate_raw(RawCase(Path(name), name, data, lines), load_taxonomy())
    assert case is not None, [str(p) for p in problems]
    return case
