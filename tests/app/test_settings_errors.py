"""Settings registry, error sentences and the last-resort crash handler."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QByteArray, QSettings

from app.errors import CrashHandler, describe
from app.settings import MAX_RECENT, SETTINGS_VERSION, Settings
from core import errors as ce


def test_defaults_types_and_round_trip(settings: Settings, tmp_path: Path) -> None:
    assert settings.recent_files == [] and settings.matched_loudness is True
    assert settings.output_device == "" and settings.language == "system"
    assert settings.window_geometry == QByteArray()
    settings.matched_loudness = False
    settings.output_device = "USB DAC"
    settings.add_recent(tmp_path / "a.wav")
    settings.window_geometry = QByteArray(b"\x01\x02")
    settings.sync()
    again = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert again.matched_loudness is False and again.output_device == "USB DAC"
    assert again.recent_files == [str((tmp_path / "a.wav").resolve())]  # one item, still a list
    assert bytes(again.window_geometry.data()) == b"\x01\x02"
    assert again.version == SETTINGS_VERSION


def test_recent_files_are_unique_and_bounded(settings: Settings, tmp_path: Path) -> None:
    for i in range(MAX_RECENT + 3):
        settings.add_recent(tmp_path / f"{i}.wav")
    settings.add_recent(tmp_path / "5.wav")
    files = settings.recent_files
    assert len(files) == MAX_RECENT and files[0].endswith("5.wav")
    assert len(set(files)) == len(files)


def test_bad_values_fall_back_to_defaults(tmp_path: Path) -> None:
    ini = tmp_path / "old.ini"
    ini.write_text("[audio]\nmatched_loudness=perhaps\n", encoding="utf-8")
    settings = Settings(QSettings(str(ini), QSettings.Format.IniFormat))
    assert settings.matched_loudness is True
    assert settings.version == SETTINGS_VERSION  # migrated from "no version"


@pytest.mark.parametrize(
    ("exc", "title"),
    [
        (ce.DamagedAudioError("x"), "The file is damaged or not audio"),
        (ce.AudioTooLongError("x"), "The recording is too long"),
        (ce.AudioFormatError("x"), "Cannot read or write the audio file"),
        (ce.InputAsOutputError("x"), "Not written, to protect your files"),
        (ce.OutputExistsError("x"), "The file already exists"),
        (ce.OutputConflictError("x"), "Another file took that name"),
        (ce.FolderNotWritableError("x"), "The folder cannot be written"),
        (ce.DiskFullError("x"), "The disk is full"),
        (ce.WriteError("x"), "The file could not be written"),
        (ce.ChainFileError("x"), "The chain file is not valid"),
        (ce.InvalidAudioError("x"), "Unusable audio"),
        (ce.UnsafeOutputError("x"), "Not written, to protect your files"),
        (ce.PairingError("x"), "The training folders do not match"),
        (ce.ModelFormatError("x"), "The model cannot be used"),
        (ce.TensorFlowMissingError("x"), "Training is not part of this installation"),
        (ce.ConfigError("x"), "Invalid settings"),
        (ce.Cancelled("x"), "Cancelled"),
        (ce.SeminarioError("x"), "Something went wrong"),
        (PermissionError("x"), "Permission denied"),
        (RuntimeError("x"), "Unexpected error"),
    ],
)
def test_every_core_error_has_a_sentence(exc: BaseException, title: str) -> None:
    explanation = describe(exc)
    assert explanation.title == title
    assert explanation.message.endswith(".") and "x" in explanation.detail


def test_each_typed_error_of_core_has_its_own_sentence() -> None:
    from app.errors import _SENTENCES

    mapped = {cls for cls, _title, _sentence in _SENTENCES}
    typed = {
        cls
        for cls in vars(ce).values()
        if isinstance(cls, type) and issubclass(cls, ce.SeminarioError)
    }
    # Refusing an input has no sentence of its own: its parent's says exactly that.
    assert typed - mapped == {ce.InputAsOutputError}, typed - mapped


def test_crash_handler_logs_and_shows_one_dialog(qtbot: Any, tmp_path: Path, dialogs: Any) -> None:
    handler = CrashHandler(tmp_path / "logs").install()
    try:
        try:
            raise ValueError("boom")
        except ValueError as exc:
            handler.excepthook(type(exc), exc, exc.__traceback__)
        thread = threading.Thread(target=lambda: 1 / 0)
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: handler.shown == 2)
    finally:
        handler.uninstall()
    text = handler.log_path.read_text(encoding="utf-8")
    assert "ValueError: boom" in text and "ZeroDivisionError" in text
    crash_dialogs = [s for s in dialogs.shown if "unexpected problem" in s.title]
    assert len(crash_dialogs) == 1 and str(handler.log_path) in crash_dialogs[0].detail
