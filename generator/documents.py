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


from . import PACKAGE_DIR
from .chinese import cn_date, cn_number
from .layout import Letterhead, OfficialDocument
from .load import parse_settings_yaml
from .model import Case, Finding
from .problems import UserError
from .safetext import markdown_paragraphs

SETTINGS_FILE = "organisation.yaml"
KINDS = {"rectification": "整改通知书", "recommendation": "监督建议书", "supervision": "督办通知",
         "referral": "线索移送函", "report": "监督报告"}
LETTER_KINDS = {"整改通知书", "监督建议书", "督办通知", "线索移送函"}
FONTS_CONF = PACKAGE_DIR / "data" / "fonts.conf"


@dataclass(frozen=True)
class Settings:
    issuer: str
    codes: dict
    printed_by: str
    report_to: str = ""
    copy_to: tuple = ()
    contact: str = ""
    reply_days: int = 15
    issuer_short: str = ""
    compilation_title: str = "{year}年度执法司法监督可复制可推广经验汇编"


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
    missing = [key for key in ("issuer", "codes", "printed_by") if not data.get(key)]
    if missing:
        raise UserError(f"{path} 缺少设置项：{'、'.join(missing)}")
    problems = [f"{key} 应为文本" for key in ("issuer", "printed_by", "report_to", "contact", "issuer_short",
                                           "compilation_title") if key in data and not isinstance(data[key], str)]
    codes = data["codes"]
    if not isinstance(codes, dict) or not all(isinstance(v, str) and re.fullmatch(r"[\w\u4e00-\u9fff]{1,12}", v)
                                              for v in codes.values()):
        problems.append("codes 应为 文种: 机关代字 的映射，机关代字只能是汉字或字母数字")
    copy_to = data.get("copy_to") or []
    if isinstance(copy_to, str):
        copy_to = [copy_to]
    if not isinstance(copy_to, list) or not all(isinstance(item, str) for item in copy_to):
        problems.append("copy_to 应为单位名称列表")
    if "reply_days" in data and (isinstance(data["reply_days"], bool) or not isinstance(data["reply_days"], int)):
        problems.append("reply_days 应为整数")
    title = data.get("compilation_title", Settings.compilation_title)
    if isinstance(title, str) and any(brace in title.replace("{year}", "") for brace in "{}"):
        problems.append("compilation_title 中只能使用 {year}")
    elif isinstance(title, str) and "{year}" not in title:
        problems.append("compilation_title 中须含 {year}（每年一册，书名各不相同）")
    if isinstance(title, str) and any(mark in title for mark in ("/", "\\", "..", "\x00")):
        problems.append("compilation_title 中不能含 /、\\ 或 ..（书名也是文件名）")
    if problems:
        raise UserError(f"{path} 设置有误：" + "；".join(problems))
    unknown = [key for key in data if key not in Settings.__dataclass_fields__]
    if unknown:
        print(f"[警告] {path}：未知设置项 {'、'.join(map(str, unknown))}（可能是拼写错误），已忽略", file=sys.stderr)
    values = {key: value for key, value in data.items() if key in Settings.__dataclass_fields__}
    values["copy_to"] = tuple(copy_to)
    return Settings(**values)


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


def _environment(root: Path):
    import jinja2

    loaders = [jinja2.FileSystemLoader(str(root / "templates")), jinja2.FileSystemLoader(str(PACKAGE_DIR / "templates"))]
    return jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
                              autoescape=False, finalize=_clean, trim_blocks=True, lstrip_blocks=True)


def _finding_view(finding: Finding, as_of: date) -> dict:
    status = finding.status
    if finding.is_overdue(as_of):
        status += f"（已超期 {(as_of - finding.deadline).days} 天）"
    elif finding.closed_on:
        status += f"（{cn_date(finding.closed_on)}销号）"
    return {"id": finding.id, "problem": finding.problem.rstrip("。"), "unit": finding.unit,
            "requirement": finding.requirement.rstrip("。"), "deadline_cn": cn_date(finding.deadline),
            "status_text": status}


def _select_findings(case: Case, kind: str, to: str | None, ids: list[str] | None) -> tuple[str, list[Finding]]:
    known = {f.id: f for f in case.findings}
    ids = list(dict.fromkeys(ids or []))
    if ids:
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise UserError(f"案例 {case.id} 中没有问题 {'、'.join(unknown)}（现有：{'、'.join(known) or '无'}）")
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


def compose(root: Path, case: Case, kind: str, settings: Settings, *, day: date, to: str | None = None,
            finding_ids: list[str] | None = None, clue_id: str | None = None) -> Composition:
    import jinja2

    try:
        return _compose(root, case, kind, settings, day=day, to=to, finding_ids=finding_ids, clue_id=clue_id)
    except jinja2.TemplateSyntaxError as exc:
        raise UserError(f"模板 {exc.filename or exc.name} 第 {exc.lineno} 行有语法错误：{exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise UserError(f"找不到模板 {exc.name}（模板只能放在案例库的 templates/ 中）") from None
    except jinja2.TemplateError as exc:
        raise UserError(f"{kind} 的模板无法生成正文：{exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"{kind} 的模板不是 UTF-8 编码") from None


def _compose(root: Path, case: Case, kind: str, settings: Settings, *, day: date, to: str | None,
             finding_ids: list[str] | None, clue_id: str | None) -> Composition:
    env = _environment(root)
    base = {"case": case, "settings": settings, "case_date": cn_date(case.date), "cn_number": cn_number,
            "basis": "、".join(case.legal_basis) or "有关规定", "reply_by": cn_date(day + timedelta(days=30))}
    if kind in ("整改通知书", "监督建议书"):
        to, chosen = _select_findings(case, kind, to, finding_ids)
        views = [_finding_view(f, day) for f in chosen]
        title = f"关于限期整改{case.title}中发现问题的通知" if kind == "整改通知书" else f"关于{case.title}的监督建议书"
        markup = env.get_template(f"{kind}.j2").render(**base, findings=views)
        return Composition(kind, case, title, to, markup, settings.copy_to, chosen)
    if kind == "督办通知":
        to, chosen = _select_findings(case, kind, to, finding_ids)
        if len(chosen) != 1 and finding_ids:
            raise UserError("督办通知一事一文：请用 --findings 只指定一个问题")
        finding = chosen[0]
        markup = env.get_template(f"{kind}.j2").render(
            **base, matter=f"{case.title}中发现的问题：{finding.problem.rstrip('。')}",
            requirement=finding.requirement.rstrip("。"), deadline_cn=cn_date(finding.deadline))
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
        markup = env.get_template(f"{kind}.j2").render(**base, clue=clue, clue_date_cn=cn_date(clue.date))
        return Composition(kind, case, f"关于移送{case.title}有关线索的函", to or clue.receiver, markup,
                           settings.copy_to)
    views = [_finding_view(f, day) for f in case.findings]
    markup = env.get_template(f"{kind}.j2").render(
        **base, findings=views, background=markdown_paragraphs(case.background),
        practice=markdown_paragraphs(case.practice), outcome=markdown_paragraphs(case.outcome),
        insight=markdown_paragraphs(case.insight) if case.insight else [])
    addressee = to or settings.report_to
    if not addressee:
        raise UserError("监督报告需要主送机关：请在 organisation.yaml 中设置 report_to，或用 --to 指定")
    return Composition(kind, case, f"关于{case.title}的监督报告", addressee, markup, settings.copy_to)


def render(composition: Composition, settings: Settings, *, number: str, day: date) -> bytes:
    """The .docx bytes; number is the 发文字号 or 草稿 for a draft."""
    document = OfficialDocument(letter=composition.kind in LETTER_KINDS)
    document.masthead(Letterhead(settings.issuer, number, composition.kind in LETTER_KINDS))
    document.title(composition.title)
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
