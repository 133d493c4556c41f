"""The benchmark corpus generator makes valid, varied cases (CI runs it at a small N)."""

import pytest

from generator.core.project import Project


def test_generated_corpus_is_valid_and_varied(tmp_path):
    from benchmarks.generate_corpus import generate

    generate(60, tmp_path)
    library = Project.at(tmp_path).load_library()
    assert [p for p in library.problems if p.is_error] == []
    cases = library.cases
    assert len(cases) == 60 and len({c.id for c in cases}) == 60
    assert len({c.region for c in cases}) >= 6 and len({c.category for c in cases}) >= 3
    assert {f.status for c in cases for f in c.findings} == {"待整改", "整改中", "已报告", "已销号"}


def test_varied_corpus_is_valid_and_its_vocabulary_grows(tmp_path):
    """The second generator composes sentences from slots: few repeats, vocabulary that grows with size."""
    from benchmarks.generate_varied import generate

    generate(120, tmp_path)
    library = Project.at(tmp_path).load_library()
    assert [p for p in library.problems if p.is_error] == []
    cases = library.cases
    assert len({c.id for c in cases}) == 120 and len({c.region for c in cases}) >= 40
    sentences = [s for c in cases for s in c.background.split("。") if s]
    assert len(set(sentences)) >= 0.95 * len(sentences)
    first_half = {w for c in cases[:60] for w in c.keywords}
    assert {w for c in cases for w in c.keywords} > first_half


@pytest.mark.slow
def test_build_benchmark_runs_at_a_small_size(tmp_path):
    """CI runs the build benchmark on a small generated library (figures are printed, not asserted)."""
    from benchmarks.build_bench import bench, table

    count = 12  # the script end to end at the smallest size that still shards the index; CPU is what the fast lane has
    figures = bench(count, repeat=1, browser=False, fresh=True, root=tmp_path / "bench")
    printed = table({count: figures})
    print(printed)
    assert "冷构建" in printed and "改一件后重建" in printed and "每次检索读取" in printed and "build --pdf" in printed
    assert figures["index"]["files"] > 3 and figures["query"]["max_raw"] > 0
    site = tmp_path / "bench" / "site"
    assert len(list((site / "cases").glob("*.html"))) == count + 1 + 1  # generated, one added, the list of all cases
