"""Our sharded site search in a real browser, through material's search box, over http and file://.

The worker's ranking must equal generator.siteindex.query.plan_query (the Python reference),
and a query must load only a few index files.
"""

import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, HOSTILE_CASE, REPO, judgments, ranking_quality
from conftest import SAMPLE_QUERIES as QUERIES, clean_titles as clean

from generator.core.project import Project
from generator.site.build import build_site
from generator.siteindex.query import plan_query
from tools.browser import chromium_page, search, search_result_pages, serve_directory

pytestmark = pytest.mark.browser

HOSTILE_TITLE = "注入测试<script>alert('title')</script>案例"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The sample library plus a case full of markup, built by `jiandu build`."""
    root = tmp_path_factory.mktemp("sitesearch")
    for name in ("mkdocs.yml", "organisation.yaml", "register.jsonl"):
        shutil.copy(REPO / name, root / name)
    for name in ("content", "cases"):
        shutil.copytree(REPO / name, root / name)
    (root / "cases" / "2025" / "CZ-2025-009.yaml").write_text(HOSTILE_CASE, "utf-8")
    build_site(Project.at(root), as_of=AS_OF, quiet=True, say=lambda message: None)
    return root / "site"


def case_ids(urls):
    return [url.rsplit("/", 1)[-1][:-5] for url in urls if "/cases/" in url and url.endswith(".html")]


@pytest.fixture(params=["http", "file"])
def opened(request, site):
    """(page, base URL, requested URLs, page errors, outside requests) with the home page open."""
    with chromium_page() as (page, outside):
        errors, index_requests = [], []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("request", lambda req: index_requests.append(req.url))
        if request.param == "http":
            with serve_directory(site) as base:
                page.goto(base + "index.html")
                yield page, base, index_requests, errors, outside
        else:
            base = site.as_uri() + "/"
            page.goto(base + "index.html")
            yield page, base, index_requests, errors, outside
        assert outside == [] and errors == []


def test_expected_cases_and_the_worker_ranks_like_the_reference(opened, site):
    page, base, requests, _, _ = opened
    for query, title in QUERIES.items():
        assert title in clean(search(page, query))[:5], query
    ranked = {}
    for query in [item["query"] for item in judgments()] + ["检察建", "检察院 整改", "2025", "的"]:
        shown = [url.removeprefix(base).split("?")[0] for url in search_result_pages(page, query)]
        expected = plan_query(site / "search", query)[1]
        assert shown == expected[:len(shown)] and len(shown) >= min(10, len(expected)), query  # material shows 10 first
        ranked[query] = case_ids("/" + location for location in shown)
    recall, mrr = ranking_quality(ranked)
    print(f"site search over {len(judgments())} judged queries: recall@5 {recall:.3f}, MRR {mrr:.3f}")
    assert recall >= 0.93 and mrr >= 0.90
    assert not any("workers/search." in url for url in requests)  # material's lunr worker never starts


def test_count_line_says_how_many_matched(site, tmp_path):
    from generator.siteindex.model import SearchDoc
    from generator.siteindex.writer import write_site_search

    big = tmp_path / "site"
    shutil.copytree(site, big)
    fillers = [SearchDoc(f"cases/filler-{i}.html", f"填充案例{i}", "", {"title": ("填充", str(i))}) for i in range(25)]
    write_site_search(big / "search", fillers)
    with serve_directory(big) as base, chromium_page() as (page, outside):
        page.goto(base + "index.html")
        assert len(search(page, "填充")) >= 10
        page.wait_for_function("() => /共 25 个结果，显示前 10 个/.test("
                               "document.querySelector('.md-search-result__meta').textContent)")
        assert outside == []


def test_traditional_sub_word_and_prefix_queries(opened):
    page = opened[0]
    assert "行政执法与刑事司法衔接联合监督" in clean(search(page, "聯合監督"))
    assert "人大常委会跟踪检查检察建议办理和落实情况" == clean(search(page, "检察建"))[0]
    titles = clean(search(page, "检察院"))
    assert len(titles) >= 10  # 检察院 is indexed inside 人民检察院
    marks = page.eval_on_selector_all(".md-search-result__item mark", "marks => marks.map(m => m.textContent)")
    assert marks and "检察院" in marks and all("检察" in m for m in marks)  # synonyms (人民检察院) marked too


def test_click_a_result_opens_the_case_page(opened):
    page = opened[0]
    search(page, "减刑假释")
    page.locator(".md-search-result__link").first.click()
    page.wait_for_url("**/cases/JMS-2025-001.html*")
    assert clean([page.locator("article h1").inner_text()]) == [QUERIES["减刑假释"]]


def test_hostile_titles_are_escaped(opened):
    page = opened[0]
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    assert clean(search(page, "注入测试")) == [HOSTILE_TITLE]
    assert page.evaluate("() => document.querySelectorAll('.md-search-result img, .md-search-result script').length") == 0
    assert "<script>alert('summary')</script>" in page.locator(".md-search-result__item").first.inner_text()
    page.wait_for_timeout(300)
    assert dialogs == []


def _typed_query_reads(search_dir, query: str) -> set[str]:
    """The index files the worker may read while the query is typed character by character: for each prefix,
    the files the reference plans (query.plan_query) and the term and bigram shards the worker prefetches
    for each character before segmenting."""
    from generator.siteindex.query import ShardSource
    from generator.siteindex.shards import shard_of

    manifest = ShardSource.in_folder(search_dir / "jiandu").manifest
    reads = {"jiandu/manifest.js"}
    for end in range(1, len(query) + 1):
        prefix = query[:end]
        reads |= {p.relative_to(search_dir).as_posix() for p in plan_query(search_dir, prefix)[0]}
        reads |= {f"jiandu/t/{shard_of(c, manifest['b'])}.js" for c in prefix}
        reads |= {f"jiandu/t/{shard_of(prefix[i:i + 2] + manifest['mark'], manifest['b'])}.js"
                  for i in range(len(prefix) - 1)}
    return reads


def test_a_query_loads_few_index_files(opened, site):
    """Only the files the query needs, never the whole index: what the final query plans, plus what the
    prefixes typed on the way there plan and prefetch."""
    page, _, index_requests, _, _ = opened
    query = "犯罪记录封存"
    search(page, query)
    loaded = {url.rsplit("/search/", 1)[-1] for url in index_requests if "/search/" in url}
    files, _ = plan_query(site / "search", query)
    assert {p.relative_to(site).as_posix().removeprefix("search/") for p in files} <= loaded
    assert "search_index.js" in loaded or "search_index.json" in loaded
    index_files = {name for name in loaded if name.startswith("jiandu/")}
    assert index_files <= _typed_query_reads(site / "search", query)
    everything = sum(1 for p in (site / "search" / "jiandu").rglob("*.js"))
    assert len(index_files) < everything, (len(index_files), everything)  # a 17-case index has few files


def test_common_words_skip_loose_alternatives_as_the_reference_does(site, tmp_path):
    """A word that matches many cases reads no bigram or piece-wise synonym postings, in the worker
    as in query.py: both rank a library where some words pass LOOSE_BELOW alike."""
    import random

    from generator.search.queryplan import LOOSE_BELOW, load_synonyms
    from generator.siteindex.model import SearchDoc
    from generator.siteindex.writer import write_site_search

    rng = random.Random(5)
    words = ["检察建议", "人民检察院", "检察院", "监督", "建议", "整改", "挂案", "清理", "政法委", "执法监督"]
    docs = []
    for i in range(3 * LOOSE_BELOW):
        title = tuple(rng.sample(words, 2))
        body = tuple(rng.choice(words) for _ in range(rng.randint(3, 30)))
        docs.append(SearchDoc(f"cases/many-{i}.html", f"案例{i}" + "".join(title), "导语",
                              {"title": title, "body": body, "gram": tuple(w[j:j + 2] + "~" for w in title
                                                                           for j in range(len(w) - 1))}))
    big = tmp_path / "site"
    shutil.copytree(site, big)
    write_site_search(big / "search", docs, synonyms=load_synonyms())
    with serve_directory(big) as base, chromium_page() as (page, outside):
        page.goto(base + "index.html")
        for query in ["检察建议", "监督建议", "人民检察院 检察建议", "挂案清理", "察建", "执法"]:
            shown = [url.removeprefix(base).split("?")[0] for url in search_result_pages(page, query)]
            assert shown == plan_query(big / "search", query)[1][:len(shown)] and shown, query
        assert outside == []
