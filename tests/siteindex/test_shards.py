"""The index files' format: self-registering scripts, escaping, untrusted text as data."""

import json
from dataclasses import replace


from generator.search.queryplan import STOP
from generator.siteindex.query import query_site
from generator.siteindex.shards import FORMAT, INDEX_DIR, read_shard, stub_index
from generator.siteindex.writer import write_site_search
from index_support import sample_docs, site_search, doc  # noqa: F401 (fixtures)


def test_files_are_self_registering_scripts(site_search, sample_docs):
    index = site_search / INDEX_DIR
    manifest = read_shard(index / "manifest.js")
    assert manifest["n"] == len(sample_docs) and manifest["v"] == FORMAT
    assert set(manifest["stop"]) == set(STOP)
    scripts = sorted(index.rglob("*.js"))
    assert {p.parent.name for p in scripts} == {"jiandu", "t", "d"}
    for path in scripts:
        text = path.read_text("utf-8")
        name = path.relative_to(index).as_posix().removesuffix(".js")
        assert text.startswith(f'jianduShard("{name}",') and text.endswith(");\n")
        assert "\\u" not in text  # UTF-8, not escapes
    assert len(list((index / "t").glob("*.js"))) == 2 * manifest["b"]  # words, then title bigrams
    assert json.loads((site_search / "search_index.json").read_text("utf-8")) == json.loads(stub_index())
    assert (site_search / "search_index.js").read_text("utf-8") == "var __index = " + stub_index()
    vocabulary = {w for p in (index / "t").glob("*.js") for w in read_shard(p)["w"]}
    assert "检察院" in vocabulary and not vocabulary & STOP


def test_line_separators_are_escaped(tmp_path):
    search_dir = tmp_path / "search"
    odd = replace(doc("a.html", "标题", "检察建议"), fields={"keywords": ("甲\u2028乙", "丙\u2029丁")})
    write_site_search(search_dir, [odd])
    for path in (search_dir / INDEX_DIR / "t").glob("*.js"):
        text = path.read_text("utf-8")
        assert "\u2028" not in text and "\u2029" not in text
    words = {w for p in (search_dir / INDEX_DIR / "t").glob("*.js") for w in read_shard(p)["w"]}
    assert words == {"甲\u2028乙", "丙\u2029丁"}


def test_untrusted_text_is_stored_as_data(tmp_path):
    search_dir = tmp_path / "search"
    title = "<img src=x onerror=alert(1)>注入"
    write_site_search(search_dir, [doc("a.html", title, "</script><script>alert(2)</script>正文")])
    result = query_site(search_dir, "注入")
    assert result.items and result.items[0]["title"] == title  # the worker escapes it; see the browser test
    assert read_shard(search_dir / INDEX_DIR / "d" / "0.js")[0][2].startswith("</script>")
