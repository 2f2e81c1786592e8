"""The central view: waveform and spectrogram of the original above, of the restored
(or of the removed noise) below, all sharing one zoomable time axis, with a playhead
and a selectable time range."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

from app.views.spectrogram import Spectrogram, SpectrogramImage
from app.views.waveform import WaveformCurve
from core.audio.peaks import PeakPyramid

ORIGINAL_COLOR = "#4aa3df"
RESTORED_COLOR = "#6cc644"
REMOVED_COLOR = "#e8a33d"


class TimelineView(pg.GraphicsLayoutWidget):
    """Four X-linked plots. Times are in seconds.

    Signals
    -------
    seek_requested(float) : the user clicked at this time.
    selection_changed(float, float) : the selected range moved.
    """

    seek_requested = Signal(float)
    selection_changed = Signal(float, float)

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self.setBackground("#1e1f22")
        self.ci.layout.setSpacing(2)
        self.duration = 0.0
        self.plots: list[pg.PlotItem] = []
        titles = (
            self.tr("Original"),
            self.tr("Spectrum"),
            self.tr("Restored"),
            self.tr("Spectrum"),
        )
        for row, title in enumerate(titles):
            plot = self.addPlot(row=row, col=0)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=True, y=False)
            plot.getAxis("left").setWidth(62)
            plot.setLabel("left", title)
            plot.showAxis("bottom", row == len(titles) - 1)
            if row:
                plot.setXLink(self.plots[0])
            self.plots.append(plot)
        self.plots[-1].setLabel("bottom", self.tr("Time"), units="s")
        for wave in (self.plots[0], self.plots[2]):
            wave.setYRange(-1.0, 1.0, padding=0.02)
            wave.getAxis("left").setTicks([[(-1, "-1"), (0, "0"), (1, "1")]])
        self.wave_original = WaveformCurve(self.plots[0], ORIGINAL_COLOR)
        self.wave_lower = WaveformCurve(self.plots[2], RESTORED_COLOR)
        self.spec_original = SpectrogramImage(self.plots[1])
        self.spec_lower = SpectrogramImage(self.plots[3])
        self.hint = pg.LabelItem("", color="#bbbbbb", size="11pt")
        self.hint.setParentItem(self.plots[2].vb)
        self.hint.anchor(itemPos=(0.5, 0.5), parentPos=(0.5, 0.5))

        self.playheads: list[pg.InfiniteLine] = []
        self.regions: list[pg.LinearRegionItem] = []
        for plot in self.plots:
            line = pg.InfiniteLine(0.0, angle=90, movable=False, pen=pg.mkPen("#ffffff", width=1))
            line.setZValue(20)
            plot.addItem(line, ignoreBounds=True)
            self.playheads.append(line)
            region = pg.LinearRegionItem(
                (0.0, 0.0),
                brush=pg.mkBrush(255, 255, 255, 28),
                hoverBrush=pg.mkBrush(255, 255, 255, 45),
                pen=pg.mkPen("#d0d0d0", width=1),
            )
            region.setZValue(10)
            region.sigRegionChanged.connect(self._region_moved)
            plot.addItem(region, ignoreBounds=True)
            self.regions.append(region)
        self._syncing = False
        self.levels: tuple[float, float] | None = None
        self.scene().sigMouseClicked.connect(self._clicked)
        self.set_lower_mode("restored")

    # --- content ------------------------------------------------------------------------------

    def set_original(
        self, audio: np.ndarray | None, sr: int, pyramid: PeakPyramid | None = None
    ) -> None:
        self.duration = audio.shape[1] / sr if audio is not None else 0.0
        self.wave_original.set_audio(audio, sr, pyramid)
        for plot in self.plots:
            plot.setLimits(xMin=0.0, xMax=max(self.duration, 1e-3), minXRange=0.002)
        for plot in (self.plots[1], self.plots[3]):
            plot.setYRange(0.0, sr / 2, padding=0.0)
            plot.getAxis("left").setScale(0.001)
            plot.getAxis("left").setLabel(plot.getAxis("left").labelText, units="kHz")
        self.plots[0].setXRange(0.0, max(self.duration, 1e-3), padding=0.0)

    def set_lower(
        self,
        audio: np.ndarray | None,
        sr: int,
        hint: str = "",
        pyramid: PeakPyramid | None = None,
    ) -> None:
        self.wave_lower.set_audio(audio, sr, pyramid)
        self.hint.setText(hint)

    def set_lower_mode(self, mode: str) -> None:
        """``"restored"`` or ``"residual"``: what the lower plots show."""
        name = self.tr("Restored") if mode == "restored" else self.tr("Removed noise")
        color = RESTORED_COLOR if mode == "restored" else REMOVED_COLOR
        self.wave_lower.curve.setPen(pg.mkPen(color, width=1))
        self.plots[2].setLabel("left", name)
        self.plots[3].setLabel("left", self.tr("Spectrum"), units="kHz")
        self.lower_mode = mode

    def set_original_spectrogram(self, spec: Spectrogram | None) -> None:
        self.levels = spec.levels if spec is not None else None
        self.spec_original.set_spectrogram(spec)

    def set_lower_spectrogram(self, spec: Spectrogram | None) -> None:
        """Drawn with the original's colour range, so the two compare at a glance."""
        self.spec_lower.set_spectrogram(spec, self.levels)

    # --- playhead and selection ------------------------------------------------------------------

    def set_playhead(self, seconds: float) -> None:
        for line in self.playheads:
            line.setValue(seconds)

    @property
    def playhead(self) -> float:
        return float(self.playheads[0].value())

    def set_selection(self, start: float, stop: float) -> None:
        self.regions[0].setRegion((start, stop))

    @property
    def selection(self) -> tuple[float, float]:
        lo, hi = self.regions[0].getRegion()
        return float(lo), float(hi)

    def _region_moved(self, region: pg.LinearRegionItem) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            lo, hi = region.getRegion()
            lo, hi = max(0.0, lo), min(self.duration, hi)
            for other in self.regions:
                other.setRegion((lo, hi))
        finally:
            self._syncing = False
        self.selection_changed.emit(float(lo), float(hi))

    def _clicked(self, event: object) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():  # type: ignore[attr-defined]
            return
        pos = event.scenePos()  # type: ignore[attr-defined]
        for plot in self.plots:
            if plot.vb.sceneBoundingRect().contains(pos):
                t = plot.vb.mapSceneToView(pos).x()
                self.seek_requested.emit(float(min(max(t, 0.0), self.duration)))
                return

    def view_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.plots[0].vb.viewRange()
        return float(x0), float(x1)

    def set_view_range(self, start: float, stop: float) -> None:
        """Show ``start``..``stop`` seconds (every plot follows: their X axes are linked)."""
        self.plots[0].setXRange(start, stop, padding=0)
