"""The app writes through the output guard: it asks before replacing, and never silently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from core.audio.io import load
from core.errors import OutputExistsError


def answer(monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton) -> list[str]:
    """Make every question box answer ``button``; returns the questions asked."""
    asked: list[str] = []

    def question(parent: Any, title: str, text: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def test_export_never_replaces_a_file_it_was_not_told_to(
    qtbot: Any, window: Any, recording: Path, open_recording: Any, tmp_path: Path, dialogs: Any
) -> None:
    open_recording(recording)
    mine = tmp_path / "mine.wav"
    mine.write_bytes(b"my other take")
    with qtbot.waitSignal(window.jobs.idle, timeout=20_000):
        window.export.export_current(mine, what="original")
    assert dialogs.shown[-1].title == "The file already exists"
    assert mine.read_bytes() == b"my other take"
    with qtbot.waitSignal(window.export.finished, timeout=20_000):
        window.export.export_current(mine, what="original", overwrite=True)
    assert load(mine)[0].shape[1] > 0


@pytest.mark.parametrize(
    ("button", "accepted"),
    [(QMessageBox.StandardButton.No, False), (QMessageBox.StandardButton.Yes, True)],
)
def test_export_dialog_asks_before_replacing(
    qtbot: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    button: QMessageBox.StandardButton,
    accepted: bool,
) -> None:
    from app.dialogs.export import ExportDialog

    (tmp_path / "x.wav").write_bytes(b"mine")
    asked = answer(monkeypatch, button)
    dialog = ExportDialog(None, suggested=tmp_path / "x.wav")
    qtbot.addWidget(dialog)
    assert dialog.path == tmp_path / "x-2.wav"  # it proposes a name that is free
    dialog.path_edit.setText(str(tmp_path / "x.wav"))  # the user names the taken one
    dialog.accept()
    assert asked and "x.wav already exists" in asked[0]
    assert (dialog.result() == ExportDialog.DialogCode.Accepted) is accepted
    assert dialog.overwrite is True
    dialog.path_edit.setText(str(tmp_path / "new.wav"))
    asked.clear()
    dialog.accept()
    assert not asked and dialog.overwrite is False


def test_saving_a_preset_under_a_taken_name_asks(
    qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch, dialogs: Any
) -> None:
    panel = window.restore_panel
    panel.select_preset("dehum")
    path = panel.save_preset("Mine")
    first = path.read_text()
    panel.select_preset("declick")
    with pytest.raises(OutputExistsError):
        panel.save_preset("Mine")
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Mine", True)))
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    panel._ask_save_preset()
    assert asked and path.read_text() == first
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    panel._ask_save_preset()
    assert path.read_text() != first and '"declick"' in path.read_text()


def test_batch_restore_checks_every_output_before_any_work(
    make_recording: Any, tmp_path: Path
) -> None:
    from core.batch import run_batch
    from core.chain import load_preset

    (tmp_path / "in").mkdir()
    for name in ("a.wav", "b.wav"):
        make_recording(f"in/{name}", seconds=0.5)
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.wav").write_bytes(b"mine")
    with pytest.raises(OutputExistsError, match="b.wav already exists"):
        run_batch([tmp_path / "in"], out, load_preset("dehum"))
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".wav") == ["b.wav"]
    assert (out / "b.wav").read_bytes() == b"mine"


def test_export_dialog_offers_every_format_rate_and_dither(qtbot: Any, tmp_path: Path) -> None:
    from app.dialogs.export import ExportDialog

    (tmp_path / "x_restored.wav").write_bytes(b"first export")
    (tmp_path / "x_restored.opus").write_bytes(b"an opus export")
    dialog = ExportDialog(None, suggested=tmp_path / "x_restored.wav", subtype="PCM_16", sr=44100)
    qtbot.addWidget(dialog)
    assert dialog.path.name == "x_restored-2.wav"
    formats = [dialog.format_box.itemData(i) for i in range(dialog.format_box.count())]
    assert formats == [".wav", ".flac", ".aiff", ".ogg", ".opus", ".mp3"]
    assert dialog.dither_box.isEnabled() and dialog.dither
    dialog.depth_box.setCurrentIndex(dialog.depth_box.findData("PCM_24"))
    assert not dialog.dither_box.isEnabled()  # dither only matters at 16 bits
    dialog.format_box.setCurrentIndex(formats.index(".opus"))
    assert dialog.path.name == "x_restored-2.opus"  # the proposal stays free
    assert dialog.subtype == "OPUS" and not dialog.depth_box.isEnabled()
    assert "48" in dialog.rate_note.text() and not dialog.rate_note.isHidden()
    dialog.rate_box.setCurrentIndex(dialog.rate_box.findData(48000))
    assert dialog.rate == 48000 and dialog.rate_note.isHidden()
