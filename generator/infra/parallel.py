"""Independent work spread over both cores, the job handed over explicitly.

`map_in_processes(function, job, items)` calls `function(job, item)` for every
item. With many items it forks WORKERS children: each inherits `job` (cases,
frames, cached tokens) through fork's copy of memory, so nothing is pickled on
the way in and nothing is put in module state; each child works on every
WORKERS-th item and sends its results back through a pipe. Below
`parallel_from` items, forking costs more than it saves and the work runs here.
"""

from __future__ import annotations

import os
import pickle
import signal
import traceback
from typing import Callable, Iterable, TypeVar

WORKERS = 2
Job = TypeVar("Job")
Item = TypeVar("Item")
Result = TypeVar("Result")


class WorkerError(RuntimeError):
    """A worker failed with an exception that could not be sent back as it was."""


def map_in_processes(function: Callable[[Job, Item], Result], job: Job, items: Iterable[Item], *, parallel_from: int,
                     setup: Callable[[], object] | None = None) -> list[Result]:
    """[function(job, item) for item in items], in WORKERS forked processes when there are at least
    parallel_from items. setup runs once in each process before its first item."""
    items = list(items)
    if len(items) < parallel_from or WORKERS < 2:
        if setup is not None and items:
            setup()
        return [function(job, item) for item in items]
    return _forked(function, job, items, setup)


def _forked(function, job, items: list, setup) -> list:
    children: list[tuple[int, int]] = []
    try:
        for worker in range(WORKERS):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: never returns
                os.close(read)
                _work(write, function, job, items[worker::WORKERS], setup)
            os.close(write)
            children.append((pid, read))
        results: list = [None] * len(items)
        failure: BaseException | None = None
        for worker, (pid, read) in enumerate(children):
            with os.fdopen(read, "rb") as stream:
                try:
                    outcome, value = pickle.load(stream)
                except (EOFError, pickle.UnpicklingError):
                    outcome, value = "error", WorkerError("a worker process ended without a result")
            os.waitpid(pid, 0)
            if outcome == "ok":
                results[worker::WORKERS] = value
            elif failure is None:
                failure = value
        children = []
        if failure is not None:
            raise failure
        return results
    finally:
        for pid, read in children:  # interrupted: stop the workers that are still running
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except OSError:
                pass


def _work(write: int, function, job, items: list, setup) -> None:
    status = 1
    try:
        with os.fdopen(write, "wb") as stream:
            try:
                if setup is not None:
                    setup()
                outcome = ("ok", [function(job, item) for item in items])
            except BaseException as exc:  # sent to the parent, which raises it
                outcome = ("error", _portable(exc))
            pickle.dump(outcome, stream, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else its traceback as text."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return WorkerError("".join(traceback.format_exception(exc)))


class Pending:
    """Work started by in_background: wait() for it (raising what it raised), or cancel() it."""

    def __init__(self, pid: int | None, read: int | None, result: object = None, failure: BaseException | None = None):
        self._pid, self._read, self._result, self._failure = pid, read, result, failure

    def wait(self) -> object:
        if self._pid is not None:
            with os.fdopen(self._read, "rb") as stream:
                try:
                    outcome, value = pickle.load(stream)
                except (EOFError, pickle.UnpicklingError):
                    outcome, value = "error", WorkerError("a background process ended without a result")
            os.waitpid(self._pid, 0)
            self._pid = None
            if outcome == "ok":
                self._result = value[0]
            else:
                self._failure = value
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure
        return self._result

    def cancel(self) -> None:
        """Stop the work if it still runs (interrupted); what it did so far stays done."""
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGTERM)
                os.waitpid(self._pid, 0)
            except OSError:
                pass
            os.close(self._read)
            self._pid = None


def in_background(function: Callable[[Job], Result], job: Job) -> Pending:
    """function(job) in a forked process while this one goes on (work that mostly waits on the file system,
    such as linking or deleting thousands of files); where there is no fork, it runs here and now. Forked like
    map_in_processes' workers, so the function should need nothing but the job and the modules already imported."""
    if WORKERS < 2 or not hasattr(os, "fork"):
        try:
            return Pending(None, None, result=function(job))
        except Exception as exc:
            return Pending(None, None, failure=exc)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read)
        _work(write, lambda job_, _: function(job_), job, [None], None)
    os.close(write)
    return Pending(pid, read)
