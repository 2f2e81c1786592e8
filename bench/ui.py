"""Measure how responsive the desktop app stays (issue 5's targets); prints figures only.

Usage (from the repository root; no display needed)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui.py [--minutes-restore 10]
        [--minutes-show 60] [--epochs 3] [--launch-runs 3] [--only restore,train,launch,show]
        [--write docs/benchmarks.md]

Four measurements, each in a fresh process so one cannot warm up or bloat the next:

1. ``restore``: the real :class:`app.main_window.MainWindow` opens a generated recording
   (speech-like + noise, 44.1 kHz stereo), then Apply is clicked with the ``default``
   preset (built-in model), twice, after the app's background preload (the built-in
   models; TensorFlow too with ``SEMINARIO_MODEL_RUNTIME=keras``): the first Apply
   still imports the repair steps' modules, the second does not. Measured from the
   click until the restored waveform and its spectrogram are drawn.
2. ``train``: the training dialog trains ``dense`` for a few epochs on generated pairs.
3. ``launch``: ``python -m app --no-sound --settings INI --data-dir DIR`` (its ``main``,
   driven by a few lines that note when the window has been shown and painted), from
   process spawn; also whether TensorFlow was imported by then.
4. ``show``: a generated 60-minute 48 kHz stereo WAV (PCM_16, written in /tmp and
   deleted afterwards) is opened through ``SessionController.open_files`` as the Open
   dialog does; measured until the waveform is painted, and until the spectrogram is
   (both come from one pass over the file, :func:`core.display.build_overview`); peak
   RSS of the process; then the longest stall while the view is zoomed to one second
   at six places (waveform and spectrogram read from the file).

Event-loop stalls: a 5 ms ``QTimer`` (precise) ticks on the GUI thread while the action
runs; a stall is the gap between two ticks minus the 5 ms interval. A watchdog thread
samples the Python stacks of every thread whenever the GUI thread has not ticked for
20 ms, so each long stall is reported with what the GUI thread was doing (or, when it
ran no Python, what the other threads were doing: usually the GIL holder).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import machine, write_section  # noqa: E402

BEGIN, END = "<!-- ui:begin -->", "<!-- ui:end -->"
INTERVAL_MS = 5
WATCH_AFTER_S = 0.020
STALL_TARGET_MS = 50.0
REPRODUCE = "QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui.py --write docs/benchmarks.md"


def log(message: str) -> None:
    print(f"[ui-bench] {message}", file=sys.stderr, flush=True)


# --- generated material --------------------------------------------------------------------


def make_restore_file(path: Path, minutes: float, sr: int = 44100) -> Path:
    """Speech-like syllables in pink and white noise, stereo, written by ``core.audio.io``."""
    from core.audio.io import save
    from core.signals import mix_at_snr, pink_noise, speech_like, white_noise

    chunks = []
    left = minutes * 60.0
    i = 0
    while left > 1e-6:
        seconds = min(60.0, left)
        clean = speech_like(sr=sr, seconds=seconds, seed=i)[0]
        noise_l = pink_noise(sr=sr, seconds=seconds, seed=100 + i)[0]
        noise_r = white_noise(sr=sr, seconds=seconds, seed=200 + i)[0]
        left_ch = mix_at_snr(clean[None], (noise_l + 0.5 * noise_r)[None], snr_db=5.0)[0]
        right_ch = mix_at_snr(0.9 * clean[None], (noise_r + 0.5 * noise_l)[None], snr_db=5.0)[0]
        chunks.append(np.stack([left_ch, right_ch]))
        left -= seconds
        i += 1
    audio = np.concatenate(chunks, axis=1).astype(np.float32)
    audio *= np.float32(0.9 / max(float(np.max(np.abs(audio))), 1e-6))
    return save(path, audio, sr)


def make_long_file(path: Path, minutes: float, sr: int = 48000) -> Path:
    """A long PCM_16 stereo WAV written block by block: a 10 s stereo block of
    speech-like sound, tones and noise, tiled with a slowly changing gain."""
    import soundfile as sf

    from core.signals import pink_noise, speech_like, tone

    block_s = 10.0
    speech = speech_like(sr=sr, seconds=block_s, seed=7)[0]
    hum = tone(freq=50.0, sr=sr, seconds=block_s, amplitude=0.02)[0]
    noise = pink_noise(sr=sr, seconds=block_s, seed=8, amplitude=0.05)[0]
    base = np.stack([speech + hum + noise, 0.8 * speech + noise[::-1] + hum]).T
    base = (base / max(float(np.max(np.abs(base))), 1e-6) * 0.8).astype(np.float32)
    total = int(round(minutes * 60 * sr))
    written = 0
    tmp = path.with_name(path.name + ".part")
    with sf.SoundFile(tmp, "w", sr, 2, "PCM_16", format="WAV") as f:
        k = 0
        while written < total:
            n = min(base.shape[0], total - written)
            gain = np.float32(0.55 + 0.45 * np.sin(k * 0.37))
            f.write(base[:n] * gain)
            written += n
            k += 1
    tmp.replace(path)
    return path


def make_pairs(
    root: Path, *, count: int, sr: int = 16000, seconds: float = 3.0
) -> tuple[Path, Path]:
    """``root/noisy`` and ``root/clean`` as ``tests/conftest.py`` makes them."""
    from core.audio.io import save
    from core.signals import mix_at_snr, pink_noise, speech_like, white_noise

    noisy, clean = root / "noisy", root / "clean"
    noisy.mkdir(parents=True, exist_ok=True)
    clean.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        c = speech_like(sr=sr, seconds=seconds, seed=i)
        gen = white_noise if i % 2 else pink_noise
        n = gen(sr=sr, seconds=seconds, seed=1000 + i)
        save(noisy / f"take_{i:02d}.wav", mix_at_snr(c, n, snr_db=(0, 5, 10)[i % 3]), sr)
        save(clean / f"take_{i:02d}.wav", c, sr)
    return noisy, clean


# --- measuring the event loop (in the scenario processes) ----------------------------------


def _where(frame: Any) -> tuple[str, str]:
    """(innermost frame in app/ or core/, innermost frame) of a stack, as short text."""
    stack = traceback.extract_stack(frame)
    ours = ""
    for fs in reversed(stack):
        rel = _short(fs.filename)
        if rel.startswith(("app/", "core/")):
            ours = f"{rel}:{fs.lineno} {fs.name}"
            break
    last = stack[-1] if stack else None
    inner = f"{_short(last.filename)}:{last.lineno} {last.name}" if last else "?"
    return ours, inner


def _short(filename: str) -> str:
    path = filename.replace("\\", "/")
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    root = str(ROOT).replace("\\", "/") + "/"
    if path.startswith(root):
        return path[len(root) :]
    if "/lib/python3" in path:
        return path.rsplit("/", 1)[1]  # the standard library
    return path


QT_ONLY = "Qt/C++: painting or event handling, or waiting for the GIL"
_WAITING = ("threading.py:", "queue.py:", "selectors.py:", "concurrent/futures/")


class StallProbe:
    """Ticks every ``INTERVAL_MS`` on the GUI thread; samples stacks during stalls."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self._tick)
        self.ticks: list[float] = []
        self.samples: list[tuple[float, float, str, str, str]] = []
        self._main = threading.get_ident()
        self._stop = threading.Event()
        self._watch: threading.Thread | None = None

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self.samples.clear()
        self._stop.clear()
        self.timer.start()
        self._watch = threading.Thread(target=self._watchdog, name="stall-watchdog", daemon=True)
        self._watch.start()

    def stop(self) -> dict[str, Any]:
        self.timer.stop()
        self._stop.set()
        if self._watch is not None:
            self._watch.join()
        return self.summary()

    def _watchdog(self) -> None:
        """Sample every thread's stack when the GUI thread is late, or when this thread
        itself could not run for a while (then another thread held the GIL)."""
        me = threading.get_ident()
        last = time.perf_counter()
        while not self._stop.wait(0.005):
            now = time.perf_counter()
            blocked, last = now - last - 0.005, now
            if now - self.ticks[-1] < WATCH_AFTER_S and blocked < WATCH_AFTER_S:
                continue
            frames = sys._current_frames()
            main = frames.get(self._main)
            ours, inner = _where(main) if main is not None else ("", "?")
            if _short(inner).startswith("bench/"):
                ours, inner = "", QT_ONLY
            others = []
            names = {t.ident: t.name for t in threading.enumerate()}  # idents get reused
            for ident, frame in frames.items():
                if ident in (me, self._main):
                    continue
                o_ours, o_inner = _where(frame)
                if any(w in o_inner for w in _WAITING):
                    continue  # a thread that waits is not what holds things up
                where = f"{o_ours} (in {o_inner})" if o_ours and o_ours != o_inner else o_inner
                others.append(f"{names.get(ident, ident)}: {where}")
            self.samples.append((now, blocked, ours, inner, "; ".join(sorted(others)[:2])))

    def summary(self) -> dict[str, Any]:
        t = np.asarray(self.ticks)
        gaps = np.diff(t) * 1000.0 if t.size > 1 else np.zeros(1)
        stall = np.maximum(gaps - INTERVAL_MS, 0.0)
        order = np.argsort(stall)[::-1]
        worst = []
        for i in order[:5]:
            if stall[i] < 20.0:
                break
            cause = self._cause(float(t[i]), float(t[i + 1]))
            worst.append({"ms": float(stall[i]), "at_s": float(t[i] - t[0]), **cause})
        return {
            "max_ms": float(stall.max()),
            "p99_ms": float(np.percentile(stall, 99)),
            "p50_ms": float(np.percentile(stall, 50)),
            "over_target": int(np.sum(stall > STALL_TARGET_MS)),
            "ticks": int(t.size),
            "seconds": float(t[-1] - t[0]) if t.size > 1 else 0.0,
            "worst": worst,
        }

    def _cause(self, t0: float, t1: float) -> dict[str, str]:
        """What the stacks sampled during ``(t0, t1]`` (or just after) say."""
        during = [s for s in self.samples if t0 < s[0] <= t1]
        note = ""
        if not during:  # the sampler could not run either: look right after the stall
            during = [s for s in self.samples if t1 < s[0] <= t1 + 0.02 and s[1] > 0.01]
            note = "sampler blocked too (a thread held the GIL); right after: "
        if not during:
            return {"gui": "(not sampled)", "others": ""}
        count = collections.Counter((s[2] or s[3]) for s in during)
        gui = count.most_common(1)[0][0]
        inner = collections.Counter(s[3] for s in during if (s[2] or s[3]) == gui)
        top_inner = inner.most_common(1)[0][0]
        if top_inner != gui:
            gui = f"{gui} (in {top_inner})"
        others = collections.Counter(s[4] for s in during if s[4]).most_common(1)
        return {"gui": note + gui, "others": others[0][0] if others else ""}


class Recorder:
    """Timestamps of signals, and a way to run the event loop until a condition holds."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.args: dict[str, Any] = {}

    def hook(self, signal: Any, name: str, accept: Callable[..., bool] | None = None) -> None:
        def fired(*args: Any) -> None:
            if accept is None or accept(*args):
                self.times.setdefault(name, time.perf_counter())
                self.args.setdefault(name, args)

        signal.connect(fired)

    def forget(self, *names: str) -> None:
        for name in names:
            self.times.pop(name, None)
            self.args.pop(name, None)

    @staticmethod
    def run_until(condition: Callable[[], bool], timeout_s: float) -> bool:
        from PySide6.QtCore import QEventLoop, QTimer

        if condition():
            return True
        loop = QEventLoop()
        deadline = time.perf_counter() + timeout_s
        check = QTimer()
        check.setInterval(10)

        def poll() -> None:
            if condition() or time.perf_counter() > deadline:
                loop.quit()

        check.timeout.connect(poll)
        check.start()
        loop.exec()
        check.stop()
        return condition()


class PaintWatch:
    """The time of the first paint of ``widget`` after :meth:`arm`."""

    def __init__(self, widget: Any) -> None:
        from PySide6.QtCore import QEvent, QObject

        outer = self

        class Filter(QObject):
            def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
                if outer.armed and event.type() == QEvent.Type.Paint:
                    outer.painted = time.perf_counter()
                    outer.armed = False
                return False

        self.armed = False
        self.painted: float | None = None
        self._filter = Filter()
        widget.installEventFilter(self._filter)

    def arm(self) -> None:
        self.armed, self.painted = True, None


def _qt_setup(work: Path) -> tuple[Any, Any, list[str]]:
    """QApplication, a MainWindow on a temporary INI and data folder, and a list that
    collects the message boxes the app tried to show (they would block the bench)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication([sys.argv[0]])
    shown: list[str] = []

    def box_exec(self: QMessageBox) -> int:
        shown.append(f"{self.windowTitle()}: {self.text()} {self.informativeText()}")
        log(f"message box: {shown[-1]}")
        return int(QMessageBox.StandardButton.Ok.value)

    def static(parent: Any, title: str, text: str, *args: Any, **kwargs: Any) -> Any:
        shown.append(f"{title}: {text}")
        log(f"message box: {shown[-1]}")
        return QMessageBox.StandardButton.Ok

    QMessageBox.exec = box_exec  # type: ignore[method-assign]
    for kind in ("warning", "critical", "information", "question", "about"):
        setattr(QMessageBox, kind, staticmethod(static))

    from app.main_window import MainWindow
    from app.settings import Settings

    qsettings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Settings(qsettings), data_dir=work / "data", enable_playback=False)
    window.show()
    Recorder.run_until(
        lambda: bool(window.windowHandle() and window.windowHandle().isExposed()), 10
    )
    Recorder.run_until(lambda: False, 0.3)  # let the first layout and paint settle
    return app, window, shown


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


# --- scenarios (each runs in its own process) ----------------------------------------------


def _preload(window: Any) -> dict[str, Any]:
    """What the app does 1.5 s after its window appears: load the built-in models in the
    background (through LiteRT; TensorFlow is imported first only where a model runs
    through Keras, ``SEMINARIO_MODEL_RUNTIME=keras``). Measured on the idle window until
    that is done."""
    rec = Recorder()
    probe = StallProbe()
    probe.start()
    t0 = time.perf_counter()
    window.restore.preload_tensorflow()
    job = window.restore.preload_job
    rec.hook(job.finished, "done")
    if not rec.run_until(lambda: "done" in rec.times, 300):
        raise RuntimeError("the models did not load in 5 minutes")
    result = probe.stop()
    result["import_s"] = rec.times["done"] - t0
    rec.run_until(lambda: False, 0.3)
    return result


def scenario_restore(work: Path, path: Path, applies: int) -> dict[str, Any]:
    app, window, shown = _qt_setup(work)
    preload = _preload(window)
    rec = Recorder()
    rec.hook(window.session.opened, "opened")
    rec.hook(window.restore.finished, "restored")
    rec.hook(window.restore.failed, "failed")
    rec.hook(window.view.spectrogram_ready, "spec_original", lambda w: w == "original")
    rec.hook(window.view.spectrogram_ready, "spec_lower", lambda w: w == "lower")
    paint = PaintWatch(window.timeline.viewport())
    probe = StallProbe()

    probe.start()
    t0 = time.perf_counter()
    window.session.open_files([str(path)])
    if not rec.run_until(lambda: "spec_original" in rec.times and not window.jobs.busy, 600):
        raise RuntimeError("the recording did not open in 10 minutes")
    opening = probe.stop()
    opening["load_s"] = rec.times["opened"] - t0
    opening["spectrogram_s"] = rec.times["spec_original"] - t0
    rec.run_until(lambda: False, 0.5)

    if not window.restore_panel.select_preset("default"):
        raise RuntimeError("the default preset is missing")
    window.restore_panel.model_box.setCurrentIndex(0)
    runs = []
    for n in range(applies):
        rec.forget("restored", "failed", "spec_lower")
        log(f"apply {n + 1}/{applies} with the default preset")
        probe.start()
        t0 = time.perf_counter()
        window.restore_panel.apply_button.click()
        rec.run_until(lambda: "restored" in rec.times or "failed" in rec.times, 1800)
        if "restored" not in rec.times:
            raise RuntimeError(f"the restoration failed: {shown or rec.args.get('failed')}")
        rec.run_until(lambda: "spec_lower" in rec.times and not window.jobs.busy, 600)
        paint.arm()
        window.timeline.viewport().update()
        rec.run_until(lambda: paint.painted is not None, 2.0)
        t_end = paint.painted or time.perf_counter()
        result = probe.stop()
        result["restore_s"] = rec.times["restored"] - t0
        result["views_s"] = t_end - t0
        runs.append(result)
        rec.run_until(lambda: False, 0.5)
    window.close()
    app.processEvents()
    return {
        "preload": preload,
        "open": opening,
        "applies": runs,
        "frames": window.session.current.frames if window.session.current else 0,
        "tensorflow": "tensorflow" in sys.modules,  # imported only without light forms
        "peak_rss_mb": _rss_mb(),
        "message_boxes": shown,
    }


def scenario_train(work: Path, epochs: int, pairs: int) -> dict[str, Any]:
    noisy, clean = make_pairs(work / "pairs", count=pairs)
    app, window, shown = _qt_setup(work)
    preload = _preload(window)
    window.training.open_dialog()
    dialog = window.training.dialog
    rec = Recorder()
    rec.hook(dialog.model_saved, "saved")
    rec.hook(dialog.busy_changed, "idle", lambda busy: not busy)
    rec.hook(dialog.epoch_reported, "first_epoch")
    dialog.noisy_edit.setText(str(noisy))
    dialog.clean_edit.setText(str(clean))
    dialog.arch_combo.setCurrentText("dense")
    dialog.epochs_spin.setValue(epochs)
    dialog.name_edit.setText("bench")
    rec.run_until(lambda: bool(dialog.windowHandle() and dialog.windowHandle().isExposed()), 10)
    rec.run_until(lambda: False, 0.3)

    probe = StallProbe()
    probe.start()
    t0 = time.perf_counter()
    dialog.train_button.click()
    rec.run_until(lambda: "idle" in rec.times, 1800)
    result = probe.stop()
    if "saved" not in rec.times:
        raise RuntimeError(f"training did not finish: {dialog.error_label.text()} {shown}")
    result["train_s"] = rec.times["saved"] - t0
    result["first_epoch_s"] = rec.times.get("first_epoch", float("nan")) - t0
    result["epochs"] = epochs
    result["pairs"] = pairs
    result["summary"] = dialog.summary_label.text()
    result["preload"] = preload
    result["peak_rss_mb"] = _rss_mb()
    result["message_boxes"] = shown
    dialog.close()
    window.close()
    app.processEvents()
    return result


def scenario_show(work: Path, path: Path) -> dict[str, Any]:
    app, window, shown = _qt_setup(work)
    rec = Recorder()
    rec.hook(window.session.opened, "opened")
    rec.hook(window.view.spectrogram_ready, "spec_original", lambda w: w == "original")
    paint = PaintWatch(window.timeline.viewport())
    baseline = _current_rss_mb()
    probe = StallProbe()
    probe.start()
    t0 = time.perf_counter()
    window.session.open_files([str(path)])
    rec.run_until(lambda: "opened" in rec.times, 900)
    if "opened" not in rec.times:
        raise RuntimeError(f"the file did not open: {shown}")
    paint.arm()
    window.timeline.viewport().update()
    rec.run_until(lambda: paint.painted is not None, 5.0)
    drawn = paint.painted
    rec.run_until(lambda: "spec_original" in rec.times, 900)
    paint.arm()
    window.timeline.viewport().update()
    rec.run_until(lambda: paint.painted is not None, 5.0)
    spec_drawn = paint.painted or time.perf_counter()
    result = probe.stop()
    opened_rss = _rss_mb()
    # Then work on it as an editor would: zoom to a second at six places (each view's
    # waveform and spectrogram read from the file), each given time to render.
    renders = [0]
    window.timeline.spec_original.tile_ready.connect(
        lambda _t: renders.__setitem__(0, renders[0] + 1)
    )
    probe.start()
    duration = window.timeline.duration
    for k in range(6):
        centre = (k + 1) * duration / 8
        window.timeline.set_view_range(centre - 0.5, centre + 0.5)
        before = renders[0]
        rec.run_until(lambda before=before: renders[0] > before, 10.0)
    zoom = probe.stop()
    doc = window.session.current
    result.update(
        {
            "zoom_max_ms": zoom["max_ms"],
            "zoom_p99_ms": zoom["p99_ms"],
            "zoom_over_target": zoom["over_target"],
            "zoom_renders": renders[0],
            "opened_rss_mb": opened_rss,
            "file_backed": type(doc.original).__name__ if doc else "",
            "opened_s": rec.times["opened"] - t0,
            "drawn_s": (drawn - t0) if drawn else float("nan"),
            "spectrogram_s": spec_drawn - t0,
            "frames": doc.frames if doc else 0,
            "sr": doc.sr if doc else 0,
            "channels": doc.channels if doc else 0,
            "baseline_rss_mb": baseline,
            "peak_rss_mb": _rss_mb(),
            "message_boxes": shown,
        }
    )
    window.close()
    app.processEvents()
    return result


LAUNCH_DRIVER = r"""
import json, sys, time
t_start = time.perf_counter()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
t_qt = time.perf_counter()

def report():
    QApplication.processEvents()
    windows = [w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow"]
    visible = any(w.isVisible() for w in windows)
    t_shown = time.perf_counter()
    heavy = sorted(m for m in ("tensorflow", "keras", "scipy", "sounddevice", "numba",
                               "librosa", "soxr", "pyqtgraph") if m in sys.modules)
    print("SHOWN " + json.dumps({"t_start": t_start, "t_qt": t_qt, "t_shown": t_shown,
          "visible": visible, "tensorflow": "tensorflow" in sys.modules,
          "modules": len(sys.modules), "heavy": heavy}), flush=True)
    for w in windows:
        w.close()
    app.quit()

QTimer.singleShot(0, report)
from app.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def run_launch(work: Path, runs: int) -> dict[str, Any]:
    """Spawn the app ``runs`` times; then once with ``-X importtime`` for the top imports."""
    ini, data = work / "launch.ini", work / "launch-data"
    args = ["--no-sound", "--settings", str(ini), "--data-dir", str(data)]
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    same_clock = "CLOCK_MONOTONIC" in time.get_clock_info("perf_counter").implementation
    results = []
    for i in range(runs):
        t_spawn = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", LAUNCH_DRIVER, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        t_back = time.perf_counter()
        line = next((x for x in proc.stdout.splitlines() if x.startswith("SHOWN ")), None)
        if line is None:
            raise RuntimeError(f"launch {i + 1} printed no SHOWN line:\n{proc.stderr[-2000:]}")
        info = json.loads(line[6:])
        if same_clock:
            info["shown_s"] = info["t_shown"] - t_spawn
            info["interpreter_s"] = info["t_start"] - t_spawn
        else:  # fall back to the whole run, exit included
            info["shown_s"] = t_back - t_spawn
            info["interpreter_s"] = float("nan")
        info["exit_s"] = t_back - t_spawn
        info["qt_s"] = info["t_qt"] - info["t_start"]
        log(f"launch {i + 1}: window shown after {info['shown_s']:.2f} s")
        results.append(info)
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", LAUNCH_DRIVER, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    imports = []
    for row in proc.stderr.splitlines():
        if not row.startswith("import time:") or "cumulative" in row:
            continue
        parts = row.split(":", 1)[1].split("|")
        if len(parts) != 3 or parts[2].startswith("     "):
            continue  # top-level imports and what they import directly
        imports.append((int(parts[1]) / 1e6, parts[2].strip()))
    imports.sort(reverse=True)
    return {"runs": results, "top_imports": imports[:8]}


# --- orchestration -------------------------------------------------------------------------


def run_scenario(name: str, *args: str, timeout: float = 3600) -> dict[str, Any]:
    """Run ``bench/ui.py --scenario name args`` and return its RESULT."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--scenario", name, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        timeout=timeout,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"scenario {name} failed (exit {proc.returncode})")
    return json.loads(line[7:])


def mem_available_mb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("inf")


def ms(value: float) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.0f} ms"


def sec(value: float) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.2f} s"


def stall_text(s: dict[str, Any]) -> str:
    return f"{ms(s['max_ms'])} (p99 {ms(s['p99_ms'])}, {s['over_target']} over 50 ms)"


def build_rows(res: dict[str, Any], opts: argparse.Namespace) -> list[tuple[str, str, str, str]]:
    """(measurement, target, result, detail) rows."""
    rows: list[tuple[str, str, str, str]] = []
    if "restore" in res:
        r = res["restore"]
        m = opts.minutes_restore
        o = r["open"]
        if "preload" in r:
            pre = r["preload"]
            rows.append(
                (
                    "Idle window while the built-in models load in the background (the "
                    "app starts this 1.5 s after its window appears; runtime "
                    f"{os.environ.get('SEMINARIO_MODEL_RUNTIME', 'litert')}): longest stall",
                    "—",
                    stall_text(pre),
                    f"loading took {sec(pre['import_s'])}",
                )
            )
        rows.append(
            (
                f"Open {m:g}-min 44.1 kHz stereo: longest stall",
                "—",
                stall_text(o),
                f"loaded in {sec(o['load_s'])}, spectrogram {sec(o['spectrogram_s'])}",
            )
        )
        for i, a in enumerate(r["applies"]):
            which = "first Apply" if i == 0 else "second Apply"
            rows.append(
                (
                    f"Restore {m:g}-min file, `default` preset, {which}: longest stall",
                    "<= 50 ms",
                    stall_text(a),
                    f"restore {sec(a['restore_s'])}, views drawn {sec(a['views_s'])}",
                )
            )
    if "train" in res:
        t = res["train"]
        rows.append(
            (
                f"Training `dense`, {t['epochs']} epochs, {t['pairs']} pairs: longest stall",
                "<= 50 ms",
                stall_text(t),
                f"trained in {sec(t['train_s'])} (first epoch at {sec(t['first_epoch_s'])})",
            )
        )
    if "launch" in res:
        runs = res["launch"]["runs"]
        first = runs[0]
        warm = [x["shown_s"] for x in runs[1:]] or [first["shown_s"]]
        tf = "yes" if any(x["tensorflow"] for x in runs) else "no"
        rows.append(
            (
                "Launch to window shown (first run)",
                "<= 1 s",
                sec(first["shown_s"]),
                f"interpreter up {sec(first['interpreter_s'])}; TensorFlow imported: {tf}",
            )
        )
        rows.append(
            (
                f"Launch to window shown (warm, median of {len(warm)})",
                "<= 1 s",
                sec(float(np.median(warm))),
                f"best {sec(min(warm))}; runs: {', '.join(sec(x['shown_s']) for x in runs)}",
            )
        )
    if "show" in res:
        s = res["show"]
        if "skipped" in s:
            rows.append(("Show a long file", "<= 2 s", "skipped", s["skipped"]))
        else:
            m = opts.minutes_show
            rows.append(
                (
                    f"Show {m:g}-min 48 kHz stereo (PCM_16 WAV): waveform drawn",
                    "<= 2 s",
                    sec(s["drawn_s"]),
                    f"opened {sec(s['opened_s'])}; spectrogram shown {sec(s['spectrogram_s'])}; "
                    f"peak RSS {s['peak_rss_mb']:.0f} MB (window alone "
                    f"{s['baseline_rss_mb']:.0f} MB)",
                )
            )
            rows.append(
                (f"Show {m:g}-min file: longest stall", "<= 50 ms", stall_text(s), "while opening")
            )
            if "zoom_max_ms" in s:
                rows.append(
                    (
                        f"Zoom the {m:g}-min file to 1 s at six places: longest stall",
                        "<= 50 ms",
                        f"{ms(s['zoom_max_ms'])} (p99 {ms(s['zoom_p99_ms'])}, "
                        f"{s['zoom_over_target']} over 50 ms)",
                        f"{s['zoom_renders']} view-resolution spectrograms rendered from the "
                        f"file; samples held as `{s['file_backed']}`",
                    )
                )
    return rows


def worst_lines(res: dict[str, Any]) -> list[str]:
    """Where the longest stalls of each measurement happened."""
    out = []
    groups: list[tuple[str, dict[str, Any]]] = []
    if "restore" in res:
        if "preload" in res["restore"]:
            groups.append(("Model preload (idle window)", res["restore"]["preload"]))
        groups.append(("open (restore file)", res["restore"]["open"]))
        for i, a in enumerate(res["restore"]["applies"]):
            groups.append((f"Apply #{i + 1}", a))
    if "train" in res:
        groups.append(("training", res["train"]))
    if "show" in res and "worst" in res["show"]:
        groups.append(("show long file", res["show"]))
    for label, data in groups:
        for w in data.get("worst", [])[:3]:
            text = f"- {label}: {w['ms']:.0f} ms at {w['at_s']:.1f} s — GUI thread: `{w['gui']}`"
            if w.get("others"):
                text += f"; other threads: `{w['others']}`"
            out.append(text)
    return out


def markdown(res: dict[str, Any], opts: argparse.Namespace, meta: dict[str, Any]) -> str:
    rows = build_rows(res, opts)
    lines = [
        "## Responsiveness of the desktop app (`bench/ui.py`)",
        "",
        f"Measured {meta['date']} on {meta['machine']}, Python {meta['python']}, "
        f"Qt platform `{meta['qpa']}`, in {meta['minutes']:.0f} min; load average at the "
        f"start {meta['load']}"
        + (
            " (**other work was running on the cores, so the timings are pessimistic**)."
            if meta.get("busy")
            else " (the machine was otherwise idle)."
        ),
        f"Reproduce: `{REPRODUCE}` (sizes: `--minutes-restore {opts.minutes_restore:g} "
        f"--minutes-show {opts.minutes_show:g}`; `--only restore,train,launch,show`).",
        "",
        "A stall is the longest gap between two ticks of a 5 ms precise `QTimer` on the "
        "GUI thread, minus 5 ms, from the action until the views were drawn; p99 over all "
        "ticks. Each measurement runs in a fresh process. Restore: the real `MainWindow` "
        "on a temporary INI and data folder (no sound) first loads "
        "the built-in models in the background (through LiteRT, or importing TensorFlow "
        "first with `SEMINARIO_MODEL_RUNTIME=keras`) as the app does after start-up "
        "(`MainWindow.preload_tensorflow`), "
        "then opens a generated speech-like recording in noise, then the Apply button is "
        "clicked with the `default` preset (built-in model), twice. Training: the same "
        "preload, then the training dialog trains `dense` (default settings) on generated "
        "3 s pairs at 16 kHz. Launch: `python -m app --no-sound "
        "--settings INI --data-dir DIR` (its `main`, plus a zero-delay timer that notes "
        "when the window was shown and painted), timed from process spawn; the first run "
        "is not a true cold start (the page cache is not dropped). Show: a generated "
        "PCM_16 WAV, until the first paint of the timeline after the recording opened.",
        "",
        "| measurement | target | result | detail |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    worst = worst_lines(res)
    if worst:
        lines += [
            "",
            "Longest stalls and what the threads were doing (stacks sampled every 5 ms "
            "while the GUI thread was late; `Qt/C++` while another thread runs Python means "
            "the GUI thread was most likely waiting for the GIL, or for a free core):",
            "",
        ]
        lines += worst
    if "launch" in res and res["launch"].get("top_imports"):
        tops = ", ".join(f"`{n}` {s:.2f} s" for s, n in res["launch"]["top_imports"])
        lines += [
            "",
            f"Slowest imports at launch (`-X importtime`, cumulative, top two levels): {tops}.",
        ]
    return "\n".join(lines) + "\n"


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [
        max(len(r[i]) for r in rows + [("measurement", "target", "result", "")]) for i in (0, 1, 2)
    ]
    head = ("measurement", "target", "result", "detail")
    print("  ".join(h.ljust(w) for h, w in zip(head[:3], widths, strict=True)) + "  detail")
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r[:3], widths, strict=True)) + "  " + r[3])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes-restore", type=float, default=10.0)
    parser.add_argument("--minutes-show", type=float, default=60.0)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--pairs", type=int, default=12, help="training pairs of 3 s")
    parser.add_argument("--applies", type=int, default=2, help="Apply clicks in a row")
    parser.add_argument("--launch-runs", type=int, default=3)
    parser.add_argument("--only", default="restore,train,launch,show")
    parser.add_argument("--write", metavar="MD", help="update the ui section of this file")
    parser.add_argument("--json", metavar="PATH", help="also save the raw figures here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--scenario", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)

    if opts.scenario:
        work = Path(opts.work)
        if opts.scenario == "restore":
            out = scenario_restore(work, Path(opts.file), opts.applies)
        elif opts.scenario == "train":
            out = scenario_train(work, opts.epochs, opts.pairs)
        elif opts.scenario == "show":
            out = scenario_show(work, Path(opts.file))
        else:
            parser.error(f"unknown scenario {opts.scenario}")
        print("RESULT " + json.dumps(out), flush=True)
        return 0

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    wanted = {w.strip() for w in opts.only.split(",") if w.strip()}
    started = time.perf_counter()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    work = Path(tempfile.mkdtemp(prefix="seminario-ui-bench-"))
    res: dict[str, Any] = {}
    try:
        if "restore" in wanted:
            log(f"writing a {opts.minutes_restore:g}-minute 44.1 kHz stereo recording")
            sub = work / "restore"
            sub.mkdir()
            path = make_restore_file(sub / "long_take.wav", opts.minutes_restore)
            res["restore"] = run_scenario(
                "restore",
                "--work", str(sub), "--file", str(path), "--applies", str(opts.applies),
            )  # fmt: skip
            path.unlink()
        if "train" in wanted:
            log(f"training dense for {opts.epochs} epochs")
            sub = work / "train"
            sub.mkdir()
            res["train"] = run_scenario(
                "train", "--work", str(sub), "--epochs", str(opts.epochs),
                "--pairs", str(opts.pairs),
            )  # fmt: skip
        if "launch" in wanted:
            log(f"launching the app {opts.launch_runs} times")
            res["launch"] = run_launch(work, opts.launch_runs)
        if "show" in wanted:
            res["show"] = run_show(work, opts.minutes_show)
    finally:
        if opts.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "python": platform.python_version(),
        "qpa": os.environ.get("QT_QPA_PLATFORM", ""),
        "minutes": (time.perf_counter() - started) / 60.0,
        "load": load,
        "busy": float(load.split(",")[0]) > 0.5,
    }
    rows = build_rows(res, opts)
    print()
    print_table(rows)
    worst = worst_lines(res)
    if worst:
        print("\nLongest stalls:")
        print("\n".join(worst))
    if "launch" in res:
        tops = ", ".join(f"{n} {s:.2f} s" for s, n in res["launch"]["top_imports"])
        print(f"\nSlowest imports at launch (cumulative, top two levels): {tops}")
    print(f"\nload average at start: {load}; {meta['machine']}")
    if opts.json:
        Path(opts.json).write_text(json.dumps({"meta": meta, "results": res}, indent=1))
    if opts.write:
        write_section(Path(opts.write), BEGIN, END, markdown(res, opts, meta))
        print(f"updated {opts.write}")
    return 0


def run_show(work: Path, minutes: float) -> dict[str, Any]:
    sr, channels = 48000, 2
    frames = int(minutes * 60 * sr)
    wav_bytes = frames * channels * 2
    free = shutil.disk_usage(work).free
    if free < wav_bytes * 1.2 + 512 * 2**20:
        return {"skipped": f"not enough disk ({free / 2**30:.1f} GiB free)"}
    need_mb = 1024.0  # the target; samples stay in the file (about 300 MB when this ran)
    if mem_available_mb() < need_mb:
        return {
            "skipped": f"not enough memory ({mem_available_mb():.0f} MB available, "
            f"about {need_mb:.0f} MB needed)"
        }
    sub = work / "show"
    sub.mkdir()
    path = sub / "hour.wav"
    log(f"writing a {minutes:g}-minute 48 kHz stereo PCM_16 WAV ({wav_bytes / 2**20:.0f} MB)")
    try:
        make_long_file(path, minutes, sr)
        return run_scenario("show", "--work", str(sub), "--file", str(path))
    finally:
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
