"""`jiandu new`: a case file with Chinese comments; `check` refuses it until the placeholders are filled in."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from generator.core.contract import ID_PATTERN
from generator.core.problems import UserError
from generator.core.taxonomy import Taxonomy

TEMPLATE = """\
# 监督案例。带 # 的行是说明，可以删除。全部字段和校验规则见 docs/case-format.md（案例格式），
# 也可以运行 jiandu schema 查看；站内“使用说明 → 如何添加案例”有逐步说明。
# 把“请填写……”等占位文字改写为本案例的内容：留着占位文字，jiandu check 不会通过。
id: {id}                       # 案例编号：地区代码-年份-序号，必须与文件名一致
title: 请填写案例标题            # 4–60 个字
subtitle: 用一句话概括这项做法    # 可选
date: {date}                   # 监督工作开展的日期
region: 请填写地区               # 如 常州市
classification: 内部            # 公开 或 内部；涉密材料不得录入本系统
category: {category}            # 监督内容，可选：{categories}
mechanisms: [{mechanism}]       # 工作机制（可多选）：{mechanisms}
supervisors: [市委政法委]        # 监督主体
supervised: [市公安局]           # 被监督单位
keywords: []                    # 关键词，如 [挂案, 涉企]
typical: false                  # 是否典型案例
replicable: false               # 是否可复制可推广（编入年度经验汇编）
summary: 请用一到三句话概括案例要旨。
background: |
  请填写基本情况：监督的起因、对象和范围。
practice: |
  1. 请分条填写主要做法；
  2. 可以使用 Markdown 的列表和 **加粗**。
outcome: |
  请填写工作成效，尽量写明数字。
insight: |
  请填写经验启示（可选）。
legal_basis: []                 # 法律政策依据，如 [《中国共产党政法工作条例》]
figures: {{}}                   # 统计数字，如 {{移送线索: 26, 办结: 26}}
findings: []                    # 发现的问题，每项含 id problem unit requirement deadline status
#  - id: F1
#    problem: 发现的问题
#    unit: 整改责任单位
#    requirement: 整改要求
#    deadline: {date}
#    status: 待整改             # 待整改 / 整改中 / 已报告 / 已销号（已销号须填 closed_on）
clues: []                       # 移送的线索，每项含 id date from to summary status
"""


def scaffold(case_id: str, cases_dir: Path, taxonomy: Taxonomy, today: date | None = None) -> Path:
    if not re.match(ID_PATTERN.replace("$", r"\Z"), case_id, re.ASCII):
        raise UserError(f"案例编号“{case_id}”格式不对，应为 地区代码-年份-序号，如 CZ-2025-003")
    year = int(case_id.split("-")[1])
    if not 1949 <= year <= 2999:
        raise UserError(f"案例编号“{case_id}”中的年份 {year} 不合理")
    today = today or date.today()
    day = today if today.year == year else date(year, 1, 1)
    existing = [p for p in cases_dir.rglob(f"{case_id}.y*ml")] if cases_dir.is_dir() else []
    if existing:
        raise UserError(f"案例 {case_id} 已存在：{existing[0]}")
    path = cases_dir / str(year) / f"{case_id}.yaml"
    categories, mechanisms = list(taxonomy.categories), list(taxonomy.mechanisms)
    text = TEMPLATE.format(id=case_id, date=day.isoformat(), category=categories[0],
                           categories="、".join(categories), mechanism=mechanisms[0],
                           mechanisms="、".join(mechanisms))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
