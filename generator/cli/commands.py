"""Each `jiandu` command: call one library function, print its result (stdout, or stderr for problems).

Library modules are imported inside the commands, so `jiandu --help` and a quick command start fast.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from generator.core.problems import format_report
from generator.office.outputs import save_output


def _project(args):
    from generator.core.project import Project

    return Project.at(args.root, getattr(args, "cases", None))


def _note(message: str) -> None:
    print(f"[提示] {message}", file=sys.stderr)


def _out(args) -> Path | None:
    return Path(args.out) if args.out else None


def _print_pdf(made) -> None:
    """The PDF line of doc or compile; a failed conversion is reported (by main) after the document's own line."""
    if made.pdf_failure is not None:
        raise made.pdf_failure
    if made.pdf is not None:
        print(f"PDF：{made.pdf}")


def cmd_check(args) -> int:
    if args.pii:
        return _check_pii(args)
    library = _project(args).load_library()
    errors = [p for p in library.problems if p.is_error]
    if library.problems:
        print(format_report(library.problems), file=sys.stderr if errors else sys.stdout)
    if errors:
        print(f"校验未通过：{len(library.cases)} 件案例有效，请修正上述错误。", file=sys.stderr)
        return 1
    print(f"校验通过：{len(library.cases)} 件案例。")
    return 0


def _check_pii(args) -> int:
    from generator.core.pii import scan_library

    project = _project(args)
    library = project.load_library()
    published, internal = scan_library(project.root, library.cases)
    if published or internal:
        print(format_report(published + internal), file=sys.stderr if published else sys.stdout)
    if published:
        print("公开案例中发现疑似个人信息，公开版不会构建。", file=sys.stderr)
        return 1
    print(f"个人信息检查通过：{len(library.cases)} 件案例" + ("（内部案例中有提醒，见上）。" if internal else "。"))
    return 0


def cmd_build(args) -> int:
    from generator.core.edition import edition_named
    from generator.office.bookpdf import can_make_pdf
    from generator.site.build import build_site

    if args.pdf and not can_make_pdf():
        print("未安装 LibreOffice 或 pdftotext：年度汇编只生成 .docx（目录页码在 Word 或 WPS 中更新域后显示）。")
    report = build_site(_project(args), as_of=args.as_of, site_dir=args.site_dir, quiet=args.quiet,
                        edition=edition_named(args.edition), book_pdf=args.pdf and can_make_pdf())
    if report.warnings and not args.quiet:
        print(format_report(report.warnings))
    print(f"网站已生成：{report.site_dir}（{report.cases} 件案例，{report.pages} 个页面，"
          f"本次重新生成 {report.rendered} 个文件，用时 {report.seconds:.1f} 秒）")
    if args.timings:
        print(json.dumps({name: round(seconds, 3) for name, seconds in report.timings.items()}, ensure_ascii=False),
              file=sys.stderr)
    return 0


def cmd_serve(args) -> int:
    from generator.site.serve import serve

    return serve(_project(args), host=args.host, port=args.port, as_of=args.as_of)


def _index_dir(args) -> Path:
    return Path(args.index_dir) if args.index_dir else _project(args).index_dir


def cmd_index(args) -> int:
    from generator.search.library_index import index_library

    report = index_library(_project(args), _index_dir(args), rebuild=args.rebuild)
    if report.rebuilt:
        print(f"检索索引已重建：{report.total} 件案例（{_index_dir(args)}）")
    else:
        print(f"检索索引已更新：新增 {report.added}，更新 {report.updated}，删除 {report.removed}，共 {report.total} 件案例")
    return 0


def _filters(args):
    from generator.search.whoosh_index import Filters

    return Filters(category=args.category, mechanism=args.mechanism, year=args.year, region=args.region,
                   unit=args.unit, typical=args.typical, replicable=args.replicable)


def cmd_search(args) -> int:
    from generator.search.queryplan import load_synonyms
    from generator.search.whoosh_index import search
    from generator.text.textwidth import table

    index_dir = _index_dir(args)
    _ensure_index(args, index_dir)
    hits = search(index_dir, " ".join(args.query), filters=_filters(args), scope=args.scope, limit=args.limit,
                  synonyms=load_synonyms(_project(args).cases_dir))
    if args.json:
        print(json.dumps([hit.__dict__ for hit in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("没有找到符合条件的案例。")
        return 0
    rows = [[str(h.rank), h.id, h.title, h.date or h.year, h.region, h.category, f"{h.score:.2f}"] for h in hits]
    notes = {i: (f"〔缺少：{'、'.join(hits[i].missing)}〕" if hits[i].missing else "") + hits[i].snippet
             for i in range(len(hits))}
    print(table(["名次", "编号", "标题", "日期", "地区", "监督内容", "得分"], rows, notes=notes))
    return 0


def cmd_similar(args) -> int:
    from generator.search.whoosh_index import similar
    from generator.text.textwidth import table

    index_dir = _index_dir(args)
    _ensure_index(args, index_dir)
    found = similar(index_dir, args.id, limit=args.limit)
    if args.json:
        print(json.dumps([{"id": s.id, "title": s.title, "score": s.score, "shared": s.shared,
                           "classification": s.classification} for s in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print(f"没有找到与 {args.id} 相似的案例。")
        return 0
    print(table(["编号", "标题", "共同关键词"], [[s.id, s.title, "、".join(s.shared)] for s in found]))
    return 0


def _ensure_index(args, index_dir: Path) -> None:
    from generator.search.library_index import ensure_current_index

    ensure_current_index(_project(args), index_dir, say=lambda message: print(message, file=sys.stderr))


def cmd_doc(args) -> int:
    from generator.office.issuance import issue_document

    findings = [f.strip() for f in args.findings.split(",") if f.strip()] if args.findings else None
    issued = issue_document(_project(args), args.kind, args.case_id, day=args.date, to=args.to, findings=findings,
                            clue=args.clue, deadline=args.deadline, issuer=args.issuer, draft=args.draft,
                            out=_out(args), force=args.force, pdf=args.pdf, say=_note)
    if issued.draft:
        print(f"草稿已生成（未编号、未登记）：{issued.path}")
    else:
        print(f"已印发：{issued.entry.doc_number}（{issued.kind}，主送 {issued.entry.addressee}）：{issued.path}\n"
              "已登记到 register.jsonl")
    _print_pdf(issued)
    return 0


def cmd_verify(args) -> int:
    from generator.office.register import find_by_file

    path = Path(args.file)
    entry = find_by_file(_project(args).root, path)
    if entry is None:
        print(f"未通过：{path} 与登记簿中任何已印发文件都不一致（文件被改动过，或从未正式印发）。")
        return 1
    print(f"通过：{path} 正是 {entry.date} 印发的 {entry.doc_number}（{entry.kind}，案例 {entry.case}，主送 {entry.addressee}）。")
    return 0


def cmd_register(args) -> int:
    from generator.office.register import check_register

    report = check_register(_project(args).root, repair=args.action == "repair")
    for message in report.repaired:
        print(message)
    for note in report.notes:
        print(f"[提示] {note}")
    if report.errors:
        print(f"登记簿校验未通过（共 {report.count} 条记录，{len(report.errors)} 个问题）：", file=sys.stderr)
        for problem in report.errors:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"登记簿完整：{report.count} 条记录，哈希链连续，文号唯一且连续，与 register.head 一致。")
    return 0


def cmd_alerts(args) -> int:
    from generator.core.enrich import overdue_alerts
    from generator.text.textwidth import table

    as_of = args.as_of or date.today()
    alerts = overdue_alerts(_project(args).load_valid().cases, as_of, args.unit)
    if not alerts.groups:
        print(f"截至 {as_of}，{args.unit or '各单位'}没有待整改或整改中的问题。")
        return 0
    print(f"截至 {as_of}：{len(alerts.groups)} 个单位共 {alerts.total} 个问题尚未完成整改，"
          f"其中红色（超期 30 天以上）{alerts.red} 个。\n")
    for unit, states in alerts.groups.items():
        print(f"【{unit}】{len(states)} 个")
        rows = [[s.flag or "", s.case.id, s.finding.id, s.finding.problem, str(s.finding.deadline), s.status_text]
                for s in states]
        print(table(["标识", "案例", "问题", "内容", "整改期限", "状态"], rows) + "\n")
    return 1 if args.fail_on_overdue and alerts.red else 0


def cmd_ledger(args) -> int:
    from generator.office.ledger import export_ledger

    made = export_ledger(_project(args), Path(args.out), fmt=args.format, year=args.year, unit=args.unit,
                         as_of=args.as_of, force=args.force)
    print(f"{made.title}已生成：{made.path}（{made.rows} 项，统计截至 {made.as_of}）")
    return 0


def cmd_stats(args) -> int:
    from generator.core.stats import compute, percent

    library = _project(args).load_valid()
    as_of = args.as_of or date.today()
    stats = compute(library.cases, as_of, year=args.year, region=args.region, unit=args.unit,
                    area_order=list(library.taxonomy.categories))
    if args.json:
        print(json.dumps(stats.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"{stats.scope}统计（截至 {as_of}）\n")
    sections = [("按监督内容", stats.by_area), ("按工作机制", stats.by_mechanism), ("按地区", stats.by_region),
                ("按被监督单位", stats.by_unit), ("问题整改状态", stats.findings_by_status)]
    for title, counts in sections:
        print(f"{title}：" + ("，".join(f"{k} {v}" for k, v in counts.items()) or "无"))
    print(f"整改完成率：{percent(stats.completion_rate)}（已销号 {stats.signed_off}/{stats.findings}）；"
          f"按期率：{percent(stats.on_time_rate)}（按期 {stats.signed_off_on_time}/{stats.signed_off}）；超期 {stats.overdue}")
    print(f"线索：移送 {stats.clues_referred}，办结 {stats.clues_closed}（有结果反馈 {stats.clues_with_feedback}）")
    if stats.figures:
        print("数字合计：" + "，".join(f"{k} {v}" for k, v in stats.figures.items()))
    print("\n可用于年度报告的表述：")
    for sentence in stats.sentences():
        print(f"  {sentence}")
    return 0


def cmd_compile(args) -> int:
    from generator.office.compilation import compile_year

    book = compile_year(_project(args), args.year, edition=args.edition, typical=args.typical, day=args.date,
                        out=_out(args), force=args.force, pdf=args.pdf)
    print(f"《{book.title}》已生成：{book.path}（{book.cases} 件案例，{'公开版' if book.public else '内部版'}）")
    _print_pdf(book)
    return 0


def cmd_schema(args) -> int:
    from generator.core.schema import schema_json

    project = _project(args)
    text = schema_json(project.taxonomy())
    if args.out:
        out = save_output(project, Path(args.out), text.encode("utf-8"), force=args.force)
        print(f"JSON Schema 已写入 {out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_new(args) -> int:
    from generator.core.scaffold import scaffold

    project = _project(args)
    path = scaffold(args.id, project.cases_dir, project.taxonomy())
    print(f"已生成案例文件：{path}\n填写后运行 jiandu check 校验。")
    return 0
