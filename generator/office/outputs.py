"""Every --out a library writes: never into the cases, never over the register or an issued document."""

from __future__ import annotations

import hashlib
from pathlib import Path

from generator.core.outputs import write_output
from generator.core.problems import UserError
from generator.core.project import Project
from generator.office.register import HEAD_FILE, REGISTER_FILE, read_entries


def protected_reason(project: Project, path: Path) -> str | None:
    """Why path may never be replaced by an output, even with --force (None: it may, with consent)."""
    target = path.resolve()
    if target in (project.root / REGISTER_FILE, project.root / HEAD_FILE) or target.name in (REGISTER_FILE, HEAD_FILE):
        return "它是文号登记簿"
    if project.cases_dir in target.parents or (target.suffix.lower() in (".yaml", ".yml") and project.root in target.parents):
        return "它是案例文件或案例库的设置文件"
    if target.is_file():
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        issued = next((e for e in read_entries(project.root) if e.sha256 == digest), None)
        if issued is not None:
            return f"它是已印发的文书 {issued.doc_number}"
    return None


def save_output(project: Project, path: Path, data: bytes, *, force: bool = False) -> Path:
    """The one way every --out is written (the manifest rules are in core/outputs.py)."""
    if project.cases_dir.resolve() in Path(path).resolve().parents:
        raise UserError(f"拒绝写入 {path}：它在案例目录 {project.cases_dir} 之内，会被当作案例文件读取；请换一个位置")
    return write_output(path, data, manifest=project.outputs_manifest, force=force,
                        never=lambda target: protected_reason(project, target))
