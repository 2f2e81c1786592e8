"""The Analysis panel: the founding document's features, before and after restoration.

:func:`core.analysis.compare_audio` measures them in a background job; the panel only
draws.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.analysis import Measures

BEFORE_COLOR = "#4aa3df"
AFTER_COLOR = "#6cc644"


ROWS: tuple[tuple[str, str, str], ...] = (
    ("snr_db", QT_TRANSLATE_NOOP("AnalysisPanel", "Signal-to-noise"), "{:.1f} dB"),
    ("lufs", QT_TRANSLATE_NOOP("AnalysisPanel", "Loudness"), "{:.1f} LUFS"),
    ("true_peak_dbtp", QT_TRANSLATE_NOOP("AnalysisPanel", "True peak"), "{:.1f} dBTP"),
    ("rms_dbfs", QT_TRANSLATE_NOOP("AnalysisPanel", "RMS level"), "{:.1f} dBFS"),
    ("crest_db", QT_TRANSLATE_NOOP("AnalysisPanel", "Crest factor"), "{:.1f} dB"),
    ("centroid_hz", QT_TRANSLATE_NOOP("AnalysisPanel", "Spectral centroid"), "{:.0f} Hz"),
    ("flatness", QT_TRANSLATE_NOOP("AnalysisPanel", "Spectral flatness"), "{:.3f}"),
    ("dominant_hz", QT_TRANSLATE_NOOP("AnalysisPanel", "Dominant frequencies"), "{}"),
)


def format_value(key: str, fmt: str, summary: dict[str, Any] | None) -> str:
    if summary is None:
        return "—"
    value = summary.get(key)
    if value is None:
        return "—"
    if key == "dominant_hz":
        return ", ".join(f"{v:.0f}" for v in value[:3] if v is not None) + " Hz"
    return fmt.format(value)


class AnalysisPanel(QWidget):
    """A table of features (before / after), band energies as bars, and the envelopes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = QLabel(self.tr("Open a recording to analyse it."), self)
        self.status.setWordWrap(True)
        self.table = QTableWidget(len(ROWS), 2, self)
        self.table.setHorizontalHeaderLabels([self.tr("Before"), self.tr("After")])
        self.table.setVerticalHeaderLabels(
            [QCoreApplication.translate("AnalysisPanel", label) for _k, label, _f in ROWS]
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(24)

        self.bands = pg.PlotWidget(self)
        self.bands.setBackground("#1e1f22")
        self.bands.setTitle(self.tr("Energy per band (dBFS, from Hz)"), size="9pt")
        self.bands.setMouseEnabled(x=False, y=False)
        self.bands.hideButtons()
        self.bands.addLegend(offset=(-5, 5), labelTextSize="8pt")
        self.envelope = pg.PlotWidget(self)
        self.envelope.setBackground("#1e1f22")
        self.envelope.setTitle(self.tr("Envelope (dBFS)"), size="9pt")
        self.envelope.setLabel("bottom", self.tr("Time"), units="s")
        self.envelope.hideButtons()
        self.envelope.addLegend(offset=(-5, 5), labelTextSize="8pt")

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.bands)
        splitter.addWidget(self.envelope)
        splitter.setSizes([260, 220, 220])
        self.table.setMinimumHeight(100)
        self.bands.setMinimumHeight(150)
        self.envelope.setMinimumHeight(150)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self.result: tuple[Measures, Measures | None] | None = None

    def clear(self, message: str = "") -> None:
        self.result = None
        self.status.setText(message)
        for row in range(len(ROWS)):
            for col in range(2):
                self.table.setItem(row, col, QTableWidgetItem("—"))
        self.bands.clear()
        self.envelope.clear()

    def set_busy(self, message: str) -> None:
        self.status.setText(message)

    def show_result(self, result: tuple[Measures, Measures | None]) -> None:
        self.result = result
        before, after = result
        self.status.setText(
            self.tr("Before and after restoration.")
            if after
            else self.tr("Before restoration (apply to compare).")
        )
        for row, (key, _label, fmt) in enumerate(ROWS):
            self.table.setItem(row, 0, QTableWidgetItem(format_value(key, fmt, before.summary)))
            text = format_value(key, fmt, after.summary if after else None)
            self.table.setItem(row, 1, QTableWidgetItem(text))
        self._draw_bands(before, after)
        self._draw_envelope(before, after)

    def _draw_bands(self, before: Measures, after: Measures | None) -> None:
        self.bands.clear()
        labels = before.summary.get("band_labels", [])
        x = np.arange(len(labels), dtype=float)
        floor = -100.0

        def heights(a: Measures) -> np.ndarray:
            values = [v if v is not None else floor for v in a.summary["band_energy_db"]]
            return np.asarray(values, dtype=float) - floor

        width = 0.4 if after else 0.7
        self.bands.addItem(
            pg.BarGraphItem(
                x=x - (0.2 if after else 0.0),
                height=heights(before),
                y0=floor,
                width=width,
                brush=BEFORE_COLOR,
                name=self.tr("Before"),
            )
        )
        if after:
            self.bands.addItem(
                pg.BarGraphItem(
                    x=x + 0.2,
                    height=heights(after),
                    y0=floor,
                    width=width,
                    brush=AFTER_COLOR,
                    name=self.tr("After"),
                )
            )
        ticks = [(i, _short_band(label)) for i, label in enumerate(labels)]
        self.bands.getAxis("bottom").setTicks([ticks])
        self.bands.setYRange(floor, 0)

    def _draw_envelope(self, before: Measures, after: Measures | None) -> None:
        self.envelope.clear()
        self.envelope.plot(
            before.envelope_t,
            before.envelope_db,
            pen=pg.mkPen(BEFORE_COLOR),
            name=self.tr("Before"),
        )
        if after:
            self.envelope.plot(
                after.envelope_t,
                after.envelope_db,
                pen=pg.mkPen(AFTER_COLOR),
                name=self.tr("After"),
            )
        self.envelope.setYRange(-90, 0)


def _short_band(label: str) -> str:
    """``"125_250"`` → ``"125"``, ``"1000_2000"`` → ``"1k"``: the band's lower edge."""
    lo = label.partition("_")[0]
    try:
        f = float(lo)
    except ValueError:
        return label
    return f"{f / 1000:g}k" if f >= 1000 else f"{f:g}"
