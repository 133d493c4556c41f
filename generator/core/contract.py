"""The case data contract (docs/case-format.md) as data.

One table drives validation, the JSON Schema and the scaffold, so the three
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

ID_PATTERN = r"^[A-Z]{2,8}-\d{4}-\d{3,4}$"
SUB_ID_PATTERN = r"^[A-Za-z0-9_-]{1,20}$"
MAX_TEXT_CHARS = 20_000
MAX_LIST_ITEMS = 1_000
MAX_UNKNOWN_KEY_WARNINGS = 20
TITLE_MIN, TITLE_MAX = 4, 60

CLASSIFICATIONS = ("公开", "内部")
FINDING_STATUSES = ("待整改", "整改中", "已报告", "已销号")
CLUE_STATUSES = ("已移送", "已受理", "办理中", "已办结")
CLASSIFIED_WORDS = ("绝密", "机密", "秘密", "涉密")
# Words of the `jiandu new` scaffold that are instructions, not content: a case still holding one is refused.
SCAFFOLD_PLACEHOLDERS = ("请填写", "请用一到三句话概括", "请分条填写", "用一句话概括这项做法")


@dataclass(frozen=True)
class Field:
    key: str
    kind: str  # id | str | text | markdown | date | bool | strings | figures | enum | category | mechanisms | findings | clues
    required: bool
    label: str
    description: str
    choices: tuple = ()


CASE_FIELDS: tuple[Field, ...] = (
    Field("id", "id", True, "案例编号", "永久编号：地区代码-年份-序号，如 CZ-2025-003；与文件名一致，全库唯一"),
    Field("title", "str", True, "标题", f"{TITLE_MIN}–{TITLE_MAX} 个字"),
    Field("subtitle", "str", False, "副标题", "用一句话概括做法或规则"),
    Field("date", "date", True, "监督日期", "监督工作开展的日期，格式 YYYY-MM-DD；案例年份取此日期的年份"),
    Field("region", "str", True, "地区", "如 常州市"),
    Field("classification", "enum", True, "密级标识", "公开：可以发布；内部：仅限工作人员。涉密材料不得录入本系统", CLASSIFICATIONS),
    Field("category", "category", True, "监督内容", "取自分类体系的监督内容"),
    Field("mechanisms", "mechanisms", True, "工作机制", "非空列表，取自分类体系的工作机制"),
    Field("supervisors", "strings", True, "监督主体", "非空列表，如 市人大常委会、市委政法委、市人民检察院"),
    Field("supervised", "strings", True, "被监督单位", "非空列表，如 市中级人民法院、市公安局、市司法局"),
    Field("keywords", "strings", False, "关键词", "关键词列表"),
    Field("typical", "bool", False, "典型案例", "true 或 false，默认 false"),
    Field("replicable", "bool", False, "可复制可推广", "true 或 false，默认 false；为 true 时编入年度经验汇编"),
    Field("summary", "text", True, "导语", "一到三句话的要旨"),
    Field("background", "markdown", True, "基本情况", "Markdown 文本"),
    Field("practice", "markdown", True, "主要做法", "Markdown 文本（监督过程）"),
    Field("outcome", "markdown", True, "工作成效", "Markdown 文本"),
    Field("insight", "markdown", False, "经验启示", "Markdown 文本（经验启示/典型意义）"),
    Field("legal_basis", "strings", False, "法律政策依据", "如 《中国共产党政法工作条例》"),
    Field("figures", "figures", False, "统计数字", "名称 → 整数，如 移送线索: 26；在统计中求和"),
    Field("findings", "findings", False, "发现问题", "发现的问题及整改情况列表"),
    Field("clues", "clues", False, "线索移送", "监督主体之间移送的线索列表"),
)

FINDING_FIELDS: tuple[Field, ...] = (
    Field("id", "subid", True, "问题编号", "案例内唯一，如 F1"),
    Field("problem", "text", True, "问题", "发现的问题"),
    Field("unit", "str", True, "整改责任单位", "负责整改的单位"),
    Field("requirement", "text", True, "整改要求", "应当如何整改"),
    Field("deadline", "date", True, "整改期限", "YYYY-MM-DD"),
    Field("status", "enum", True, "整改状态", "待整改 → 整改中 → 已报告 → 已销号", FINDING_STATUSES),
    Field("closed_on", "date", False, "销号日期", "状态为已销号时必填，且仅此时填写；不早于案例日期"),
    Field("reported_on", "date", False, "报告日期", "责任单位书面报告整改情况的日期"),
    Field("evidence", "text", False, "整改材料", "整改佐证材料"),
    Field("cause", "text", False, "原因分析", "问题产生的原因（监督建议书逐项说明）"),
)

CLUE_FIELDS: tuple[Field, ...] = (
    Field("id", "subid", True, "线索编号", "案例内唯一，如 X1"),
    Field("date", "date", True, "移送日期", "YYYY-MM-DD"),
    Field("from", "str", True, "移送单位", "移送线索的监督主体"),
    Field("to", "str", True, "接收单位", "接收线索的单位"),
    Field("summary", "text", True, "线索内容", "移送了什么"),
    Field("status", "enum", True, "办理状态", "已移送 → 已受理 → 办理中 → 已办结", CLUE_STATUSES),
    Field("result", "text", False, "办理结果", "状态为已办结时必填（结果反馈）"),
    Field("closed_on", "date", False, "办结日期", "状态为已办结时必填，且仅此时填写；不早于移送日期"),
)

NESTED_FIELDS = {"findings": FINDING_FIELDS, "clues": CLUE_FIELDS}
