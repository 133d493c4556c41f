"""The one build state: versioned, one record per stage, one added/changed/removed comparison."""

import pickle

from generator.infra import buildstate
from generator.infra.buildstate import STATE_FILE, BuildState, Record, changes


def test_changes_tells_added_changed_removed_and_unchanged():
    found = changes({"a": "1", "b": "2", "c": "3"}, {"b": "2", "c": "30", "d": "4"})
    assert (found.added, found.changed, found.removed, found.unchanged) == ({"d"}, {"c"}, {"a"}, {"b"})
    assert found.todo == {"c", "d"} and found.any
    assert not changes({"a": "1"}, {"a": "1"}).any


def test_a_record_survives_a_save_and_is_empty_under_other_code(tmp_path):
    state = BuildState(tmp_path)
    state.update("validate", Record("code-1", {"x.yaml": "k"}, {"x.yaml": ("sha", "result")}))
    state.save()
    again = BuildState(tmp_path)
    record = again.record("validate", "code-1")
    assert record.keys == {"x.yaml": "k"} and record.reusable("x.yaml", "k") and not record.reusable("x.yaml", "other")
    assert again.record("validate", "code-2").keys == {}  # the code changed: nothing is reused


def test_another_version_or_a_damaged_file_is_an_empty_state(tmp_path, monkeypatch):
    state = BuildState(tmp_path)
    state.update("pii", Record("c", {"A": "1"}, {"A": []}))
    state.save()
    monkeypatch.setattr(buildstate, "STATE_VERSION", buildstate.STATE_VERSION + 1)
    assert BuildState(tmp_path).record("pii", "c").keys == {}
    monkeypatch.undo()
    (tmp_path / STATE_FILE).write_bytes(b"not a pickle")
    assert BuildState(tmp_path).record("pii", "c").keys == {}


def test_saving_keeps_the_records_another_process_wrote_meanwhile(tmp_path):
    first, second = BuildState(tmp_path), BuildState(tmp_path)
    first.update("validate", Record("v", {"a": "1"}))
    first.save()
    second.update("analysis", Record("a", {"b": "2"}))
    second.save()  # read the file again under the lock: the validate record stays
    final = BuildState(tmp_path)
    assert final.record("validate", "v").keys == {"a": "1"} and final.record("analysis", "a").keys == {"b": "2"}
    final.forget("validate")
    final.save()
    stages = pickle.loads((tmp_path / STATE_FILE).read_bytes())["stages"]
    assert set(stages) == {"analysis"}


def test_an_unwritable_state_only_costs_time(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    state = BuildState(blocker / "cache")
    state.update("pii", Record("c", {"A": "1"}))
    state.save()  # no exception
    assert BuildState(None).record("pii", "c").keys == {}
