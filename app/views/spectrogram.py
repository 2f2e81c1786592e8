"""Spectrogram at display resolution: computed off the GUI thread, shown as an image.

:func:`compute_spectrogram` never makes more than ``max_columns`` frames: for long
files the hop grows (frames are then spaced more than one window apart, which is fine
for a picture and keeps the cost independent of the length).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from core.progress import CancelToken, ProgressCallback, check_cancel

MAX_COLUMNS = 2000
FLOOR_DB = -110.0
RANGE_DB = 80.0


@dataclass(frozen=True)
class Spectrogram:
    db: np.ndarray  # (frames, bins), dB full scale
    duration: float  # seconds the frames span
    nyquist: float
    levels: tuple[float, float] = (FLOOR_DB, FLOOR_DB + RANGE_DB)  # display colour range


def compute_spectrogram(
    audio: np.ndarray,
    *,
    sr: int,
    max_columns: int = MAX_COLUMNS,
    n_fft: int = 1024,
    gain: float = 1.0,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Spectrogram:
    """Power spectrogram in dB of the channel mean of ``audio`` ``(channels, samples)``."""
    mono = audio.mean(axis=0, dtype=np.float32) if audio.shape[0] > 1 else audio[0]
    if gain != 1.0:
        mono = mono * np.float32(gain)
    total = mono.size
    hop = max(n_fft // 4, -(-total // max_columns))
    padded = np.concatenate([np.zeros(n_fft // 2, np.float32), mono, np.zeros(n_fft, np.float32)])
    count = max(1, -(-total // hop))
    window = np.hanning(n_fft).astype(np.float32)
    scale = 2.0 / float(np.sum(window) ** 2)
    out = np.empty((count, n_fft // 2 + 1), np.float32)
    chunk = 256
    for first in range(0, count, chunk):
        check_cancel(cancel)
        idx = np.arange(first, min(first + chunk, count)) * hop
        frames = padded[idx[:, None] + np.arange(n_fft)[None, :]] * window
        power = np.abs(np.fft.rfft(frames, axis=1)) ** 2 * scale
        out[first : first + idx.size] = 10 * np.log10(np.maximum(power, 1e-12))
        if progress is not None:
            progress(min(1.0, (first + chunk) / count), "spectrogram")
    # The colour range is a percentile over a million cells: worth doing here, not on
    # the GUI thread.
    return Spectrogram(out, count * hop / sr, sr / 2, display_levels(out))


class SpectrogramImage:
    """An ``ImageItem`` on ``plot`` with a colormap, placed in seconds × Hz."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("inferno"))
        plot.addItem(self.image)
        self.image.setZValue(-10)

    def set_spectrogram(
        self, spec: Spectrogram | None, levels: tuple[float, float] | None = None
    ) -> None:
        """Show ``spec``; ``levels`` (dB) default to its own colour range."""
        if spec is None:
            self.image.clear()
            return
        # rows = frequency bins, columns = time frames
        self.image.setImage(spec.db.T, levels=levels or spec.levels)
        self.image.setRect(QRectF(0.0, 0.0, spec.duration, spec.nyquist))


def display_levels(db: np.ndarray) -> tuple[float, float]:
    """Colour range of dB cells: the loudest down to ``RANGE_DB`` below them."""
    top = float(np.percentile(db, 99.5)) if db.size else 0.0
    return max(FLOOR_DB, top - RANGE_DB), top
