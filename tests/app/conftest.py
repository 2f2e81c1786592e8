"""Fixtures for the GUI tests: temporary settings, no modal dialogs, generated audio.

Nothing here touches the user's real settings or data folder, and no dialog can block:
message boxes and dialogs are replaced by recorders for every test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox  # noqa: E402

from app.i18n import Translators, install_translators  # noqa: E402
from app.settings import Settings  # noqa: E402


@dataclass
class Shown:
    """A dialog a test would have seen."""

    title: str
    text: str
    detail: str = ""


@dataclass
class DialogRecorder:
    shown: list[Shown] = field(default_factory=list)

    def titles(self) -> list[str]:
        return [s.title for s in self.shown]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> DialogRecorder:
    """Record message boxes instead of showing them; dialogs are rejected at once."""
    recorder = DialogRecorder()

    def box_exec(self: QMessageBox) -> int:
        recorder.shown.append(Shown(self.windowTitle(), self.text(), self.informativeText()))
        return int(QMessageBox.StandardButton.Ok.value)

    def static(kind: str) -> Any:
        def show(parent: Any, title: str, text: str, *args: Any, **kwargs: Any) -> Any:
            recorder.shown.append(Shown(title, text, kind))
            return QMessageBox.StandardButton.Ok

        return staticmethod(show)

    monkeypatch.setattr(QMessageBox, "exec", box_exec)
    for kind in ("warning", "critical", "information", "question", "about"):
        monkeypatch.setattr(QMessageBox, kind, static(kind))
    monkeypatch.setattr(QDialog, "exec", lambda self: int(QDialog.DialogCode.Rejected.value))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([], "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: ""))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("", False)))
    return recorder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings in a temporary INI file."""
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def spanish(settings: Settings) -> Iterator[Translators]:
    """The app's translators for the settings' language 'es', removed afterwards."""
    settings.language = "es"
    translators = install_translators(settings.language)
    yield translators
    translators.remove()


class FakePlayer:
    """Stands in for ``app.playback.Player``: records what the window asks of it."""

    def __init__(self, *, device: Any = None) -> None:
        self.device = device
        self.sources: dict[str, np.ndarray] = {}
        self.sr = 0
        self.selected = "original"
        self.position = 0
        self.playing = False
        self.loop: tuple[int, int] | None = None
        self.matched_loudness = True
        self.loudness: dict[str, float] | None = None
        self.closed = False

    def set_sources(self, sources: dict[str, np.ndarray], sr: int, *, loudness: Any = None) -> None:
        shapes = {a.shape for a in sources.values()}
        assert set(sources) == {"original", "restored", "residual"} and len(shapes) == 1
        self.sources, self.sr = dict(sources), sr
        self.loudness = dict(loudness) if loudness is not None else None

    def set_loudness(self, loudness: Any) -> None:
        self.loudness = dict(loudness)

    def select(self, name: str) -> None:
        assert name in ("original", "restored", "residual")
        self.selected = name

    def play(self) -> None:
        self.playing = True

    def pause(self) -> None:
        self.playing = False

    def stop(self) -> None:
        self.playing = False
        self.position = 0

    def seek(self, sample: int) -> None:
        self.position = int(sample)

    def set_loop(self, start: int | None, stop: int | None) -> None:
        self.loop = None if start is None or stop is None else (start, stop)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def window(qtbot: Any, settings: Settings, tmp_path: Path) -> Any:
    """A main window with a fake player and its data folder in ``tmp_path``."""
    from app.main_window import MainWindow

    win = MainWindow(settings, data_dir=tmp_path / "data", player_factory=FakePlayer)
    qtbot.addWidget(win)
    win.show()
    return win


def write_recording(
    path: Path, *, seconds: float = 2.0, sr: int = 16000, channels: int = 1, seed: int = 3
) -> Path:
    """A speech-like signal in pink noise, written as a file."""
    from core.audio.io import save
    from core.signals import mix_at_snr, pink_noise, speech_like

    voice = speech_like(sr=sr, seconds=seconds, seed=seed)
    noisy = mix_at_snr(voice, pink_noise(sr=sr, seconds=seconds, seed=seed + 1), snr_db=5.0)
    audio = np.concatenate([noisy * (1.0 - 0.1 * c) for c in range(channels)])
    return save(path, audio.astype(np.float32), sr, subtype="FLOAT")


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    return write_recording(tmp_path / "noisy take.wav")


def open_and_wait(qtbot: Any, win: Any, path: Path) -> Any:
    with qtbot.waitSignal(win.session.opened, timeout=20_000) as blocker:
        win.session.open_files([path])
    return blocker.args[0]


@pytest.fixture
def make_recording(tmp_path: Path) -> Any:
    """``make_recording(name, seconds=..., sr=..., channels=...)`` writes one in ``tmp_path``."""

    def make(name: str, **kwargs: Any) -> Path:
        return write_recording(tmp_path / name, **kwargs)

    return make


@pytest.fixture
def open_recording(qtbot: Any, window: Any) -> Any:
    """``open_recording(path)`` opens a file in ``window`` and returns its Recording."""
    return lambda path: open_and_wait(qtbot, window, path)


@pytest.fixture(autouse=True)
def collect_qt_garbage(qtbot: Any) -> Any:
    """Delete closed widgets and collect Python wrappers while the QApplication still
    exists: PySide6 objects collected during interpreter shutdown can crash it."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool

    from app.views.spectrogram import render_pool

    yield
    QThreadPool.globalInstance().waitForDone(10_000)
    render_pool().waitForDone(10_000)  # a view render may still read its samples
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    gc.collect()
