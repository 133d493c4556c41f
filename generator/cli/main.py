"""The `jiandu` command: parse, run one command, turn every expected failure into one Chinese line."""

from __future__ import annotations

import os
import sys

from generator.core.problems import LibraryError, UserError, format_report

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


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
    from generator.cli.parsers import build_parser

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
