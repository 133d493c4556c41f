"""The taxonomy: allowed 监督内容 (categories) and 工作机制 (mechanisms).

Defaults ship with the package; a library may add values in its own
taxonomy.yaml. Defaults cannot be removed: other people's case files use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


from generator import DATA_DIR
from generator.core.problems import UserError

TAXONOMY_FILE = "taxonomy.yaml"


@dataclass(frozen=True)
class Taxonomy:
    categories: dict[str, str]
    mechanisms: dict[str, str]


def _entries(data: object, key: str, source: str) -> dict[str, str]:
    if data is not None and not isinstance(data, dict):
        raise UserError(f"{source}：顶层应为映射，包含 categories 和 mechanisms 两个列表")
    items = (data or {}).get(key, [])
    if not isinstance(items, list):
        raise UserError(f"{source}：{key} 应为列表")
    entries: dict[str, str] = {}
    for index, item in enumerate(items):
        if isinstance(item, str):
            entries[item] = ""
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            entries[item["name"]] = str(item.get("description", ""))
        else:
            raise UserError(f"{source}：{key}[{index}] 应为名称字符串或含 name 的映射")
    return entries


def _parse_taxonomy(text: str, source: str) -> object:
    from generator.core.load import parse_settings_yaml

    return parse_settings_yaml(text, source)


def load_taxonomy(library_root: Path | None = None) -> Taxonomy:
    default_text = (DATA_DIR / TAXONOMY_FILE).read_text("utf-8")
    default = _parse_taxonomy(default_text, "内置分类体系")
    categories = _entries(default, "categories", "内置分类体系")
    mechanisms = _entries(default, "mechanisms", "内置分类体系")
    if library_root is not None:
        custom_path = library_root / TAXONOMY_FILE
        if custom_path.is_file():
            try:
                custom_text = custom_path.read_text("utf-8")
            except UnicodeDecodeError:
                raise UserError(f"{custom_path}：文件不是 UTF-8 编码") from None
            custom = _parse_taxonomy(custom_text, str(custom_path))
            for name, text in _entries(custom, "categories", str(custom_path)).items():
                categories[name] = text or categories.get(name, "")
            for name, text in _entries(custom, "mechanisms", str(custom_path)).items():
                mechanisms[name] = text or mechanisms.get(name, "")
    return Taxonomy(categories=categories, mechanisms=mechanisms)
