"""Editions of the site: internal (staff, every case) and public (公开 cases only).

A public edition is built from the public cases alone — pages, browse lists,
counts, search index, similar-case index — so nothing from an 内部 case can
reach it, not even through statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Case


@dataclass(frozen=True)
class Edition:
    name: str
    label: str
    site_folder: str
    index_folder: str

    @property
    def is_public(self) -> bool:
        return self.name == "public"

    def select(self, cases: list[Case]) -> list[Case]:
        return [case for case in cases if case.is_public] if self.is_public else list(cases)


INTERNAL = Edition("internal", "内部资料 · 仅供工作人员查阅，不得外传", "site", "index")
PUBLIC = Edition("public", "公开版 · 仅收录可以公开的案例", "site-public", "index-public")
EDITIONS = {edition.name: edition for edition in (INTERNAL, PUBLIC)}


def edition_named(name: str) -> Edition:
    from .problems import UserError

    if name not in EDITIONS:
        raise UserError(f"版本“{name}”无效，可选：internal（内部版，默认）、public（公开版）")
    return EDITIONS[name]
