"""Result snippets."""

from generator.search.snippets import snippet


def test_snippet_splits_on_chinese_sentence_ends_and_marks_words():
    text = "第一句没有。第二句说到检察建议！第三句；第四句也有檢察建議？"
    assert snippet(text, ["检察建议"]) == "第二句说到【检察建议】！……第四句也有【檢察建議】？"
