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


def _bucket_files(cache):
    return sorted(path.name for path in (cache / buildstate.BUCKET_FOLDER).iterdir())


def _bucket_contents(cache):
    """{bucket number: the values in its file}: one file per bucket, none left over."""
    contents = {}
    for path in (cache / buildstate.BUCKET_FOLDER).iterdir():
        number = int(path.name.split(".")[1])
        assert number not in contents
        contents[number] = pickle.loads(path.read_bytes())
    return contents


def _stage_record(items):
    return Record("code", {item: f"k{item}" for item in items}, {item: ("digest", item * 3) for item in items},
                  {"checked_at": 1.0})


def test_a_one_item_change_rewrites_only_that_items_bucket(tmp_path):
    items = [f"cases/{n:04d}.yaml" for n in range(1000)]
    state = BuildState(tmp_path)
    state.update("validate", _stage_record(items))
    state.save()
    before = _bucket_files(tmp_path)
    loaded = BuildState(tmp_path)
    old = loaded.record("validate", "code")
    new = Record("code", dict(old.keys), dict(old.values), dict(old.meta))  # as a stage builds it: old values kept
    new.values[items[7]] = ("digest", "edited")
    new.keys[items[7]] = "k-edited"
    loaded.update("validate", new)
    loaded.save()
    after = _bucket_files(tmp_path)
    assert len(set(before) - set(after)) == 1 and len(set(after) - set(before)) == 1
    assert (set(after) - set(before)).pop().startswith(f"validate.{buildstate.bucket_of(items[7])}.")
    again = BuildState(tmp_path).record("validate", "code")
    assert again.values == new.values and again.keys == new.keys and again.meta == new.meta


def test_saving_only_the_keys_or_nothing_new_writes_no_bucket(tmp_path):
    state = BuildState(tmp_path)
    state.update("validate", _stage_record(["a", "b", "c"]))
    state.save()
    before = {path.name: path.stat().st_mtime_ns for path in (tmp_path / buildstate.BUCKET_FOLDER).iterdir()}
    old = state.record("validate", "code")
    state.update("validate", Record("code", dict(old.keys, a="touched"), dict(old.values), {"checked_at": 2.0}))
    state.save()
    assert {path.name: path.stat().st_mtime_ns for path in (tmp_path / buildstate.BUCKET_FOLDER).iterdir()} == before
    again = BuildState(tmp_path).record("validate", "code")
    assert again.keys["a"] == "touched" and again.meta == {"checked_at": 2.0} and again.values == old.values


def test_saves_after_random_edits_equal_a_state_written_at_once(tmp_path):
    import random

    rng = random.Random(16)
    incremental, scratch = tmp_path / "incremental", tmp_path / "scratch"
    values = {f"C-{n}": ("v", n) for n in range(600)}
    state = BuildState(incremental)
    state.update("analysis", Record("c", {item: "k" for item in values}, dict(values)))
    state.save()
    for round_ in range(8):
        state = BuildState(incremental)  # a new build: the record as loaded
        old = state.record("analysis", "c")
        values = dict(old.values)
        for item in rng.sample(sorted(values), rng.randint(1, 5)):
            values[item] = ("v", f"edited {round_}")
        for item in rng.sample(sorted(values), rng.randint(0, 3)):
            del values[item]
        for n in range(rng.randint(0, 3)):
            values[f"N-{round_}-{n}"] = ("v", "new")
        record = Record("c", {item: "k" for item in values}, values, {"round": round_})
        state.update("analysis", record)
        state.save()
        fresh = BuildState(scratch / str(round_))  # the same record written at once into an empty state
        fresh.update("analysis", Record("c", dict(record.keys), dict(record.values), dict(record.meta)))
        fresh.save()
        assert _bucket_contents(incremental) == _bucket_contents(scratch / str(round_))
        for cache in (incremental, scratch / str(round_)):
            again = BuildState(cache).record("analysis", "c")
            assert (again.keys, again.values, again.meta) == (record.keys, record.values, record.meta)


def test_a_stage_saved_by_another_process_meanwhile_is_written_whole(tmp_path):
    state = BuildState(tmp_path)
    state.update("validate", _stage_record([f"f{n}" for n in range(300)]))
    state.save()
    build, validate = BuildState(tmp_path), BuildState(tmp_path)
    mine = build.record("validate", "code")
    theirs = validate.record("validate", "code")
    validate.update("validate", Record("code", {"other": "1"}, {"other": ("digest", "x")}))
    validate.save()  # its buckets replace those the build loaded: they are removed
    build.update("validate", Record("code", dict(mine.keys, f1="new"), dict(mine.values, f1=("digest", "new"))))
    build.save()
    again = BuildState(tmp_path).record("validate", "code")
    assert again.values == dict(mine.values, f1=("digest", "new")) and len(theirs.values) == 300


def test_a_missing_or_damaged_bucket_is_an_empty_record(tmp_path):
    state = BuildState(tmp_path)
    state.update("pii", _stage_record(["a", "b"]))
    state.save()
    first, second = sorted((tmp_path / buildstate.BUCKET_FOLDER).iterdir())
    first.write_bytes(b"damaged")
    assert BuildState(tmp_path).record("pii", "code").keys == {}
    first.unlink()
    assert BuildState(tmp_path).record("pii", "code").keys == {}


def test_buckets_no_head_names_are_removed_and_other_files_stay(tmp_path):
    state = BuildState(tmp_path)
    state.update("pii", _stage_record(["a", "b"]))
    state.update("analysis", _stage_record(["a"]))
    state.save()
    folder = tmp_path / buildstate.BUCKET_FOLDER
    (folder / "pii.3.0123456789abcdef.pickle").write_bytes(b"left by an interrupted save")
    (folder / "notes.txt").write_text("not ours")
    state.forget("pii")
    state.save()
    assert _bucket_files(tmp_path) == sorted(["notes.txt"] + [name for name in _bucket_files(tmp_path)
                                                               if name.startswith("analysis.")])
    assert BuildState(tmp_path).record("analysis", "code").values == {"a": ("digest", "aaa")}


def test_loading_leaves_the_garbage_collector_as_it_was(tmp_path):
    import gc

    state = BuildState(tmp_path)
    state.update("pii", _stage_record(["a"]))
    state.save()
    assert gc.isenabled()
    BuildState(tmp_path).record("pii", "code")
    assert gc.isenabled()
    gc.disable()
    try:
        BuildState(tmp_path).record("pii", "code")
        assert not gc.isenabled()
    finally:
        gc.enable()
