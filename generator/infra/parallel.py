"""Independent work spread over both cores.

Workers are forked, so they see whatever the caller prepared in module state
before the call (cases, frames, cached tokens) without it being sent to them.
Below `parallel_from` items a process pool costs more than it saves, and the
work runs here.
"""

from __future__ import annotations

from typing import Callable, Iterable, TypeVar

WORKERS = 2
Item = TypeVar("Item")
Result = TypeVar("Result")


def map_in_processes(function: Callable[[Item], Result], items: Iterable[Item], *, parallel_from: int,
                     chunksize: int = 64, initializer: Callable[[], object] | None = None) -> list[Result]:
    items = list(items)
    if len(items) < parallel_from:
        return [function(item) for item in items]
    from multiprocessing import get_context

    with get_context("fork").Pool(WORKERS, initializer=initializer) as pool:
        return pool.map(function, items, chunksize=chunksize)
