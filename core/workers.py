"""How much work to run at once on this machine."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


def default_workers() -> int:
    """Threads worth running at once here: one per core available, at most 4 (each
    holds a block of audio; past that the model's own threads use the cores)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


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
