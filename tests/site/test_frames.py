"""The theme frame around every page: the 404 page and the footer say only what the library is, in Chinese."""

import re

import pytest

from generator.site.frames import relative_not_found


def test_not_found_page_is_chinese_with_relative_links(sample_site):
    html = (sample_site / "site" / "404.html").read_text("utf-8")
    assert "<h1>页面不存在</h1>" in html and "Not found" not in html
    links = re.findall(r'\b(?:href|src)="([^"]*)"', html)
    assert links and not [link for link in links if link.startswith("/")], links
    assert '"base": "."' in html


def test_relative_not_found_leaves_other_links_alone():
    html = '<a href="/x.html"><img src="//cdn/x.png"><a href="https://a/b"><a href="./y.html">"base": "/"'
    assert relative_not_found(html) == '<a href="./x.html"><img src="//cdn/x.png"><a href="https://a/b"><a href="./y.html">"base": "."'


def test_footer_names_library_and_edition_without_external_links_or_dates(sample_site):
    for page in ("index.html", "404.html", "cases/JMS-2024-002.html", "about.html"):
        html = (sample_site / "site" / page).read_text("utf-8")
        footer = html[html.index('<footer class="md-footer">'):]
        text = re.sub(r"<[^>]+>", " ", footer)
        assert "监督案例库" in text and "内部资料" in text
        assert "Made with" not in text and not re.search(r"https?://", footer)
        assert not re.search(r"20\d\d[-年/.]\d", text), text


@pytest.mark.browser
def test_not_found_page_is_styled_from_file_and_from_a_sub_path(sample_site, tmp_path):
    from tools.browser import chromium_page, serve_directory

    styled = "getComputedStyle(document.querySelector('.md-header')).position"
    with chromium_page() as (page, outside):
        page.goto((sample_site / "site" / "404.html").as_uri())
        assert page.evaluate(styled) == "sticky" and page.inner_text("h1") == "页面不存在"
        with serve_directory(sample_site) as base:  # the site at /site/, not at the server's root
            page.goto(base + "site/404.html")
            assert page.evaluate(styled) == "sticky"
            page.click("article a[href='index.html']")
            page.wait_for_load_state()
            assert page.url == base + "site/index.html"
        assert outside == []
