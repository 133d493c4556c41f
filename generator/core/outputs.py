"""User-requested outputs (every --out): written only where this tool may write, recorded in a manifest."""

from __future__ import annotations

import errno
import hashlib
import json
from pathlib import Path
from typing import Callable

from generator.core.problems import UserError
from generator.infra.files import write_file


def _output_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_manifest(manifest: Path) -> dict:
    try:
        data = json.loads(manifest.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_output(path: Path, data: bytes, *, manifest: Path, force: bool = False,
                 never: Callable[[Path], str | None] = lambda path: None) -> Path:
    """Write a user-requested output (every --out). An existing file is replaced only when this tool wrote
    it (its name and content are in the manifest) or with force; never when never(path) gives a reason
    (the register, a case file, an issued document), whatever force says."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} 是一个目录：--out 应为文件名")
    if path.exists() or path.is_symlink():
        reason = never(path)
        if reason:
            raise UserError(f"拒绝写入 {path}：{reason}，任何情况下都不会被覆盖（--force 也不行）；请换一个文件名")
        known = _read_manifest(manifest)
        made_here = path.is_file() and known.get(str(path.resolve())) == _output_digest(path)
        if not made_here and not force:
            raise UserError(f"{path} 已存在，且不是 jiandu 生成的文件（或生成后被改动过）：为避免覆盖，拒绝写入；"
                            f"请换一个文件名，确需覆盖请加 --force")
    try:
        write_file(path, data)
    except OSError as exc:
        reason = "磁盘空间不足" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise UserError(f"无法写入 {path}：{reason}；原有文件（如有）保持不变，没有留下不完整的文件") from None
    known = _read_manifest(manifest)
    known[str(path.resolve())] = hashlib.sha256(data).hexdigest()
    try:
        write_file(manifest, json.dumps(known, ensure_ascii=False, indent=0).encode("utf-8"))
    except OSError:
        pass  # without the record the file is only protected as if it were foreign
    return path
