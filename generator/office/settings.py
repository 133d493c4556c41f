"""The issuing bodies (发文机关) from organisation.yaml: the default body and those chosen by the case."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from generator import PACKAGE_DIR
from generator.core.load import parse_settings_yaml
from generator.core.model import Case
from generator.core.problems import UserError

SETTINGS_FILE = "organisation.yaml"


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
        return next((body for body in self.bodies if _body_matches(case, body.match)), self)


def _body_matches(case: Case, match: tuple) -> bool:
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
    """The default issuing body of root/organisation.yaml with its further bodies; UserError naming each problem."""
    path = root / SETTINGS_FILE
    data = _read_settings(path)
    bodies = data.pop("bodies", None) or []
    values, problems = _body_values(data, "", {})
    problems += _title_problems(data.get("compilation_title", Settings.compilation_title))
    inherited = {key: values[key] for key in ("reply_days", "compilation_title") if key in values}
    others, body_problems = _further_bodies(bodies, inherited)
    problems += body_problems
    if problems:
        raise UserError(f"{path} 设置有误：" + "；".join(problems))
    known = set(Settings.__dataclass_fields__) - {"match", "bodies"}
    unknown = [key for key in data if key not in known and key != "public_edition"]
    if unknown:
        print(f"[警告] {path}：未知设置项 {'、'.join(map(str, unknown))}（可能是拼写错误），已忽略", file=sys.stderr)
    codes = {code: body_values["issuer"] for body_values, _ in others for code in body_values["codes"].values()}
    clash = [code for code in values["codes"].values() if code in codes]
    if clash:
        raise UserError(f"{path} 设置有误：机关代字 {'、'.join(clash)} 被多个发文机关使用（文号会重复）")
    pick = lambda v: {key: value for key, value in v.items() if key in known}  # noqa: E731
    return Settings(**pick(values), bodies=tuple(Settings(**pick(v), match=m) for v, m in others))


def _read_settings(path: Path) -> dict:
    if not path.is_file():
        raise UserError(f"缺少发文机关设置 {path}：可复制 {PACKAGE_DIR / 'data' / 'organisation.example.yaml'} 后修改")
    try:
        data = parse_settings_yaml(path.read_text("utf-8"), str(path)) or {}
    except UnicodeDecodeError:
        raise UserError(f"{path} 不是 UTF-8 编码，无法读取") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}：顶层应为映射（键: 值）")
    return data


def _title_problems(title) -> list[str]:
    """The compilation title names the year and is also a file name."""
    if not isinstance(title, str):
        return []
    problems = []
    if any(brace in title.replace("{year}", "") for brace in "{}"):
        problems.append("compilation_title 中只能使用 {year}")
    elif "{year}" not in title:
        problems.append("compilation_title 中须含 {year}（每年一册，书名各不相同）")
    if any(mark in title for mark in ("/", "\\", "..", "\x00")):
        problems.append("compilation_title 中不能含 /、\\ 或 ..（书名也是文件名）")
    return problems


def _further_bodies(bodies, inherited: dict) -> tuple[list[tuple[dict, tuple]], list[str]]:
    """(values, match) of each body under bodies:, and the problems found in them."""
    if not isinstance(bodies, list):
        return [], ["bodies 应为发文机关列表"]
    others, problems = [], []
    for number, body in enumerate(bodies, 1):
        where = f"bodies 第 {number} 项："
        if not isinstance(body, dict) or not isinstance(body.get("match"), dict) or not body["match"]:
            problems.append(f"{where}应为映射，并用 match 写明适用的案例（如 match: {{region: 淮安市}}）")
            continue
        match = tuple((str(k), v) for k, v in body.pop("match").items())
        body_values, body_problems = _body_values(body, where, inherited)
        problems += body_problems
        others.append((body_values, match))
    return others, problems
