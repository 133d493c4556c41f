"""Official documents from case data: 整改通知书, 监督建议书, 督办通知, 线索移送函, 监督报告.

compose() chooses the findings (or clue) a document is about, checks the rules of its kind and fills
the kind's template (templating.py); render() lays the result out as a GB/T 9704 .docx (layout.py).
Template output is a tiny markup: '# ' starts a 一、 heading, '## ' a （一） heading, '### ' a 1.
heading, any other line is a paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from generator.core.model import Case, Finding
from generator.core.problems import UserError
from generator.office.layout import Letterhead, OfficialDocument
from generator.office.settings import Settings, load_settings  # noqa: F401  (documents.load_settings: the settings a composition needs)
from generator.office.templating import fill_template, template_environment, template_errors
from generator.office.titles import break_title
from generator.text.chinese import cn_date, cn_number
from generator.text.safetext import markdown_paragraphs

KINDS = {"rectification": "整改通知书", "recommendation": "监督建议书", "supervision": "督办通知",
         "referral": "线索移送函", "report": "监督报告"}
LETTER_KINDS = {"整改通知书", "监督建议书", "督办通知", "线索移送函"}
SUPERVISION_RULES = ("监督法", "检察建议", "政法工作条例", "监督条例", "监督工作规定")


def kind_named(name: str) -> str:
    if name in KINDS:
        return KINDS[name]
    if name in KINDS.values():
        return name
    choices = "、".join(f"{english}（{chinese}）" for english, chinese in KINDS.items())
    raise UserError(f"文种“{name}”无效，可选：{choices}")


@dataclass
class Composition:
    kind: str
    case: Case
    title: str
    addressee: str
    markup: str
    copy_to: tuple = ()
    findings: list = field(default_factory=list)


def _finding_view(finding: Finding, as_of: date, deadline: date | None = None) -> dict:
    status = finding.status
    if finding.is_overdue(as_of):
        status += f"（已超期 {(as_of - finding.deadline).days} 天）"
    elif finding.closed_on:
        status += f"（{cn_date(finding.closed_on)}销号）"
    return {"id": finding.id, "problem": finding.problem.rstrip("。"), "unit": finding.unit,
            "requirement": finding.requirement.rstrip("。"), "deadline_cn": cn_date(deadline or finding.deadline),
            "status_text": status, "cause": finding.cause.rstrip("。")}


def _select_findings(case: Case, kind: str, to: str | None, ids: list[str] | None) -> tuple[str, list[Finding]]:
    known = {f.id: f for f in case.findings}
    ids = list(dict.fromkeys(ids or []))
    if ids:
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise UserError(f"案例 {case.id} 中没有问题 {'、'.join(unknown)}（现有：{'、'.join(known) or '无'}）")
        closed = [i for i in ids if known[i].status == "已销号"]
        if closed:
            raise UserError(f"问题 {'、'.join(closed)} 已销号，不能再就其制发{kind}")
        chosen = [known[i] for i in ids]
        units = {f.unit for f in chosen}
        if to is None and len(units) > 1:
            raise UserError(f"所选问题属于多个责任单位（{'、'.join(sorted(units))}），请用 --to 指定主送单位")
        to = to or chosen[0].unit
        others = [f.id for f in chosen if f.unit != to]
        if others:
            raise UserError(f"问题 {'、'.join(others)} 的责任单位不是 {to}")
        return to, chosen
    open_findings = [f for f in case.findings if f.is_open]
    units = list(dict.fromkeys(f.unit for f in open_findings))
    if to is None:
        if not units:
            raise UserError(f"案例 {case.id} 没有待整改或整改中的问题，无需制发{kind}")
        if len(units) > 1:
            raise UserError(f"案例 {case.id} 有多个单位存在未完成整改的问题（{'、'.join(units)}），请用 --to 指定")
        to = units[0]
    chosen = [f for f in open_findings if f.unit == to]
    if not chosen:
        raise UserError(f"{to} 在案例 {case.id} 中没有待整改或整改中的问题（有未完成问题的单位：{'、'.join(units) or '无'}）")
    return to, chosen


def _check_deadlines(kind: str, chosen: list[Finding], day: date, deadline: date | None, formal: bool) -> None:
    """A formally issued document never sets a deadline on or before its own date (成文日期)."""
    if deadline is not None:
        if deadline <= day:
            raise UserError(f"--deadline {deadline} 不晚于成文日期 {day}：请给出成文日期之后的整改期限")
        return
    past = [f for f in chosen if f.deadline <= day]
    if past and formal:
        listed = "、".join(f"{f.id}（{cn_date(f.deadline)}）" for f in past)
        raise UserError(f"{kind}的成文日期为 {cn_date(day)}，而问题 {listed} 的整改期限不晚于这一天："
                        f"正式印发前请用 --deadline YYYY-MM-DD 给出新的期限")


def compose(root: Path, case: Case, kind: str, settings: Settings, *, day: date, to: str | None = None,
            finding_ids: list[str] | None = None, clue_id: str | None = None, deadline: date | None = None,
            formal: bool = False) -> Composition:
    """The text of one document; settings is the issuing body (Settings.for_case)."""
    from generator.core.validate import line_text_problem

    if to is not None and line_text_problem(to):
        raise UserError(f"主送单位（--to）{line_text_problem(to)}")
    with template_errors(kind):
        return _compose(root, case, kind, settings, day=day, to=to, finding_ids=finding_ids, clue_id=clue_id,
                        deadline=deadline, formal=formal)


@dataclass(frozen=True)
class _Request:
    """What one compose() call asks for, with the template environment and the values every template gets."""
    env: object
    case: Case
    kind: str
    settings: Settings
    day: date
    to: str | None
    finding_ids: list[str] | None
    clue_id: str | None
    deadline: date | None
    formal: bool
    base: dict


def _compose(root: Path, case: Case, kind: str, settings: Settings, *, day: date, to: str | None,
             finding_ids: list[str] | None, clue_id: str | None, deadline: date | None,
             formal: bool) -> Composition:
    request = _Request(template_environment(root), case, kind, settings, day, to, finding_ids, clue_id, deadline,
                       formal, _template_values(case, settings, day))
    compose_kind = {"整改通知书": _findings_letter, "监督建议书": _findings_letter, "督办通知": _supervision_notice,
                    "线索移送函": _referral_letter}.get(kind, _supervision_report)
    return compose_kind(request)


def _template_values(case: Case, settings: Settings, day: date) -> dict:
    return {"case": case, "settings": settings, "issuer": settings.issuer_short or settings.issuer,
            "case_date": cn_date(case.date), "cn_number": cn_number,
            "authority": "、".join(settings.authority) or "有关规定", "basis": "、".join(case.legal_basis) or "有关规定",
            # the rules a unit's conduct is measured against, not those that empower the supervisor
            "norms": "、".join(b for b in case.legal_basis if not any(k in b for k in SUPERVISION_RULES)) or "有关法律法规",
            "reply_by": cn_date(day + timedelta(days=settings.reply_days)), "day_cn": cn_date(day)}


def _findings_letter(r: _Request) -> Composition:
    """整改通知书 or 监督建议书: the open (or named) findings of one unit."""
    case, kind = r.case, r.kind
    to, chosen = _select_findings(case, kind, r.to, r.finding_ids)
    if kind == "整改通知书":
        _check_deadlines(kind, chosen, r.day, r.deadline, r.formal)
    missing = [f.id for f in chosen if not f.cause]
    if kind == "监督建议书" and missing and r.formal:
        raise UserError(f"案例 {case.id} 的问题 {'、'.join(missing)} 缺少 cause（原因分析）："
                        f"监督建议书须逐项说明问题产生的原因")
    views = [_finding_view(f, r.day, r.deadline) for f in chosen]
    title = f"关于限期整改{case.title}中发现问题的通知" if kind == "整改通知书" else f"关于{case.title}的监督建议书"
    markup = fill_template(r.env, kind, **r.base, findings=views, unit=to)
    return Composition(kind, case, title, to, markup, r.settings.copy_to, chosen)


def _supervision_notice(r: _Request) -> Composition:
    """督办通知: one finding (一事一文) with a new deadline."""
    to, chosen = _select_findings(r.case, r.kind, r.to, r.finding_ids)
    if len(chosen) != 1:
        listed = "、".join(f.id for f in chosen)
        raise UserError(f"督办通知一事一文：{to} 有多个未完成整改的问题（{listed}），请用 --findings 只指定一个")
    finding = chosen[0]
    _check_deadlines(r.kind, chosen, r.day, r.deadline, r.formal)
    markup = fill_template(r.env, r.kind, **r.base, finding=_finding_view(finding, r.day, r.deadline),
                           original_deadline_cn=cn_date(finding.deadline))
    return Composition(r.kind, r.case, f"关于督办{r.case.title}有关问题的通知", to, markup, r.settings.copy_to, [finding])


def _referral_letter(r: _Request) -> Composition:
    """线索移送函: one clue, never sent back to where it came from nor to the issuer itself."""
    case, settings = r.case, r.settings
    clues = {c.id: c for c in case.clues}
    if not clues:
        raise UserError(f"案例 {case.id} 没有移送线索")
    if r.clue_id is None and len(clues) > 1:
        raise UserError(f"案例 {case.id} 有多条线索（{'、'.join(clues)}），请用 --clue 指定")
    clue = clues.get(r.clue_id or next(iter(clues)))
    if clue is None:
        raise UserError(f"案例 {case.id} 中没有线索 {r.clue_id}（现有：{'、'.join(clues)}）")
    receiver = r.to or clue.receiver
    if _same_body(receiver, clue.sender, settings):
        raise UserError(f"线索 {clue.id} 来自{clue.sender}，不能移送回来源单位（主送：{receiver}）")
    if _same_body(settings.issuer, receiver, settings):
        raise UserError(f"线索 {clue.id} 的接收单位{receiver}就是发文机关{settings.issuer}，不能向本机关移送；"
                        f"请用 --to 指定接收单位，或选择由本机关移出的线索")
    own = clue.sender.replace("委员会", "委") in settings.issuer.replace("委员会", "委")
    markup = fill_template(r.env, r.kind, **r.base, clue=clue, clue_date_cn=cn_date(clue.date), own_clue=own)
    return Composition(r.kind, case, f"关于移送{case.title}有关线索的函", receiver, markup, settings.copy_to)


def _supervision_report(r: _Request) -> Composition:
    """监督报告 (上行文): the whole case, to report_to, with a 签发人 when issued formally."""
    case, settings = r.case, r.settings
    views = [_finding_view(f, r.day) for f in case.findings]
    markup = fill_template(
        r.env, r.kind, **r.base, findings=views, background=markdown_paragraphs(case.background),
        practice=markdown_paragraphs(case.practice), outcome=markdown_paragraphs(case.outcome),
        insight=markdown_paragraphs(case.insight) if case.insight else [])
    addressee = r.to or settings.report_to
    if not addressee:
        raise UserError(f"监督报告需要主送机关：请在 organisation.yaml 中为{settings.issuer}设置 report_to，或用 --to 指定")
    if r.formal and not settings.signer:
        raise UserError(f"监督报告是上行文，须标注签发人：请在 organisation.yaml 中为{settings.issuer}设置 signer")
    return Composition(r.kind, case, f"关于{case.title}的监督报告", addressee, markup, settings.copy_to)


def _same_body(receiver: str, sender: str, settings: Settings) -> bool:
    """The receiver is the clue's source (the same name, or 市委政法委 for the 政法委员会 that issues)."""
    short = lambda name: name.replace("委员会", "委")  # noqa: E731
    return short(receiver) == short(sender) or (short(receiver).endswith(short(sender)) and len(sender) > 2)


def render(composition: Composition, settings: Settings, *, number: str, day: date) -> bytes:
    """The .docx bytes; number is the 发文字号 or 草稿 for a draft; settings is the issuing body."""
    letter = composition.kind in LETTER_KINDS
    document = OfficialDocument(letter=letter)
    signer = settings.signer if composition.kind == "监督报告" else ""
    document.masthead(Letterhead(settings.issuer, number, letter, signer))
    document.title(break_title(composition.title))
    document.addressee(composition.addressee)
    document.blocks(composition.markup)
    document.signature(settings.issuer, day)
    document.imprint(list(composition.copy_to), settings.printed_by, day)
    return document.to_docx(day)
