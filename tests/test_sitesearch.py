"""Site-search enrichment: sub-word field and the Traditional → Simplified table."""

import json

from generator.sitesearch import SUBWORDS_FIELD, enrich_search_index, t2s_table


def test_subwords_are_added_as_a_hidden_field(tmp_path):
    index = tmp_path / "search_index.json"
    index.write_text(json.dumps({
        "config": {"separator": "[\\s\\u200b]+", "fields": {"title": {"boost": 1000}}},
        "docs": [{"location": "a.html", "title": "市\u200b人民检察院", "text": "<p>市委政法委\u200b與\u200b檢察院</p>"}],
    }), "utf-8")
    assert enrich_search_index(index) > 0
    data = json.loads(index.read_text("utf-8"))
    words = data["docs"][0][SUBWORDS_FIELD].split()
    assert {"检察院", "政法委", "与"} <= set(words)
    assert data["config"]["fields"][SUBWORDS_FIELD] == {"boost": 1.0}
    assert data["docs"][0]["text"] == "<p>市委政法委\u200b與\u200b檢察院</p>"  # shown text untouched


def test_t2s_table_maps_single_characters():
    table = t2s_table()
    assert table["檢"] == "检" and table["誠"] == "诚" and table["與"] == "与"
    assert "检" not in table and all(len(k) == 1 and len(v) == 1 for k, v in table.items())
