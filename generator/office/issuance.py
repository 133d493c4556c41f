"""Issuing one document: from a case to a numbered, registered .docx (or an unnumbered draft).

The whole sequence lives here, in order: the issuing body, the case, the addressee's check, the
document's text and rules (compose), then — only when all of that holds — a number from the
register, the .docx rendered with it, and the register entry. A PDF, when asked for, comes last.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Callable

from generator.core.model import Case
from generator.core.problems import UserError
from generator.core.project import Project
from generator.office.documents import Composition, compose, kind_named, render
from generator.office.pdf import libreoffice, to_pdf
from generator.office.register import Entry, record, reserve, safe_file_name
from generator.office.settings import Settings, load_settings
from generator.office.outputs import save_output

DRAFT_NUMBER = "（草稿）"


@dataclass(frozen=True)
class Issued:
    """One issued document (entry is None for a draft). pdf_failure: the document stands, its PDF did not
    come about (the number is taken all the same, so the caller must still learn where the .docx is)."""
    kind: str
    case: str
    addressee: str
    path: Path
    entry: Entry | None
    pdf: Path | None = None
    pdf_failure: Exception | None = None

    @property
    def draft(self) -> bool:
        return self.entry is None


def issue_document(project: Project, kind: str, case_id: str, *, day: date | None = None, to: str | None = None,
                   findings: list[str] | None = None, clue: str | None = None, deadline: date | None = None,
                   issuer: str | None = None, draft: bool = False, out: Path | None = None, force: bool = False,
                   pdf: bool = False, say: Callable[[str], None] = lambda message: None) -> Issued:
    """Issue (or, with draft, only write) one document of kind (English or Chinese name) for a case.

    out: the file to write (default documents/文号-文种-案例.docx, or documents/草稿-….docx);
    force lets a draft replace an earlier output of the tool at out; say receives notes about
    cut-short earlier issuances that were finished or undone first. Raises UserError (in Chinese)
    before any number is taken when anything about the document is wrong."""
    kind = kind_named(kind)
    case = _case_named(project, case_id)
    settings = load_settings(project.root).for_case(case, issuer)
    day = day or date.today()
    refuse_personal_addressee(to, project.root)
    composition = compose(project.root, case, kind, settings, day=day, to=to, finding_ids=findings, clue_id=clue,
                          deadline=deadline, formal=not draft)
    if pdf:
        libreoffice()  # before a number is taken: a missing LibreOffice must not cost a 文号
    if draft:
        issued = Issued(kind, case.id, composition.addressee, _write_draft(project, composition, settings, day, out,
                                                                           force), None)
    else:
        entry, path = _issue_numbered(project, composition, settings, day, out, say)
        issued = Issued(kind, case.id, entry.addressee, path, entry)
    return _with_pdf(issued) if pdf else issued


def _case_named(project: Project, case_id: str) -> Case:
    case = next((c for c in project.load_valid().cases if c.id == case_id), None)
    if case is None:
        raise UserError(f"案例 {case_id} 不存在（运行 jiandu check 查看全部案例）")
    return case


def refuse_personal_addressee(to: str | None, root: Path) -> None:
    """--to is recorded in the register and shown on case pages: no personal data in it."""
    from generator.core.pii import load_allow_list, scan_text

    problems = [p for p in scan_text(to or "", "--to", "主送", load_allow_list(root)) if p.is_error]
    if problems:
        raise UserError(f"--to 的内容中有{problems[0].message.split('：')[0]}：主送单位会写入登记簿并显示在案例页面上，"
                        "不能含有个人信息")


def _write_draft(project: Project, composition: Composition, settings: Settings, day: date, out: Path | None,
                 force: bool) -> Path:
    """Unnumbered and unregistered. A default name in documents/ is the tool's own output; an explicit out is
    protected (replaced only with force, and only when the tool wrote it)."""
    path = out or project.root / "documents" / safe_file_name(
        f"草稿-{composition.kind}-{composition.case.id}-{composition.addressee}.docx")
    save_output(project, path, render(composition, settings, number=DRAFT_NUMBER, day=day), force=force or out is None)
    return path


def _issue_numbered(project: Project, composition: Composition, settings: Settings, day: date, out: Path | None,
                    say: Callable[[str], None]) -> tuple[Entry, Path]:
    code = settings.codes.get(composition.kind)
    if not code:
        raise UserError(f"organisation.yaml 的 codes 中没有“{composition.kind}”的机关代字")
    with reserve(project.root, code=code, year=day.year, kind=composition.kind, case=composition.case.id, out=out,
                 out_dir=project.root / "documents", say=say) as slot:
        data = render(composition, settings, number=slot.doc_number, day=day)
        entry = record(slot, data, addressee=composition.addressee, day=day.isoformat())
    return entry, slot.out


def _with_pdf(issued: Issued) -> Issued:
    try:
        return replace(issued, pdf=to_pdf(issued.path))
    except (UserError, OSError) as exc:
        return replace(issued, pdf_failure=exc)
