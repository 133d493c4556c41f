"""Statistics: counts, rates (zero denominators), report sentences, the stats and alerts commands."""

import json
import os
import subprocess
import sys
from datetime import date

from conftest import REPO, sample_cases

from generator.core.stats import compute, percent, rate

AS_OF = date(2026, 11, 23)


def test_rates_with_zero_denominators():
    assert rate(0, 0) is None and percent(None) == "—"
    assert rate(3, 4) == 0.75 and percent(0.75) == "75.0%"
    empty = compute([], AS_OF)
    assert empty.cases == 0 and empty.completion_rate is None and empty.on_time_rate is None
    assert "整改完成率" not in "".join(empty.sentences())


def test_sample_library_figures():
    stats = compute(sample_cases(), AS_OF)
    assert stats.cases == 17 and stats.findings == 22
    assert stats.findings_by_status == {"待整改": 2, "整改中": 4, "已报告": 3, "已销号": 13}
    assert stats.signed_off == 13 and stats.completion_rate == 13 / 22
    assert stats.overdue == 3 and stats.flags == {"红": 2, "黄": 1, "蓝": 1}
    assert stats.clues_referred == 15 and stats.clues_closed == 11
    assert stats.figures["移送线索"] == sum(c.figures.get("移送线索", 0) for c in sample_cases())


def test_year_scope_and_sentences():
    stats = compute(sample_cases(), AS_OF, year=2024)
    assert stats.scope == "2024年" and stats.cases == 6 and set(stats.by_year) == {2024}
    sentences = "".join(stats.sentences())
    assert f"全年移送线索{stats.clues_referred}条，已办结{stats.clues_closed}条" in sentences


def test_stats_and_alerts_commands(sample_project):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    run = lambda *args: subprocess.run([sys.executable, "-m", "generator.cli", *args], capture_output=True,
                                       text=True, cwd=sample_project, env=env, timeout=120)  # never in the checkout
    data = json.loads(run("stats", "--year", "2024", "--json", "--as-of", "2026-11-23").stdout)
    assert data["cases"] == 6 and data["sentences"]
    table = run("stats", "--year", "2024", "--as-of", "2026-11-23")
    assert table.returncode == 0 and "可用于年度报告的表述" in table.stdout
    alerts = run("alerts", "--as-of", "2026-11-23")
    assert alerts.returncode == 0 and "红" in alerts.stdout and alerts.stdout.index("【市中级人民法院】") < alerts.stdout.index("【市公安局】")
    assert run("alerts", "--as-of", "2026-11-23", "--fail-on-overdue").returncode == 1
    assert run("alerts", "--as-of", "2020-01-01", "--fail-on-overdue").returncode == 0
