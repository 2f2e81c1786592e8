"""Waveform display that stays fluid on long files: it draws from a
:class:`core.audio.peaks.PeakPyramid`, O(columns) whatever the file's length; on request
each channel of a stereo recording gets its own lane (the channels' pyramids are built
in the background, the mix stays on screen until they are ready)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Slot

from app.jobs import Job
from core.audio.peaks import PeakPyramid
from core.display import FileFrames
from core.progress import CancelToken, check_cancel

CHANNEL_NAMES = ("L", "R")


CHANNEL_BLOCK = 1 << 20  # frames read at a time from a recording kept in its file


def channel_pyramids(
    audio: np.ndarray | FileFrames, *, progress: object = None, cancel: CancelToken | None = None
) -> list[PeakPyramid]:
    """Worker job: one pyramid per channel of ``audio`` ``(channels, samples)``, an
    array or a :class:`core.display.FileFrames` read in blocks (never whole)."""
    if isinstance(audio, np.ndarray):
        return [PeakPyramid(audio[c : c + 1]) for c in range(audio.shape[0])]
    channels, frames = audio.shape
    pyramids = [PeakPyramid.collect(1, frames) for _ in range(channels)]
    for first in range(0, frames, CHANNEL_BLOCK):
        check_cancel(cancel)
        block = audio[:, first : first + CHANNEL_BLOCK]
        for c, pyramid in enumerate(pyramids):
            pyramid.add(first, block[c : c + 1])
    return [p.finish(audio.channel(c)) for c, p in enumerate(pyramids)]  # type: ignore[arg-type]


class WaveformCurve(QObject):
    """A curve on ``plot`` redrawn from a :class:`PeakPyramid` when the view moves."""

    def __init__(self, plot: pg.PlotItem, color: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.plot = plot
        self.color = color
        self.curve = pg.PlotDataItem(pen=pg.mkPen(color, width=1))
        self.curve.setClipToView(False)  # the pyramid already clips to the view
        plot.addItem(self.curve)
        self.lanes: list[pg.PlotDataItem] = []  # one curve per channel when split
        self.pyramid: PeakPyramid | None = None
        self.channel_pyramids: list[PeakPyramid] = []
        self.audio: np.ndarray | None = None
        self.sr = 1
        self.split = False
        self._worker: Job | None = None
        plot.vb.sigXRangeChanged.connect(self.redraw)
        plot.vb.sigResized.connect(self.redraw)
        self._set_ticks()

    def set_audio(
        self, audio: np.ndarray | None, sr: int, pyramid: PeakPyramid | None = None
    ) -> None:
        """Show ``audio``; pass its ``pyramid`` when a worker built it already (building
        one reads every sample: seconds for an hour of audio)."""
        if pyramid is None and audio is not None:
            pyramid = PeakPyramid(audio)
        self.pyramid = pyramid
        self.audio = audio
        self.sr = sr
        self.channel_pyramids = []
        self._build_lanes()
        self.redraw()

    def set_color(self, color: str) -> None:
        self.color = color
        for curve in [self.curve, *self.lanes]:
            curve.setPen(pg.mkPen(color, width=1))

    def set_split(self, split: bool) -> None:
        """One lane per channel (``True``) or the channels' mix."""
        self.split = split
        self._build_lanes()
        self.redraw()

    def _build_lanes(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None
        channels = self.audio.shape[0] if self.audio is not None else 1
        if self.split and channels > 1 and not self.channel_pyramids:
            worker = Job(channel_pyramids, self.audio, parent=self)
            worker.returned.connect(self._lanes_ready)  # dropped once self is gone
            worker.finished.connect(worker.deleteLater)
            self._worker = worker
            worker.start()
        self._set_ticks()

    @Slot(object)
    def _lanes_ready(self, pyramids: list[PeakPyramid]) -> None:
        if self._worker is None or self._worker is not self.sender():
            return
        self._worker = None
        self.channel_pyramids = pyramids
        self._set_ticks()
        self.redraw()

    @property
    def showing_lanes(self) -> bool:
        return self.split and len(self.channel_pyramids) > 1

    def _set_ticks(self) -> None:
        axis = self.plot.getAxis("left")
        n = len(self.channel_pyramids)
        if self.showing_lanes:
            ticks = [(1 - (2 * c + 1) / n, channel_name(c, n)) for c in range(n)]
            axis.setTicks([ticks])
        else:
            axis.setTicks([[(-1, "-1"), (0, "0"), (1, "1")]])
        self.plot.setYRange(-1.0, 1.0, padding=0.02)

    def redraw(self, *_: object) -> None:
        (x0, x1), _y = self.plot.vb.viewRange()
        columns = max(100, int(self.plot.vb.width()))
        start, stop = int(x0 * self.sr) - 1, int(x1 * self.sr) + 2
        if self.pyramid is None:
            self.curve.setData([], [])
            for lane in self.lanes:
                lane.setData([], [])
            return
        if not self.showing_lanes:
            for lane in self.lanes:
                lane.setData([], [])
            x, y = self.pyramid.query(start, stop, columns)
            self.curve.setData(x / self.sr, y)
            return
        self.curve.setData([], [])
        n = len(self.channel_pyramids)
        while len(self.lanes) < n:
            lane = pg.PlotDataItem(pen=pg.mkPen(self.color, width=1))
            lane.setClipToView(False)
            self.plot.addItem(lane)
            self.lanes.append(lane)
        for c, (lane, pyramid) in enumerate(zip(self.lanes, self.channel_pyramids, strict=False)):
            x, y = pyramid.query(start, stop, columns)
            lane.setData(x / self.sr, 1 - (2 * c + 1) / n + np.asarray(y) / n)


def channel_name(index: int, count: int) -> str:
    return CHANNEL_NAMES[index] if count == 2 else str(index + 1)
