"""`jiandu serve`: build, serve site/ on this machine, rebuild when sources change."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from datetime import date
from pathlib import Path

from generator.core.problems import LibraryError, UserError, format_report
from generator.core.project import Project
from generator.site.build import build_site


def _snapshot(paths: list[Path]) -> dict[str, float]:
    stamps: dict[str, float] = {}
    for base in paths:
        if base.is_file():
            stamps[str(base)] = base.stat().st_mtime
        elif base.is_dir():
            for path in base.rglob("*"):
                if path.is_file():
                    stamps[str(path)] = path.stat().st_mtime
    return stamps


def _rebuild(project: Project, as_of: date | None) -> None:
    try:
        report = build_site(project, as_of=as_of, quiet=True)
        print(f"已重新构建（{report.cases} 件案例，用时 {report.seconds:.1f} 秒）")
    except LibraryError as exc:
        print(format_report(exc.problems))
        print("校验未通过，继续提供上一次成功构建的网站。")
    except UserError as exc:
        print(f"错误：{exc}")
    except OSError as exc:
        print(f"错误：文件操作失败（{exc.strerror or exc}），继续提供上一次成功构建的网站。")


def serve(project: Project, host: str = "127.0.0.1", port: int = 8000, as_of: date | None = None) -> int:
    build_site(project, as_of=as_of)
    watched = [project.cases_dir, project.content_dir, project.config_file, project.root / "taxonomy.yaml"]
    handler = functools.partial(_QuietHandler, directory=str(project.site_dir))
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise UserError(f"无法在 {host}:{port} 上启动预览服务：{exc.strerror}") from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"预览地址：http://{host}:{port}/  （修改案例后自动重新构建，按 Ctrl+C 退出）")
    before = _snapshot(watched)
    try:
        while True:
            time.sleep(1)
            now = _snapshot(watched)
            if now != before:
                before = now
                _rebuild(project, as_of)
    finally:
        server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass
