"""Titles broken by hand (GB/T 9704 7.3.1): at word boundaries, lines balanced, 梯形 or 菱形.

A word processor wraps a long title wherever the line is full (联合监/督); the standard asks for
回行时要做到词意完整，排列对称，长短适宜，间距恰当，标题排列应当使用梯形或菱形. Words come from
jieba with the project's domain dictionary; quotations, book titles and brackets stay on one line.
"""

from __future__ import annotations

import math
from itertools import combinations

from generator.text.dictionary import jieba_ready

MAX_LINE = 19  # 2号 characters a line may hold without touching the type-area edges (156 mm)
PAIRS = {"“": "”", "《": "》", "（": "）", "〔": "〕", "‘": "’"}
# words a line should not end with (the title reads on across the break)
WEAK_END = ("的", "和", "与", "及", "对", "在", "关于")


def _units(text: str) -> list[str]:
    """Unbreakable pieces: jieba words, with quoted or bracketed spans kept whole."""
    words = list(jieba_ready().cut(text, HMM=False))
    units, depth, current = [], [], ""
    for word in words:
        for ch in word:
            if ch in PAIRS:
                depth.append(PAIRS[ch])
            elif depth and ch == depth[-1]:
                depth.pop()
        current += word
        if not depth:
            units.append(current)
            current = ""
    if current:
        units.append(current)
    # a closing mark or 的 never starts a line
    merged: list[str] = []
    for unit in units:
        if merged and (unit[0] in "，。、；：”》）〕" or unit == "的"):
            merged[-1] += unit
        else:
            merged.append(unit)
    return merged


def _score(lengths: list[int], texts: list[str]) -> float:
    """Lower is better: balance first, then shape (梯形: lines grow shorter or longer steadily; 菱形:
    the middle line longest), no line ending in a function word, no short last line."""
    spread = max(lengths) - min(lengths)
    steady = all(a >= b for a, b in zip(lengths, lengths[1:])) or all(a <= b for a, b in zip(lengths, lengths[1:]))
    diamond = len(lengths) == 3 and lengths[1] >= max(lengths[0], lengths[2])
    shape = 0 if steady or diamond else 4
    weak = sum(3 for text in texts[:-1] if text.endswith(WEAK_END)) + \
        sum(2 for text in texts[1:] if text.startswith(("和", "与", "及")))
    short = 6 if lengths[-1] <= 3 else 0
    upper = 0 if lengths[0] >= lengths[-1] else 0.5  # 倒梯形 (upper line longer) reads best
    return spread + shape + weak + short + upper


def break_title(title: str, max_line: int = MAX_LINE) -> list[str]:
    """The title as lines of at most max_line characters, broken between words."""
    if len(title) <= max_line:
        return [title]
    units = _units(title)
    best, best_score = None, math.inf
    for count in range(math.ceil(len(title) / max_line), min(len(units), 4) + 1):
        for cuts in combinations(range(1, len(units)), count - 1):
            bounds = (0, *cuts, len(units))
            texts = ["".join(units[a:b]) for a, b in zip(bounds, bounds[1:])]
            lengths = [len(text) for text in texts]
            if max(lengths) > max_line:
                continue
            score = _score(lengths, texts) + 8 * (count - math.ceil(len(title) / max_line))
            if score < best_score:
                best, best_score = texts, score
        if best is not None:
            break
    if best is None:  # one word longer than a line: fall back to even character cuts
        count = math.ceil(len(title) / max_line)
        size = math.ceil(len(title) / count)
        best = [title[i:i + size] for i in range(0, len(title), size)]
    return best
