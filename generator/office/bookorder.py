"""Which cases a year's compilation book holds, and in what order: shared by the book (office/compilation.py)
and the site's 年度汇编 pages, which must list them as the book does. Kept apart from the book's Word code so
that planning the site does not load python-docx."""

from __future__ import annotations

from generator.core.edition import Edition
from generator.core.model import Case


def book_cases(cases: list[Case], year: int, edition: Edition, include_typical: bool = False) -> list[Case]:
    chosen = [c for c in edition.cases_in(cases)
              if c.year == year and (c.replicable or (include_typical and c.typical))]
    return sorted(chosen, key=lambda c: (c.date, c.id))


def group_by_area(cases: list[Case], area_order: list[str]) -> list[tuple[str, list[Case]]]:
    areas = [a for a in area_order if any(c.category == a for c in cases)]
    areas += sorted({c.category for c in cases} - set(areas))
    return [(area, [c for c in cases if c.category == area]) for area in areas]
