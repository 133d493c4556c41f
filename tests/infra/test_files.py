"""files: the portable lock. On Windows there is no fcntl; every command must work there.

The commands run in subprocesses where `import fcntl` fails and `msvcrt` is a stand-in built on this
machine's record locks, so the Windows code path (msvcrt.locking) is what takes every lock.
"""

import os
import subprocess
import sys
import textwrap

from conftest import REPO, copy_project

WINDOWS_LIKE = textwrap.dedent("""\
    import fcntl as _posix, sys, types
    import asyncio, concurrent.futures, getpass, multiprocessing, subprocess  # these decide "Windows?" by msvcrt
    msvcrt = types.ModuleType("msvcrt")
    msvcrt.LK_UNLCK, msvcrt.LK_LOCK, msvcrt.LK_NBLCK = 0, 1, 2
    def locking(fd, mode, nbytes):
        if mode == msvcrt.LK_UNLCK:
            _posix.lockf(fd, _posix.LOCK_UN, nbytes, 0, 1)
            return
        try:
            _posix.lockf(fd, _posix.LOCK_EX | _posix.LOCK_NB, nbytes, 0, 1)
        except OSError:
            raise PermissionError(13, "locked") from None
    msvcrt.locking = locking
    sys.modules["msvcrt"] = msvcrt
    sys.modules["fcntl"] = None  # `import fcntl` now raises ImportError, as on Windows
    import whoosh.util.filelock as _whoosh_lock  # Whoosh chooses its lock by os.name: give it its Windows one
    _whoosh_lock.FileLock = _whoosh_lock.MsvcrtLock
    """)


def windows_like(code: str, cwd, timeout=300):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-c", WINDOWS_LIKE + textwrap.dedent(code)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_fcntl_is_not_imported_at_module_level(tmp_path):
    result = windows_like("""\
        import importlib, pkgutil, generator
        for module in pkgutil.iter_modules(generator.__path__):
            importlib.import_module("generator." + module.name)
        print("ok")
        """, tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_commands_run_without_fcntl(tmp_path):
    root = copy_project(tmp_path / "project")
    commands = [["check"], ["schema", "--out", "build/case.schema.json"],
                ["build", "--quiet", "--as-of", "2026-11-23"], ["index"], ["search", "挂案"],
                ["similar", "JMS-2024-002"], ["alerts", "--as-of", "2026-11-23"],
                ["ledger", "--as-of", "2026-11-23", "--out", "台账.xlsx"], ["stats", "--year", "2024", "--as-of", "2026-11-23"],
                ["doc", "rectification", "CZ-2026-001", "--to", "市市场监督管理局", "--date", "2026-05-12", "--out", "通知.docx"],
                ["verify", "通知.docx"], ["register", "check"], ["compile", "2024", "--date", "2026-01-10", "--out", "汇编.docx"],
                ["new", "CZ-2026-009"]]
    result = windows_like(f"""\
        from generator.cli.main import main
        for argv in {commands!r}:
            code = main(argv + ["--root", "."])
            print("EXIT", argv[0], code, flush=True)
        """, root)
    assert "Traceback" not in result.stderr, result.stderr
    exits = [line.split()[1:] for line in result.stdout.splitlines() if line.startswith("EXIT ")]
    assert exits == [[argv[0], "0"] for argv in commands], (result.stdout, result.stderr)
    assert (root / "site" / "index.html").is_file() and (root / "通知.docx").is_file()
    assert (root / "cases" / "2026" / "CZ-2026-009.yaml").is_file()


def test_the_windows_lock_makes_a_second_holder_wait(tmp_path):
    lock, told = tmp_path / "x.lock", tmp_path / "told"
    holder = subprocess.Popen([sys.executable, "-c", WINDOWS_LIKE + textwrap.dedent(f"""\
        import time
        from pathlib import Path
        from generator.infra.files import exclusive
        with exclusive(Path({str(lock)!r}), print, ""):
            print("held", flush=True)
            deadline = time.monotonic() + 60
            while not Path({str(told)!r}).exists() and time.monotonic() < deadline:
                time.sleep(0.05)  # keep the lock until the second process says it is waiting
        """)], cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        waiter = windows_like(f"""\
            from pathlib import Path
            from generator.infra.files import exclusive
            def say(message):
                print(message, flush=True)
                Path({str(told)!r}).touch()
            with exclusive(Path({str(lock)!r}), say, "等待"):
                print("got it")
            """, tmp_path, timeout=90)
        assert waiter.stdout.split() == ["等待", "got", "it"], waiter.stderr
    finally:
        holder.wait(timeout=90)


def test_the_replaced_folder_can_be_left_to_the_caller(tmp_path, monkeypatch):
    """discard receives the previous folder instead of it being deleted: exchanged into new's path, or (without
    an exchange) moved aside; either way the target holds the new content."""
    from generator.infra import files

    for exchange in (True, False):
        target, new = tmp_path / f"site{exchange}", tmp_path / f".site{exchange}.tmp-1"
        target.mkdir()
        (target / "v").write_text("old")
        new.mkdir()
        (new / "v").write_text("new")
        if not exchange:
            monkeypatch.setattr(files, "exchange_paths", lambda a, b: False)
        discarded = []
        files.replace_dir(new, target, discard=discarded.append)
        assert (target / "v").read_text() == "new"
        assert len(discarded) == 1 and (discarded[0] / "v").read_text() == "old"
