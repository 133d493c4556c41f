"""The 发文字号 text: how a register number is written on a document and in its file name."""

from __future__ import annotations

from generator.office.profile import profile


def doc_number(code: str, year: int, number: int) -> str:
    """发文字号 like 常政法监〔2025〕12号 (7.2.5): six-corner brackets, no 第, no padding."""
    left, right = profile()["masthead"]["number_brackets"]
    return f"{code}{left}{year}{right}{number}号"
