"""The build state: kept outside the site, unchanged builds write nothing, packed scores."""

import json
import shutil


from generator.siteindex.shards import INDEX_DIR
from generator.siteindex.writer import write_site_search
from index_support import sample_docs, snapshot, link_copy  # noqa: F401 (fixtures)


def test_state_is_kept_outside_the_site(tmp_path, sample_docs):
    site, state = tmp_path / "site" / "search", tmp_path / "cache" / "site-search-internal"
    write_site_search(site, sample_docs, state_dir=state)
    assert (state / "state.json").is_file() and list((state / "scores").glob("*.json"))
    assert not [p for p in site.rglob("*") if p.name == "state.json" or "scores" in p.parts]
    # an old site's state.json inside the index is removed
    (site / INDEX_DIR / "state.json").write_text("{}")
    write_site_search(site, sample_docs, state_dir=state)
    assert not (site / INDEX_DIR / "state.json").exists()


def test_unchanged_rebuild_with_state_writes_nothing(tmp_path, sample_docs):
    state, old, new = tmp_path / "state", tmp_path / "old" / "search", tmp_path / "new" / "search"
    write_site_search(old, sample_docs, state_dir=state)
    link_copy(old, new)
    shutil.copy2(old / "search_index.json", new / "search_index.json")
    shutil.copy2(old / "search_index.js", new / "search_index.js")
    state_before = snapshot(state)
    report = write_site_search(new, sample_docs, state_dir=state)
    assert report.written == 0 and report.removed == 0 and report.kept == report.files, report.written_files
    assert snapshot(state) == state_before


def test_scores_pack_round_trip():
    from generator.siteindex.state import pack_state_scores as _pack, unpack_state_scores as _unpack

    for scores in ({}, {"检察院": 12, "a": 1, "b": 100000}, {"甲 乙": 3, "丙": 4}, {"甲\t": 5}, {"": 2}):
        assert _unpack(json.loads(json.dumps(_pack(scores)))) == scores
