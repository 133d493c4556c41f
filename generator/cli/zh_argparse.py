"""argparse in Chinese: its own messages, section titles, metavars and error line.

Used only while a ChineseParser parses (in_chinese swaps argparse's gettext names for the call),
so nothing else in the process is affected.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager


# argparse's own words, by message id, in Chinese. Used only while the parser runs (see in_chinese).
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
def in_chinese():
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
             "host": "地址", "port": "端口", "deadline": "日期", "issuer": "发文机关"}


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)

    def _format_action(self, action):
        text = super()._format_action(action)
        if isinstance(action, argparse._SubParsersAction):  # list the commands, not the 命令 placeholder above them
            text = text.split("\n", 1)[1]
        return text


class ChineseParser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
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
        with in_chinese():
            return super().parse_known_args(args, namespace)

    def parse_args(self, args=None, namespace=None):
        with in_chinese():
            return super().parse_args(args, namespace)

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：参数错误：{message}\n（运行 {self.prog} --help 查看用法）\n")
