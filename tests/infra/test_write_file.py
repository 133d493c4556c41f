"""The one safe-write helper: whole files or none, never written through an existing name."""
import os

import pytest

from generator.infra.files import write_file


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if ".tmp-" in p.name]


def test_replaces_an_existing_file_without_writing_through_its_hard_link(tmp_path):
    target, other = tmp_path / "page.html", tmp_path / "previous-site-page.html"
    target.write_bytes(b"old")
    os.link(target, other)
    for durable in (True, False):
        write_file(target, b"new" + bytes([durable]), durable=durable)
        assert target.read_bytes() == b"new" + bytes([durable])
        assert other.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_makes_missing_folders(tmp_path):
    write_file(tmp_path / "a" / "b" / "c.json", b"{}")
    write_file(tmp_path / "d" / "e.html", b"x", new=True, durable=False)
    assert (tmp_path / "a" / "b" / "c.json").read_bytes() == b"{}"
    assert (tmp_path / "d" / "e.html").read_bytes() == b"x"


@pytest.mark.parametrize("durable", [True, False])
def test_new_never_replaces(tmp_path, durable):
    target = tmp_path / "x〔2026〕1号.docx"
    target.write_bytes(b"issued")
    with pytest.raises(FileExistsError):
        write_file(target, b"other", new=True, durable=durable)
    assert target.read_bytes() == b"issued"
    assert _leftovers(tmp_path) == []


def test_new_does_not_follow_a_planted_link(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"keep")
    (tmp_path / "out.docx").symlink_to(victim)
    for durable in (True, False):
        with pytest.raises(FileExistsError):
            write_file(tmp_path / "out.docx", b"evil", new=True, durable=durable)
    assert victim.read_bytes() == b"keep"


def test_a_failed_write_names_the_path_and_leaves_nothing(tmp_path):
    target = tmp_path / "folder-in-the-way"
    target.mkdir()
    with pytest.raises(OSError) as raised:
        write_file(target, b"data")
    assert raised.value.filename == str(target)
    assert _leftovers(tmp_path) == []
