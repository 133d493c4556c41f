"""cli/parsers.py: every command has its subparser and its function in cli/commands.py; option types in Chinese."""

import argparse

import pytest

from generator.cli import commands
from generator.cli.parsers import build_parser, date_value, int_value, positive_int

COMMANDS = ["check", "build", "serve", "schema", "index", "search", "similar", "doc", "verify", "register", "alerts",
            "ledger", "stats", "compile", "new"]


def test_every_command_runs_its_function_in_commands():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(subparsers.choices) == COMMANDS
    for name, sub in subparsers.choices.items():
        assert sub.get_default("func") is getattr(commands, f"cmd_{name}")


def test_doc_options_reach_the_command():
    args = build_parser().parse_args(["doc", "整改通知书", "CZ-2026-001", "--to", "市司法局", "--findings", "F1,F2",
                                      "--date", "2026-11-23", "--deadline", "2026-12-31", "--draft"])
    assert (args.kind, args.case_id, args.to, args.findings, args.draft) == ("整改通知书", "CZ-2026-001", "市司法局",
                                                                             "F1,F2", True)
    assert str(args.date) == "2026-11-23" and str(args.deadline) == "2026-12-31" and args.root == "."


@pytest.mark.parametrize("convert, text, message", [
    (date_value, "2026-13-01", "YYYY-MM-DD"), (date_value, "1900-01-01", "年份不合理"),
    (int_value, "x", "不是整数"), (positive_int, "0", "正整数"),
])
def test_option_types_explain_in_chinese(convert, text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        convert(text)


def test_build_lays_books_out_only_when_asked():
    parser = build_parser()
    assert parser.parse_args(["build"]).pdf is False
    assert parser.parse_args(["build", "--pdf"]).pdf is True
    assert parser.parse_args(["build", "--no-pdf"]).pdf is False  # the old switch still parses: it is the default
    assert "--no-pdf" not in parser._subparsers._group_actions[0].choices["build"].format_help()
