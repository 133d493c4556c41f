"""The 发文字号 text (GB/T 9704 7.2.5)."""

from generator.office.numbering import doc_number


def test_number_format():
    assert doc_number("常政法监", 2025, 12) == "常政法监〔2025〕12号"
    assert doc_number("常政法监", 2025, 3) == "常政法监〔2025〕3号"
