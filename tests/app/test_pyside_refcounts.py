"""Guards the PySide6 pin: 6.12.0 under Python 3.11 over-released ``None`` on every
repaint of a pyqtgraph view (about 10 references per frame) until Python aborted with
"Fatal Python error: none_dealloc". 6.11.3 does not; this test catches a pin that does."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pyqtgraph as pg


def test_repaints_do_not_leak_references_to_none(qtbot: Any) -> None:
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(300, 200)
    plot.plot(np.sin(np.arange(1000) / 20.0))
    plot.addItem(pg.InfiniteLine(5.0))
    plot.addItem(pg.ImageItem(np.random.default_rng(0).random((64, 64))))
    plot.grab()
    before = sys.getrefcount(None)
    for _ in range(50):
        plot.grab()
    assert (before - sys.getrefcount(None)) / 50 < 0.5
