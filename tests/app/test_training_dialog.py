"""The training dialog, driven like a user would: check pairs, train, cancel, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from pytestqt.qtbot import QtBot

from app.dialogs.training import TrainingDialog, unique_model_path
from core.model.bundle import resolve_model_path
from tests.conftest import make_pairs

TINY = {
    "n_fft": 256,
    "hop": 64,
    "segment_frames": 32,
    "arch_params": {"hidden": 32, "context": 3, "layers": 2},
}


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_pairs(tmp_path_factory.mktemp("pairs"), count=4, seconds=1.5)


def make_dialog(qtbot, tmp_path: Path, pairs: tuple[Path, Path]) -> TrainingDialog:
    dialog = TrainingDialog(models_dir=tmp_path / "models", start_dir=str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.config_overrides = dict(TINY)
    dialog.noisy_edit.setText(str(pairs[0]))
    dialog.clean_edit.setText(str(pairs[1]))
    dialog.arch_combo.setCurrentText("dense")
    dialog.batch_spin.setValue(4)
    dialog.val_split_spin.setValue(0.25)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def curve_points(curve: pg.PlotDataItem) -> int:
    x, _ = curve.getData()
    return 0 if x is None else len(x)


def test_check_pairs_shows_the_report(
    qtbot: QtBot, tmp_path: Path, pairs: tuple[Path, Path]
) -> None:
    dialog = make_dialog(qtbot, tmp_path, pairs)
    assert dialog.check_button.isEnabled()
    with qtbot.waitSignal(dialog.busy_changed, timeout=30_000, check_params_cb=lambda b: not b):
        dialog.check_button.click()
    assert "4 pairs usable" in dialog.report_view.toPlainText()
    assert not dialog.error_label.isVisible()
    builtin = resolve_model_path("default").is_file()
    assert dialog.init_check.isEnabled() == builtin
    assert builtin or "missing" in dialog.init_check.toolTip()


def test_train_to_completion_draws_curves_and_saves_the_model(
    qtbot: QtBot, tmp_path: Path, pairs: tuple[Path, Path]
) -> None:
    dialog = make_dialog(qtbot, tmp_path, pairs)
    dialog.epochs_spin.setValue(2)
    dialog.name_edit.setText("tiny")
    models = tmp_path / "models"
    models.mkdir()
    (models / "tiny.keras").write_bytes(b"someone else's model")  # must not be overwritten
    with qtbot.waitSignal(dialog.model_saved, timeout=120_000) as saved:
        dialog.train_button.click()
        assert dialog.is_busy and not dialog.train_button.isEnabled()
        assert dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=10_000)
    path = Path(saved.args[0])
    assert path == models / "tiny-2.keras"
    assert path.is_file() and path.with_suffix(".json").is_file()
    assert (models / "tiny.keras").read_bytes() == b"someone else's model"
    assert curve_points(dialog.loss_curve) == 2
    assert curve_points(dialog.val_curve) == 2
    _, val = dialog.val_curve.getData()
    assert np.all(np.isfinite(val))
    summary = dialog.summary_label.text()
    assert "tiny-2.keras" in summary and "SI-SDR" in summary and "already exists" in summary
    assert dialog.progress_bar.value() == 1000
    assert dialog.train_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_cancel_returns_to_idle_and_writes_nothing(
    qtbot: QtBot, tmp_path: Path, pairs: tuple[Path, Path]
) -> None:
    dialog = make_dialog(qtbot, tmp_path, pairs)
    dialog.epochs_spin.setValue(500)
    dialog.name_edit.setText("never")
    dialog.train_button.click()
    qtbot.waitUntil(lambda: curve_points(dialog.loss_curve) >= 1, timeout=120_000)
    with qtbot.waitSignal(dialog.busy_changed, timeout=60_000, check_params_cb=lambda b: not b):
        dialog.cancel_button.click()
    assert not dialog.is_busy
    assert "Cancelled" in dialog.status_label.text()
    assert dialog.train_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert curve_points(dialog.loss_curve) < 500
    assert list((tmp_path / "models").glob("*.keras")) == []
    assert list((tmp_path / "models").glob("*.part*")) == []


def test_errors_are_shown_in_the_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    empty_noisy, empty_clean = tmp_path / "n", tmp_path / "c"
    empty_noisy.mkdir()
    empty_clean.mkdir()
    dialog = make_dialog(qtbot, tmp_path, (empty_noisy, empty_clean))
    dialog.epochs_spin.setValue(1)
    with qtbot.waitSignal(dialog.busy_changed, timeout=60_000, check_params_cb=lambda b: not b):
        dialog.train_button.click()
    assert dialog.error_label.isVisible()
    assert "The training folders cannot be used" in dialog.error_label.text()
    assert "No usable pairs" in dialog.error_label.text()
    dialog.lr_combo.setCurrentText("fast")
    dialog.train_button.click()  # refused before any job starts
    assert not dialog.is_busy
    assert "learning rate" in dialog.error_label.text()


def test_synthesised_pairs_fill_the_folders(
    qtbot: QtBot, tmp_path: Path, pairs: tuple[Path, Path]
) -> None:
    from core.audio.io import save
    from core.signals import white_noise

    noise = tmp_path / "noise"
    noise.mkdir()
    save(noise / "hiss.wav", white_noise(sr=16000, seconds=2.0, seed=3), 16000)
    dialog = make_dialog(qtbot, tmp_path, pairs)
    dialog.synth_radio.setChecked(True)
    dialog.synth_clean_edit.setText(str(pairs[1]))
    dialog.synth_noise_edit.setText(str(noise))
    dialog.synth_count_spin.setValue(3)
    with qtbot.waitSignal(dialog.busy_changed, timeout=60_000, check_params_cb=lambda b: not b):
        dialog.synthesise_button.click()
    assert not dialog.error_label.isVisible(), dialog.error_label.text()
    noisy = Path(dialog.noisy_edit.text())
    assert noisy.parent.parent == tmp_path / "pairs"
    assert len(list(noisy.glob("*.wav"))) == 3
    assert len(list(Path(dialog.clean_edit.text()).glob("*.wav"))) == 3
    assert dialog.paired_radio.isChecked()


def test_unique_model_path(tmp_path: Path) -> None:
    assert unique_model_path(tmp_path, "a/b: c") == tmp_path / "a_b_ c.keras"
    (tmp_path / "m.keras").touch()
    (tmp_path / "m-2.json").touch()
    assert unique_model_path(tmp_path, "m.keras") == tmp_path / "m-3.keras"
    assert unique_model_path(tmp_path, "  ") == tmp_path / "model.keras"


def test_dfn3_fine_tunes_the_built_in_speech_model_with_gentler_settings(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = TrainingDialog(models_dir=tmp_path / "models")
    qtbot.addWidget(dialog)
    dialog.arch_combo.setCurrentText("dfn3")
    dialog.init_check.setChecked(True)
    config = dialog.training_config()
    assert (config.arch, config.init) == ("dfn3", "dfn3")
    assert config.learning_rate == pytest.approx(1e-4) and config.batch_size == 8
    dialog.arch_combo.setCurrentText("dense")
    config = dialog.training_config()
    assert (config.arch, config.init, config.learning_rate) == ("dense", "default", 1e-3)


def test_the_learning_rate_reads_with_the_interfaces_decimal_separator(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from PySide6.QtCore import QLocale

    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.Spanish, QLocale.Country.Spain))
    try:
        dialog = TrainingDialog(models_dir=tmp_path / "models")
        qtbot.addWidget(dialog)
        assert dialog.lr_combo.currentText() == "0,001"  # as "0,20" beside it
        assert dialog.training_config().learning_rate == pytest.approx(1e-3)
        dialog.lr_combo.setCurrentText("0.0003")  # a dot typed by habit is read too
        assert dialog.training_config().learning_rate == pytest.approx(3e-4)
    finally:
        QLocale.setDefault(before)
