"""The planner's files: facet counts over the results, filters, date order; many values by frequency."""

from collections import Counter

from generator.siteindex.model import SearchDoc
from generator.siteindex.planfiles import FACETS, MANY_VALUES, PLAN_DIR, plan_files
from generator.siteindex.query import query_site
from generator.siteindex.shards import read_shard
from generator.siteindex.writer import write_site_search


def case_doc(i: int, region: str, year: int, words: tuple[str, ...]) -> SearchDoc:
    facets = {"category": ["执法监督"], "mechanism": ["联席会议"] if i % 2 else [], "year": [str(year)],
              "region": [region], "unit": [f"单位{i % 3}"], "flag": ["典型案例"] if i % 5 == 0 else [],
              "date": year * 10000 + 101 + i}
    return SearchDoc(f"cases/C-{i}.html", f"案例{i}", "导语", {"title": words}, facets=facets,
                     meta=(f"C-{i}", f"{year}-01-01", region, "执法监督"))


def test_counts_filters_and_date_order_over_every_result(tmp_path):
    docs = [case_doc(i, ["昆明市", "南京市", "常州市"][i % 3], 2022 + i % 4, ("挂案", "清理") if i % 4 else ("挂案",))
            for i in range(40)]
    docs.append(SearchDoc("about.html", "关于", "", {"title": ("挂案",)}))  # a page without facets
    search_dir = tmp_path / "search"
    write_site_search(search_dir, docs)
    result = query_site(search_dir, "挂案")
    assert result.total == 41
    cases = [d for d in docs if d.facets]
    assert dict(result.facets["region"]) == dict(Counter(d.facets["region"][0] for d in cases))
    assert dict(result.facets["year"]) == dict(Counter(d.facets["year"][0] for d in cases))
    narrowed = query_site(search_dir, "挂案", filters={"region": ["昆明市"], "year": ["2022"]}, top=100)
    assert {item["meta"][2] for item in narrowed.items} == {"昆明市"} and narrowed.total == sum(
        1 for d in cases if d.facets["region"] == ["昆明市"] and d.facets["year"] == ["2022"])
    # a facet's counts ignore its own filter
    assert dict(narrowed.facets["region"])["南京市"] == sum(1 for d in cases if d.facets["region"] == ["南京市"]
                                                           and d.facets["year"] == ["2022"])
    dated = query_site(search_dir, "挂案", sort="date", top=100)
    dates = [item["meta"][1] for item in dated.items if item["meta"]]
    assert dates == sorted(dates, reverse=True)


def test_a_facet_with_many_values_numbers_them_by_frequency():
    docs = [case_doc(i, f"地区{i % (MANY_VALUES + 8):02d}" if i % 3 else "最常见的地区", 2024, ("词",))
            for i in range(200)]
    numbers = {doc.location: i for i, doc in enumerate(docs)}
    facets = read_shard_bytes(plan_files(docs, numbers, {})["facets.js"])
    regions = facets["v"][[name for name, _ in FACETS].index("region")]
    assert regions[0] == "最常见的地区" and len(regions) == MANY_VALUES + 8 + 1
    years = facets["v"][[name for name, _ in FACETS].index("year")]
    assert years == ["2024"]
    plan = read_shard_bytes(plan_files(docs, numbers, {"甲": ["乙"]})["plan.js"])
    assert plan == {"synonyms": {"甲": ["乙"]}, "facets": [list(facet) for facet in FACETS]}  # no values: every query reads it


def read_shard_bytes(data: bytes):
    from generator.siteindex.shards import parse_script

    return parse_script(data)


def test_planner_files_live_beside_the_index(tmp_path):
    write_site_search(tmp_path / "search", [case_doc(1, "昆明市", 2024, ("词",))])
    assert sorted(p.name for p in (tmp_path / "search" / PLAN_DIR).iterdir()) == ["dates.js", "facets.js", "plan.js"]
    assert read_shard(tmp_path / "search" / PLAN_DIR / "dates.js") == "1"


def keyed_source(docs: list[SearchDoc], made: list[str]):
    """The docs as the site build hands them over: made on demand, keyed, with facet keys."""
    from generator.siteindex.model import DocSource

    by_location = {doc.location: doc for doc in docs}
    return DocSource({doc.location: doc.key for doc in docs}, lambda location: made.append(location) or by_location[location],
                     {doc.location: repr(doc.facets) for doc in docs})


def test_planner_files_are_kept_while_no_facet_key_changes(tmp_path):
    from dataclasses import replace

    from index_support import link_copy, snapshot

    docs = [replace(case_doc(i, ["昆明市", "南京市"][i % 2], 2023 + i % 3, ("挂案",)), key=f"k{i}") for i in range(30)]
    state, made = tmp_path / "state", []
    write_site_search(tmp_path / "s1" / "search", keyed_source(docs, made), state_dir=state)
    assert len(made) == len(docs)
    # a text edit: only that doc is made, the planner's files stay the previous build's (hard links)
    docs[3] = replace(docs[3], title="改过的标题", key="k3-edited")
    made.clear()
    link_copy(tmp_path / "s1" / "search", tmp_path / "s2" / "search")
    report = write_site_search(tmp_path / "s2" / "search", keyed_source(docs, made), state_dir=state)
    assert made == [docs[3].location]
    assert not [name for name in report.written_files if name.startswith(PLAN_DIR)]
    for name in ("plan.js", "facets.js", "dates.js"):
        old, new = (tmp_path / folder / "search" / PLAN_DIR / name for folder in ("s1", "s2"))
        assert old.stat().st_ino == new.stat().st_ino
    # a facet edit: made again from every doc, as a full build makes them
    docs[5] = replace(docs[5], facets=dict(docs[5].facets, region=["常州市"]), key="k5-edited")
    link_copy(tmp_path / "s2" / "search", tmp_path / "s3" / "search")
    report = write_site_search(tmp_path / "s3" / "search", keyed_source(docs, made), state_dir=state)
    assert f"{PLAN_DIR}/facets.js" in report.written_files
    write_site_search(tmp_path / "fresh" / "search", docs)
    expected = snapshot(tmp_path / "fresh" / "search" / PLAN_DIR)
    assert snapshot(tmp_path / "s3" / "search" / PLAN_DIR) == expected
    # a planner file that is not the one recorded is made again, even with the same facet keys
    link_copy(tmp_path / "s3" / "search", tmp_path / "s4" / "search")
    planted = tmp_path / "s4" / "search" / PLAN_DIR / "dates.js"
    planted.unlink()
    planted.write_text("window.x = 1;", "utf-8")
    write_site_search(tmp_path / "s4" / "search", keyed_source(docs, made), state_dir=state)
    assert snapshot(tmp_path / "s4" / "search" / PLAN_DIR) == expected
    assert snapshot(tmp_path / "s3" / "search" / PLAN_DIR) == expected  # the previous build is never modified
