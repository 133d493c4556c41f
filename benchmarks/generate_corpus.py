"""Generate N valid, varied case files for benchmarks.

    python benchmarks/generate_corpus.py 10000 /tmp/corpus     # writes /tmp/corpus/cases/YEAR/ID.yaml

Sentences are drawn from the bundled sample library (so the text is real
Chinese in the domain's vocabulary) and recombined with random regions,
units, mechanisms, dates, findings and clues; a fixed seed makes the corpus
reproducible.
"""

from __future__ import annotations

import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.core.taxonomy import load_taxonomy  # noqa: E402
from generator.core.validate import load_cases  # noqa: E402

REGIONS = {"CZ": "常州市", "YC": "宜春市", "HA": "淮安市", "JMS": "佳木斯市", "NJ": "南京市", "SZ": "苏州市",
           "WX": "无锡市", "NC": "南昌市", "HEB": "哈尔滨市", "QQHR": "齐齐哈尔市", "XZ": "徐州市", "YZ": "扬州市"}
UNITS = ["市中级人民法院", "市人民检察院", "市公安局", "市司法局", "市监狱", "市市场监督管理局", "区人民法院",
         "县公安局", "市看守所", "市自然资源局", "市生态环境局", "市人力资源和社会保障局"]
SUPERVISORS = ["市人大常委会", "市委政法委", "市人民检察院"]
FINDING_STATUSES = ["待整改", "整改中", "已报告", "已销号"]
CLUE_STATUSES = ["已移送", "已受理", "办理中", "已办结"]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。！？；])", re.sub(r"^\s*(\d+\.|[-*])\s*", "", text, flags=re.M))
            if len(s.strip()) > 8]


def sentence_pool(cases) -> dict[str, list[str]]:
    pool: dict[str, list[str]] = {"background": [], "practice": [], "outcome": [], "insight": [], "summary": []}
    for case in cases:
        for name in pool:
            pool[name].extend(_sentences(getattr(case, name)))
    return pool


def make_case(index: int, rng: random.Random, pool, sample, counters: dict, years=(2021, 2022, 2023, 2024, 2025, 2026),
              replicable_share: float = 0.3) -> dict:
    code = rng.choice(list(REGIONS))
    year = rng.choice(list(years))
    counters[(code, year)] = counters.get((code, year), 0) + 1
    day = date(year, 1, 1) + timedelta(days=rng.randrange(0, 300))
    model = rng.choice(sample)
    supervised = rng.sample(UNITS, rng.randint(1, 3))
    case = {
        "id": f"{code}-{year}-{counters[(code, year)]:04d}",
        "title": (model.title[:40] + f"（{REGIONS[code]}第{index}号）")[:60],
        "subtitle": rng.choice(pool["summary"])[:50],
        "date": day.isoformat(),
        "region": REGIONS[code],
        "classification": "内部" if rng.random() < 0.15 else "公开",
        "category": model.category,
        "mechanisms": rng.sample(list(model.mechanisms) + ["信息共享", "工作互动"], 2),
        "supervisors": rng.sample(SUPERVISORS, rng.randint(1, 2)),
        "supervised": supervised,
        "keywords": rng.sample(list(model.keywords) + ["执法监督", "检察建议", "整改销号"], 3),
        "typical": rng.random() < 0.2,
        "replicable": rng.random() < replicable_share,
        "summary": "".join(rng.sample(pool["summary"], 2))[:300],
    }
    for name, count in (("background", 4), ("practice", 6), ("outcome", 3), ("insight", 2)):
        sentences = rng.sample(pool[name], min(count, len(pool[name])))
        case[name] = "\n".join(f"{i}. {s}" for i, s in enumerate(sentences, 1)) if name == "practice" else "".join(sentences)
    case["figures"] = {"评查案件": rng.randint(5, 400), "整改问题": rng.randint(0, 30), "移送线索": rng.randint(0, 40)}
    case["findings"] = [_finding(i, day, rng, supervised) for i in range(1, rng.randint(0, 4) + 1)]
    case["clues"] = [_clue(i, day, rng) for i in range(1, rng.randint(0, 3) + 1)]
    return case


def _finding(number: int, day: date, rng: random.Random, units: list[str]) -> dict:
    status = rng.choice(FINDING_STATUSES)
    deadline = day + timedelta(days=rng.randint(20, 200))
    finding = {"id": f"F{number}", "problem": f"发现执法办案不规范问题第{number}项", "unit": rng.choice(units),
               "requirement": "限期整改并书面报告整改情况", "deadline": deadline.isoformat(), "status": status}
    if status in ("已报告", "已销号"):
        finding["reported_on"] = (deadline - timedelta(days=rng.randint(-10, 20))).isoformat()
    if status == "已销号":
        finding["closed_on"] = (deadline + timedelta(days=rng.randint(-5, 30))).isoformat()
    return finding


def _clue(number: int, day: date, rng: random.Random) -> dict:
    status = rng.choice(CLUE_STATUSES)
    sent = day + timedelta(days=rng.randint(0, 60))
    clue = {"id": f"X{number}", "date": sent.isoformat(), "from": "市委政法委", "to": "市人民检察院",
            "summary": "执法瑕疵线索", "status": status}
    if status == "已办结":
        clue.update(result="已督促纠正并书面反馈", closed_on=(sent + timedelta(days=rng.randint(5, 90))).isoformat())
    return clue


def generate(count: int, root: Path, seed: int = 7, years=(2021, 2022, 2023, 2024, 2025, 2026),
             replicable_share: float = 0.3) -> Path:
    repo = Path(__file__).resolve().parent.parent
    sample, _ = load_cases(repo / "cases", load_taxonomy(repo))  # no cache: nothing is written into the repository
    pool = sentence_pool(sample)
    rng = random.Random(seed)
    counters: dict = {}
    return write_cases((make_case(index, rng, pool, sample, counters, years, replicable_share)
                        for index in range(1, count + 1)), root)


def write_cases(cases, root: Path) -> Path:
    """Write generated case mappings as ROOT/cases/<year>/<id>.yaml; returns the cases folder."""
    cases_dir = root / "cases"
    for case in cases:
        path = cases_dir / case["date"][:4] / f"{case['id']}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False, width=1000), "utf-8")
    return cases_dir


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("用法：python benchmarks/generate_corpus.py 数量 输出目录")
    print(f"已生成 {int(sys.argv[1])} 件案例：{generate(int(sys.argv[1]), Path(sys.argv[2]))}")
