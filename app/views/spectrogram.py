"""Spectrogram views: the whole recording's overview, and over it a picture of just the
visible range re-rendered at the view's resolution in the background whenever the view
settles (the newest request wins; older ones are cancelled). The y axis runs in
frequency-scale units (see :mod:`core.display`), so linear, log and mel views and
frequency zoom are one mapping."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, QThreadPool, QTimer, Signal, Slot

from app.jobs import Job
from core.display import Spectrogram, ViewTile, compute_spectrogram, render_view, to_scale_rows

__all__ = ["Spectrogram", "SpectrogramImage", "compute_spectrogram"]

RENDER_DELAY_MS = 60  # wait for a wheel or drag to pause before rendering the view

_render_pool: QThreadPool | None = None


def render_pool() -> QThreadPool:
    """One thread for view renders: a newer request cancels the older, none pile up."""
    global _render_pool
    if _render_pool is None:
        _render_pool = QThreadPool()
        _render_pool.setMaxThreadCount(1)
    return _render_pool


class SpectrogramImage(QObject):
    """The overview and the view-resolution picture on ``plot``.

    Signals
    -------
    tile_ready(ViewTile) : a view-resolution picture was drawn.
    """

    tile_ready = Signal(object)

    def __init__(self, plot: pg.PlotItem, parent: QObject | None = None) -> None:
        super().__init__(parent)  # a parent stops its timer and deliveries with the view
        self.plot = plot
        cmap = pg.colormap.get("inferno")
        self.image = pg.ImageItem(axisOrder="row-major")  # the overview
        self.detail = pg.ImageItem(axisOrder="row-major")
        for z, item in ((-20, self.image), (-10, self.detail)):
            item.setColorMap(cmap)
            item.setZValue(z)
            plot.addItem(item)
        self.spec: Spectrogram | None = None
        self.levels: tuple[float, float] | None = None
        self.audio: np.ndarray | None = None
        self.sr = 1
        self.scale = "linear"
        self.tile: ViewTile | None = None
        self._worker: Job | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RENDER_DELAY_MS)
        self._timer.timeout.connect(self.render_now)
        plot.vb.sigRangeChanged.connect(self.request)
        plot.vb.sigResized.connect(self.request)

    # --- content ------------------------------------------------------------------------------

    def set_spectrogram(
        self, spec: Spectrogram | None, levels: tuple[float, float] | None = None
    ) -> None:
        """Show the overview ``spec``; ``levels`` (dB) default to its own colour range."""
        self.spec = spec
        self.levels = (levels or spec.levels) if spec is not None else levels
        self._draw_overview()
        if self.tile is not None and self.levels is not None:
            self.detail.setLevels(self.levels)
        self.request()

    def set_audio(self, audio: np.ndarray | None, sr: int) -> None:
        """The samples the view-resolution pictures are rendered from."""
        self.audio = audio
        self.sr = max(1, int(sr))
        self._clear_detail()
        self.request()

    def set_scale(self, scale: str) -> None:
        self.scale = scale
        self._draw_overview()
        self._clear_detail()
        self.request()

    def _draw_overview(self) -> None:
        spec = self.spec
        if spec is None:
            self.image.clear()
            return
        self.image.setImage(spec.picture(self.scale), levels=self.levels)
        self.image.setRect(QRectF(0.0, 0.0, spec.duration, 1.0))

    def _clear_detail(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None
        self.tile = None
        self.detail.clear()

    # --- view-resolution rendering ------------------------------------------------------------

    def request(self, *_: object) -> None:
        """Re-render the visible range once the view settles."""
        self._timer.start()

    def wanted(self) -> tuple[float, float, float, float, int, int] | None:
        """``(t0, t1, u0, u1, columns, rows)`` to render, or ``None`` when the overview
        already shows the view at screen resolution (or there is nothing to show)."""
        if self.audio is None or self.audio.shape[1] == 0:
            return None
        (x0, x1), (y0, y1) = self.plot.vb.viewRange()
        duration = self.audio.shape[1] / self.sr
        t0, t1 = max(0.0, x0), min(duration, x1)
        u0, u1 = max(0.0, y0), min(1.0, y1)
        columns = int(self.plot.vb.width())
        rows = int(self.plot.vb.height())
        if t1 <= t0 or u1 <= u0 or columns < 2 or rows < 2:
            return None
        if self.spec is not None and u1 - u0 > 0.95:
            shown = self.spec.db.shape[0] * (t1 - t0) / max(self.spec.duration, 1e-9)
            if shown >= columns * (t1 - t0) / (x1 - x0):
                return None  # the overview has a frame per pixel already
        return t0, t1, u0, u1, max(2, int(columns * (t1 - t0) / (x1 - x0))), rows

    def render_now(self) -> None:
        try:
            wanted = self.wanted()
        except RuntimeError:  # the plot went with its window while the timer ran
            return
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None
        if wanted is None:
            self.tile = None
            try:
                self.detail.clear()
            except RuntimeError:  # the plot went with its window while the timer ran
                pass
            return
        t0, t1, u0, u1, columns, rows = wanted
        worker = Job(
            render_view,
            self.audio,
            sr=self.sr,
            start=t0,
            stop=t1,
            columns=columns,
            rows=rows,
            scale=self.scale,
            units=(u0, u1),
            parent=self,  # goes with the view
        )
        # A bound slot, not a lambda: Qt drops the delivery once this object is gone.
        worker.returned.connect(self._rendered)
        worker.finished.connect(worker.deleteLater)
        self._worker = worker
        worker.start(render_pool())

    @Slot(object)
    def _rendered(self, tile: ViewTile) -> None:
        worker = self._worker
        if worker is None or worker is not self.sender() or tile.scale != self.scale:
            return  # superseded by a newer request
        self._worker = None
        self.tile = tile
        levels = self.levels or (float(tile.image.min()), float(tile.image.max()))
        u0, u1 = tile.units
        try:
            self.detail.setImage(tile.image, levels=levels)
            self.detail.setRect(QRectF(tile.start, u0, tile.stop - tile.start, u1 - u0))
        except RuntimeError:  # the plot went with its window while this rendered
            return
        self.tile_ready.emit(tile)

    def level_at(self, seconds: float, unit: float) -> float | None:
        """dB under the point (seconds, scale unit), from the finest picture holding it."""
        tile = self.tile
        if tile is not None and tile.start <= seconds < tile.stop:
            u0, u1 = tile.units
            if u0 <= unit <= u1:
                rows, cols = tile.image.shape
                c = int((seconds - tile.start) / (tile.stop - tile.start) * cols)
                r = int((unit - u0) / max(u1 - u0, 1e-12) * rows)
                return float(tile.image[min(r, rows - 1), min(c, cols - 1)])
        spec = self.spec
        if spec is None or not 0.0 <= seconds < spec.duration:
            return None
        frame = int(seconds / spec.duration * spec.db.shape[0])
        cell = to_scale_rows(
            spec.db[frame : frame + 1],
            nyquist=spec.nyquist,
            scale=self.scale,
            rows=1,
            units=(min(unit, 1.0), min(unit + 1e-3, 1.0)),
        )
        return float(cell[0, 0])
