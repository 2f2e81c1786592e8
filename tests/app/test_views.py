"""Undo commands on a Recording."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.document import Recording, Restoration, StrengthCommand
from core.strength import removal_share


def test_strength_commands_merge_and_undo(qtbot: Any) -> None:
    from PySide6.QtGui import QUndoStack

    original = np.ones((1, 10), np.float32)
    residual = np.full((1, 10), 0.25, np.float32)
    doc = Recording(Path("x.wav"), original, 8000)
    doc.restoration = Restoration(original - residual, residual, {"name": "t"})
    seen: list[float] = []
    stack = QUndoStack()
    for s in (0.8, 0.5, 0.2):
        stack.push(StrengthCommand(doc, s, lambda d: seen.append(d.strength)))
    assert stack.count() == 1 and doc.strength == 0.2
    share = removal_share(0.2)  # core.strength: the same meaning as the CLI's
    np.testing.assert_allclose(doc.restored, original - share * residual, rtol=1e-6)
    np.testing.assert_allclose(doc.removed, share * residual, rtol=1e-6)
    stack.undo()
    assert doc.strength == 1.0 and seen[-1] == 1.0
    with pytest.raises(ValueError):
        doc.original[0, 0] = 2.0  # read-only


def test_a_reduction_limit_at_its_minimum_reads_no_limit(qtbot: Any) -> None:
    from app.views.restore import param_widget, widget_value
    from core.steps import STEP_TYPES

    spec = next(p for p in STEP_TYPES["model"].params if p.name == "floor_db")
    unlimited = param_widget(spec, -100.0)
    limited = param_widget(spec, -30.0)
    qtbot.addWidget(unlimited)
    qtbot.addWidget(limited)
    assert unlimited.text() == "no limit" and widget_value(spec, unlimited) == -100.0
    assert limited.text() == "-30.0 dB"


def test_the_strength_tooltip_says_how_far_down_the_removed_part_stays(qtbot: Any) -> None:
    from app.views.restore import RestorePanel

    panel = RestorePanel(presets_dir=Path("/nonexistent"), models_dir=Path("/nonexistent"))
    qtbot.addWidget(panel)
    panel.strength.setValue(50)
    assert panel.strength_label.text() == "50 %"
    assert "stays, 21 dB down" in panel.strength_label.toolTip()
    panel.strength.setValue(100)
    assert "Everything" in panel.strength_label.toolTip()
