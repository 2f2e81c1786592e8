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

from app.views.axes import TimeAxis, format_frequency, format_number
from core.analysis import Measures

BEFORE_COLOR = "#4aa3df"
AFTER_COLOR = "#6cc644"


# (summary key, label, decimals, unit): numbers in the locale's own format.
ROWS: tuple[tuple[str, str, int, str], ...] = (
    ("snr_db", QT_TRANSLATE_NOOP("AnalysisPanel", "Signal-to-noise"), 1, "dB"),
    ("lufs", QT_TRANSLATE_NOOP("AnalysisPanel", "Loudness"), 1, "LUFS"),
    ("true_peak_dbtp", QT_TRANSLATE_NOOP("AnalysisPanel", "True peak"), 1, "dBTP"),
    ("rms_dbfs", QT_TRANSLATE_NOOP("AnalysisPanel", "RMS level"), 1, "dBFS"),
    ("crest_db", QT_TRANSLATE_NOOP("AnalysisPanel", "Crest factor"), 1, "dB"),
    ("centroid_hz", QT_TRANSLATE_NOOP("AnalysisPanel", "Spectral centroid"), 0, "Hz"),
    ("flatness", QT_TRANSLATE_NOOP("AnalysisPanel", "Spectral flatness"), 3, ""),
    ("dominant_hz", QT_TRANSLATE_NOOP("AnalysisPanel", "Dominant frequencies"), 0, "Hz"),
)


def format_value(key: str, decimals: int, unit: str, summary: dict[str, Any] | None) -> str:
    """One cell: the locale's separators, no "-0.0", frequencies as 850 / 1.2k."""
    if summary is None:
        return "—"
    value = summary.get(key)
    if value is None:
        return "—"
    if key == "dominant_hz":
        return " · ".join(format_frequency(v) for v in value[:3] if v is not None) + " Hz"
    text = format_number(value, decimals)
    return f"{text} {unit}" if unit else text


def _legend(title: str, after: bool) -> str:
    """A plot title that carries its legend (a legend inside the plot hides data)."""
    before_key = f'<span style="color:{BEFORE_COLOR}">■</span> ' + _tr("Before")
    after_key = f'&nbsp;&nbsp;<span style="color:{AFTER_COLOR}">■</span> ' + _tr("After")
    return f"{title}&nbsp;&nbsp;&nbsp;{before_key}{after_key if after else ''}"


def _tr(text: str) -> str:
    return QCoreApplication.translate("AnalysisPanel", text)


class AnalysisPanel(QWidget):
    """A table of features (before / after), band energies as bars, and the envelopes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = QLabel(self.tr("Open a recording to analyse it."), self)
        self.status.setWordWrap(True)
        self.table = QTableWidget(len(ROWS), 2, self)
        self.table.setHorizontalHeaderLabels([self.tr("Before"), self.tr("After")])
        self.table.setVerticalHeaderLabels(
            [QCoreApplication.translate("AnalysisPanel", label) for _k, label, _d, _u in ROWS]
        )
        self.table.setWordWrap(True)  # three dominant frequencies may need two lines
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(24)

        self.bands = pg.PlotWidget(self)
        self.bands.setBackground("#1e1f22")
        self.bands_title = self.tr("Energy per band (dBFS, from Hz)")
        self.bands.setMouseEnabled(x=False, y=False)
        self.bands.hideButtons()
        self.envelope = pg.PlotWidget(self, axisItems={"bottom": TimeAxis("bottom")})
        self.envelope.setBackground("#1e1f22")
        self.envelope_title = self.tr("Envelope (dBFS)")
        self.envelope.setLabel("bottom", self.tr("Time"))
        self.envelope.hideButtons()
        for plot in (self.bands, self.envelope):
            for name in ("left", "bottom"):  # an empty plot must not read "x0.001"
                plot.getAxis(name).enableAutoSIPrefix(False)
        self._set_empty_plots()

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
        self._set_empty_plots()

    def _set_empty_plots(self) -> None:
        """Titles without legend and fixed ranges while there is nothing to draw."""
        self.bands.setTitle(self.bands_title, size="9pt")
        self.envelope.setTitle(self.envelope_title, size="9pt")
        self.bands.getAxis("bottom").setTicks([[]])
        self.bands.setYRange(-100, 0)
        self.envelope.setYRange(-90, 0)
        self.envelope.setXRange(0, 1)

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
        for row, (key, _label, decimals, unit) in enumerate(ROWS):
            for col, analysis in enumerate((before, after)):
                text = format_value(key, decimals, unit, analysis.summary if analysis else None)
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        self._draw_bands(before, after)
        self._draw_envelope(before, after)

    def _draw_bands(self, before: Measures, after: Measures | None) -> None:
        self.bands.clear()
        self.bands.setTitle(_legend(self.bands_title, after is not None), size="9pt")
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
        self.envelope.setTitle(_legend(self.envelope_title, after is not None), size="9pt")
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
        self.envelope.setXRange(0, float(before.envelope_t[-1]) if before.envelope_t.size else 1)


def _short_band(label: str) -> str:
    """``"125_250"`` → ``"125"``, ``"1000_2000"`` → ``"1k"``: the band's lower edge."""
    lo = label.partition("_")[0]
    try:
        f = float(lo)
    except ValueError:
        return label
    return format_frequency(f)
