"""The command line: exit codes, Chinese messages, no tracebacks."""

import json
import os
import subprocess
import sys

import pytest
from conftest import REPO, fill_scaffold, valid_text

from generator.cli.main import main


@pytest.fixture
def run(sample_project):
    """Run the CLI as a user would, in a copy of the sample library (never in the checkout)."""
    def run(*args, cwd=None):
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(REPO))
        return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd or sample_project, env=env,
                              capture_output=True, text=True, timeout=300)
    return run


def test_check_passes_on_sample_library(run):
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert "校验通过" in result.stdout


def test_check_reports_errors_without_traceback(run, write_case, tmp_path):
    write_case(valid_text().replace("date: 2025-06-26", "date: 2025-02-30"))
    write_case("title: [\n", name="CZ-2025-002.yaml")
    result = run("check", "--root", str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "cases/CZ-2025-001.yaml 第 4 行，字段 date" in result.stderr
    assert "cases/CZ-2025-002.yaml 第 2 行" in result.stderr and "YAML 语法错误" in result.stderr
    assert "共 2 个错误" in result.stderr


def test_build_with_invalid_case_fails_cleanly(run, library):
    (library / "cases" / "bad.yaml").write_text("classification: 绝密\n", "utf-8")
    result = run("build", "--root", str(library), "--quiet")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "涉密材料不得录入本系统" in result.stderr and "原有输出保持不变" in result.stderr
    assert not (library / "site").exists()


def test_schema_describes_the_contract(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert set(schema["required"]) >= {"id", "title", "date", "classification", "category", "findings"} - {"findings"}
    assert schema["properties"]["category"]["enum"] == ["司法公正", "执法规范", "办案效率", "司法改革", "队伍建设"]
    assert schema["properties"]["classification"]["enum"] == ["公开", "内部"]
    finding = schema["properties"]["findings"]["items"]
    assert finding["if"]["properties"]["status"]["const"] == "已销号"
    assert schema["properties"]["title"]["title"] == "标题"


def test_new_scaffold_is_refused_until_filled_in(tmp_path, capsys):
    assert main(["new", "HA-2026-007", "--root", str(tmp_path)]) == 0
    path = tmp_path / "cases" / "2026" / "HA-2026-007.yaml"
    assert path.is_file() and "# 案例编号" in path.read_text("utf-8") and "docs/case-format.md" in path.read_text("utf-8")
    assert main(["check", "--root", str(tmp_path)]) == 1  # placeholders left: refused, each named
    err = capsys.readouterr().err
    assert "字段 title" in err and "字段 region" in err and "占位文字" in err and "请填写案例标题" in err
    fill_scaffold(path)
    assert main(["check", "--root", str(tmp_path)]) == 0
    assert main(["new", "HA-2026-007", "--root", str(tmp_path)]) == 1
    assert "已存在" in capsys.readouterr().err


def test_new_refuses_a_bad_id(tmp_path, capsys):
    assert main(["new", "../../etc/x", "--root", str(tmp_path)]) == 1
    assert "格式不对" in capsys.readouterr().err
    assert not (tmp_path / "cases").exists()


@pytest.mark.parametrize("command", ["check", "build", "serve", "schema", "new"])
def test_every_command_has_chinese_help(run, command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert "用法：" in result.stdout and "用法：用法：" not in result.stdout and "显示本帮助并退出" in result.stdout


def test_unknown_option_gives_chinese_error(run):
    result = run("build", "--no-such-option")
    assert result.returncode == 2 and "参数错误" in result.stderr


def test_file_errors_are_reported_without_traceback(run, tmp_path):
    result = run("schema", "--out", str(tmp_path))
    assert result.returncode == 1 and "Traceback" not in result.stderr and "错误" in result.stderr
    result = run("new", "CZ-0000-001", "--root", str(tmp_path))
    assert result.returncode == 1 and "Traceback" not in result.stderr and "年份" in result.stderr


ENGLISH = __import__("re").compile(r"[A-Za-z]{3,}[ ,]+[A-Za-z]{3,}")
COMMANDS = ["check", "build", "serve", "schema", "index", "search", "similar", "doc", "verify", "register", "alerts",
            "ledger", "stats", "compile", "new"]


@pytest.mark.parametrize("argv", [["bogus"], ["build", "--nope"], ["ledger"], ["build", "--edition", "x"],
                                  ["search", "x", "--limit", "abc"], ["search", "--in"], ["similar"],
                                  ["build", "--as-of", "2026-13-01"], ["compile", "abc"], ["register", "verify"]])
def test_argument_errors_are_chinese(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    message = [line for line in err.splitlines() if "参数错误：" in line]
    assert err.startswith("用法：") and message and not ENGLISH.search(message[0].split("参数错误：")[1]), err


def test_top_level_help_has_one_command_heading_and_full_width_colons(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.count("命令：") == 1 and "\n命令\n" not in out and "  命令\n" not in out
    assert not __import__("re").search(r"^\S[^\n]*:\n", out, __import__("re").M), out
    assert all(command in out for command in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_help_is_chinese_without_raw_yaml(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    headings = [line for line in out.splitlines() if line and not line.startswith(" ") and line.endswith((":", "："))]
    assert headings and all(line.endswith("：") for line in headings), headings
    assert not __import__("re").search(r"\b[a-z_]+: (true|false)\b", out), out
    prose = __import__("re").sub(r"\{[a-z,]+\}", "", out.split("\n\n", 1)[1]).replace("JSON Schema", "")
    prose = __import__("re").sub(r"--?[a-z-]+", "", prose.replace(f"jiandu {command}", ""))  # options, examples
    assert not ENGLISH.search(prose), out


@pytest.mark.parametrize("command", [["register", "check"], ["verify", "x.docx"]])
def test_options_that_do_nothing_are_gone(command, capsys):
    with pytest.raises(SystemExit):
        main(command + ["--cases", "cases"])
    assert "无法识别的参数：--cases" in capsys.readouterr().err


def test_schema_and_its_help_point_at_the_data_contract(capsys):
    assert main(["schema"]) == 0
    assert "docs/case-format.md" in json.loads(capsys.readouterr().out)["description"]
    with pytest.raises(SystemExit):
        main(["schema", "--help"])
    assert "docs/case-format.md" in capsys.readouterr().out
