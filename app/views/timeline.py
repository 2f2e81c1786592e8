"""The central view: waveform and spectrogram of the original above, of the restored
(or of the removed noise) below, all sharing one zoomable time axis, with a playhead
and a selection, driven by an editor's gestures:

- drag selects a time range; Ctrl-drag on a spectrogram selects a time-frequency box;
- click puts the playhead there (and drops the selection); Shift-click or Shift-drag
  extends the selection;
- the wheel zooms time around the pointer; Shift-wheel over a spectrogram zooms frequency
  (a double click there shows all frequencies again);
- middle-drag, or the scroll bar of :attr:`TimelineView.footer`, pans.

The footer (:class:`TimelineFooter`) holds the scroll bar, the selection's start, end and
length (editable) and a readout of what is under the pointer; the window places it
under the view.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QScrollBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.views.axes import FrequencyAxis, TimeAxis, format_number, format_time, parse_time
from app.views.spectrogram import Spectrogram, SpectrogramImage
from app.views.waveform import WaveformCurve, channel_name
from core.audio.peaks import PeakPyramid
from core.display import SCALES, FileFrames, Overview, unit_to_freq

ORIGINAL_COLOR = "#4aa3df"
RESTORED_COLOR = "#6cc644"
REMOVED_COLOR = "#e8a33d"
WHEEL_STEP = 0.85  # view span factor per wheel notch (120 units), as pyqtgraph's default
SCROLL_STEPS = 10_000  # scroll bar resolution: positions across the whole recording
MIN_SPAN_S = 0.002  # narrowest time view: a few dozen samples fill the width
MIN_FREQ_SPAN = 0.01  # narrowest frequency view, in scale units (1 % of the scale)


def _channel(audio: np.ndarray, index: int) -> np.ndarray:
    """Channel ``index`` of ``audio`` as a ``(1, samples)`` array-like (a view)."""
    if isinstance(audio, FileFrames):
        return audio.channel(index)  # type: ignore[return-value]
    return audio[index : index + 1]


class EditorViewBox(pg.ViewBox):
    """A ViewBox whose left drag selects and whose middle drag pans; it reports
    gestures to its :class:`TimelineView` rather than acting on them itself."""

    def __init__(self, timeline: TimelineView, *, spectrum: bool) -> None:
        super().__init__(enableMenu=False)
        self.timeline = timeline
        self.spectrum = spectrum
        self.setMouseEnabled(x=True, y=False)

    def _time(self, pos: QPointF) -> float:
        return float(self.mapToView(pos).x())

    def mouseDragEvent(self, ev: object, axis: int | None = None) -> None:  # noqa: N802
        button = ev.button()  # type: ignore[attr-defined]
        if axis is not None or button != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)  # middle pans, right zooms, as pyqtgraph does
            return
        ev.accept()  # type: ignore[attr-defined]
        mods = ev.modifiers()  # type: ignore[attr-defined]
        down = self.mapToView(ev.buttonDownPos())  # type: ignore[attr-defined]
        here = self.mapToView(ev.pos())  # type: ignore[attr-defined]
        finished = bool(ev.isFinish())  # type: ignore[attr-defined]
        if self.spectrum and mods & Qt.KeyboardModifier.ControlModifier:
            self.timeline._box_drag(down, here, finished)
        elif mods & Qt.KeyboardModifier.ShiftModifier:
            self.timeline.extend_selection(here.x())
        else:
            self.timeline._drag_select(down.x(), here.x())

    def mouseClickEvent(self, ev: object) -> None:  # noqa: N802
        if ev.button() != Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            return
        ev.accept()  # type: ignore[attr-defined]
        if self.spectrum and ev.double():  # type: ignore[attr-defined]
            self.timeline.reset_frequency_zoom()
            return
        t = self._time(ev.pos())  # type: ignore[attr-defined]
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:  # type: ignore[attr-defined]
            self.timeline.extend_selection(t)
        else:
            self.timeline._click(t)

    def wheelEvent(self, ev: object, axis: int | None = None) -> None:  # noqa: N802
        delta = ev.delta()  # type: ignore[attr-defined]
        if not delta:
            return
        factor = WHEEL_STEP ** (delta / 120.0)
        point = self.mapToView(ev.pos())  # type: ignore[attr-defined]
        ev.accept()  # type: ignore[attr-defined]
        if self.spectrum and (
            axis == 1 or ev.modifiers() & Qt.KeyboardModifier.ShiftModifier  # type: ignore[attr-defined]
        ):
            self.timeline.zoom_frequency(self, factor, point.y())
        else:
            self.timeline.zoom_time(factor, point.x())


class TimelineView(pg.GraphicsLayoutWidget):
    """Four X-linked plots. Times are in seconds.

    Signals
    -------
    seek_requested(float) : the user clicked at this time.
    selection_changed(float, float) : the selected range changed (0, 0: none).
    box_selected(float, float, float, float) : a time-frequency box, seconds and Hz
        ``(t0, t1, f0, f1)``, was drawn on a spectrogram (Ctrl-drag).
    cursor_moved(str) : what is under the pointer (time; frequency and level over a
        spectrogram), as the footer shows it.
    """

    seek_requested = Signal(float)
    selection_changed = Signal(float, float)
    box_selected = Signal(float, float, float, float)
    cursor_moved = Signal(str)

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self.setBackground("#1e1f22")
        self.ci.layout.setSpacing(2)
        self.duration = 0.0
        self.sr = 1
        self.channels = 1
        self.freq_scale = "linear"
        self.nyquist = 22050.0
        self.plots: list[pg.PlotItem] = []
        self.time_axis = TimeAxis("bottom")
        titles = (
            self.tr("Original"),
            self.tr("Spectrum"),
            self.tr("Restored"),
            self.tr("Spectrum"),
        )
        for row, title in enumerate(titles):
            spectrum = row % 2 == 1
            axes: dict[str, pg.AxisItem] = {}
            if spectrum:
                axes["left"] = FrequencyAxis("left")
            if row == len(titles) - 1:
                axes["bottom"] = self.time_axis
            plot = self.addPlot(
                row=row, col=0, viewBox=EditorViewBox(self, spectrum=spectrum), axisItems=axes
            )
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.getAxis("left").setWidth(62)
            for name in ("left", "bottom"):  # no "mHz" or "x0.001" on odd ranges
                plot.getAxis(name).enableAutoSIPrefix(False)
            plot.setLabel("left", title)
            plot.showAxis("bottom", row == len(titles) - 1)
            if row:
                plot.setXLink(self.plots[0])
            if spectrum:
                plot.setYRange(0.0, 1.0, padding=0.0)
                plot.setLimits(yMin=0.0, yMax=1.0, minYRange=MIN_FREQ_SPAN)
            self.plots.append(plot)
        self.plots[-1].setLabel("bottom", self.tr("Time"))
        self.wave_original = WaveformCurve(self.plots[0], ORIGINAL_COLOR, self)
        self.wave_lower = WaveformCurve(self.plots[2], RESTORED_COLOR, self)
        self.spec_original = SpectrogramImage(self.plots[1], self)
        self.spec_lower = SpectrogramImage(self.plots[3], self)
        self.hint = pg.LabelItem("", color="#bbbbbb", size="11pt")
        self.hint.setParentItem(self.plots[2].vb)
        self.hint.anchor(itemPos=(0.5, 0.5), parentPos=(0.5, 0.5))

        self.playheads: list[pg.InfiniteLine] = []
        self.regions: list[pg.LinearRegionItem] = []
        self.boxes: list[QGraphicsRectItem] = []
        for plot in self.plots:
            self._decorate(plot)
        # Spectrum plots and their pictures, by index in ``plots``: the two above, and
        # with per-channel spectrograms one more each per channel (made when needed).
        self.spectra: dict[int, SpectrogramImage] = {1: self.spec_original, 3: self.spec_lower}
        self.lanes: dict[str, list[int]] = {"original": [], "lower": []}
        self.per_channel = False
        self._audio: dict[str, np.ndarray | None] = {"original": None, "lower": None}
        self._views: dict[str, list[np.ndarray]] = {"original": [], "lower": []}
        self._overviews: dict[str, Spectrogram | None] = {"original": None, "lower": None}
        self.box: tuple[float, float, float, float] | None = None  # t0, t1, u0, u1
        self._syncing = False
        self._anchor: float | None = None  # where a drag selection started
        self.levels: tuple[float, float] | None = None
        self.lower_mode = "restored"
        self.footer = TimelineFooter(self)
        self.scene().sigMouseMoved.connect(self._mouse_moved)
        self.plots[0].vb.sigXRangeChanged.connect(lambda *_: self.footer.sync_scroll())
        self.set_lower_mode("restored")

    def _decorate(self, plot: pg.PlotItem) -> None:
        """The playhead and selection on ``plot`` (and the time-frequency box on a
        spectrum)."""
        line = pg.InfiniteLine(
            self.playhead if self.playheads else 0.0,
            angle=90,
            movable=False,
            pen=pg.mkPen("#ffffff", width=1),
        )
        line.setZValue(20)
        plot.addItem(line, ignoreBounds=True)
        self.playheads.append(line)
        region = pg.LinearRegionItem(
            self.regions[0].getRegion() if self.regions else (0.0, 0.0),
            brush=pg.mkBrush(255, 255, 255, 28),
            hoverBrush=pg.mkBrush(255, 255, 255, 28),
            pen=pg.mkPen("#d0d0d0", width=1),
            hoverPen=pg.mkPen("#ffffff", width=3),
        )
        # Its edges can be dragged; a drag inside starts a new selection, as in
        # every audio editor (the body itself does not move).
        region.movable = False
        region.setZValue(10)
        region.setVisible(self.regions[0].isVisible() if self.regions else False)
        region.sigRegionChanged.connect(self._region_moved)
        plot.addItem(region, ignoreBounds=True)
        self.regions.append(region)
        if not isinstance(plot.vb, EditorViewBox) or not plot.vb.spectrum:
            return
        box = QGraphicsRectItem()
        pen = QPen(QColor("#ffffff"))
        pen.setCosmetic(True)
        pen.setStyle(Qt.PenStyle.DashLine)
        box.setPen(pen)
        box.setBrush(pg.mkBrush(255, 255, 255, 30))
        box.setZValue(15)
        box.setVisible(False)
        plot.addItem(box, ignoreBounds=True)
        self.boxes.append(box)

    # --- per-channel spectrograms -------------------------------------------------------------

    def set_channel_spectrograms(self, on: bool) -> None:
        """One spectrogram per channel of a multichannel recording, stacked (``True``),
        or one of the channels' mix (the default). Each channel's picture is rendered
        for the view from the samples (no whole-file overview per channel is kept)."""
        self.per_channel = bool(on)
        self._sync_lanes()

    def _spectrum_plots(self) -> list[pg.PlotItem]:
        return [self.plots[i] for i in sorted(self.spectra)]

    def _new_spectrum_plot(self) -> int:
        plot = pg.PlotItem(
            viewBox=EditorViewBox(self, spectrum=True), axisItems={"left": FrequencyAxis("left")}
        )
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.getAxis("left").setWidth(62)
        for name in ("left", "bottom"):
            plot.getAxis(name).enableAutoSIPrefix(False)
        plot.showAxis("bottom", False)
        plot.setXLink(self.plots[0])
        _, (u0, u1) = self.plots[1].vb.viewRange()
        plot.setYRange(u0, u1, padding=0.0)
        plot.setLimits(yMin=0.0, yMax=1.0, minYRange=MIN_FREQ_SPAN)
        plot.setLimits(xMin=0.0, xMax=max(self.duration, 1e-3), minXRange=MIN_SPAN_S)
        self.plots.append(plot)
        self._decorate(plot)
        image = SpectrogramImage(plot, self)
        image.set_scale(self.freq_scale)
        index = len(self.plots) - 1
        self.spectra[index] = image
        return index

    def _sync_lanes(self) -> None:
        """Make and lay out the channel plots the mode and the recording need, and give
        every spectrum picture its samples."""
        wanted = self.channels - 1 if self.per_channel and self.channels > 1 else 0
        changed = False
        for group in ("original", "lower"):
            while len(self.lanes[group]) < wanted:
                self.lanes[group].append(self._new_spectrum_plot())
                changed = True
        shown = [p for p in self.ci.items if isinstance(p, pg.PlotItem)]
        order = [
            self.plots[0],
            *(self.plots[i] for i in self.lanes["original"][:wanted]),
            self.plots[1],
            self.plots[2],
            *(self.plots[i] for i in self.lanes["lower"][:wanted]),
            self.plots[3],
        ]
        if changed or shown != order:
            for plot in shown:
                self.ci.removeItem(plot)
            for row, plot in enumerate(order):
                self.ci.addItem(plot, row=row, col=0)
        for group in ("original", "lower"):
            for i in self.lanes[group][wanted:]:  # laid aside: nothing to render
                self.spectra[i].set_audio(None, self.sr)
                self.spectra[i].set_spectrogram(None)
        self._update_frequency_axes()
        for group in ("original", "lower"):
            self._route(group)

    def rendering_spectra(self) -> list[SpectrogramImage]:
        """The spectrum pictures on screen that have samples to render from."""
        images = [*self._lane_images("original"), *self._lane_images("lower")]
        return [image for image in images if image.audio is not None]

    def _lane_images(self, group: str) -> list[SpectrogramImage]:
        """The pictures of ``group``'s channels, top to bottom (one: the mix)."""
        main = self.spec_original if group == "original" else self.spec_lower
        wanted = self.channels - 1 if self.per_channel and self.channels > 1 else 0
        return [*(self.spectra[i] for i in self.lanes[group][:wanted]), main]

    def _route(self, group: str) -> None:
        """Give ``group``'s pictures what they show: the mix's samples and overview, or
        with per-channel spectrograms each lane its channel's samples (rendered for the
        view, no overview), all in the original's colour range."""
        images = self._lane_images(group)
        audio = self._audio[group]
        overview = self._overviews[group]
        levels = self.levels if group == "lower" else None
        if len(images) == 1:
            wanted: list[np.ndarray | None] = [audio]
            specs = [overview]
        else:
            views = self._views[group]
            if audio is not None and len(views) != audio.shape[0]:
                views = self._views[group] = [_channel(audio, c) for c in range(audio.shape[0])]
            wanted = [views[c] if audio is not None else None for c in range(len(images))]
            specs = [None] * len(images)  # rendered per view from each channel's samples
            levels = self.levels
        for image, samples, spec in zip(images, wanted, specs, strict=True):
            if image.audio is not samples:
                image.set_audio(samples, self.sr)
            if image.spec is not spec or image.levels != (
                levels or (spec.levels if spec else None)
            ):
                image.set_spectrogram(spec, levels)

    # --- content ------------------------------------------------------------------------------

    def set_original(
        self, audio: np.ndarray | None, sr: int, pyramid: PeakPyramid | None = None
    ) -> None:
        self.duration = audio.shape[1] / sr if audio is not None else 0.0
        self.sr = sr
        self.channels = audio.shape[0] if audio is not None else 1
        self.nyquist = sr / 2
        self.time_axis.hours = self.duration >= 3600
        self.wave_original.set_audio(audio, sr, pyramid)
        self._audio["original"], self._views["original"] = audio, []
        for plot in self.plots:
            plot.setLimits(xMin=0.0, xMax=max(self.duration, 1e-3), minXRange=MIN_SPAN_S)
        self._update_frequency_axes()
        self.plots[0].setXRange(0.0, max(self.duration, 1e-3), padding=0.0)
        self.footer.set_duration(self.duration)
        self.footer.split_button.setEnabled(self.channels > 1)
        self._sync_lanes()

    def show_overview(self, overview: Overview) -> None:
        """Show a recording from its :func:`core.display.build_overview`: peaks and
        spectrogram built in blocks, samples read from the file when zoomed in (an hour
        of audio without holding it in memory)."""
        frames = overview.pyramid.audio
        self.set_original(frames, overview.info.samplerate, overview.pyramid)  # type: ignore[arg-type]
        self.set_original_spectrogram(overview.spectrogram)

    def set_lower(
        self,
        audio: np.ndarray | None,
        sr: int,
        hint: str = "",
        pyramid: PeakPyramid | None = None,
    ) -> None:
        self.wave_lower.set_audio(audio, sr, pyramid)
        self._audio["lower"], self._views["lower"] = audio, []
        self._route("lower")
        self.hint.setText(hint)

    def set_lower_mode(self, mode: str) -> None:
        """``"restored"`` or ``"residual"``: what the lower plots show."""
        name = self.tr("Restored") if mode == "restored" else self.tr("Removed noise")
        color = RESTORED_COLOR if mode == "restored" else REMOVED_COLOR
        self.wave_lower.set_color(color)
        self.plots[2].setLabel("left", name)
        self.lower_mode = mode

    def set_original_spectrogram(self, spec: Spectrogram | None) -> None:
        self.levels = spec.levels if spec is not None else None
        self._overviews["original"] = spec
        self._route("original")
        self._route("lower")  # keep comparing on the original's range

    def set_lower_spectrogram(self, spec: Spectrogram | None) -> None:
        """Drawn with the original's colour range, so the two compare at a glance."""
        self._overviews["lower"] = spec
        self._route("lower")

    def set_frequency_scale(self, scale: str) -> None:
        """``linear``, ``log`` or ``mel`` (see :data:`core.display.SCALES`)."""
        if scale not in SCALES:
            raise ValueError(f"unknown frequency scale {scale!r}")
        self.freq_scale = scale
        for spec in self.spectra.values():
            spec.set_scale(scale)
        self._update_frequency_axes()
        self.clear_box()
        index = self.footer.scale_box.findData(scale)
        if index != self.footer.scale_box.currentIndex():
            self.footer.scale_box.setCurrentIndex(index)

    def set_channels_split(self, split: bool) -> None:
        """Draw each channel of a stereo recording as its own waveform (or their mix)."""
        for wave in (self.wave_original, self.wave_lower):
            wave.set_split(split)
        if self.footer.split_button.isChecked() != split:
            self.footer.split_button.setChecked(split)

    def _update_frequency_axes(self) -> None:
        for group in ("original", "lower"):
            images = self._lane_images(group)
            for c, image in enumerate(images):
                plot = image.plot
                axis = plot.getAxis("left")
                assert isinstance(axis, FrequencyAxis)
                axis.set_scale(self.freq_scale, self.nyquist)
                # Stacked lanes are short: the channel's name alone, as the waveform's.
                title = channel_name(c, len(images)) if len(images) > 1 else self.tr("Spectrum")
                plot.setLabel("left", title, units="Hz")

    # --- zoom -----------------------------------------------------------------------------------

    def view_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.plots[0].vb.viewRange()
        return float(x0), float(x1)

    def set_view_range(self, start: float, stop: float) -> None:
        """Show seconds ``[start, stop)`` (kept inside the recording)."""
        self.plots[0].setXRange(start, stop, padding=0.0)

    def zoom_time(self, factor: float, center: float) -> None:
        """Scale the visible span by ``factor`` (< 1 zooms in), keeping ``center`` put."""
        x0, x1 = self.view_range()
        span = min(max((x1 - x0) * factor, MIN_SPAN_S), max(self.duration, MIN_SPAN_S))
        left = center - (center - x0) * span / (x1 - x0)
        left = min(max(left, 0.0), max(self.duration - span, 0.0))
        self.set_view_range(left, left + span)

    def zoom_frequency(self, vb: pg.ViewBox, factor: float, center: float) -> None:
        """Scale the visible frequency span of both spectrograms, keeping ``center`` put."""
        _, (y0, y1) = vb.viewRange()
        span = min(max((y1 - y0) * factor, MIN_FREQ_SPAN), 1.0)
        low = center - (center - y0) * span / (y1 - y0)
        low = min(max(low, 0.0), 1.0 - span)
        for plot in self._spectrum_plots():
            plot.setYRange(low, low + span, padding=0.0)

    def reset_frequency_zoom(self) -> None:
        for plot in self._spectrum_plots():
            plot.setYRange(0.0, 1.0, padding=0.0)

    # --- playhead and selection ------------------------------------------------------------------

    def set_playhead(self, seconds: float) -> None:
        for line in self.playheads:
            line.setValue(seconds)

    @property
    def playhead(self) -> float:
        return float(self.playheads[0].value())

    def set_selection(self, start: float, stop: float) -> None:
        """Select seconds ``[start, stop)`` (in either order; clamped to the recording);
        an empty range clears the selection."""
        lo, hi = sorted((float(start), float(stop)))
        lo, hi = max(0.0, lo), min(max(self.duration, 0.0), hi)
        if hi < lo:
            lo = hi = 0.0
        self._syncing = True
        try:
            for region in self.regions:
                region.setRegion((lo, hi))
                region.setVisible(hi > lo)
        finally:
            self._syncing = False
        self.footer.show_selection(lo, hi)
        self.selection_changed.emit(lo, hi)

    def clear_selection(self) -> None:
        self.clear_box()
        self.set_selection(0.0, 0.0)

    @property
    def selection(self) -> tuple[float, float]:
        """The selected ``(start, stop)`` in seconds; ``(0, 0)`` when none."""
        lo, hi = self.regions[0].getRegion()
        return float(lo), float(hi)

    def has_selection(self) -> bool:
        lo, hi = self.selection
        return hi > lo

    def extend_selection(self, seconds: float) -> None:
        """Shift-click: move the selection's nearer edge to ``seconds``; with no
        selection, select from the playhead to there."""
        lo, hi = self.selection
        if hi <= lo:
            lo = hi = self.playhead
        if abs(seconds - lo) < abs(seconds - hi):
            lo = seconds
        else:
            hi = seconds
        self.set_selection(lo, hi)

    def selected_box(self) -> tuple[float, float, float, float] | None:
        """The time-frequency box ``(t0, t1, f0, f1)`` in seconds and Hz, if any."""
        if self.box is None:
            return None
        t0, t1, u0, u1 = self.box
        f0, f1 = (
            float(unit_to_freq(u, scale=self.freq_scale, nyquist=self.nyquist)) for u in (u0, u1)
        )
        return t0, t1, f0, f1

    def clear_box(self) -> None:
        self.box = None
        for item in self.boxes:
            item.setVisible(False)

    def _drag_select(self, start: float, here: float) -> None:
        self.clear_box()
        self.set_selection(start, here)

    def _box_drag(self, down: QPointF, here: QPointF, finished: bool) -> None:
        t0, t1 = sorted(min(max(t, 0.0), self.duration) for t in (down.x(), here.x()))
        u0, u1 = sorted((min(max(down.y(), 0.0), 1.0), min(max(here.y(), 0.0), 1.0)))
        self.box = (t0, t1, u0, u1)
        for item in self.boxes:
            item.setRect(QRectF(t0, u0, t1 - t0, u1 - u0))
            item.setVisible(True)
        self.set_selection(t0, t1)
        if finished:
            box = self.selected_box()
            assert box is not None
            self.box_selected.emit(*box)

    def _click(self, seconds: float) -> None:
        self.clear_selection()
        self.seek_requested.emit(float(min(max(seconds, 0.0), self.duration)))

    def _region_moved(self, region: pg.LinearRegionItem) -> None:
        """An edge was dragged: move the others' edges with it."""
        if not self._syncing:
            lo, hi = region.getRegion()
            self.set_selection(lo, hi)

    # --- pointer readout ------------------------------------------------------------------------

    def _mouse_moved(self, pos: QPointF) -> None:
        for index, plot in enumerate(self.plots):
            if plot.scene() is None or not plot.vb.sceneBoundingRect().contains(pos):
                continue
            point = plot.vb.mapSceneToView(pos)
            self.cursor_moved.emit(self.readout(index, point.x(), point.y()))
            return

    def readout(self, plot_index: int, seconds: float, y: float) -> str:
        """What the footer says for the pointer at ``(seconds, y)`` of plot ``plot_index``."""
        if self.duration <= 0 or not 0.0 <= seconds <= self.duration:
            return ""
        text = format_time(seconds, 3, hours=self.time_axis.hours)
        spec = self.spectra.get(plot_index)
        if spec is not None:
            freq = float(unit_to_freq(y, scale=self.freq_scale, nyquist=self.nyquist))
            text += "   " + self.tr("{freq} Hz").format(freq=format_number(freq, 0))
            level = spec.level_at(seconds, y)
            if level is not None:
                text += "   " + self.tr("{level} dB").format(level=format_number(level, 1))
        return text


class TimeSpinBox(QDoubleSpinBox):
    """Seconds shown and typed as ``h:mm:ss.mmm`` (or ``m:ss.mmm``, or plain seconds)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.hours = False
        super().__init__(parent)
        self.setDecimals(3)
        self.setSingleStep(0.01)
        self.setKeyboardTracking(False)  # act on Enter or leaving the field
        self.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)

    def textFromValue(self, value: float) -> str:  # noqa: N802
        return format_time(value, 3, hours=self.hours)

    def valueFromText(self, text: str) -> float:  # noqa: N802
        seconds = parse_time(text)
        return self.value() if seconds is None else seconds

    def validate(self, text: str, pos: int) -> object:
        from PySide6.QtGui import QValidator

        if parse_time(text) is not None:
            return QValidator.State.Acceptable, text, pos
        if all(c.isdigit() or c in ":.," for c in text):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Invalid, text, pos


class TimelineFooter(QWidget):
    """Scroll bar, selection start / end / length (editable), frequency scale and the
    pointer readout, under a :class:`TimelineView`."""

    def __init__(self, timeline: TimelineView) -> None:
        super().__init__()
        self.timeline = timeline
        self._updating = False
        self.scroll = QScrollBar(Qt.Orientation.Horizontal, self)
        self.scroll.setRange(0, 0)
        self.scroll.valueChanged.connect(self._scrolled)
        self.start_box = TimeSpinBox(self)
        self.end_box = TimeSpinBox(self)
        self.length_box = TimeSpinBox(self)
        for box, tip in (
            (self.start_box, self.tr("Selection start (type a time and press Enter)")),
            (self.end_box, self.tr("Selection end")),
            (self.length_box, self.tr("Selection length")),
        ):
            box.setToolTip(tip)
            box.setMinimumWidth(84)
        self.start_box.valueChanged.connect(self._start_edited)
        self.end_box.valueChanged.connect(self._end_edited)
        self.length_box.valueChanged.connect(self._length_edited)
        self.scale_box = QComboBox(self)
        for key, label in (
            ("linear", self.tr("Linear frequency")),
            ("log", self.tr("Log frequency")),
            ("mel", self.tr("Mel frequency")),
        ):
            self.scale_box.addItem(label, key)
        self.scale_box.setToolTip(
            self.tr("Frequency scale of the spectrograms (Shift+wheel zooms in frequency)")
        )
        self.scale_box.currentIndexChanged.connect(
            lambda i: timeline.set_frequency_scale(str(self.scale_box.itemData(i)))
        )
        self.split_button = QToolButton(self)
        self.split_button.setText(self.tr("L/R"))
        self.split_button.setCheckable(True)
        self.split_button.setEnabled(False)
        self.split_button.setToolTip(self.tr("Show each channel of a stereo recording apart"))
        self.split_button.toggled.connect(timeline.set_channels_split)
        self.readout = QLabel(self)
        # Never widens the window: the text is cut where the row ends.
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        timeline.cursor_moved.connect(self.readout.setText)

        row = QHBoxLayout()
        row.setContentsMargins(6, 0, 6, 0)
        row.addWidget(QLabel(self.tr("Selection:"), self))
        row.addWidget(self.start_box)
        row.addWidget(QLabel("–", self))
        row.addWidget(self.end_box)
        row.addWidget(QLabel(self.tr("Length:"), self))
        row.addWidget(self.length_box)
        row.addSpacing(8)
        row.addWidget(self.scale_box)
        row.addWidget(self.split_button)
        row.addWidget(self.readout, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 2)
        layout.setSpacing(2)
        layout.addWidget(self.scroll)
        layout.addLayout(row)
        self.set_duration(0.0)

    def set_duration(self, duration: float) -> None:
        self._updating = True
        try:
            for box in (self.start_box, self.end_box, self.length_box):
                box.hours = duration >= 3600
                box.setRange(0.0, max(duration, 0.0))
                box.setEnabled(duration > 0)
        finally:
            self._updating = False
        self.show_selection(0.0, 0.0)
        self.sync_scroll()

    def show_selection(self, start: float, stop: float) -> None:
        self._updating = True
        try:
            self.start_box.setValue(start)
            self.end_box.setValue(stop)
            self.length_box.setValue(stop - start)
        finally:
            self._updating = False

    def _start_edited(self, value: float) -> None:
        if not self._updating:
            _, hi = self.timeline.selection
            self.timeline.set_selection(value, max(value, hi))

    def _end_edited(self, value: float) -> None:
        if not self._updating:
            lo, _ = self.timeline.selection
            self.timeline.set_selection(min(lo, value), value)

    def _length_edited(self, value: float) -> None:
        if not self._updating:
            lo, _ = self.timeline.selection
            self.timeline.set_selection(lo, lo + value)

    def sync_scroll(self) -> None:
        """Match the scroll bar to the visible range."""
        duration = self.timeline.duration
        x0, x1 = self.timeline.view_range()
        self._updating = True
        try:
            if duration <= 0 or x1 - x0 >= duration * 0.999:
                self.scroll.setRange(0, 0)
                return
            page = max(1, int(SCROLL_STEPS * (x1 - x0) / duration))
            self.scroll.setRange(0, SCROLL_STEPS - page)
            self.scroll.setPageStep(page)
            self.scroll.setSingleStep(max(1, page // 10))
            self.scroll.setValue(int(math.floor(SCROLL_STEPS * x0 / duration)))
        finally:
            self._updating = False

    def _scrolled(self, value: int) -> None:
        if self._updating:
            return
        duration = self.timeline.duration
        x0, x1 = self.timeline.view_range()
        start = value / SCROLL_STEPS * duration
        self.timeline.set_view_range(start, start + (x1 - x0))
