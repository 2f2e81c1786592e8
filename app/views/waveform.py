"""Waveform display that stays fluid on long files: it draws from a
:class:`core.audio.peaks.PeakPyramid`, O(columns) whatever the file's length."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from core.audio.peaks import PeakPyramid


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
