"""jieba set-up shared by every stage that segments Chinese text.

The cache goes to a per-user directory (jieba's default is the system temp
folder, shared between users), and the project's domain dictionary is loaded
once so that words such as 政法委, 检察建议 and 挂案 stay whole.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import platformdirs

from generator import DATA_DIR

USERDICT = "userdict.txt"


def userdict_path() -> Path:
    return DATA_DIR / USERDICT


def cache_dir() -> Path:
    path = Path(platformdirs.user_cache_dir("jiandu"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@lru_cache(maxsize=1)
def jieba_ready():
    """Return the configured jieba module (imported lazily: it is slow to load)."""
    jieba = import_jieba()
    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = str(cache_dir())
    jieba.load_userdict(str(userdict_path()))
    return jieba



def import_jieba():
    """jieba without pkg_resources: jieba._compat reads its data files through pkg_resources when it can be
    imported (a fifth of a second, and deprecated), else straight from jieba's own folder — the same files."""
    import sys

    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # makes `import pkg_resources` raise ImportError
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba
