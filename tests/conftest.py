import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID_CASE = FIXTURES / "library" / "cases" / "2025" / "CZ-2025-001.yaml"

sys.path.insert(0, str(REPO))


def pytest_collection_modifyitems(config, items):
    if any(item.get_closest_marker("browser") for item in items) and not Path("/usr/bin/chromium").exists():
        raise pytest.UsageError("浏览器测试需要 Debian 的 chromium：请先运行 bash tools/install-test-deps.sh")
    if any(item.get_closest_marker("office") for item in items) and not shutil.which("soffice"):
        raise pytest.UsageError("文档渲染测试需要 LibreOffice：请先运行 bash tools/install-test-deps.sh")


@pytest.fixture
def library(tmp_path) -> Path:
    """A throw-away project root: the repo's mkdocs.yml and content/ with the two fixture cases."""
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copytree(FIXTURES / "library" / "cases", tmp_path / "cases")
    return tmp_path


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


def valid_text() -> str:
    return VALID_CASE.read_text(encoding="utf-8")


AS_OF = __import__("datetime").date(2026, 11, 23)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The bundled sample library built once into a temporary project root; returns that root."""
    from generator.project import Project
    from generator.site import build_site

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


def sample_cases():
    from generator.project import Project

    return Project.at(REPO).load_valid().cases


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> Path:
    """A Whoosh index of the bundled sample library."""
    from generator.search import update_index

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
