"""Official documents from case data: 整改通知书, 监督建议书, 督办通知, 线索移送函, 监督报告.

Body text comes from jinja2 templates. Lookup order: the library's own
templates/ folder first, then the templates shipped with the package, so
staff override a document by putting a same-named file (e.g.
templates/整改通知书.j2) in their library. Template output is a tiny markup:
'# ' starts a 一、 heading, '## ' a （一） heading, '### ' a 1. heading, any
other line is a paragraph.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path


from generator import PACKAGE_DIR
from generator.text.chinese import cn_date, cn_number
from generator.office.layout import Letterhead, OfficialDocument
from generator.core.load import parse_settings_yaml
from generator.core.model import Case, Finding
from generator.core.problems import UserError
from generator.text.safetext import markdown_paragraphs
from generator.office.titles import break_title

SETTINGS_FILE = "organisation.yaml"
KINDS = {"rectification": "整改通知书", "recommendation": "监督建议书", "supervision": "督办通知",
         "referral": "线索移送函", "report": "监督报告"}
LETTER_KINDS = {"整改通知书", "监督建议书", "督办通知", "线索移送函"}
SUPERVISION_RULES = ("监督法", "检察建议", "政法工作条例", "监督条例", "监督工作规定")
FONTS_CONF = PACKAGE_DIR / "data" / "fonts.conf"


@dataclass(frozen=True)
class Settings:
    """One issuing body (发文机关). organisation.yaml holds a default body and, under bodies:, others
    chosen by the case (match: {region: 淮安市}); for_case() picks the one a case belongs to."""
    issuer: str
    codes: dict
    printed_by: str
    report_to: str = ""
    copy_to: tuple = ()
    contact: str = ""
    reply_days: int = 15
    issuer_short: str = ""
    compilation_title: str = "{year}年度执法司法监督可复制可推广经验汇编"
    signer: str = ""  # 签发人 of 监督报告 (上行文)
    authority: tuple = ()  # the issuer's own basis for supervising (整改通知书, 线索移送函)
    match: tuple = ()  # ((case field, value), ...) for a further body
    bodies: tuple = ()  # further issuing bodies (Settings), on the default body only

    def for_case(self, case: Case, name: str | None = None) -> "Settings":
        """The body that issues for this case: the one named, else the first whose match fits, else the default."""
        everyone = (self, *self.bodies)
        if name:
            chosen = next((body for body in everyone if name in (body.issuer, body.issuer_short)), None)
            if chosen is None:
                raise UserError(f"organisation.yaml 中没有发文机关“{name}”（可选：{'、'.join(b.issuer for b in everyone)}）")
            return chosen
        return next((body for body in self.bodies if _matches(case, body.match)), self)


def _matches(case: Case, match: tuple) -> bool:
    for key, value in match:
        actual = getattr(case, key, None)
        if not (actual == value or (isinstance(actual, tuple) and value in actual)):
            return False
    return bool(match)


TEXT_KEYS = ("issuer", "printed_by", "report_to", "contact", "issuer_short", "compilation_title", "signer")
LIST_KEYS = ("copy_to", "authority")


def _body_values(data: dict, where: str, inherited: dict) -> tuple[dict, list[str]]:
    """Checked values of one issuing body (missing keys inherited from the default body)."""
    values = {**inherited, **data}
    problems = [f"{where}{key} 应为文本" for key in TEXT_KEYS if key in data and not isinstance(data[key], str)]
    missing = [key for key in ("issuer", "codes", "printed_by") if not values.get(key)]
    if missing:
        problems.append(f"{where}缺少设置项：{'、'.join(missing)}")
    codes = values.get("codes")
    if not isinstance(codes, dict) or not all(isinstance(v, str) and re.fullmatch(r"[\w\u4e00-\u9fff]{1,12}", v)
                                              for v in codes.values()):
        problems.append(f"{where}codes 应为 文种: 机关代字 的映射，机关代字只能是汉字或字母数字")
    for key in LIST_KEYS:
        items = values.get(key) or []
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
            problems.append(f"{where}{key} 应为名称列表")
        values[key] = tuple(items) if isinstance(items, list | tuple) else ()
    if "reply_days" in values and (isinstance(values["reply_days"], bool) or not isinstance(values["reply_days"], int)):
        problems.append(f"{where}reply_days 应为整数")
    return values, problems


def load_settings(root: Path) -> Settings:
    path = root / SETTINGS_FILE
    if not path.is_file():
        raise UserError(f"缺少发文机关设置 {path}：可复制 {PACKAGE_DIR / 'data' / 'organisation.example.yaml'} 后修改")
    try:
        data = parse_settings_yaml(path.read_text("utf-8"), str(path)) or {}
    except UnicodeDecodeError:
        raise UserError(f"{path} 不是 UTF-8 编码，无法读取") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}：顶层应为映射（键: 值）")
    bodies = data.pop("bodies", None) or []
    values, problems = _body_values(data, "", {})
    title = data.get("compilation_title", Settings.compilation_title)
    if isinstance(title, str) and any(brace in title.replace("{year}", "") for brace in "{}"):
        problems.append("compilation_title 中只能使用 {year}")
    elif isinstance(title, str) and "{year}" not in title:
        problems.append("compilation_title 中须含 {year}（每年一册，书名各不相同）")
    if isinstance(title, str) and any(mark in title for mark in ("/", "\\", "..", "\x00")):
        problems.append("compilation_title 中不能含 /、\\ 或 ..（书名也是文件名）")
    known = set(Settings.__dataclass_fields__) - {"match", "bodies"}
    inherited = {key: values[key] for key in ("reply_days", "compilation_title") if key in values}
    others = []
    if not isinstance(bodies, list):
        problems.append("bodies 应为发文机关列表")
        bodies = []
    for number, body in enumerate(bodies, 1):
        where = f"bodies 第 {number} 项："
        if not isinstance(body, dict) or not isinstance(body.get("match"), dict) or not body["match"]:
            problems.append(f"{where}应为映射，并用 match 写明适用的案例（如 match: {{region: 淮安市}}）")
            continue
        match = tuple((str(k), v) for k, v in body.pop("match").items())
        body_values, body_problems = _body_values(body, where, inherited)
        problems += body_problems
        others.append((body_values, match))
    if problems:
        raise UserError(f"{path} 设置有误：" + "；".join(problems))
    unknown = [key for key in data if key not in known and key != "public_edition"]
    if unknown:
        print(f"[警告] {path}：未知设置项 {'、'.join(map(str, unknown))}（可能是拼写错误），已忽略", file=sys.stderr)
    pick = lambda v: {key: value for key, value in v.items() if key in known}  # noqa: E731
    codes = {}
    for body_values, _ in others:
        codes.update({v: body_values["issuer"] for v in body_values["codes"].values()})
    clash = [code for code in values["codes"].values() if code in codes]
    if clash:
        raise UserError(f"{path} 设置有误：机关代字 {'、'.join(clash)} 被多个发文机关使用（文号会重复）")
    return Settings(**pick(values), bodies=tuple(Settings(**pick(v), match=m) for v, m in others))


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


def _clean(value):
    """Every value a template prints is one line that cannot start a heading."""
    if not isinstance(value, str):
        return value
    text = " ".join(value.split())
    return "＃" + text[1:] if text.startswith("#") else text


_MAX_EXPONENT = 64
_MAX_REPEAT = 10_000


def _environment(root: Path):
    import jinja2
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Sandbox(ImmutableSandboxedEnvironment):
        """Library templates are untrusted: no attribute access such as __globals__ (sandbox), no changing
        the values they are given — settings.codes decides the 机关代字 of the number (immutable), and no
        arithmetic that would exhaust memory or time."""

        intercepted_binops = frozenset({"**", "*"})

        def call_binop(self, context, operator, left, right):
            sizes = [v for v in (left, right) if isinstance(v, int) and not isinstance(v, bool)]
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > _MAX_EXPONENT:
                raise SecurityError(f"指数 {right} 过大")
            if operator == "*" and (isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple))):
                if any(abs(v) > _MAX_REPEAT for v in sizes):
                    raise SecurityError("重复次数过多")
            return super().call_binop(context, operator, left, right)

    loaders = [jinja2.FileSystemLoader(str(root / "templates")), jinja2.FileSystemLoader(str(PACKAGE_DIR / "office" / "templates"))]
    return Sandbox(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
                   autoescape=False, finalize=_clean, trim_blocks=True, lstrip_blocks=True)


def _fill(env, kind: str, **values) -> str:
    """The template's text; a template that fails at run time (recursion, wrong types) is the library's
    problem, reported in Chinese — jinja2's own errors are reported by compose()."""
    import jinja2

    template = env.get_template(f"{kind}.j2")
    try:
        return template.render(**values)
    except jinja2.TemplateError:
        raise
    except (RecursionError, TypeError, ValueError, ArithmeticError, AttributeError, LookupError, MemoryError) as exc:
        raise UserError(f"{kind} 的模板无法生成正文（{type(exc).__name__}：{str(exc)[:200]}）；"
                        "请检查案例库 templates/ 中的这个模板") from None


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
    import jinja2

    from generator.core.validate import line_text_problem

    if to is not None and line_text_problem(to):
        raise UserError(f"主送单位（--to）{line_text_problem(to)}")
    try:
        return _compose(root, case, kind, settings, day=day, to=to, finding_ids=finding_ids, clue_id=clue_id,
                        deadline=deadline, formal=formal)
    except jinja2.TemplateSyntaxError as exc:
        raise UserError(f"模板 {exc.filename or exc.name} 第 {exc.lineno} 行有语法错误：{exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise UserError(f"{kind} 的模板试图访问不允许的内容，已拒绝（模板只能使用案例数据）：{exc}") from None
    except jinja2.TemplateNotFound as exc:
        raise UserError(f"找不到模板 {exc.name}（模板只能放在案例库的 templates/ 中）") from None
    except jinja2.TemplateError as exc:
        raise UserError(f"{kind} 的模板无法生成正文：{exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"{kind} 的模板不是 UTF-8 编码") from None


def _compose(root: Path, case: Case, kind: str, settings: Settings, *, day: date, to: str | None,
             finding_ids: list[str] | None, clue_id: str | None, deadline: date | None,
             formal: bool) -> Composition:
    env = _environment(root)
    issuer_name = settings.issuer_short or settings.issuer
    base = {"case": case, "settings": settings, "issuer": issuer_name, "case_date": cn_date(case.date),
            "cn_number": cn_number, "authority": "、".join(settings.authority) or "有关规定",
            "basis": "、".join(case.legal_basis) or "有关规定",
            # the rules a unit's conduct is measured against, not those that empower the supervisor
            "norms": "、".join(b for b in case.legal_basis if not any(k in b for k in SUPERVISION_RULES)) or "有关法律法规",
            "reply_by": cn_date(day + timedelta(days=settings.reply_days)), "day_cn": cn_date(day)}
    if kind in ("整改通知书", "监督建议书"):
        to, chosen = _select_findings(case, kind, to, finding_ids)
        if kind == "整改通知书":
            _check_deadlines(kind, chosen, day, deadline, formal)
        missing = [f.id for f in chosen if not f.cause]
        if kind == "监督建议书" and missing and formal:
            raise UserError(f"案例 {case.id} 的问题 {'、'.join(missing)} 缺少 cause（原因分析）："
                            f"监督建议书须逐项说明问题产生的原因")
        views = [_finding_view(f, day, deadline) for f in chosen]
        title = f"关于限期整改{case.title}中发现问题的通知" if kind == "整改通知书" else f"关于{case.title}的监督建议书"
        markup = _fill(env, kind, **base, findings=views, unit=to)
        return Composition(kind, case, title, to, markup, settings.copy_to, chosen)
    if kind == "督办通知":
        to, chosen = _select_findings(case, kind, to, finding_ids)
        if len(chosen) != 1:
            listed = "、".join(f.id for f in chosen)
            raise UserError(f"督办通知一事一文：{to} 有多个未完成整改的问题（{listed}），请用 --findings 只指定一个")
        finding = chosen[0]
        _check_deadlines(kind, chosen, day, deadline, formal)
        markup = _fill(
            env, kind, **base, finding=_finding_view(finding, day, deadline), original_deadline_cn=cn_date(finding.deadline))
        return Composition(kind, case, f"关于督办{case.title}有关问题的通知", to, markup, settings.copy_to, [finding])
    if kind == "线索移送函":
        clues = {c.id: c for c in case.clues}
        if not clues:
            raise UserError(f"案例 {case.id} 没有移送线索")
        if clue_id is None and len(clues) > 1:
            raise UserError(f"案例 {case.id} 有多条线索（{'、'.join(clues)}），请用 --clue 指定")
        clue = clues.get(clue_id or next(iter(clues)))
        if clue is None:
            raise UserError(f"案例 {case.id} 中没有线索 {clue_id}（现有：{'、'.join(clues)}）")
        receiver = to or clue.receiver
        if _same_body(receiver, clue.sender, settings):
            raise UserError(f"线索 {clue.id} 来自{clue.sender}，不能移送回来源单位（主送：{receiver}）")
        if _same_body(settings.issuer, receiver, settings):
            raise UserError(f"线索 {clue.id} 的接收单位{receiver}就是发文机关{settings.issuer}，不能向本机关移送；"
                            f"请用 --to 指定接收单位，或选择由本机关移出的线索")
        own = clue.sender.replace("委员会", "委") in settings.issuer.replace("委员会", "委")
        markup = _fill(env, kind, **base, clue=clue, clue_date_cn=cn_date(clue.date), own_clue=own)
        return Composition(kind, case, f"关于移送{case.title}有关线索的函", receiver, markup, settings.copy_to)
    views = [_finding_view(f, day) for f in case.findings]
    markup = _fill(
        env, kind, **base, findings=views, background=markdown_paragraphs(case.background),
        practice=markdown_paragraphs(case.practice), outcome=markdown_paragraphs(case.outcome),
        insight=markdown_paragraphs(case.insight) if case.insight else [])
    addressee = to or settings.report_to
    if not addressee:
        raise UserError(f"监督报告需要主送机关：请在 organisation.yaml 中为{settings.issuer}设置 report_to，或用 --to 指定")
    if formal and not settings.signer:
        raise UserError(f"监督报告是上行文，须标注签发人：请在 organisation.yaml 中为{settings.issuer}设置 signer")
    return Composition(kind, case, f"关于{case.title}的监督报告", addressee, markup, settings.copy_to)


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
    return document.save(day)


def libreoffice() -> str:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise UserError("未安装 LibreOffice，无法生成 PDF（Debian：apt-get install libreoffice-writer-nogui）")
    return office


def to_pdf(docx: Path) -> Path:
    """Convert with LibreOffice; the official font names are mapped to free fonts by fonts.conf."""
    office = libreoffice()
    with tempfile.TemporaryDirectory() as profile_dir, tempfile.TemporaryDirectory() as out_dir:
        env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF))
        command = [office, f"-env:UserInstallation=file://{profile_dir}", "--headless", "--convert-to", "pdf",
                   "--outdir", out_dir, str(docx)]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        produced = Path(out_dir) / (docx.stem + ".pdf")
        if result.returncode != 0 or not produced.is_file():
            raise UserError(f"LibreOffice 转换失败：{(result.stderr or result.stdout).strip()[:300]}")
        target = docx.with_suffix(".pdf")
        shutil.move(str(produced), target)
    return target
