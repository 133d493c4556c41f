"""cli/zh_argparse.py: argparse speaks Chinese while it parses, and only then."""

import argparse

import pytest

from generator.cli.zh_argparse import ChineseParser, in_chinese


def test_errors_and_help_are_chinese(capsys):
    parser = ChineseParser(prog="jiandu")
    parser.add_argument("--year", type=int)
    with pytest.raises(SystemExit) as caught:
        parser.parse_args(["--bogus"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "用法：" in err and "无法识别的参数：--bogus" in err and "jiandu --help" in err
    text = parser.format_help()
    assert "选项：" in text and "显示本帮助并退出" in text and "show this help" not in text


def test_metavars_are_chinese():
    parser = ChineseParser(prog="jiandu")
    parser.add_argument("--as-of")
    parser.add_argument("--deadline")
    assert "--as-of 日期" in parser.format_help() and "--deadline 日期" in parser.format_help()


def test_argparse_is_itself_again_after_parsing():
    saved = argparse._
    with in_chinese():
        assert argparse._("options") == "选项"
    assert argparse._ is saved and argparse._("options") == "options"
