"""How much work to run at once on this machine."""

from __future__ import annotations

import os


def default_workers() -> int:
    """Threads worth running at once here: one per core available, at most 4 (each
    holds a block of audio; past that the model's own threads use the cores)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))
