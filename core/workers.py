"""How much work to run at once on this machine."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

_thread_limit: int | None = None


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def default_workers() -> int:
    """Threads worth running at once here: one per core available, at most 4 (each
    holds a block of audio; past that the model's own threads use the cores), or the
    limit of :func:`limit_threads`."""
    workers = max(1, min(4, available_cores()))
    return workers if _thread_limit is None else min(workers, _thread_limit)


def limit_threads(threads: int) -> None:
    """Run this process's numeric work on at most ``threads`` threads from now on: the
    block and analysis pools, BLAS and OpenMP, and TensorFlow (which reads its settings
    when it starts, so call this before its first use).

    For a process that is one of several workers, one per core (:mod:`core.batch`):
    their threads would otherwise share the same cores and wait on each other. Blocks
    are independent, so the result does not depend on how many run at once.
    """
    global _thread_limit
    from threadpoolctl import threadpool_limits

    _thread_limit = max(1, threads)
    count = str(_thread_limit)
    for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ[name] = count
    threadpool_limits(limits=_thread_limit)


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run BLAS (NumPy's and SciPy's OpenBLAS) on one thread inside the block.

    For work already spread over worker threads, one per core: each worker's small
    matrix products then split over the cores again, and OpenBLAS's threads spin
    while they wait, so the workers contend (the auto chain on noisy speech used
    about 13 % more processor time and ran about 10 % slower). The setting is the
    process's; the previous one comes back on leaving.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
