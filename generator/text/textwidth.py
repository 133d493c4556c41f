"""Terminal tables that line up Chinese text (wide characters take two columns)."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def clip(text: str, limit: int) -> str:
    if width(text) <= limit:
        return text
    out, used = "", 0
    for ch in text:
        if used + width(ch) > limit - 1:
            break
        out, used = out + ch, used + width(ch)
    return out + "…"


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def table(headers: list[str], rows: list[list[str]], notes: dict[int, str] | None = None,
          max_cell: int = 44) -> str:
    """Columns padded by display width; an optional indented note line under a row."""
    rows = [[clip(cell, max_cell) for cell in row] for row in rows]
    sizes = [max(width(row[i]) for row in rows + [headers]) for i in range(len(headers))]
    lines = ["  ".join(pad(h, s) for h, s in zip(headers, sizes)).rstrip(),
             "  ".join("─" * s for s in sizes)]
    for index, row in enumerate(rows):
        lines.append("  ".join(pad(cell, s) for cell, s in zip(row, sizes)).rstrip())
        if notes and notes.get(index):
            lines.append("      " + clip(notes[index], 2 * max_cell + 20))
    return "\n".join(lines)
