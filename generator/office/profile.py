"""The GB/T 9704-2012 layout profile: every number of the layout, read from data/layout-gbt9704.yaml."""

from __future__ import annotations

from functools import lru_cache

import yaml

from generator import DATA_DIR

PROFILE_FILE = DATA_DIR / "layout-gbt9704.yaml"


@lru_cache(maxsize=1)
def profile() -> dict:
    """The layout numbers, as {section: {name: value}} (clauses stay in the YAML)."""
    data = yaml.safe_load(PROFILE_FILE.read_text("utf-8"))
    return {section: {name: item["value"] for name, item in items.items()} for section, items in data.items()}
