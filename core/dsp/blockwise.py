"""Process signals of any length in overlapping blocks with bounded memory.

Each block is read with up to ``margin`` samples of context on both sides (less at
the signal's ends, never padding), processed
as a whole, and only its centre kept; neighbouring centres are joined with a
short raised-cosine crossfade inside the margin, so block edges are inaudible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

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
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(start, output)`` pieces that tile ``[0, total)`` in order.

    ``crossfade`` must not exceed ``margin``: the overlap between neighbours is
    taken from the right margin of the earlier block.
    """
    if block < 1 or margin < 0 or not 0 <= crossfade <= margin:
        raise ValueError("need block >= 1 and 0 <= crossfade <= margin")
    pending: np.ndarray | None = None
    for start in range(0, total, block):
        n = min(block, total - start)
        overlap = min(crossfade, total - start - n)  # how far this block reaches into the next
        # Context stops at the signal's ends: zero padding would be fake digital
        # silence, which changes what models and adaptive filters do in the block.
        lo, hi = max(start - margin, 0), min(start + n + margin, total)
        y = process(read(lo, hi - lo))
        offset = start - lo
        centre = y[:, offset : offset + n + overlap].copy()
        if pending is not None:
            k = pending.shape[1]
            fade_in = 0.5 - 0.5 * np.cos(np.pi * (np.arange(k) + 0.5) / k)
            centre[:, :k] = pending * (1 - fade_in) + centre[:, :k] * fade_in
        pending = centre[:, n:] if overlap > 0 else None
        yield start, centre[:, :n]
