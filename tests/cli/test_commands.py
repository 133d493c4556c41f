"""cli/commands.py: each command prints what its library function returns (in process, through main)."""

from conftest import jiandu_in_process

from generator.core.problems import UserError
from generator.office import issuance


def test_doc_reports_the_issued_number_before_a_failed_pdf(office, monkeypatch):
    def broken(docx):
        raise UserError("LibreOffice 转换失败：测试")

    monkeypatch.setattr(issuance, "libreoffice", lambda: "soffice")
    monkeypatch.setattr(issuance, "to_pdf", broken)
    result = jiandu_in_process("doc", "rectification", "CZ-2026-001", "--to", "市市场监督管理局", "--date", "2026-11-23",
                               "--deadline", "2026-12-31", "--pdf", "--root", str(office))
    assert result.returncode == 1
    assert result.stdout.startswith("已印发：常政法监〔2026〕1号（整改通知书，主送 市市场监督管理局）：")
    assert "已登记到 register.jsonl" in result.stdout and "PDF：" not in result.stdout
    assert result.stderr == "错误：LibreOffice 转换失败：测试\n"


def test_doc_prints_the_pdf_it_made(office, monkeypatch):
    monkeypatch.setattr(issuance, "libreoffice", lambda: "soffice")
    monkeypatch.setattr(issuance, "to_pdf", lambda docx: docx.with_suffix(".pdf"))
    result = jiandu_in_process("doc", "report", "JMS-2024-002", "--date", "2024-10-20", "--draft", "--pdf",
                               "--root", str(office))
    assert result.returncode == 0, result.stderr
    draft, pdf = result.stdout.splitlines()
    assert draft.startswith("草稿已生成（未编号、未登记）：") and draft.endswith(".docx")
    assert pdf == "PDF：" + draft.split("：", 1)[1].removesuffix(".docx") + ".pdf"


def test_register_repair_prints_what_it_moved_aside(office):
    run = lambda *args: jiandu_in_process(*args, "--root", str(office))  # noqa: E731
    assert run("doc", "rectification", "CZ-2026-001", "--to", "市市场监督管理局", "--date", "2026-11-23",
               "--deadline", "2026-12-31").returncode == 0
    stray = office / "documents" / "常政法监〔2026〕2号-整改通知书-CZ-2026-001.docx"
    stray.write_bytes(b"left by an older version")
    assert run("register", "check").returncode == 1
    repaired = run("register", "repair")
    assert repaired.returncode == 0 and repaired.stdout.startswith(f"{stray.name} 带有文号 常政法监〔2026〕2号 却未登记")
    assert "登记簿完整：1 条记录" in repaired.stdout


def test_alerts_counts_come_from_the_library(office):
    result = jiandu_in_process("alerts", "--as-of", "2026-11-23", "--fail-on-overdue", "--root", str(office))
    first = result.stdout.splitlines()[0]
    assert first.startswith("截至 2026-11-23：") and "其中红色（超期 30 天以上）" in first
    red = int(first.rsplit("）", 1)[1].removesuffix(" 个。"))
    assert result.returncode == (1 if red else 0) and result.stdout.count("【") >= 1
