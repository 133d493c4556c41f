"""The `jiandu` command line: one small function per command adds its subcommand and options."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from generator.cli import commands
from generator.cli.zh_argparse import ChineseParser


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(prog="jiandu", description="监督案例库：校验案例、生成可检索的静态网站。")
    sub = parser.add_subparsers(dest="command", title="命令", metavar="命令", parser_class=ChineseParser)
    for add in (_add_check, _add_build, _add_serve, _add_schema, _add_index, _add_search, _add_similar, _add_doc,
                _add_verify, _add_register, _add_alerts, _add_ledger, _add_stats, _add_compile, _add_new):
        add(sub)
    return parser


def date_value(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是 YYYY-MM-DD 格式的日期") from None
    if not 1949 <= day.year <= 2999:
        raise argparse.ArgumentTypeError(f"日期“{text}”的年份不合理")
    return day


def int_value(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None


def positive_int(text: str) -> int:
    value = int_value(text)
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


def _add_check(sub) -> None:

    check = sub.add_parser("check", help="校验全部案例文件，一次列出所有问题",
                                description="校验全部案例文件，一次列出所有问题；有错误时以非零状态退出。")
    _add_library_options(check)
    check.add_argument("--pii", action="store_true",
                       help="只检查个人信息（身份证号、手机号、银行卡号、电子邮箱）；公开案例中有则以非零状态退出")
    check.set_defaults(func=commands.cmd_check)


def _add_build(sub) -> None:
    build = sub.add_parser("build", help="生成静态网站（site/）",
                                description="校验案例并生成静态网站。构建失败时原有网站保持不变。")
    _add_library_options(build)
    build.add_argument("--site-dir", type=Path, default=None, help="网站输出目录，默认 ROOT/site")
    build.add_argument("--as-of", type=date_value, default=None, help="判断整改是否超期的参照日期，默认今天")
    build.add_argument("--edition", choices=["internal", "public"], default="internal",
                       help="internal：内部版（默认，全部案例，每页标注“内部资料”），输出到 site/；"
                            "public：公开版（只含公开案例，先做个人信息检查），输出到 site-public/")
    build.add_argument("-q", "--quiet", action="store_true", help="安静模式：只输出错误和最终结果（适合 CI）")
    build.add_argument("--pdf", action="store_true",
                       help="用 LibreOffice 排版年度汇编：目录填好页码，并提供 PDF 下载（较慢：1 万件案例约 2 分钟；"
                            "之后只重排有改动的年份）")
    build.add_argument("--no-pdf", action="store_true", help=argparse.SUPPRESS)  # the default since 2026-12
    build.add_argument("--timings", action="store_true", help="在标准错误输出各阶段用时（秒，JSON），供性能测试使用")
    build.set_defaults(func=commands.cmd_build)


def _add_serve(sub) -> None:
    serve = sub.add_parser("serve", help="本机预览网站，案例修改后自动重新构建",
                                description="构建网站并在本机提供预览；案例或页面修改后自动重新构建。")
    _add_library_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="监听地址，默认 127.0.0.1")
    serve.add_argument("--port", type=int_value, default=8000, help="端口，默认 8000")
    serve.add_argument("--as-of", type=date_value, default=None, help="判断整改是否超期的参照日期，默认今天")
    serve.set_defaults(func=commands.cmd_serve)


def _add_schema(sub) -> None:
    schema = sub.add_parser("schema", help="输出案例格式的 JSON Schema（供编辑器提示和校验）",
                                 description="输出案例格式的 JSON Schema，供 yaml-language-server 等编辑器插件使用。\n"
                                             "字段、写法和全部校验提示见 docs/case-format.md。")
    _add_library_options(schema)
    schema.add_argument("--out", default=None, help="写入文件；默认输出到标准输出")
    _add_force_option(schema)
    schema.set_defaults(func=commands.cmd_schema)


def _add_index(sub) -> None:
    index = sub.add_parser("index", help="建立或更新检索索引（只重新分析有改动的案例）",
                                description="建立或增量更新 Whoosh 检索索引；索引损坏或版本不符时自动重建。")
    _add_library_options(index)
    _add_index_option(index)
    index.add_argument("--rebuild", action="store_true", help="丢弃现有索引，全部重建")
    index.set_defaults(func=commands.cmd_index)


def _add_search(sub) -> None:
    search = sub.add_parser("search", help="全文检索案例（中文分词，按相关度排序）",
                                 description="全文检索案例：所有检索词都须出现；繁体、全角输入自动转换。\n"
                                             "例：jiandu search 检察建议 --region 淮安市 --year 2024")
    _add_library_options(search)
    _add_index_option(search)
    search.add_argument("query", nargs="+", help="检索词，如 挂案、人民检察院 检察建议")
    search.add_argument("--in", dest="scope", choices=["title", "keywords", "summary", "body"],
                        help="只在某一部分中检索：title 标题，keywords 关键词，summary 导语，body 正文")
    search.add_argument("--category", help="监督内容，如 办案效率")
    search.add_argument("--mechanism", help="工作机制，如 线索移送")
    search.add_argument("--year", type=int_value, help="年份，如 2025")
    search.add_argument("--region", help="地区，如 常州市")
    search.add_argument("--unit", help="被监督单位或整改责任单位，如 市公安局")
    search.add_argument("--typical", action="store_true", help="只看典型案例")
    search.add_argument("--replicable", action="store_true", help="只看可复制可推广的案例")
    search.add_argument("--limit", type=positive_int, default=10, help="最多显示几条，默认 10")
    search.add_argument("--json", action="store_true", help="以 JSON 输出")
    search.set_defaults(func=commands.cmd_search)


def _add_similar(sub) -> None:
    similar = sub.add_parser("similar", help="查找与某案例相似的案例，并说明共同关键词",
                                  description="按关键词相似度查找相似案例，列出共同关键词作为理由。")
    _add_library_options(similar)
    _add_index_option(similar)
    similar.add_argument("id", help="案例编号，如 JMS-2024-002")
    similar.add_argument("--limit", type=positive_int, default=5, help="最多显示几条，默认 5")
    similar.add_argument("--json", action="store_true", help="以 JSON 输出")
    similar.set_defaults(func=commands.cmd_similar)


def _add_doc(sub) -> None:
    doc = sub.add_parser("doc", help="按案例生成公文（整改通知书、监督建议书、督办通知、线索移送函、监督报告）",
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
    doc.add_argument("--date", type=date_value, help="成文日期，默认今天")
    doc.add_argument("--deadline", type=date_value, help="新的整改（办结）期限，须晚于成文日期")
    doc.add_argument("--issuer", help="发文机关（organisation.yaml 中的 issuer；默认按案例选择）")
    doc.add_argument("--out", help="输出文件，默认 documents/文号-文种-案例.docx")
    doc.add_argument("--draft", action="store_true", help="草稿：标注“（草稿）”，不编号、不登记")
    doc.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 生成 PDF")
    _add_force_option(doc)
    doc.set_defaults(func=commands.cmd_doc)


def _add_verify(sub) -> None:
    verify = sub.add_parser("verify", help="核对一个 .docx 是否正是登记簿中某个文号印发的文件",
                                 description="计算文件的 SHA-256，与登记簿比对。")
    _add_library_options(verify, cases=False)
    verify.add_argument("file", help=".docx 文件")
    verify.set_defaults(func=commands.cmd_verify)


def _add_register(sub) -> None:
    register = sub.add_parser("register", help="登记簿操作：check 校验，repair 处理中断的印发",
                                   description="check：校验登记簿的哈希链、文号是否唯一且连续、register.head 锚点及其 git 历史，"
                                               "并与 documents/ 中的文书核对。\nrepair：补登或移出印发中断时留下的文书，然后校验。")
    _add_library_options(register, cases=False)
    register.add_argument("action", choices=["check", "repair"], help="check：校验整本登记簿；repair：处理中断的印发后校验")
    register.set_defaults(func=commands.cmd_register)


def _add_alerts(sub) -> None:
    alerts = sub.add_parser("alerts", help="超期整改预警：按责任单位列出未完成整改的问题",
                                 description="按责任单位列出待整改、整改中的问题，超期最久的在前；"
                                             "蓝：7 天内到期，黄：超期 30 天以内，红：超期 30 天以上。")
    _add_library_options(alerts)
    alerts.add_argument("--as-of", type=date_value, help="参照日期，默认今天")
    alerts.add_argument("--unit", help="只看这个责任单位")
    alerts.add_argument("--fail-on-overdue", action="store_true", help="有红色（超期 30 天以上）问题时以非零状态退出（用于定时任务）")
    alerts.set_defaults(func=commands.cmd_alerts)


def _add_ledger(sub) -> None:
    ledger = sub.add_parser("ledger", help="生成整改落实跟踪台账（.xlsx 或 .docx）",
                                 description="每个问题一行：序号、案例、来源文书及文号、问题、整改要求、责任单位、整改期限、状态、销号日期、标识。")
    _add_library_options(ledger)
    ledger.add_argument("--year", type=int_value, help="只含该年的案例")
    ledger.add_argument("--unit", help="只含该责任单位")
    ledger.add_argument("--as-of", type=date_value, help="参照日期，默认今天")
    ledger.add_argument("--format", choices=["xlsx", "docx"], default=None, help="xlsx 或 docx（横向）；默认按 --out 的扩展名")
    ledger.add_argument("--out", required=True, help="输出文件")
    _add_force_option(ledger)
    ledger.set_defaults(func=commands.cmd_ledger)


def _add_stats(sub) -> None:
    stats = sub.add_parser("stats", help="统计：案例、整改完成率和按期率、线索办结、数字合计",
                                description="按年份、地区或单位统计，并给出可直接用于年度报告的表述。")
    _add_library_options(stats)
    stats.add_argument("--year", type=int_value, help="年份")
    stats.add_argument("--region", help="地区")
    stats.add_argument("--unit", help="单位")
    stats.add_argument("--as-of", type=date_value, help="参照日期，默认今天")
    stats.add_argument("--json", action="store_true", help="以 JSON 输出")
    stats.set_defaults(func=commands.cmd_stats)


def _add_compile(sub) -> None:
    compile_ = sub.add_parser("compile", help="生成年度可复制可推广经验汇编（.docx，可同时生成 PDF）",
                                   description="收录该年标为可复制可推广的案例，按监督内容分类编排：封面、目录（Word 目录域）、"
                                               "前言（数字取自案例数据）、各案例。公开版只含公开案例，并先做个人信息检查。")
    _add_library_options(compile_)
    compile_.add_argument("year", type=int_value, help="年份，如 2024")
    compile_.add_argument("--edition", choices=["internal", "public"], default="internal",
                          help="internal：内部版（默认，全部案例）；public：公开版（只含公开案例）")
    compile_.add_argument("--typical", action="store_true", help="同时收录该年的全部典型案例")
    compile_.add_argument("--date", type=date_value, help="封面日期，默认今天")
    compile_.add_argument("--out", help="输出文件，默认 documents/标题.docx")
    compile_.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 生成 PDF")
    _add_force_option(compile_)
    compile_.set_defaults(func=commands.cmd_compile)


def _add_new(sub) -> None:
    new = sub.add_parser("new", help="生成一个带中文注释的新案例文件",
                              description="按编号生成一个可以直接通过校验的案例模板，放在 cases/年份/ 下。")
    _add_library_options(new)
    new.add_argument("id", help="案例编号，如 CZ-2026-005")
    new.set_defaults(func=commands.cmd_new)

