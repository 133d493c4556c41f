"""Editions of the site: internal (staff, every case) and public (公开 cases only).

A public edition is built from the public cases alone — pages, browse lists,
counts, search index, similar-case index — so nothing from an 内部 case can
reach it, not even through statistics.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.core.model import Case


@dataclass(frozen=True)
class Edition:
    name: str
    label: str
    site_folder: str
    index_folder: str
    open_referrals: bool = True    # referrals not yet concluded (已办结) are shown
    finding_details: bool = True   # findings one by one, with unit and overdue days (else only totals)
    is_public: bool = field(init=False)  # derived from name

    def __post_init__(self):
        object.__setattr__(self, "is_public", self.name == "public")

    def cases_in(self, cases: list[Case]) -> list[Case]:
        if not self.is_public:
            return list(cases)
        chosen = [case for case in cases if case.is_public]
        if self.open_referrals:
            return chosen
        return [replace(case, clues=tuple(c for c in case.clues if c.is_closed)) if case.clues else case
                for case in chosen]

    def policy_note(self) -> str:
        """What this edition publishes about referrals and findings, said on the pages concerned."""
        if not self.is_public:
            return ""
        referrals = "全部线索（含尚未办结的）" if self.open_referrals else "已办结的线索（尚未办结的不公开）"
        findings = "逐项列出问题、责任单位和整改状态" if self.finding_details else "只公布整改情况的汇总数字，不列出单位和超期明细"
        default = self.open_referrals is False and self.finding_details is False
        origin = "这是默认设置" if default else "按 organisation.yaml 中 public_edition 的设置"
        return f"公开版只收录{referrals}；问题整改{findings}（{origin}）。"

    def with_policy(self, root: Path) -> "Edition":
        """The public edition as organisation.yaml's public_edition opts in (open_referrals, finding_details)."""
        if not self.is_public:
            return self
        return replace(self, **load_public_policy(root))


INTERNAL = Edition("internal", "内部资料 · 仅供工作人员查阅，不得外传", "site", "index")
PUBLIC = Edition("public", "公开版 · 仅收录可以公开的案例", "site-public", "index-public",
                 open_referrals=False, finding_details=False)
EDITIONS = {edition.name: edition for edition in (INTERNAL, PUBLIC)}


def edition_named(name: str) -> Edition:
    from generator.core.problems import UserError

    if name not in EDITIONS:
        raise UserError(f"版本“{name}”无效，可选：internal（内部版，默认）、public（公开版）")
    return EDITIONS[name]


POLICY_KEY = "public_edition"


def load_public_policy(root: Path) -> dict:
    """organisation.yaml → public_edition: {open_referrals: true, finding_details: true} (both default false)."""
    import yaml

    from generator.core.problems import UserError

    path = root / "organisation.yaml"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8-sig")) or {}
    except (yaml.YAMLError, ValueError, RecursionError):
        return {}  # the settings loader reports a damaged file; the strict default stands meanwhile
    policy = data.get(POLICY_KEY) if isinstance(data, dict) else None
    if policy is None:
        return {}
    if not isinstance(policy, dict):
        raise UserError(f"{path}：{POLICY_KEY} 应为映射，例如 {POLICY_KEY}: {{open_referrals: false, finding_details: false}}")
    unknown = [str(key) for key in policy if key not in ("open_referrals", "finding_details")]
    if unknown:
        raise UserError(f"{path}：{POLICY_KEY} 中有未知设置项 {'、'.join(unknown)}（可用：open_referrals、finding_details）")
    wrong = [key for key, value in policy.items() if not isinstance(value, bool)]
    if wrong:
        raise UserError(f"{path}：{POLICY_KEY}.{wrong[0]} 应为 true 或 false")
    return dict(policy)
