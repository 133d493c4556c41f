"""Personal-data detection: checksums, Luhn, masking, the check --pii command."""

import subprocess
import sys

import pytest
from conftest import REPO

from generator.core.pii import find_pii, id_checksum_ok, luhn_ok, mask


@pytest.mark.parametrize("text, kinds", [
    ("身份证11010519491231002X。", ["身份证号"]),
    ("身份证11010519491231002x", ["身份证号"]),
    ("编号110105194912310021", []),                       # wrong check digit
    ("案号（2024）苏0411刑初123456789012号", []),
    ("电话13912345678", ["手机号"]),
    ("电话 139-1234-5678 或 +86 13912345678", ["手机号", "手机号"]),
    ("座机0519-85685023", []),
    ("卡号6222021234567890128", ["银行卡号"]),
    ("卡号6222 0212 3456 7890 128", ["银行卡号"]),
    ("流水号6222021234567890127", []),                    # fails Luhn
    ("邮箱 a.b-c@court.gov.cn", ["电子邮箱"]),
    ("评查案件381件，整改问题26个，2024年", []),
])
def test_find_pii(text, kinds):
    assert [kind for kind, _ in find_pii(text)] == kinds


def test_checksums_and_mask():
    assert id_checksum_ok("11010519491231002X") and not id_checksum_ok("110105194912310021")
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert mask("13912345678") == "139******78"


def test_check_pii_command(library):
    run = lambda: subprocess.run([sys.executable, "-m", "generator.cli", "check", "--pii", "--root", str(library)],
                                 capture_output=True, text=True, cwd=REPO)
    clean = run()
    assert clean.returncode == 0 and "个人信息检查通过" in clean.stdout
    path = library / "cases" / "2025" / "CZ-2025-001.yaml"
    path.write_text(path.read_text("utf-8").replace("企业反映强烈。", "企业反映强烈，联系人13912345678。"), "utf-8")
    dirty = run()
    assert dirty.returncode == 1 and "Traceback" not in dirty.stderr
    assert "cases/2025/CZ-2025-001.yaml，字段 background：疑似手机号“139******78”" in dirty.stderr
