"""Chinese dates and numbers as official documents write them."""

from __future__ import annotations

from datetime import date

_DIGITS = "零一二三四五六七八九"


def cn_date(day: date) -> str:
    """成文日期 style (GB/T 9704 7.3.5): Arabic numerals, no zero padding — 2025年6月6日."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 21 → 二十一; Arabic numerals from 100 on (headings 一、 and （一）)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _DIGITS[tens]) + "十" if tens else "") + (_DIGITS[ones] if ones else "")
