"""The `jiandu` command: a thin shell over the library functions."""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from generator.core.problems import LibraryError, UserError, format_report

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


# argparse's own words, by message id, in Chinese. Used only while the parser runs (see _in_chinese).
_ARGPARSE_CHINESE = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的取值 %(value)r（可选：%(choices)s）",
    "invalid choice: %(value)r, maybe you meant %(closest)r?": "无效的取值 %(value)r，是否想输入 %(closest)r？",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的值（%(type)s）",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "至多只能有一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "选项不接受值 %r",
    "unexpected option string: %s": "无法识别的选项：%s",
}


def _translate(message: str) -> str:
    return _ARGPARSE_CHINESE.get(message, message)


def _translate_plural(singular: str, plural: str, count: int) -> str:
    if singular == "expected %s argument":
        return "需要 %s 个值"
    return singular if count == 1 else plural


@contextmanager
def _in_chinese():
    """argparse looks its messages up through its module's gettext names; answer them in Chinese meanwhile."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _translate, _translate_plural
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


_METAVARS = {"root": "目录", "cases": "目录", "site_dir": "目录", "index_dir": "目录", "as_of": "日期", "date": "日期",
             "out": "文件", "year": "年份", "unit": "单位", "region": "地区", "category": "监督内容",
             "mechanism": "工作机制", "limit": "条数", "to": "单位", "findings": "问题编号", "clue": "线索编号",
             "host": "地址", "port": "端口"}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)

    def _format_action(self, action):
        text = super()._format_action(action)
        if isinstance(action, argparse._SubParsersAction):  # list the commands, not the 命令 placeholder above them
            text = text.split("\n", 1)[1]
        return text


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def add_argument(self, *names, **kwargs):
        dest = kwargs.get("dest") or names[-1].lstrip("-").replace("-", "_")
        if names[0].startswith("-") and "metavar" not in kwargs and dest in _METAVARS \
                and kwargs.get("action") in (None, "store"):
            kwargs["metavar"] = _METAVARS[dest]
        return super().add_argument(*names, **kwargs)

    def format_help(self):
        text = super().format_help()
        for group in self._action_groups:  # section headings end with a full-width colon, as 用法： does
            text = text.replace(f"\n{group.title}:\n", f"\n{group.title}：\n")
        return text

    def parse_known_args(self, args=None, namespace=None):
        with _in_chinese():
            return super().parse_known_args(args, namespace)

    def parse_args(self, args=None, namespace=None):
        with _in_chinese():
            return super().parse_args(args, namespace)

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：参数错误：{message}\n（运行 {self.prog} --help 查看用法）\n")


def _date_arg(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是 YYYY-MM-DD 格式的日期") from None
    if not 1949 <= day.year <= 2999:
        raise argparse.ArgumentTypeError(f"日期“{text}”的年份不合理")
    return day


def _int_arg(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None


def _positive_int(text: str) -> int:
    value = _int_arg(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数（至少 1），而不是 {value}")
    return value


def _add_library_options(parser: argparse.ArgumentParser, cases: bool = True) -> None:
    parser.add_argument("--root", default=".", help="案例库项目目录（含 mkdocs.yml、content/、cases/），默认当前目录")
    if cases:
        parser.add_argument("--cases", default=None, help="案例目录，默认 ROOT/cases")


def _add_force_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true",
                        help="允许覆盖 --out 指定的已有文件（登记簿、案例文件和已印发的文书任何情况下都不覆盖）")


def _add_index_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index-dir", default=None, help="检索索引目录，默认 ROOT/build/index")


def _project(args):
    from generator.core.project import Project

    return Project.at(args.root, getattr(args, "cases", None))


def cmd_check(args) -> int:
    project = _project(args)
    library = project.load()
    if args.pii:
        return _check_pii(project, library)
    errors = [p for p in library.problems if p.is_error]
    if library.problems:
        print(format_report(library.problems), file=sys.stderr if errors else sys.stdout)
    if errors:
        print(f"校验未通过：{len(library.cases)} 件案例有效，请修正上述错误。", file=sys.stderr)
        return 1
    print(f"校验通过：{len(library.cases)} 件案例。")
    return 0


def _check_pii(project, library) -> int:
    from generator.core.pii import load_allow_list, scan_cases

    allowed = load_allow_list(project.root)
    found = scan_cases([c for c in library.cases if c.is_public], allowed)
    published = [p for p in found if p.is_error]
    internal = [p for p in found if not p.is_error]
    internal += [p.as_warning() for p in scan_cases([c for c in library.cases if not c.is_public], allowed)]
    if published or internal:
        print(format_report(published + internal), file=sys.stderr if published else sys.stdout)
    if published:
        print("公开案例中发现疑似个人信息，公开版不会构建。", file=sys.stderr)
        return 1
    print(f"个人信息检查通过：{len(library.cases)} 件案例" + ("（内部案例中有提醒，见上）。" if internal else "。"))
    return 0


def cmd_build(args) -> int:
    from generator.office.bookpdf import can_make_pdf
    from generator.core.edition import edition_named
    from generator.site.build import build_site

    report = build_site(_project(args), as_of=args.as_of, site_dir=args.site_dir, quiet=args.quiet,
                        edition=edition_named(args.edition), book_pdf=not args.no_pdf and can_make_pdf())
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
    from generator.text.analysis import analyse_cases
    from generator.search.whoosh_index import update_index
    from generator.text.segment_cache import SegmentCache

    project = _project(args)
    library = project.load_valid()
    segments = SegmentCache(project.cache_dir)
    report = update_index(_index_dir(args), library.cases, rebuild=args.rebuild, segments=segments,
                          analysis=analyse_cases(library.cases, segments, project.cache_dir))
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
    """Build the index on first use; afterwards `jiandu index` (or `jiandu build`) keeps it current."""
    from generator.text.analysis import analyse_cases
    from generator.search.whoosh_index import META_FILE, update_index
    from generator.text.segment_cache import SegmentCache

    if not (index_dir / META_FILE).is_file():
        print("首次使用，正在建立检索索引……", file=sys.stderr)
        project = _project(args)
        cases, segments = project.load_valid().cases, SegmentCache(project.cache_dir)
        update_index(index_dir, cases, say=lambda m: print(m, file=sys.stderr), segments=segments,
                     analysis=analyse_cases(cases, segments, project.cache_dir))


def cmd_doc(args) -> int:
    from generator.office.documents import compose, kind_named, load_settings, render, to_pdf
    from generator.office.register import issue, safe_file_name

    project = _project(args)
    kind = kind_named(args.kind)
    case = next((c for c in project.load_valid().cases if c.id == args.case_id), None)
    if case is None:
        raise UserError(f"案例 {args.case_id} 不存在（运行 jiandu check 查看全部案例）")
    settings = load_settings(project.root).for_case(case, args.issuer)
    day = args.date or date.today()
    _refuse_pii_addressee(args.to, project.root)
    findings = [f.strip() for f in args.findings.split(",") if f.strip()] if args.findings else None
    composition = compose(project.root, case, kind, settings, day=day, to=args.to, finding_ids=findings,
                          clue_id=args.clue, deadline=args.deadline, formal=not args.draft)
    if args.pdf:
        from generator.office.documents import libreoffice

        libreoffice()  # before a number is taken: a missing LibreOffice must not cost a 文号
    out_dir = project.root / "documents"
    if args.draft:
        out = Path(args.out) if args.out else out_dir / safe_file_name(f"草稿-{kind}-{case.id}-{composition.addressee}.docx")
        # A default name in documents/ is the tool's own output; an explicit --out is protected.
        project.write_output(out, render(composition, settings, number="（草稿）", day=day),
                             force=args.force or not args.out)
        print(f"草稿已生成（未编号、未登记）：{out}")
    else:
        code = settings.codes.get(kind)
        if not code:
            raise UserError(f"organisation.yaml 的 codes 中没有“{kind}”的机关代字")
        entry, out = issue(project.root, code=code, year=day.year, kind=kind, case=case.id,
                           addressee=composition.addressee, day=day.isoformat(),
                           render=lambda number: render(composition, settings, number=number, day=day),
                           out=Path(args.out) if args.out else None, out_dir=out_dir,
                           say=lambda message: print(f"[提示] {message}", file=sys.stderr))
        print(f"已印发：{entry.doc_number}（{kind}，主送 {entry.addressee}）：{out}\n已登记到 register.jsonl")
    if args.pdf:
        print(f"PDF：{to_pdf(out)}")
    return 0


def _refuse_pii_addressee(to: str | None, root: Path) -> None:
    """--to is recorded in the register and shown on case pages: no personal data in it."""
    from generator.core.pii import load_allow_list, scan_text

    problems = [p for p in scan_text(to or "", "--to", "主送", load_allow_list(root)) if p.is_error]
    if problems:
        raise UserError(f"--to 的内容中有{problems[0].message.split('：')[0]}：主送单位会写入登记簿并显示在案例页面上，"
                        "不能含有个人信息")


def cmd_verify(args) -> int:
    from generator.office.register import find_by_file

    path = Path(args.file)
    if not path.is_file():
        raise UserError(f"文件不存在：{path}")
    entry = find_by_file(_project(args).root, path)
    if entry is None:
        print(f"未通过：{path} 与登记簿中任何已印发文件都不一致（文件被改动过，或从未正式印发）。")
        return 1
    print(f"通过：{path} 正是 {entry.date} 印发的 {entry.doc_number}（{entry.kind}，案例 {entry.case}，主送 {entry.addressee}）。")
    return 0


def cmd_register(args) -> int:
    from generator.office.register import audit, recover

    root = _project(args).root
    if args.action == "repair":
        for message in recover(root, root / "documents"):
            print(message)
    report = audit(root, root / "documents")
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
    from generator.core.enrich import RED, open_by_unit
    from generator.text.textwidth import table

    as_of = args.as_of or date.today()
    groups = open_by_unit(_project(args).load_valid().cases, as_of, args.unit)
    if not groups:
        print(f"截至 {as_of}，{args.unit or '各单位'}没有待整改或整改中的问题。")
        return 0
    total = sum(len(states) for states in groups.values())
    red = sum(1 for states in groups.values() for s in states if s.flag == RED)
    print(f"截至 {as_of}：{len(groups)} 个单位共 {total} 个问题尚未完成整改，其中红色（超期 30 天以上）{red} 个。\n")
    for unit, states in groups.items():
        print(f"【{unit}】{len(states)} 个")
        rows = [[s.flag or "", s.case.id, s.finding.id, s.finding.problem, str(s.finding.deadline), s.status_text]
                for s in states]
        print(table(["标识", "案例", "问题", "内容", "整改期限", "状态"], rows) + "\n")
    return 1 if args.fail_on_overdue and red else 0


def cmd_ledger(args) -> int:
    from generator.office.ledger import rows, write
    from generator.office.register import entries_by_case

    project = _project(args)
    as_of = args.as_of or date.today()
    ledger = rows(project.load_valid().cases, as_of, issued=entries_by_case(project.root), year=args.year,
                  unit=args.unit)
    scope = "".join(filter(None, [f"{args.year}年" if args.year else "", args.unit or ""]))
    title = f"{scope}整改落实跟踪台账"
    out = Path(args.out)
    fmt = args.format or out.suffix.lstrip(".").lower()
    if fmt not in ("xlsx", "docx") or (args.format and out.suffix.lower() not in ("", f".{fmt}")):
        raise UserError(f"输出文件 {out} 的扩展名与格式不符：请用 .xlsx 或 .docx（或用 --format 指定）")
    write(ledger, out, fmt, title, as_of, save=lambda path, data: project.write_output(path, data, force=args.force))
    print(f"{title}已生成：{out}（{len(ledger)} 项，统计截至 {as_of}）")
    return 0


def cmd_stats(args) -> int:
    from generator.core.stats import compute, percent

    project = _project(args)
    library = project.load_valid()
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
    from generator.office.compilation import compile_book, select
    from generator.office.documents import load_settings, to_pdf
    from generator.core.edition import edition_named
    from generator.core.pii import load_allow_list

    project = _project(args)
    settings = load_settings(project.root)
    library = project.load_valid()
    edition = edition_named(args.edition)
    chosen = select(library.cases, args.year, edition, args.typical)
    if not chosen:
        raise UserError(f"{args.year} 年没有可编入汇编的案例（标为可复制可推广的案例{'，或典型案例' if args.typical else ''}"
                        f"{'，且为公开案例' if edition.is_public else ''}）")
    title = settings.compilation_title.format(year=args.year)
    data = compile_book(library.cases, year=args.year, title=title, issuer=settings.issuer,
                        day=args.date or date.today(), area_order=list(library.taxonomy.categories), edition=edition,
                        include_typical=args.typical, allowed_pii=load_allow_list(project.root))
    suffix = "" if edition.is_public else "（内部）"
    out = Path(args.out) if args.out else project.root / "documents" / f"{title}{suffix}.docx"
    project.write_output(out, data, force=args.force or not args.out)
    print(f"《{title}》已生成：{out}（{len(chosen)} 件案例，{'公开版' if edition.is_public else '内部版'}）")
    if args.pdf:
        print(f"PDF：{to_pdf(out)}")
    return 0


def cmd_schema(args) -> int:
    from generator.core.schema import schema_json

    project = _project(args)
    text = schema_json(project.taxonomy())
    if args.out:
        out = project.write_output(Path(args.out), text.encode("utf-8"), force=args.force)
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jiandu", description="监督案例库：校验案例、生成可检索的静态网站。")
    commands = parser.add_subparsers(dest="command", title="命令", metavar="命令", parser_class=_Parser)

    check = commands.add_parser("check", help="校验全部案例文件，一次列出所有问题",
                                description="校验全部案例文件，一次列出所有问题；有错误时以非零状态退出。")
    _add_library_options(check)
    check.add_argument("--pii", action="store_true",
                       help="只检查个人信息（身份证号、手机号、银行卡号、电子邮箱）；公开案例中有则以非零状态退出")
    check.set_defaults(func=cmd_check)

    build = commands.add_parser("build", help="生成静态网站（site/）",
                                description="校验案例并生成静态网站。构建失败时原有网站保持不变。")
    _add_library_options(build)
    build.add_argument("--site-dir", type=Path, default=None, help="网站输出目录，默认 ROOT/site")
    build.add_argument("--as-of", type=_date_arg, default=None, help="判断整改是否超期的参照日期，默认今天")
    build.add_argument("--edition", choices=["internal", "public"], default="internal",
                       help="internal：内部版（默认，全部案例，每页标注“内部资料”），输出到 site/；"
                            "public：公开版（只含公开案例，先做个人信息检查），输出到 site-public/")
    build.add_argument("-q", "--quiet", action="store_true", help="安静模式：只输出错误和最终结果（适合 CI）")
    build.add_argument("--no-pdf", action="store_true",
                       help="不用 LibreOffice 排版年度汇编（默认：装有 LibreOffice 时为汇编生成页码和 PDF 下载）")
    build.add_argument("--timings", action="store_true", help="在标准错误输出各阶段用时（秒，JSON），供性能测试使用")
    build.set_defaults(func=cmd_build)

    serve = commands.add_parser("serve", help="本机预览网站，案例修改后自动重新构建",
                                description="构建网站并在本机提供预览；案例或页面修改后自动重新构建。")
    _add_library_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="监听地址，默认 127.0.0.1")
    serve.add_argument("--port", type=_int_arg, default=8000, help="端口，默认 8000")
    serve.add_argument("--as-of", type=_date_arg, default=None, help="判断整改是否超期的参照日期，默认今天")
    serve.set_defaults(func=cmd_serve)

    schema = commands.add_parser("schema", help="输出案例格式的 JSON Schema（供编辑器提示和校验）",
                                 description="输出案例格式的 JSON Schema，供 yaml-language-server 等编辑器插件使用。\n"
                                             "字段、写法和全部校验提示见 docs/case-format.md。")
    _add_library_options(schema)
    schema.add_argument("--out", default=None, help="写入文件；默认输出到标准输出")
    _add_force_option(schema)
    schema.set_defaults(func=cmd_schema)

    index = commands.add_parser("index", help="建立或更新检索索引（只重新分析有改动的案例）",
                                description="建立或增量更新 Whoosh 检索索引；索引损坏或版本不符时自动重建。")
    _add_library_options(index)
    _add_index_option(index)
    index.add_argument("--rebuild", action="store_true", help="丢弃现有索引，全部重建")
    index.set_defaults(func=cmd_index)

    search = commands.add_parser("search", help="全文检索案例（中文分词，按相关度排序）",
                                 description="全文检索案例：所有检索词都须出现；繁体、全角输入自动转换。\n"
                                             "例：jiandu search 检察建议 --region 淮安市 --year 2024")
    _add_library_options(search)
    _add_index_option(search)
    search.add_argument("query", nargs="+", help="检索词，如 挂案、人民检察院 检察建议")
    search.add_argument("--in", dest="scope", choices=["title", "keywords", "summary", "body"],
                        help="只在某一部分中检索：title 标题，keywords 关键词，summary 导语，body 正文")
    search.add_argument("--category", help="监督内容，如 办案效率")
    search.add_argument("--mechanism", help="工作机制，如 线索移送")
    search.add_argument("--year", type=_int_arg, help="年份，如 2025")
    search.add_argument("--region", help="地区，如 常州市")
    search.add_argument("--unit", help="被监督单位或整改责任单位，如 市公安局")
    search.add_argument("--typical", action="store_true", help="只看典型案例")
    search.add_argument("--replicable", action="store_true", help="只看可复制可推广的案例")
    search.add_argument("--limit", type=_positive_int, default=10, help="最多显示几条，默认 10")
    search.add_argument("--json", action="store_true", help="以 JSON 输出")
    search.set_defaults(func=cmd_search)

    similar = commands.add_parser("similar", help="查找与某案例相似的案例，并说明共同关键词",
                                  description="按关键词相似度查找相似案例，列出共同关键词作为理由。")
    _add_library_options(similar)
    _add_index_option(similar)
    similar.add_argument("id", help="案例编号，如 JMS-2024-002")
    similar.add_argument("--limit", type=_positive_int, default=5, help="最多显示几条，默认 5")
    similar.add_argument("--json", action="store_true", help="以 JSON 输出")
    similar.set_defaults(func=cmd_similar)

    doc = commands.add_parser("doc", help="按案例生成公文（整改通知书、监督建议书、督办通知、线索移送函、监督报告）",
                              description="按 GB/T 9704-2012 生成公文 .docx。正式印发时从登记簿取下一个文号并登记；"
                                          "--draft 生成不编号、不登记的草稿。\n"
                                          "文种：rectification 整改通知书、recommendation 监督建议书、supervision 督办通知、"
                                          "referral 线索移送函、report 监督报告（中文名称也可以）。")
    _add_library_options(doc)
    doc.add_argument("kind", help="文种，如 rectification 或 整改通知书")
    doc.add_argument("case_id", metavar="CASE-ID", help="案例编号，如 CZ-2026-001")
    doc.add_argument("--to", help="主送单位（默认：唯一有未完成整改问题的单位、线索接收单位或 report_to）")
    doc.add_argument("--findings", help="只列出这些问题，如 F1,F2")
    doc.add_argument("--clue", help="线索移送函所依据的线索编号，如 X1")
    doc.add_argument("--date", type=_date_arg, help="成文日期，默认今天")
    doc.add_argument("--deadline", type=_date_arg, help="新的整改（办结）期限，须晚于成文日期")
    doc.add_argument("--issuer", help="发文机关（organisation.yaml 中的 issuer；默认按案例选择）")
    doc.add_argument("--out", help="输出文件，默认 documents/文号-文种-案例.docx")
    doc.add_argument("--draft", action="store_true", help="草稿：标注“（草稿）”，不编号、不登记")
    doc.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 生成 PDF")
    _add_force_option(doc)
    doc.set_defaults(func=cmd_doc)

    verify = commands.add_parser("verify", help="核对一个 .docx 是否正是登记簿中某个文号印发的文件",
                                 description="计算文件的 SHA-256，与登记簿比对。")
    _add_library_options(verify, cases=False)
    verify.add_argument("file", help=".docx 文件")
    verify.set_defaults(func=cmd_verify)

    register = commands.add_parser("register", help="登记簿操作：check 校验，repair 处理中断的印发",
                                   description="check：校验登记簿的哈希链、文号是否唯一且连续、register.head 锚点及其 git 历史，"
                                               "并与 documents/ 中的文书核对。\nrepair：补登或移出印发中断时留下的文书，然后校验。")
    _add_library_options(register, cases=False)
    register.add_argument("action", choices=["check", "repair"], help="check：校验整本登记簿；repair：处理中断的印发后校验")
    register.set_defaults(func=cmd_register)

    alerts = commands.add_parser("alerts", help="超期整改预警：按责任单位列出未完成整改的问题",
                                 description="按责任单位列出待整改、整改中的问题，超期最久的在前；"
                                             "蓝：7 天内到期，黄：超期 30 天以内，红：超期 30 天以上。")
    _add_library_options(alerts)
    alerts.add_argument("--as-of", type=_date_arg, help="参照日期，默认今天")
    alerts.add_argument("--unit", help="只看这个责任单位")
    alerts.add_argument("--fail-on-overdue", action="store_true", help="有红色（超期 30 天以上）问题时以非零状态退出（用于定时任务）")
    alerts.set_defaults(func=cmd_alerts)

    ledger = commands.add_parser("ledger", help="生成整改落实跟踪台账（.xlsx 或 .docx）",
                                 description="每个问题一行：序号、案例、来源文书及文号、问题、整改要求、责任单位、整改期限、状态、销号日期、标识。")
    _add_library_options(ledger)
    ledger.add_argument("--year", type=_int_arg, help="只含该年的案例")
    ledger.add_argument("--unit", help="只含该责任单位")
    ledger.add_argument("--as-of", type=_date_arg, help="参照日期，默认今天")
    ledger.add_argument("--format", choices=["xlsx", "docx"], default=None, help="xlsx 或 docx（横向）；默认按 --out 的扩展名")
    ledger.add_argument("--out", required=True, help="输出文件")
    _add_force_option(ledger)
    ledger.set_defaults(func=cmd_ledger)

    stats = commands.add_parser("stats", help="统计：案例、整改完成率和按期率、线索办结、数字合计",
                                description="按年份、地区或单位统计，并给出可直接用于年度报告的表述。")
    _add_library_options(stats)
    stats.add_argument("--year", type=_int_arg, help="年份")
    stats.add_argument("--region", help="地区")
    stats.add_argument("--unit", help="单位")
    stats.add_argument("--as-of", type=_date_arg, help="参照日期，默认今天")
    stats.add_argument("--json", action="store_true", help="以 JSON 输出")
    stats.set_defaults(func=cmd_stats)

    compile_ = commands.add_parser("compile", help="生成年度可复制可推广经验汇编（.docx，可同时生成 PDF）",
                                   description="收录该年标为可复制可推广的案例，按监督内容分类编排：封面、目录（Word 目录域）、"
                                               "前言（数字取自案例数据）、各案例。公开版只含公开案例，并先做个人信息检查。")
    _add_library_options(compile_)
    compile_.add_argument("year", type=_int_arg, help="年份，如 2024")
    compile_.add_argument("--edition", choices=["internal", "public"], default="internal",
                          help="internal：内部版（默认，全部案例）；public：公开版（只含公开案例）")
    compile_.add_argument("--typical", action="store_true", help="同时收录该年的全部典型案例")
    compile_.add_argument("--date", type=_date_arg, help="封面日期，默认今天")
    compile_.add_argument("--out", help="输出文件，默认 documents/标题.docx")
    compile_.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 生成 PDF")
    _add_force_option(compile_)
    compile_.set_defaults(func=cmd_compile)

    new = commands.add_parser("new", help="生成一个带中文注释的新案例文件",
                              description="按编号生成一个可以直接通过校验的案例模板，放在 cases/年份/ 下。")
    _add_library_options(new)
    new.add_argument("id", help="案例编号，如 CZ-2026-005")
    new.set_defaults(func=cmd_new)
    return parser


def _os_error_text(exc: OSError) -> str:
    """One Chinese line naming the file, also for shutil.Error (a list of (source, target, reason))."""
    import errno
    import shutil

    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        failures = exc.args[0]
        source, target, why = (list(failures[0]) + ["", "", ""])[:3]
        more = f"（另有 {len(failures) - 1} 个文件也失败）" if len(failures) > 1 else ""
        why = "磁盘空间不足" if "Errno 28" in str(why) or "No space left" in str(why) else why
        return f"复制文件失败：{target or source}：{why}{more}"
    reason = "磁盘空间不足" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    where = f"：{exc.filename}" if exc.filename else ""
    return f"文件操作失败（{reason}）{where}"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except LibraryError as exc:
        print(format_report(exc.problems), file=sys.stderr)
        print("案例校验未通过，未生成任何输出（原有输出保持不变）。", file=sys.stderr)
        return 1
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"错误：{_os_error_text(exc)}；原有输出保持不变", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断，原有输出保持不变。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
