"""Term scores: field-weighted, fixed reference lengths (independent of other documents), packed text."""

import pytest

from generator.siteindex.model import SearchDoc
from generator.siteindex.scoring import LazyScores, field_scores, pack_score_text, term_scores


def test_scores_depend_on_the_document_only():
    fields = {"title": ("检察建议", "整改"), "body": ("检察建议",) * 3 + ("落实",)}
    alone = field_scores(fields)
    assert alone == term_scores(SearchDoc("a.html", "", "", fields))
    assert alone["检察建议"] > alone["整改"] > 0 and alone["落实"] >= 1
    assert term_scores(SearchDoc("b.html", "", "", {}, scores={"甲": 3})) == {"甲": 3}


def test_title_weighs_more_than_body_and_stop_words_are_left_out():
    scores = field_scores({"title": ("挂案",), "body": ("清理", "的")})
    assert scores["挂案"] > scores["清理"] and "的" not in scores


def test_unknown_field_is_refused():
    with pytest.raises(ValueError, match="未知的检索字段"):
        field_scores({"nonsense": ("词",)})


def test_packed_scores_round_trip_lazily():
    scores = {"检察院": 12, "a": 1, "2024年": 40000}
    lazy = LazyScores(pack_score_text(scores))
    assert dict(lazy.items()) == scores and len(lazy) == 3 and lazy["a"] == 1
    assert len(LazyScores(pack_score_text({}))) == 0
