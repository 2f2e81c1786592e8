"""Waveform display that stays fluid on long files.

:class:`PeakPyramid` keeps min/max envelopes of the signal at block sizes 16, 256,
4096, …; a query for the visible range picks the coarsest level finer than one pixel
column and reduces it to about one min/max pair per column. Drawing therefore costs
O(columns), whatever the file's length, and building the pyramid reads the samples once.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

FACTOR = 16


class PeakPyramid:
    """Min/max envelopes of ``audio`` (``(channels, samples)``), across channels."""

    def __init__(self, audio: np.ndarray) -> None:
        self.audio = audio
        self.frames = int(audio.shape[1])
        self.levels: list[tuple[int, np.ndarray, np.ndarray]] = []  # (block, lo, hi)
        usable = self.frames // FACTOR * FACTOR
        if usable:
            blocks = audio[:, :usable].reshape(audio.shape[0], -1, FACTOR)
            lo, hi = blocks.min(axis=(0, 2)), blocks.max(axis=(0, 2))
            block = FACTOR
            while True:
                self.levels.append((block, lo, hi))
                n = lo.size // FACTOR * FACTOR
                if n < FACTOR * 4:
                    break
                lo = lo[:n].reshape(-1, FACTOR).min(axis=1)
                hi = hi[:n].reshape(-1, FACTOR).max(axis=1)
                block *= FACTOR

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


class WaveformCurve:
    """A curve on ``plot`` redrawn from a :class:`PeakPyramid` when the view moves."""

    def __init__(self, plot: pg.PlotItem, color: str) -> None:
        self.plot = plot
        self.curve = pg.PlotDataItem(pen=pg.mkPen(color, width=1))
        self.curve.setClipToView(False)  # the pyramid already clips to the view
        plot.addItem(self.curve)
        self.pyramid: PeakPyramid | None = None
        self.sr = 1
        plot.vb.sigXRangeChanged.connect(self.redraw)
        plot.vb.sigResized.connect(self.redraw)

    def set_audio(
        self, audio: np.ndarray | None, sr: int, pyramid: PeakPyramid | None = None
    ) -> None:
        """Show ``audio``; pass its ``pyramid`` when a worker built it already (building
        one reads every sample: seconds for an hour of audio)."""
        if pyramid is None and audio is not None:
            pyramid = PeakPyramid(audio)
        self.pyramid = pyramid
        self.sr = sr
        self.redraw()

    def redraw(self, *_: object) -> None:
        if self.pyramid is None:
            self.curve.setData([], [])
            return
        (x0, x1), _y = self.plot.vb.viewRange()
        columns = max(100, int(self.plot.vb.width()))
        x, y = self.pyramid.query(int(x0 * self.sr) - 1, int(x1 * self.sr) + 2, columns)
        self.curve.setData(x / self.sr, y)
