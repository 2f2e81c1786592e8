"""The main window end to end: open, restore, compare, strength, undo, export, cancel, errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from core.audio.io import load
from core.chain import ChainConfig, StepSpec
from core.display import FileFrames
from core.strength import removal_share

TIMEOUT = 120_000  # a restore with the tiny model imports TensorFlow the first time


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def model_chain(tiny_bundle_path: Path) -> ChainConfig:
    """DC removal then the tiny model: no gain step, so restored + residual = original."""
    return ChainConfig(
        [StepSpec("dc", {}), StepSpec("model", {"model": "default", "floor_db": -30.0})],
        name="tiny",
    )


def restore(qtbot: Any, window: Any, chain: ChainConfig, model: str | None = None) -> Any:
    window.restore_panel.set_chain(chain)
    if model is not None:
        window.restore_panel.add_model(model)
    with qtbot.waitSignal(window.restore.finished, timeout=TIMEOUT) as blocker:
        window.restore.apply()
    return blocker.args[0]


HIGHPASS = ChainConfig([StepSpec("highpass", {"cutoff_hz": 300.0})], name="hp")


def test_open_shows_the_recording_and_remembers_it(
    qtbot: Any, window: Any, recording: Path, open_recording: Any, settings: Any
) -> None:
    with qtbot.waitSignal(window.view.spectrogram_ready, timeout=20_000):
        doc = open_recording(recording)
    assert window.session.current is doc
    assert doc.original.shape == (1, 32000) and doc.sr == 16000
    # Opening keeps the samples in the file (only the overviews were built): nothing
    # can modify them, and a long recording is not decoded into memory.
    assert isinstance(doc.original, FileFrames) and doc.original.path == recording
    assert window.session_list.count() == 1
    assert window.timeline.duration == pytest.approx(2.0)
    assert ("spec", "original") in doc.cache
    assert doc.cache[("spec", "original")].db.shape[0] <= 2000
    assert settings.recent_files == [str(recording.resolve())]
    assert [a.text() for a in window.recent_menu.actions()][0] == recording.name
    assert recording.name in window.windowTitle()
    # Opening the same file again switches to it instead of loading a copy.
    window.session.open_files([recording])
    assert window.session_list.count() == 1


def test_session_list_switches_between_files(
    qtbot: Any, window: Any, make_recording: Any, open_recording: Any
) -> None:
    first = open_recording(make_recording("a.wav", seconds=1.0))
    second = open_recording(make_recording("b.wav", seconds=1.5, channels=2))
    assert window.session.current is second and window.session_list.count() == 2
    window.session_list.setCurrentRow(0)
    assert window.session.current is first
    assert window.timeline.duration == pytest.approx(1.0)
    assert window.playback.player.sources["original"].shape == first.original.shape
    window.session.close_current()
    assert window.session.current is second and window.session.recordings == [second]


def test_drop_opens_files(qtbot: Any, window: Any, recording: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(recording))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.session.opened, timeout=20_000):
        window.dropEvent(event)
    assert window.session.current.path == recording


def test_restore_with_model_then_ab_strength_undo_redo(
    qtbot: Any, window: Any, recording: Path, open_recording: Any, tiny_bundle_path: Path
) -> None:
    doc = open_recording(recording)
    assert window.transport.source == "original"
    assert not window.restore_panel.strength.isEnabled()

    restore(qtbot, window, model_chain(tiny_bundle_path), model=str(tiny_bundle_path))
    r = doc.restoration
    assert r is not None and r.chain["steps"][1]["params"]["model"] == str(tiny_bundle_path)
    assert r.restored.shape == doc.original.shape
    np.testing.assert_allclose(r.restored + r.residual, doc.original, atol=1e-5)
    assert np.abs(r.residual).max() > 0  # the model removed something
    player = window.playback.player
    assert window.transport.source == "restored" and player.selected == "restored"
    qtbot.waitUntil(lambda: np.array_equal(player.sources["restored"], r.restored))

    # A/B: B cycles restored -> removed noise -> original -> restored.
    window.activateWindow()
    window.setFocus()
    for expected in ("residual", "original", "restored"):
        window.cycle_action.trigger()
        assert window.transport.source == expected and player.selected == expected

    # Strength: a preview, no re-run. A slider drag is one undo step.
    for value in (80, 60, 40):
        window.restore_panel.strength.setValue(value)
    assert doc.strength == pytest.approx(0.4)
    share = removal_share(0.4)  # what is left of the removed part is about 16 dB down
    np.testing.assert_allclose(doc.restored, doc.original - share * r.residual, atol=1e-5)
    np.testing.assert_allclose(doc.removed, share * r.residual, atol=1e-6)
    qtbot.waitUntil(lambda: np.array_equal(player.sources["restored"], doc.restored))
    assert doc.undo_stack.count() == 2

    window.undo_action.trigger()  # strength back to 100 %
    assert doc.strength == 1.0 and window.restore_panel.strength.value() == 100
    np.testing.assert_array_equal(doc.restored, r.restored)
    window.undo_action.trigger()  # no restoration
    assert doc.restoration is None and window.transport.source == "original"
    assert not window.restore_panel.strength.isEnabled()
    window.redo_action.trigger()
    window.redo_action.trigger()
    assert doc.restoration is r and doc.strength == pytest.approx(0.4)
    assert window.restore_panel.strength.value() == 40


def test_export_writes_the_preview_and_never_touches_the_input(
    qtbot: Any, window: Any, recording: Path, open_recording: Any, tmp_path: Path, dialogs: Any
) -> None:
    before = digest(recording)
    doc = open_recording(recording)
    restore(qtbot, window, HIGHPASS)
    window.restore.set_strength(0.5)
    out = tmp_path / "out" / "restored.flac"
    out.parent.mkdir()
    with qtbot.waitSignal(window.export.finished, timeout=20_000):
        window.export.export_current(out, subtype="PCM_24")
    written, sr = load(out)
    assert sr == doc.sr and written.shape == doc.original.shape
    np.testing.assert_allclose(written, doc.restored, atol=2e-6 * 2**8)  # 24-bit
    out32 = tmp_path / "out" / "restored32.wav"
    with qtbot.waitSignal(window.export.finished, timeout=20_000):
        window.export.export_current(out32, subtype="FLOAT")
    np.testing.assert_array_equal(load(out32)[0], doc.restored)

    # Exporting over the input is refused with a readable message.
    with qtbot.waitSignal(window.jobs.idle, timeout=20_000):
        window.export.export_current(recording.with_suffix(".wav"), subtype="PCM_16")
    assert dialogs.shown[-1].title == "Not written, to protect your files"
    assert "never overwrites" in dialogs.shown[-1].text
    assert digest(recording) == before
    assert not list(recording.parent.glob(".*part*"))  # no temporary file left behind


def test_export_dialog_cancel_writes_nothing(
    qtbot: Any, window: Any, recording: Path, open_recording: Any, tmp_path: Path
) -> None:
    open_recording(recording)
    window.export.export_dialog()  # QDialog.exec is patched to reject
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".wav") == [recording.name]


def test_export_dialog_choices(qtbot: Any, tmp_path: Path) -> None:
    from app.dialogs.export import ExportDialog

    dialog = ExportDialog(None, suggested=tmp_path / "x_restored.wav", subtype="FLOAT")
    qtbot.addWidget(dialog)
    assert dialog.subtype == "FLOAT" and dialog.path.suffix == ".wav"
    dialog.format_box.setCurrentIndex(dialog.format_box.findData(".flac"))
    assert dialog.path == tmp_path / "x_restored.flac"
    assert dialog.subtype == "PCM_24"  # FLAC cannot hold float
    assert not dialog.depth_box.model().item(2).isEnabled()


def test_cancel_a_long_restore_leaves_the_window_usable(
    qtbot: Any, window: Any, make_recording: Any, open_recording: Any
) -> None:
    doc = open_recording(make_recording("long.wav", seconds=240.0))
    window.restore_panel.set_chain(
        ChainConfig(
            [
                StepSpec("dehum", {"mains": "auto", "harmonics": 12}),
                StepSpec("gate", {"reduction_db": 12.0, "threshold_db": 6.0}),
            ]
        )
    )
    with qtbot.waitSignal(window.restore.cancelled, timeout=60_000):
        window.restore.apply()
        assert window.restore_panel.cancel_button.isEnabled()
        assert not window.restore_panel.apply_button.isEnabled()
        window.restore.cancel()
    qtbot.waitUntil(lambda: window.restore.job is None, timeout=10_000)
    assert doc.restoration is None and doc.undo_stack.count() == 0
    assert window.restore_panel.apply_button.isEnabled()
    assert not window.restore_panel.progress.isVisible()
    assert "cancelled" in window.statusBar().currentMessage()
    # Still usable: a quick restoration now completes.
    restore(qtbot, window, HIGHPASS)
    assert doc.restoration is not None


def test_corrupt_file_shows_a_readable_error(
    qtbot: Any, window: Any, tmp_path: Path, dialogs: Any
) -> None:
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio")
    with qtbot.waitSignal(window.jobs.idle, timeout=20_000):
        window.session.open_files([bad])
    assert window.session.recordings == []
    shown = dialogs.shown[-1]
    assert shown.title == "The file is damaged or not audio"
    assert "broken.wav" in shown.text and "another copy" in shown.text
    assert "broken.wav" in shown.detail


def test_missing_model_is_a_clear_error(
    qtbot: Any, window: Any, recording: Path, open_recording: Any, tmp_path: Path, dialogs: Any
) -> None:
    open_recording(recording)
    missing = tmp_path / "nowhere.keras"
    window.restore_panel.set_chain(model_chain(missing))
    window.restore_panel.add_model(str(missing))
    with qtbot.waitSignal(window.restore.failed, timeout=5_000):
        window.restore.apply()
    assert dialogs.shown[-1].title == "The model cannot be used"
    assert str(missing) in dialogs.shown[-1].detail
    assert window.restore.job is None and window.restore_panel.apply_button.isEnabled()


def test_keyboard_moves_the_playhead_and_space_plays(
    qtbot: Any, window: Any, recording: Path, open_recording: Any
) -> None:
    open_recording(recording)
    window.end_action.trigger()
    assert window.playback.position == pytest.approx(2.0)
    assert window.playback.player.position == 32000
    window.home_action.trigger()
    assert window.playback.position == 0.0
    window.forward_action.trigger()
    assert 0.0 < window.playback.position < 1.0
    window.play_action.trigger()
    assert window.playback.player.playing and window.playback.position_timer.isActive()
    window.play_action.trigger()
    assert not window.playback.player.playing
    window.timeline.set_selection(0.5, 1.0)
    window.transport.loop_box.setChecked(True)
    assert window.playback.player.loop == (8000, 16000)


def test_residual_view_toggle(
    qtbot: Any, window: Any, recording: Path, open_recording: Any
) -> None:
    doc = open_recording(recording)
    restore(qtbot, window, HIGHPASS)
    window.residual_view_action.trigger()
    assert window.timeline.lower_mode == "residual"
    assert window.timeline.plots[2].getAxis("left").labelText == "Removed noise"
    # Not the next spectrogram_ready: on a busy machine the restored view's own
    # spectrogram may still be finishing and arrive first.
    key = ("spec", "residual", doc.restoration, 1.0)
    qtbot.waitUntil(lambda: key in doc.cache, timeout=20_000)


def test_analysis_before_and_after(
    qtbot: Any, window: Any, recording: Path, open_recording: Any
) -> None:
    open_recording(recording)
    restore(qtbot, window, HIGHPASS)
    with qtbot.waitSignal(window.analysis.ready, timeout=30_000) as blocker:
        window.analysis_dock.raise_()
        window.analysis.run()
    before, after = blocker.args[0]
    assert after is not None
    for key in ("snr_db", "lufs", "true_peak_dbtp", "dominant_hz", "band_energy_db"):
        assert key in before.summary and key in after.summary
    table = window.analysis_panel.table
    assert table.item(0, 0).text().endswith("dB") and table.item(0, 1).text().endswith("dB")
    assert before.envelope_db.size <= 2000


def test_presets_save_and_reload(qtbot: Any, window: Any, tmp_path: Path) -> None:
    panel = window.restore_panel
    assert panel.select_preset("dehum")
    editor = panel.steps[0]
    spin = editor.editors["harmonics"][1]
    spin.setValue(5)
    editor.bypass.setChecked(True)
    path = panel.save_preset("My hum fix")
    assert path == tmp_path / "data" / "presets" / "My hum fix.json"
    assert panel.preset_box.currentText() == "My hum fix (mine)"
    panel.select_preset("default")
    assert panel.select_preset("user:" + str(path))
    chain = panel.chain()
    assert chain.steps[0].params["harmonics"] == 5 and chain.steps[0].bypass


def test_param_widgets_follow_the_step_types(qtbot: Any) -> None:
    from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox

    from app.views.restore import StepEditor
    from core.steps import STEP_TYPES

    for name, kind in STEP_TYPES.items():
        editor = StepEditor(StepSpec(name, kind.resolve({})))
        qtbot.addWidget(editor)
        spec = editor.spec()
        assert spec == StepSpec(name, kind.resolve({}), False)  # round trip of the defaults
    declick = StepEditor(StepSpec("declick", STEP_TYPES["declick"].resolve({})))
    qtbot.addWidget(declick)
    assert isinstance(declick.editors["mode"][1], QComboBox)
    assert isinstance(declick.editors["threshold"][1], QDoubleSpinBox)
    dehum = StepEditor(StepSpec("dehum", STEP_TYPES["dehum"].resolve({})))
    qtbot.addWidget(dehum)
    assert isinstance(dehum.editors["harmonics"][1], QSpinBox)
    assert dehum.editors["harmonics"][1].maximum() == 40


def test_trained_model_becomes_selectable(window: Any, tiny_bundle_path: Path) -> None:
    window.training.model_trained(str(tiny_bundle_path))
    assert window.restore_panel.model == str(tiny_bundle_path)
    assert window.restore_panel.chain().with_model(window.restore_panel.model).model == str(
        tiny_bundle_path
    )


def test_batch_export_restores_a_folder(
    qtbot: Any, window: Any, make_recording: Any, tmp_path: Path, dialogs: Any
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name in ("one.wav", "two.wav"):
        make_recording(f"in/{name}", seconds=1.0)
    (src / "zz_broken.wav").write_bytes(b"not audio")
    dst = tmp_path / "out"
    with qtbot.waitSignal(window.export.finished, timeout=120_000) as blocker:
        window.export.batch_export(src, dst, "declick", ".flac", "PCM_16", strength=0.5)
    report = blocker.args[0]
    assert [p.name for p in report.restored] == ["one.flac", "two.flac"]
    assert [p.name for p, _e in report.failed] == ["zz_broken.wav"]
    assert all(p.exists() for p in report.restored)
    assert dialogs.shown[-1].title == "Some files were not restored"
    assert "zz_broken.wav: " in dialogs.shown[-1].text  # each failed file with its reason
    # the window's strength, recorded in the journal of the folder (which resumes)
    from core.batch import JOURNAL_NAME

    lines = (dst / JOURNAL_NAME).read_text().splitlines()
    assert {json.loads(line)["settings"]["strength"] for line in lines} == {0.5}
    with qtbot.waitSignal(window.export.finished, timeout=120_000) as blocker:
        window.export.batch_export(src, dst, "declick", ".flac", "PCM_16", strength=0.5)
    again = blocker.args[0]
    assert not again.restored and [p.name for p in again.skipped] == ["one.flac", "two.flac"]


def test_preferences_change_device_and_loudness(window: Any, settings: Any) -> None:
    old = window.playback.player
    window.apply_preferences("Some device", False, "en")
    assert settings.output_device == "Some device" and settings.language == "en"
    assert window.playback.player is not old and old.closed
    assert (
        window.playback.player.device == "Some device"
        and window.playback.player.matched_loudness is False
    )


def test_window_without_sound_still_works(
    qtbot: Any, settings: Any, tmp_path: Path, recording: Path
) -> None:
    from app.main_window import MainWindow

    win = MainWindow(settings, data_dir=tmp_path / "d", enable_playback=False)
    qtbot.addWidget(win)
    assert win.playback.player is None and win.playback_label.text() == "No sound"
    assert not win.play_action.isEnabled()
    with qtbot.waitSignal(win.session.opened, timeout=20_000):
        win.session.open_files([recording])
    win.playback.toggle_play()  # explains instead of failing
    assert "turned off" in win.statusBar().currentMessage()
    assert not win.play_action.isEnabled()


def test_geometry_is_saved_on_close(qtbot: Any, settings: Any, tmp_path: Path) -> None:
    from app.main_window import MainWindow

    win = MainWindow(settings, data_dir=tmp_path / "d", enable_playback=False)
    qtbot.addWidget(win)
    win.show()
    win.close()
    assert not settings.window_geometry.isEmpty() and not settings.window_state.isEmpty()


def test_the_strength_preview_and_its_waveform_overview_come_from_a_worker(
    qtbot: Any, window: Any, recording: Path, open_recording: Any
) -> None:
    doc = open_recording(recording)
    restore(qtbot, window, HIGHPASS)
    wave = window.timeline.wave_lower
    qtbot.waitUntil(lambda: doc.preview_ready() and wave.pyramid is doc.peaks("restored"))
    window.restore_panel.strength.setValue(50)
    assert doc.strength == pytest.approx(0.5)
    qtbot.waitUntil(lambda: doc.preview_ready() and wave.pyramid is doc.peaks("restored"))
    peaks = doc.peaks("restored")
    assert peaks is not None and peaks.audio is doc.restored
    np.testing.assert_allclose(
        doc.restored,
        doc.restoration.restored + (1 - removal_share(0.5)) * doc.restoration.residual,
        atol=1e-6,
    )
    _, y = peaks.query(0, doc.frames, 200)
    assert y.max() == pytest.approx(float(doc.restored.max()))


def test_the_built_in_models_preload_in_the_background(qtbot: Any, window: Any) -> None:
    from core.model.bundle import BUILTIN_MODELS, resolve_model_path

    expected = {str(resolve_model_path(spec).resolve()) for spec in BUILTIN_MODELS}

    def warm() -> bool:
        # The first Apply finds the built-in models loaded, through LiteRT (that they
        # import no TensorFlow: tests/app/test_light_runtime.py, in a fresh process).
        bundles = dict(window.restore.build_context.bundles)
        loaded = {key.split("@")[0] for key in bundles}
        return loaded == expected and all(b.runtime == "litert" for b in bundles.values())

    window.restore.preload_tensorflow()
    worker = window.restore.preload_job
    qtbot.waitUntil(warm, timeout=120_000)
    qtbot.waitUntil(lambda: not worker.running, timeout=10_000)
    window.restore.preload_tensorflow()
    assert window.restore.preload_job is worker  # once per window


def test_quitting_or_closing_a_file_asks_before_losing_a_restoration(
    qtbot: Any,
    window: Any,
    recording: Path,
    open_recording: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []
    answer = [QMessageBox.StandardButton.Cancel]

    def question(parent: Any, title: str, text: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    doc = open_recording(recording)
    assert window.close() and not asked  # nothing restored: nothing to lose, no question
    window.show()
    restore(qtbot, window, HIGHPASS)
    assert not window.close() and window.isVisible()  # cancelled: the window stays
    assert recording.name in asked[-1]
    window.session.close_current()  # closing the file asks too, and cancel keeps it
    assert len(asked) == 2 and window.session.current is doc

    with qtbot.waitSignal(window.export.finished, timeout=20_000):
        window.export.export_current(tmp_path / "restored.wav")
    assert not doc.unexported and window.close() and len(asked) == 2  # exported: no question
    window.show()
    window.restore.set_strength(0.4)  # a change after the export is work to lose again
    answer[0] = QMessageBox.StandardButton.Discard
    assert window.close() and len(asked) == 3


def test_a_file_restored_by_the_cli_holds_the_window_export_at_that_strength(
    qtbot: Any, window: Any, recording: Path, open_recording: Any, tmp_path: Path
) -> None:
    """One meaning of strength: the CLI's restore and the window's export of the same file,
    chain and strength give the same samples."""
    from core.cli import main as cli

    chain = ChainConfig(
        [StepSpec("highpass", {"cutoff_hz": 300.0}), StepSpec("gate", {})], name="hp+gate"
    )
    chain_file = tmp_path / "chain.json"
    chain_file.write_text(json.dumps(chain.to_dict()))
    open_recording(recording)
    restore(qtbot, window, chain)
    window.restore.set_strength(0.6)
    exported = tmp_path / "window.wav"
    with qtbot.waitSignal(window.export.finished, timeout=20_000):
        window.export.export_current(exported, subtype="FLOAT")
    by_cli = tmp_path / "cli.wav"
    args = [str(recording), "-o", str(by_cli), "--chain", str(chain_file), "--quiet"]
    assert cli(["restore", *args, "--strength", "0.6", "--format", "FLOAT"]) == 0
    np.testing.assert_array_equal(load(by_cli)[0], load(exported)[0])


def test_the_panel_shows_what_the_assistant_found_and_follows_undo(
    qtbot: Any, window: Any, recording: Path, open_recording: Any
) -> None:
    panel = window.restore_panel
    doc = open_recording(recording)
    assert not panel.report_box.isVisibleTo(window)
    panel.select_preset("dehum")
    with qtbot.waitSignal(window.restore.finished, timeout=TIMEOUT):
        window.restore.apply()
    assert panel.report.text() == "Steps run: De-hum"
    panel.select_preset("declick")
    adaptive = ChainConfig([StepSpec("model", {"model": "default"})], name="auto", adaptive=True)
    restore(qtbot, window, adaptive)
    report = panel.report.text()
    assert "Clicks:" in report and "Noise about" in report and "Steps run:" in report
    assert ("Heard speech" in report) != ("Heard music" in report)
    ran = [s["type"] for s in doc.restoration.ran["steps"]]
    assert ran and ran != ["model"]  # the assistant's chain, not the request
    assert "Remove DC offset" in report.splitlines()[-1]

    doc.undo_stack.undo()  # the panel follows: the preset, the steps and the report
    assert panel.preset_key == "dehum" and [s.type for s in panel.chain().steps] == ["dehum"]
    assert panel.report.text() == "Steps run: De-hum"
    doc.undo_stack.undo()
    assert not panel.report_box.isVisibleTo(window)
    doc.undo_stack.redo()
    doc.undo_stack.redo()
    assert panel.report.text() == report


def test_edit_history_lists_the_steps_and_goes_back_to_one(
    qtbot: Any, window: Any, recording: Path, open_recording: Any
) -> None:
    doc = open_recording(recording)
    restore(qtbot, window, HIGHPASS)
    window.restore.set_strength(0.5)
    window.history_action.trigger()
    assert window.history_dock.isVisible()
    view = window.history_view
    rows = [view.model().index(r, 0).data() for r in range(view.model().rowCount())]
    assert rows == [
        "Opened",
        f"Restore with “{window.restore_panel.preset_label}”",
        "Strength 50 %",
    ]
    view.setCurrentIndex(view.model().index(1, 0))  # back to just after the Apply
    assert doc.strength == 1.0 and doc.restoration is not None
    view.setCurrentIndex(view.model().index(0, 0))
    assert doc.restoration is None


def test_apply_on_a_selection_restores_only_it_as_one_undoable_step(
    qtbot: Any, window: Any, recording: Path, open_recording: Any
) -> None:
    doc = open_recording(recording)
    sr = doc.sr
    window.timeline.set_selection(0.5, 1.0)
    restore(qtbot, window, HIGHPASS)
    start, stop = int(round(0.5 * sr)), int(round(1.0 * sr))
    for strength in (1.0, 0.3):
        window.restore.set_strength(strength)
        np.testing.assert_array_equal(doc.restored[:, :start], doc.original[:, :start])
        np.testing.assert_array_equal(doc.restored[:, stop:], doc.original[:, stop:])
    assert not np.array_equal(doc.restored[:, start:stop], doc.original[:, start:stop])
    assert doc.undo_stack.count() == 2  # the region's Apply (one step), then the strength

    # A second region on top keeps what the first one removed.
    window.restore.set_strength(1.0)
    first = doc.restored.copy()
    window.timeline.set_selection(1.5, 1.8)
    restore(qtbot, window, HIGHPASS)
    np.testing.assert_array_equal(doc.restored[:, :start], doc.original[:, :start])
    np.testing.assert_array_equal(doc.restored[:, start:stop], first[:, start:stop])
    doc.undo_stack.undo()
    np.testing.assert_array_equal(doc.restored, first)


def test_noise_learned_from_a_selection_is_what_apply_takes_out(
    qtbot: Any, window: Any, tmp_path: Path, open_recording: Any
) -> None:
    from core.audio.io import save
    from core.signals import tone, white_noise

    sr = 44100
    hiss = white_noise(sr=sr, seconds=4.0, amplitude=0.02, seed=4)
    music = tone(freq=440, sr=sr, seconds=4.0, amplitude=0.3)
    music[:, :sr] = 0.0  # the first second holds the hiss alone
    path = tmp_path / "tape.wav"
    save(path, np.concatenate([music + hiss, music + hiss]), sr, subtype="FLOAT")
    doc = open_recording(path)
    window.restore.learn_noise()  # nothing selected: it says what to do, learns nothing
    assert doc.noise_profile is None
    window.timeline.set_selection(0.1, 0.9)
    with qtbot.waitSignal(window.restore.noise_learned, timeout=20_000):
        window.learn_noise_action.trigger()  # learned in the background
    assert doc.noise_profile is not None
    assert window.restore_panel.noise_label.text().startswith("Noise profile from")
    window.timeline.clear_selection()
    restore(qtbot, window, ChainConfig([StepSpec("dc", {})], name="dc only"))
    assert "profile" in [s["type"] for s in doc.restoration.ran["steps"]]
    before = float(np.std(doc.original[:, :sr]))
    after = float(np.std(doc.restored[:, :sr]))
    assert after < 0.3 * before  # the hiss the selection held is taken out
    window.restore_panel.forget_noise_button.click()
    assert doc.noise_profile is None and not window.restore_panel.noise_label.isVisibleTo(window)
