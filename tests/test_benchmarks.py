"""The benchmark corpus generator makes valid, varied cases (CI runs it at a small N)."""

from generator.project import Project


def test_generated_corpus_is_valid_and_varied(tmp_path):
    from benchmarks.generate_corpus import generate

    generate(60, tmp_path)
    library = Project.at(tmp_path).load()
    assert [p for p in library.problems if p.is_error] == []
    cases = library.cases
    assert len(cases) == 60 and len({c.id for c in cases}) == 60
    assert len({c.region for c in cases}) >= 6 and len({c.category for c in cases}) >= 3
    assert {f.status for c in cases for f in c.findings} == {"待整改", "整改中", "已报告", "已销号"}
