"""Static SVG bar charts, made at build time: text stays text, no JavaScript, nothing fetched."""

from __future__ import annotations

from generator.text.safetext import escape
from generator.text.textwidth import width

BAR_HEIGHT, GAP, LEFT_PAD, RIGHT_PAD, TOP = 22, 8, 12, 48, 34
COLOURS = {"默认": "#3f51b5", "待整改": "#c62828", "整改中": "#ef6c00", "已报告": "#1565c0", "已销号": "#2e7d32"}


def bar_chart(title: str, data: dict[str, int], chart_id: str, width_px: int = 360,
              links: dict[str, str] | None = None) -> str:
    """A horizontal bar chart; every label and number is an SVG <text>; a bar with a link opens its listing.

    Drawn about as wide as it is shown (at most 360 px on a desktop, the content's
    width on a phone), so the 14 px labels stay 12–14 px on the screen."""
    items = [(str(label), int(value)) for label, value in data.items()]
    label_px = max([width(label) for label, _ in items] + [4]) * 7 + LEFT_PAD
    top = max([value for _, value in items] + [1])
    width_px = max(width_px, label_px + 160)  # long unit names widen the chart rather than squeeze the bars
    plot = width_px - label_px - RIGHT_PAD
    height = TOP + len(items) * (BAR_HEIGHT + GAP) + GAP
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="jiandu-chart" id="{chart_id}" role="{"group" if links else "img"}" '
             f'viewBox="0 0 {width_px} {height}" width="100%" aria-labelledby="{chart_id}-title">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<text x="0" y="20" class="jiandu-chart-title" font-size="15" font-weight="bold" fill="currentColor">'
             f'{escape(title)}</text>']
    for index, (label, value) in enumerate(items):
        y = TOP + index * (BAR_HEIGHT + GAP)
        bar = round(plot * value / top) if value else 0
        colour = COLOURS.get(label, COLOURS["默认"])
        bar_svg = (f'<text x="{label_px - 8}" y="{y + 16}" text-anchor="end" font-size="14" fill="currentColor" '
                   f'class="jiandu-chart-label">{escape(label)}</text>'
                   f'<rect x="{label_px}" y="{y}" width="{bar}" height="{BAR_HEIGHT}" rx="3" fill="{colour}"/>'
                   f'<text x="{label_px + bar + 6}" y="{y + 16}" font-size="14" fill="currentColor">{value}</text>')
        href = (links or {}).get(label)
        if href:
            bar_svg = f'<a href="{escape(href)}" aria-label="{escape(label)}：{value} 件，查看列表">{bar_svg}</a>'
        parts.append(f'<g class="jiandu-bar" data-label="{escape(label)}" data-value="{value}">{bar_svg}</g>')
    if not items:
        parts.append(f'<text x="0" y="{TOP + 16}" font-size="14" fill="currentColor">暂无数据</text>')
    parts.append("</svg>")
    return "".join(parts)
