"""The README is true: its commands run as written, in a temporary copy of the repository, and its links resolve.

Every line of every ```bash block is run, except the two install/test lines at the top (they install
packages and run this very suite). `jiandu` is this worktree's CLI; `jiandu serve` is started, asked for a
page over HTTP and stopped. After `jiandu new`, the scaffold's placeholders are filled in as a user would.
"""

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import REPO, copy_project, fill_scaffold

README = (REPO / "README.md").read_text("utf-8")
ENGLISH = re.compile(r"[A-Za-z]{3,}[ ,]+[A-Za-z]{3,}")
FLOWS = {"check", "new", "build", "serve", "search", "similar", "doc", "verify", "alerts", "ledger", "stats", "compile"}


def commands() -> list[str]:
    found = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.S):
        for line in block.splitlines():
            command = re.split(r"\s+#", " " + line, maxsplit=1)[0].strip()
            if command:
                found.append(command)
    return found


def test_readme_documents_every_flow():
    used = {shlex.split(command)[1] for command in commands() if command.startswith("jiandu ")}
    assert FLOWS <= used, FLOWS - used
    assert commands()[:2] == ["pip install -c requirements.lock -e . && jiandu build",
                              "bash tools/install-test-deps.sh && python3 -m pytest"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def jiandu(argv: list[str], cwd, **options):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "generator.cli", *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, **options)


def serve_and_probe(argv: list[str], cwd) -> None:
    port = free_port()  # the README's default port (8000) may be taken on a shared machine
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(REPO))
    server = subprocess.Popen([sys.executable, "-m", "generator.cli", *argv, "--port", str(port)], cwd=cwd, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200 and "监督案例库" in response.read().decode("utf-8")
                    return
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "jiandu serve did not answer within 240 s"
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_readme(root, monkeypatch, capsys) -> list[str]:
    """Each command in order, in root: `jiandu …` through the CLI's main() (one process, so the suite stays fast),
    `jiandu serve` as its own process. PDF output is left to the office test below."""
    from generator.cli.main import main

    monkeypatch.chdir(root)
    ran = []
    for command in commands()[2:]:
        argv = shlex.split(command)
        assert argv[0] == "jiandu", f"README command that is not jiandu: {command}"
        argv = [arg for arg in argv[1:] if arg != "--pdf"]
        if argv[0] == "serve":
            serve_and_probe(argv, root)
        else:
            code = main(argv)
            out, err = capsys.readouterr()
            assert code == 0, (command, out, err)
            said = re.sub(r"jiandu [a-z]+", "", (out + err).replace(str(root), ""))  # paths and command names
            english = [line for line in said.splitlines() if ENGLISH.search(line) and not line.startswith(("{", " ", "["))]
            assert not english, (command, english)  # everything a user reads is Chinese
        if argv[0] == "new":
            fill_scaffold(root / "cases" / argv[1].split("-")[1] / f"{argv[1]}.yaml")
        ran.append(command)
    return ran


def test_readme_commands_run_as_written(tmp_path, monkeypatch, capsys):
    root = copy_project(tmp_path / "clone")
    ran = run_readme(root, monkeypatch, capsys)
    assert len(ran) == len(commands()) - 2
    assert (root / "site" / "index.html").is_file() and (root / "台账.xlsx").is_file()
    assert (root / "整改通知书.docx").is_file() and (root / "cases" / "2026" / "CZ-2026-005.yaml").is_file()


@pytest.mark.office
def test_readme_pdf_commands_run_as_written(tmp_path):
    root = copy_project(tmp_path / "clone")
    with_pdf = [shlex.split(command)[1:] for command in commands() if "--pdf" in shlex.split(command)]
    assert len(with_pdf) >= 2
    for argv in with_pdf:
        result = jiandu(argv, root)
        assert result.returncode == 0 and "PDF：" in result.stdout, (argv, result.stdout, result.stderr)
    assert (root / "整改通知书.pdf").is_file()


LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("document", ["README.md", *sorted(p.relative_to(REPO).as_posix()
                                                         for p in (REPO / "docs").rglob("*.md"))])
def test_relative_links_resolve_inside_the_repository(document):
    path = REPO / document
    broken = []
    for target in LINK.findall(path.read_text("utf-8")):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        resolved = (path.parent / target.split("#")[0]).resolve()
        if not resolved.exists() or REPO.resolve() not in resolved.parents:
            broken.append(target)
    assert not broken, f"{document}: {broken}"
