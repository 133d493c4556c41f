"""The forked map: the job is handed over explicitly, results come back in order, errors come back as raised."""

import os

import pytest

from generator.core.problems import UserError
from generator.infra.parallel import map_in_processes


def scaled(job, item):
    return job["factor"] * item, os.getpid()


def test_results_in_order_from_two_processes_with_the_job_inherited():
    job = {"factor": 3, "payload": list(range(100_000))}  # not pickled on the way in
    found = map_in_processes(scaled, job, range(50), parallel_from=10)
    assert [value for value, _ in found] == [3 * n for n in range(50)]
    pids = {pid for _, pid in found}
    assert len(pids) == 2 and os.getpid() not in pids


def test_few_items_run_here():
    found = map_in_processes(scaled, {"factor": 2}, [1, 2], parallel_from=10)
    assert found == [(2, os.getpid()), (4, os.getpid())]


def refuse(job, item):
    if item == 7:
        raise UserError("第 7 项有误")
    return item


def unpicklable_error(job, item):
    class Local(Exception):
        pass

    raise Local("无法传回")


def test_an_error_in_a_worker_is_raised_here():
    with pytest.raises(UserError, match="第 7 项有误"):
        map_in_processes(refuse, None, range(20), parallel_from=2)
    with pytest.raises(RuntimeError, match="无法传回"):
        map_in_processes(unpicklable_error, None, range(4), parallel_from=2)


def test_setup_runs_in_each_worker():
    def setup():
        os.environ["JIANDU_TEST_SETUP"] = "yes"

    def read(job, item):
        return os.environ.get("JIANDU_TEST_SETUP")

    os.environ.pop("JIANDU_TEST_SETUP", None)
    assert map_in_processes(read, None, range(6), parallel_from=2, setup=setup) == ["yes"] * 6
    assert "JIANDU_TEST_SETUP" not in os.environ  # ran in the children only


def test_work_in_the_background_runs_in_another_process_and_reports_back(tmp_path):
    from generator.infra.parallel import in_background

    def mark(job):
        (job / "done").write_text(str(os.getpid()))
        return os.getpid()

    pending = in_background(mark, tmp_path)
    pid = pending.wait()
    assert pid != os.getpid() and (tmp_path / "done").read_text() == str(pid)
    with pytest.raises(UserError, match="第 7 项有误"):
        in_background(lambda job: refuse(job, 7), None).wait()


def test_background_work_can_be_cancelled(tmp_path):
    import time

    from generator.infra.parallel import in_background

    started = time.perf_counter()
    pending = in_background(lambda job: time.sleep(30), None)
    pending.cancel()
    assert time.perf_counter() - started < 10
