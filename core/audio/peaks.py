"""Min/max overview of a recording, so a waveform view stays fluid on long files.

:class:`PeakPyramid` keeps min/max envelopes of the signal (across channels) at block
sizes 16, 256, 4096, …; a query for a visible range picks the coarsest level finer
than one pixel column and reduces it to about one min/max pair per column. Drawing
costs O(columns) whatever the length, and building reads every sample once. It can
be fed chunk by chunk while a file decodes (:meth:`PeakPyramid.collect`, then
:func:`core.audio.io.load`'s ``on_chunk``), while the chunk is still in cache.
"""

from __future__ import annotations

import os

import numpy as np

from core.audio.io import info, load
from core.progress import CancelToken, ProgressCallback

FACTOR = 16
_BUILD_CHUNK = 1 << 18  # frames per pass when building from a whole array


class PeakPyramid:
    """Min/max envelopes of ``audio`` ``(channels, samples)``, float32."""

    def __init__(self, audio: np.ndarray) -> None:
        if audio.ndim != 2:
            raise ValueError(f"audio must be (channels, samples), got shape {audio.shape}")
        self._start(audio.shape[0], audio.shape[1])
        for first in range(0, self.frames, _BUILD_CHUNK):
            self.add(first, audio[:, first : first + _BUILD_CHUNK])
        self.finish(audio)

    @classmethod
    def collect(cls, channels: int, frames: int) -> PeakPyramid:
        """An empty pyramid to fill with :meth:`add` and complete with :meth:`finish`."""
        pyramid = cls.__new__(cls)
        pyramid._start(channels, frames)
        return pyramid

    def _start(self, channels: int, frames: int) -> None:
        self.channels = int(channels)
        self.frames = int(frames)
        self.audio = np.zeros((self.channels, 0), np.float32)
        self.levels: list[tuple[int, np.ndarray, np.ndarray]] = []  # (block, lo, hi)
        count = self.frames // FACTOR
        self._lo = np.zeros(count, np.float32)
        self._hi = np.zeros(count, np.float32)

    def add(self, first: int, chunk: np.ndarray) -> None:
        """Take frames ``[first, first + n)`` given as ``chunk`` ``(channels, n)``;
        ``first`` must be a multiple of ``FACTOR``. Chunks may arrive in any order and
        from several threads at once (each writes its own part)."""
        if first % FACTOR:
            raise ValueError(f"chunks must start at a multiple of {FACTOR}, got {first}")
        blocks = min(chunk.shape[1] // FACTOR, self._lo.size - first // FACTOR)
        if blocks <= 0:
            return
        out = slice(first // FACTOR, first // FACTOR + blocks)
        n = blocks * FACTOR
        if chunk.T.flags.c_contiguous:
            # Frames interleaved in memory (a transposed (n, channels) read buffer): one
            # pass over the buffer with groups of FACTOR * channels values.
            flat = chunk.T[:n].reshape(-1)
            lo, hi = _group_min_max(flat, FACTOR * chunk.shape[0])
        else:
            lo, hi = _group_min_max(chunk[0, :n], FACTOR)
            for c in range(1, chunk.shape[0]):
                clo, chi = _group_min_max(chunk[c, :n], FACTOR)
                np.minimum(lo, clo, out=lo)
                np.maximum(hi, chi, out=hi)
        self._lo[out] = lo
        self._hi[out] = hi

    def scale(self, factor: float) -> None:
        """Multiply the values added so far by ``factor`` (before :meth:`finish`): chunks
        may be added as integers and scaled to full scale once."""
        if factor != 1.0:
            self._lo *= np.float32(factor)
            self._hi *= np.float32(factor)

    def finish(self, audio: np.ndarray) -> PeakPyramid:
        """Build the coarser levels once every chunk was added; ``audio`` is the whole
        signal (or an array-like that slices ``[:, a:b]``, such as
        :class:`core.display.FileFrames`), for views zoomed in closer than one
        level-0 block a column."""
        self.audio = audio
        self.levels = []
        lo, hi = self._lo, self._hi
        block = FACTOR
        while lo.size:
            self.levels.append((block, lo, hi))
            n = lo.size // FACTOR * FACTOR
            if n < FACTOR * 4:
                break
            lo = lo[:n].reshape(-1, FACTOR).min(axis=1)
            hi = hi[:n].reshape(-1, FACTOR).max(axis=1)
            block *= FACTOR
        return self

    def query(self, start: int, stop: int, columns: int) -> tuple[np.ndarray, np.ndarray]:
        """Sample positions and values to draw ``[start, stop)`` on ``columns`` pixels.

        Zoomed in (under ``FACTOR`` samples a column): the samples themselves (channel
        mean). Zoomed out: interleaved min, max per column, positions in samples.
        """
        start = max(0, int(start))
        stop = min(self.frames, int(stop))
        columns = max(1, int(columns))
        if stop <= start:
            return np.zeros(0), np.zeros(0, np.float32)
        per_column = (stop - start) / columns
        level = None
        for block, lo, hi in self.levels:
            if block <= per_column:
                level = (block, lo, hi)
        if level is None:
            x = np.arange(start, stop)
            return x, self.audio[:, start:stop].mean(axis=0)
        block, lo, hi = level
        i0, i1 = start // block, min(lo.size, -(-stop // block))
        group = max(1, int(per_column // block))
        n = (i1 - i0) // group * group
        if n == 0:
            x = np.arange(start, stop)
            return x, self.audio[:, start:stop].mean(axis=0)
        glo = lo[i0 : i0 + n].reshape(-1, group).min(axis=1)
        ghi = hi[i0 : i0 + n].reshape(-1, group).max(axis=1)
        xs = (i0 + np.arange(glo.size) * group) * block + group * block / 2
        return np.repeat(xs, 2), np.column_stack([glo, ghi]).ravel()


def _group_min_max(values: np.ndarray, group: int) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of each run of ``group`` consecutive ``values`` (1-D, a multiple of
    ``group`` long). Pairwise halving while the group is even: numpy reduces a short inner
    axis (``reshape(-1, 16).min(axis=1)``) several times slower than it runs element-wise
    ufuncs over long rows (3.5x for 16-bit stereo)."""
    lo = np.minimum(values[0::2], values[1::2]) if group % 2 == 0 else values
    hi = np.maximum(values[0::2], values[1::2]) if group % 2 == 0 else values
    if group % 2 == 0:
        group //= 2
    while group % 2 == 0:
        lo = np.minimum(lo[0::2], lo[1::2])
        hi = np.maximum(hi[0::2], hi[1::2])
        group //= 2
    if group > 1:
        lo = lo.reshape(-1, group).min(axis=1)
        hi = hi.reshape(-1, group).max(axis=1)
    return lo, hi


def load_with_peaks(
    path: str | os.PathLike[str],
    *,
    threads: int = 1,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> tuple[np.ndarray, int, PeakPyramid]:
    """Decode a whole file (``threads`` parts in parallel, see :func:`core.audio.io.load`)
    and build its waveform overview from each chunk while it is still in cache.

    Returns ``(audio, sr, pyramid)``: float32 ``(channels, samples)`` at the file's rate.
    """
    header = info(path)
    pyramid = PeakPyramid.collect(header.channels, header.frames)
    audio, sr = load(path, threads=threads, on_chunk=pyramid.add, progress=progress, cancel=cancel)
    return audio, sr, pyramid.finish(audio)
