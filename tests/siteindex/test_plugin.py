"""Site-search glue: material's search plugin made idle, content pages collected, Traditional → Simplified table."""

import json

from generator.siteindex.shards import stub_index
from generator.siteindex.plugin import page_text, search_plugin, t2s_table


def test_t2s_table_maps_single_characters():
    table = t2s_table()
    assert table["檢"] == "检" and table["誠"] == "诚" and table["與"] == "与"
    assert "检" not in table and all(len(k) == 1 and len(v) == 1 for k, v in table.items())


def test_page_text_skips_scripts_and_excluded_parts():
    html = ('<h1 id="t">标题</h1><p>第一段<b>加粗</b>&amp;</p><div data-search-exclude><p>不检索</p><img src="x">'
            '<p>也不</p></div><script>alert(1)</script><ul><li>甲</li><li>乙<br>丙</li></ul>')
    assert page_text(html) == "标题\n第一段加粗&\n甲\n乙\n丙"


def test_plugin_idles_material_and_collects_pages(tmp_path):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("---\nsearch:\n  exclude: true\n---\n# 首页\n\n首页文字\n", "utf-8")
    (docs / "about.md").write_text('# 简介\n\n检察建议<span data-search-exclude="true">隐藏文字</span>。\n\n'
                                   '<div data-search-exclude markdown>\n不检索的段落\n</div>\n', "utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: 测试\nuse_directory_urls: false\ntheme:\n  name: material\n  language: zh\n"
        "plugins:\n  - search:\n      separator: '[\\s]+'\n  - offline\nmarkdown_extensions:\n  - attr_list\n"
        "  - md_in_html\n", "utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    plugin = search_plugin()
    config.plugins["jiandu/search"] = plugin
    build(config)
    site = tmp_path / "site"
    assert json.loads((site / "search" / "search_index.json").read_text("utf-8")) == json.loads(stub_index("[\\s]+"))
    assert (site / "search" / "search_index.js").read_text("utf-8") == "var __index = " + stub_index("[\\s]+")
    pages = {page["location"]: page for page in plugin.pages}
    assert set(pages) == {"about.html"}  # the home page is excluded in its front matter
    assert pages["about.html"]["title"] == "简介"
    assert "检察建议" in pages["about.html"]["text"] and "隐藏文字" not in pages["about.html"]["text"]
    assert "不检索" not in pages["about.html"]["text"]
    html = (site / "about.html").read_text("utf-8")
    assert "隐藏文字" in html and "data-search-exclude" not in html  # material still strips the attributes
