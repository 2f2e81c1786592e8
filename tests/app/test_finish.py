"""Finishing touches: dialogs that fit their text, choices shown translated but kept as
the chain's values, the first-run hint that knows the demo is open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.i18n import install_translators


def test_language_note_gets_its_height_when_it_appears(qtbot: Any) -> None:
    from app.dialogs.preferences import PreferencesDialog

    spanish = install_translators("es")
    try:
        dialog = PreferencesDialog(
            None, devices=[], device="", matched_loudness=True, language="system"
        )
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.language_box.setCurrentIndex(dialog.language_box.count() - 1)
        note = dialog.language_note
        assert note.isVisible()
        wanted = note.heightForWidth(note.width())
        assert note.height() >= wanted > 0  # not squeezed (the text was cut top and bottom)
    finally:
        spanish.remove()


def test_choice_values_are_translated_on_screen_but_not_in_the_chain(qtbot: Any) -> None:
    from app.views.restore import param_widget, widget_value
    from core.steps import ParamSpec

    spec = ParamSpec("channels", "linked", "Channels", choices=("linked", "independent"))
    spanish = install_translators("es")
    try:
        box = param_widget(spec, "independent")
        qtbot.addWidget(box)
        assert box.currentText() != "independent"  # shown in Spanish
        assert widget_value(spec, box) == "independent"  # the chain keeps its value
    finally:
        spanish.remove()


def test_first_run_hint_does_not_offer_the_demo_while_it_is_open(
    window: Any, qtbot: Any, tmp_path: Path
) -> None:
    from app.__main__ import demo_path
    from tests.app.conftest import open_and_wait

    assert window.hint_demo_button.isVisible()
    open_and_wait(qtbot, window, demo_path(tmp_path / "data"))
    assert not window.hint_demo_button.isVisible()
    assert "Apply" in window.hint_label.text()


def test_analysis_numbers_follow_the_locale_without_negative_zero(qtbot: Any) -> None:
    from app.views.analysis import AnalysisPanel, format_value

    assert format_value("true_peak_dbtp", 1, "dBTP", {"true_peak_dbtp": -0.04}) == "0.0 dBTP"
    dominant = format_value("dominant_hz", 0, "Hz", {"dominant_hz": [125.0, 1250.0, 12000.0]})
    assert dominant == "125 · 1.2k · 12k Hz"
    spanish = install_translators("es")
    try:
        assert format_value("flatness", 3, "", {"flatness": 0.25}) == "0,250"
        assert format_value("lufs", 1, "LUFS", {"lufs": -23.456}) == "-23,5 LUFS"
        panel = AnalysisPanel()
        qtbot.addWidget(panel)
        panel.clear("loading")
        for plot in (panel.bands, panel.envelope):
            for name in ("left", "bottom"):
                label = plot.getAxis(name).labelString()
                assert "x0.001" not in label and "mkHz" not in label
    finally:
        spanish.remove()
