"""Process signals of any length in overlapping blocks with bounded memory.

Each block is read with up to ``margin`` samples of context on both sides (less at
the signal's ends, never padding), processed
as a whole, and only its centre kept; neighbouring centres are joined with a
short raised-cosine crossfade inside the margin, so block edges are inaudible.
Blocks are independent, so several can be processed at once on worker threads
(NumPy, SciPy's FFTs and TensorFlow release the GIL); the output is the same.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from core.workers import single_threaded_blas

Reader = Callable[[int, int], np.ndarray]
"""``read(start, frames)`` -> ``(channels, frames)``, zero-padded outside the signal."""

Processor = Callable[[np.ndarray], np.ndarray]
"""Maps a block ``(channels, n)`` to a processed block ``(channels_out, n)``."""


def array_reader(audio: np.ndarray) -> Reader:
    """A :data:`Reader` over an in-memory ``(channels, samples)`` array."""
    total = audio.shape[1]

    def read(start: int, frames: int) -> np.ndarray:
        out = np.zeros((audio.shape[0], frames), dtype=np.float32)
        lo, hi = max(start, 0), min(start + frames, total)
        if hi > lo:
            out[:, lo - start : hi - start] = audio[:, lo:hi]
        return out

    return read


def process_blocks(
    read: Reader,
    total: int,
    process: Processor,
    *,
    block: int,
    margin: int,
    crossfade: int,
    workers: int = 1,
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(start, output)`` pieces that tile ``[0, total)`` in order.

    ``crossfade`` must not exceed ``margin``: the overlap between neighbours is
    taken from the right margin of the earlier block. With ``workers`` > 1,
    ``process`` runs on that many threads at once (it must not keep state between
    blocks); ``read`` and everything else stay on the caller's thread, and at most
    ``workers`` blocks are in flight. An error in ``process`` is raised here.
    """
    if block < 1 or margin < 0 or not 0 <= crossfade <= margin:
        raise ValueError("need block >= 1 and 0 <= crossfade <= margin")
    if workers < 1:
        raise ValueError("need workers >= 1")
    extents = []
    for start in range(0, total, block):
        n = min(block, total - start)
        overlap = min(crossfade, total - start - n)  # how far this block reaches into the next
        # Context stops at the signal's ends: zero padding would be fake digital
        # silence, which changes what models and adaptive filters do in the block.
        lo, hi = max(start - margin, 0), min(start + n + margin, total)
        extents.append((start, n, overlap, lo, hi))
    inputs = (read(lo, hi - lo) for _, _, _, lo, hi in extents)  # read lazily, in order
    parallel = workers > 1 and len(extents) > 1
    outputs = _in_order(process, inputs, workers) if parallel else map(process, inputs)

    pending: np.ndarray | None = None
    try:
        for (start, n, overlap, lo, _), y in zip(extents, outputs, strict=True):
            offset = start - lo
            centre = y[:, offset : offset + n + overlap].copy()
            if pending is not None:
                k = pending.shape[1]
                fade_in = 0.5 - 0.5 * np.cos(np.pi * (np.arange(k) + 0.5) / k)
                centre[:, :k] = pending * (1 - fade_in) + centre[:, :k] * fade_in
            pending = centre[:, n:] if overlap > 0 else None
            yield start, centre[:, :n]
    finally:
        if isinstance(outputs, Generator):
            outputs.close()  # a caller that stops early (cancel) stops the workers now


def _in_order(
    process: Processor, inputs: Iterator[np.ndarray], workers: int
) -> Iterator[np.ndarray]:
    """``process`` of each of ``inputs``, in order, up to ``workers`` running at once.

    The inputs are drawn on this thread (the reader need not be thread-safe).
    Leaving early cancels the blocks not started and waits for the running ones.
    """
    with (
        single_threaded_blas(),  # the workers are the parallelism
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="seminario-block") as pool,
    ):
        running: deque[Future[np.ndarray]] = deque()
        try:
            for data in inputs:
                running.append(pool.submit(process, data))
                if len(running) >= workers:
                    yield running.popleft().result()
            while running:
                yield running.popleft().result()
        finally:
            for future in running:
                future.cancel()
