"""JSON Schema of the case format, for editors with yaml-language-server."""

from __future__ import annotations

import json

from generator.core.contract import (CASE_FIELDS, ID_PATTERN, MAX_TEXT_CHARS, NESTED_FIELDS, SUB_ID_PATTERN, TITLE_MAX,
                       TITLE_MIN, Field)
from generator.core.taxonomy import Taxonomy

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def _field_schema(spec: Field, taxonomy: Taxonomy) -> dict:
    text = {"type": "string", "maxLength": MAX_TEXT_CHARS}
    kinds = {
        "id": {"type": "string", "pattern": ID_PATTERN},
        "subid": {"type": "string", "pattern": SUB_ID_PATTERN},
        "str": dict(text), "text": dict(text), "markdown": dict(text),
        "date": {"type": "string", "pattern": DATE_PATTERN, "format": "date"},
        "bool": {"type": "boolean"},
        "strings": {"type": "array", "items": {"type": "string"}, **({"minItems": 1} if spec.required else {})},
        "enum": {"type": "string", "enum": list(spec.choices)},
        "category": {"type": "string", "enum": list(taxonomy.categories)},
        "mechanisms": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": list(taxonomy.mechanisms)}},
        "figures": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
    }
    if spec.kind in NESTED_FIELDS:
        schema = {"type": "array", "items": _object_schema(NESTED_FIELDS[spec.kind], taxonomy)}
    else:
        schema = dict(kinds[spec.kind])
    if spec.key == "title":
        schema.update(minLength=TITLE_MIN, maxLength=TITLE_MAX)
    schema["title"] = spec.label
    schema["description"] = spec.description
    return schema


def _object_schema(fields: tuple[Field, ...], taxonomy: Taxonomy) -> dict:
    schema = {
        "type": "object",
        "properties": {spec.key: _field_schema(spec, taxonomy) for spec in fields},
        "required": [spec.key for spec in fields if spec.required],
    }
    keys = {spec.key for spec in fields}
    if {"status", "closed_on"} <= keys:
        closing = "已销号" if "problem" in keys else "已办结"
        then_required = ["closed_on"] + (["result"] if closing == "已办结" else [])
        schema["if"] = {"properties": {"status": {"const": closing}}, "required": ["status"]}
        schema["then"] = {"required": then_required}
        schema["else"] = {"not": {"required": ["closed_on"]}}
    return schema


def case_schema(taxonomy: Taxonomy) -> dict:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "监督案例",
        "description": "监督案例库的案例文件格式（每个案例一个 YAML 文件，文件名与编号一致）。"
                       "字段、写法和全部校验提示见案例库中的 docs/case-format.md",
        **_object_schema(CASE_FIELDS, taxonomy),
    }
    return schema


def schema_json(taxonomy: Taxonomy) -> str:
    return json.dumps(case_schema(taxonomy), ensure_ascii=False, indent=2) + "\n"
