"""The main window: open recordings, see and hear them, restore, analyse, export.

Everything slow runs in :class:`app.workers.Worker` jobs that call plain ``core``
functions; the window only keeps state and draws. TensorFlow is imported by the
restore job itself, never here, so the window appears fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QUndoGroup,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.dialogs.about import app_icon
from app.dialogs.export import BatchExportDialog, ExportDialog, export_buffer
from app.document import (
    ApplyRestorationCommand,
    Preview,
    Recording,
    Restoration,
    StrengthCommand,
    make_preview,
)
from app.errors import show_error
from app.i18n import translate
from app.settings import Settings
from app.views.analysis import AnalysisPanel, analyze
from app.views.restore import BUILTIN_CHOICES, RestorePanel
from app.views.spectrogram import compute_spectrogram
from app.views.timeline import TimelineView
from app.views.transport import SOURCES, TransportBar, source_label
from app.workers import Worker
from core.audio.io import READ_EXTENSIONS, audio_files, writable_subtype
from core.audio.peaks import PeakPyramid
from core.batch import BatchReport, run_batch
from core.errors import ModelFormatError
from core.steps import BuildContext

AUDIO_PATTERNS = " ".join(f"*{e}" for e in READ_EXTENSIONS)
POSITION_POLL_MS = 33
VIEW_REFRESH_MS = 120
ANALYSIS_DELAY_MS = 600
PRELOAD_DELAY_MS = 1500  # after the window appears: let it paint and settle first
LOAD_THREADS = 2  # decoding an hour of stereo is bound by memory and cores, not disk


def load_recording(
    path: str, *, progress: Any = None, cancel: Any = None
) -> tuple[Path, np.ndarray, int, PeakPyramid]:
    """Worker job: decode a whole file (in parallel parts) and build its waveform
    overview from each chunk while it is still in cache, all off the GUI thread."""
    from core.audio.io import info, load

    status = translate("MainWindow", "reading {name}").format(name=Path(path).name)

    def report(fraction: float, _message: str = "") -> None:
        if progress is not None:
            progress(fraction, status)

    header = info(path)
    pyramid = PeakPyramid.collect(header.channels, header.frames)
    audio, sr = load(
        path, threads=LOAD_THREADS, on_chunk=pyramid.add, progress=report, cancel=cancel
    )
    return Path(path), audio, sr, pyramid.finish(audio)


def restore_job(
    audio: np.ndarray,
    *,
    sr: int,
    chain: Any,
    context: Any = None,
    progress: Any = None,
    cancel: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Worker job: run the chain once at full strength (imports TensorFlow if needed);
    ``context`` keeps loaded models between runs."""
    from core.pipeline import restore_array

    r = restore_array(audio, sr=sr, chain=chain, progress=progress, cancel=cancel, context=context)
    return r.restored, r.residual


class Job(QObject):
    """Delivers one worker's outcome to Python callbacks on the GUI thread."""

    def __init__(
        self,
        parent: QObject,
        worker: Worker,
        *,
        finished: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
        cancelled: Callable[[], None] | None = None,
        progress: Callable[[float, str], None] | None = None,
        done: Callable[[Job], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self._callbacks = (finished, failed, cancelled, progress, done)
        worker.signals.finished.connect(self._finished)
        worker.signals.failed.connect(self._failed)
        worker.signals.cancelled.connect(self._cancelled)
        worker.signals.progress.connect(self._progress)
        worker.signals.done.connect(self._done)

    @Slot(object)
    def _finished(self, result: object) -> None:
        if self._callbacks[0]:
            self._callbacks[0](result)

    @Slot(object)
    def _failed(self, exc: object) -> None:
        if self._callbacks[1]:
            self._callbacks[1](exc)  # type: ignore[arg-type]

    @Slot()
    def _cancelled(self) -> None:
        if self._callbacks[2]:
            self._callbacks[2]()

    @Slot(float, str)
    def _progress(self, fraction: float, message: str) -> None:
        if self._callbacks[3]:
            self._callbacks[3](fraction, message)

    @Slot()
    def _done(self) -> None:
        if self._callbacks[4]:
            self._callbacks[4](self)

    def cancel(self) -> None:
        self.worker.cancel()


def _import_optional(name: str) -> tuple[Any, str]:
    """``(module, "")`` or ``(None, reason)`` for a part of the app that may be missing."""
    try:
        return importlib.import_module(name), ""
    except Exception as exc:  # noqa: BLE001 - any failure just disables a feature
        return None, f"{type(exc).__name__}: {exc}"


class MainWindow(QMainWindow):
    """Signals are for tests and scripts: each fires after the window has updated."""

    recording_opened = Signal(object)  # Recording
    restore_finished = Signal(object)  # Recording
    restore_cancelled = Signal()
    restore_failed = Signal(object)  # exception
    analysis_ready = Signal(object)  # (Analysis, Analysis | None)
    spectrogram_ready = Signal(str)  # "original" or "lower"
    export_finished = Signal(object)  # Path or BatchReport
    export_cancelled = Signal()
    idle = Signal()  # no background job left

    def __init__(
        self,
        settings: Settings,
        *,
        data_dir: Path,
        player_factory: Callable[..., Any] | None = None,
        enable_playback: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.data_dir = Path(data_dir)
        self.models_dir = self.data_dir / "models"
        self.presets_dir = self.data_dir / "presets"
        self.setWindowTitle("SeminarioIA")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self.recordings: list[Recording] = []
        self.current: Recording | None = None
        self.jobs: set[Job] = set()
        self.restore_job: Job | None = None
        self.preview_worker: Worker | None = None
        self.preload_worker: Worker | None = None
        self.build_context = BuildContext()  # models stay loaded between Applies
        self.spectrogram_jobs: dict[str, Job] = {}
        self.analysis_job: Job | None = None
        self.side_job: Job | None = None  # export / batch, shown in the status bar
        self.write_pool = QThreadPool(self)
        self.write_pool.setMaxThreadCount(1)  # two exports never race
        self.undo_group = QUndoGroup(self)
        self._cursor = 0  # playhead in samples when nothing plays

        self._build_widgets()
        self._build_actions()
        self._build_menus()
        self._setup_playback(player_factory, enable_playback)
        self._setup_training()

        self.position_timer = QTimer(self)
        self.position_timer.setInterval(POSITION_POLL_MS)
        self.position_timer.timeout.connect(self._poll_position)
        self.view_timer = QTimer(self)
        self.view_timer.setSingleShot(True)
        self.view_timer.setInterval(VIEW_REFRESH_MS)
        self.view_timer.timeout.connect(self._refresh_lower)
        self.analysis_timer = QTimer(self)
        self.analysis_timer.setSingleShot(True)
        self.analysis_timer.setInterval(ANALYSIS_DELAY_MS)
        self.analysis_timer.timeout.connect(self.run_analysis)

        geometry = settings.window_geometry
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = settings.window_state
        if not state.isEmpty():
            self.restoreState(state)
        self._update_actions()
        self.statusBar().showMessage(self.tr("Open a recording (Ctrl+O) or drop one here."), 8000)

    # --- construction ---------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.timeline = TimelineView(self)
        self.transport = TransportBar(self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.hint_bar = self._build_hint_bar(central)
        layout.addWidget(self.hint_bar)
        layout.addWidget(self.timeline, 1)
        layout.addWidget(self.transport)
        self.setCentralWidget(central)
        self.timeline.seek_requested.connect(self.seek_seconds)
        self.timeline.selection_changed.connect(self._selection_changed)
        self.transport.play_clicked.connect(self.toggle_play)
        self.transport.stop_clicked.connect(self.stop)
        self.transport.source_changed.connect(self._source_changed)
        self.transport.loop_toggled.connect(self._update_loop)

        self.session_list = QListWidget(self)
        self.session_list.setObjectName("sessionList")
        self.session_list.currentRowChanged.connect(self._session_row_changed)
        self.session_dock = self._dock(self.tr("Recordings"), "sessionDock", self.session_list)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.session_dock)

        self.restore_panel = RestorePanel(
            presets_dir=self.presets_dir, models_dir=self.models_dir, parent=self
        )
        self.restore_panel.last_model_dir = self.settings.last_model_dir
        self.restore_panel.select_preset(self.settings.preset)
        if self.settings.model in BUILTIN_CHOICES:
            self.restore_panel.refresh_models(select=self.settings.model)
        elif Path(self.settings.model).exists():
            self.restore_panel.add_model(self.settings.model)
        self.restore_panel.apply_requested.connect(self.apply_restoration)
        self.restore_panel.cancel_requested.connect(self.cancel_restoration)
        self.restore_panel.strength_changed.connect(self.set_strength)
        self.restore_panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.restore_dock = self._dock(self.tr("Restore"), "restoreDock", self.restore_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.restore_dock)

        self.analysis_panel = AnalysisPanel(self)
        self.analysis_dock = self._dock(self.tr("Analysis"), "analysisDock", self.analysis_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.analysis_dock)
        self.tabifyDockWidget(self.restore_dock, self.analysis_dock)
        self.restore_dock.raise_()
        self.resizeDocks([self.session_dock], [170], Qt.Orientation.Horizontal)
        self.resizeDocks([self.restore_dock], [330], Qt.Orientation.Horizontal)
        self.analysis_dock.visibilityChanged.connect(self._analysis_visibility)

        self.job_label = QLabel(self)
        self.job_bar = QProgressBar(self)
        self.job_bar.setRange(0, 1000)
        self.job_bar.setMaximumWidth(220)
        self.job_cancel = QPushButton(self.tr("Cancel"), self)
        self.job_cancel.clicked.connect(self.cancel_side_job)
        for w in (self.job_label, self.job_bar, self.job_cancel):
            w.setVisible(False)
            self.statusBar().addPermanentWidget(w)
        self.playback_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.playback_label)

    def _build_hint_bar(self, parent: QWidget) -> QFrame:
        """A dismissible banner for the first start: where the demo is, and the B key."""
        bar = QFrame(parent)
        bar.setObjectName("firstRunHint")
        bar.setFrameShape(QFrame.Shape.StyledPanel)
        bar.setStyleSheet(
            "#firstRunHint { background: #2b3a55; border-radius: 4px; }"
            "#firstRunHint QLabel { color: #f0f0f0; }"
        )
        row = QHBoxLayout(bar)
        row.setContentsMargins(10, 6, 6, 6)
        self.hint_label = QLabel(
            self.tr(
                "New here? Try the demo recording (File ▸ Open the demo recording), press "
                "Apply to restore it, then B to switch between the original, the restored "
                "sound and the removed noise."
            ),
            bar,
        )
        self.hint_label.setWordWrap(True)
        demo = QPushButton(self.tr("Open the demo"), bar)
        demo.clicked.connect(self.open_demo)
        close = QPushButton(self.tr("Dismiss"), bar)
        close.clicked.connect(self.dismiss_hint)
        for button in (demo, close):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row.addWidget(self.hint_label, 1)
        row.addWidget(demo)
        row.addWidget(close)
        bar.setVisible(self.settings.first_run_hint)
        # Shown once: the next start begins without it.
        self.settings.first_run_hint = False
        return bar

    def dismiss_hint(self) -> None:
        self.hint_bar.setVisible(False)

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        return dock

    def _action(
        self,
        text: str,
        slot: Callable[..., Any],
        shortcut: QKeySequence | str | None = None,
        tip: str = "",
        *,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _build_actions(self) -> None:
        A = self._action  # noqa: N806
        self.open_action = A(self.tr("&Open…"), self.open_dialog, QKeySequence.StandardKey.Open)
        self.demo_action = A(
            self.tr("Open the &demo recording"),
            self.open_demo,
            tip=self.tr("A short noisy recording to try the restoration on"),
        )
        self.close_action = A(
            self.tr("&Close recording"), self.close_current, QKeySequence.StandardKey.Close
        )
        self.export_action = A(
            self.tr("&Export…"), self.export_dialog, "Ctrl+E", self.tr("Write the restored file")
        )
        self.batch_action = A(self.tr("Restore a &folder…"), self.batch_dialog, "Ctrl+Shift+E")
        self.prefs_action = A(self.tr("&Preferences…"), self.preferences_dialog, "Ctrl+,")
        self.quit_action = A(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        self.undo_action = self.undo_group.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_group.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.apply_action = A(self.tr("&Apply restoration"), self.apply_restoration, "Ctrl+R")
        self.train_action = A(self.tr("&Train a model…"), self.training_dialog)
        self.play_action = A(self.tr("&Play / pause"), self.toggle_play, "Space")
        self.stop_action = A(self.tr("&Stop"), self.stop)
        self.cycle_action = A(self.tr("Cycle &A/B/removed noise"), self.cycle_source, "B")
        self.home_action = A(self.tr("Go to &start"), lambda: self.seek_seconds(0.0), "Home")
        self.end_action = A(self.tr("Go to &end"), self.go_end, "End")
        self.back_action = A(self.tr("Move &back"), lambda: self.nudge(-1), "Left")
        self.forward_action = A(self.tr("Move &forward"), lambda: self.nudge(1), "Right")
        self.residual_view_action = A(
            self.tr("Show &removed noise below"),
            self._lower_mode_toggled,
            "D",
            self.tr("Show the difference (what was removed) instead of the restored signal"),
            checkable=True,
        )
        self.zoom_in_action = A(
            self.tr("Zoom &in"), lambda: self.zoom(0.5), QKeySequence.StandardKey.ZoomIn
        )
        self.zoom_out_action = A(
            self.tr("Zoom &out"), lambda: self.zoom(2.0), QKeySequence.StandardKey.ZoomOut
        )
        self.zoom_sel_action = A(self.tr("Zoom to &selection"), self.zoom_selection, "Z")
        self.zoom_all_action = A(self.tr("Show &all"), self.zoom_all, "Ctrl+0")
        self.select_all_action = A(
            self.tr("Select &all"), self.select_all, QKeySequence.StandardKey.SelectAll
        )
        self.about_action = A(self.tr("&About SeminarioIA"), self.about)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu(self.tr("Open &recent"))
        file_menu.addAction(self.demo_action)
        file_menu.addAction(self.close_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.batch_action)
        file_menu.addSeparator()
        file_menu.addAction(self.prefs_action)
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.select_all_action)
        view_menu = bar.addMenu(self.tr("&View"))
        for action in (
            self.residual_view_action,
            self.zoom_in_action,
            self.zoom_out_action,
            self.zoom_sel_action,
            self.zoom_all_action,
        ):
            view_menu.addAction(action)
        view_menu.addSeparator()
        for dock in (self.session_dock, self.restore_dock, self.analysis_dock):
            view_menu.addAction(dock.toggleViewAction())
        play_menu = bar.addMenu(self.tr("&Playback"))
        for action in (
            self.play_action,
            self.stop_action,
            self.cycle_action,
            self.home_action,
            self.end_action,
            self.back_action,
            self.forward_action,
        ):
            play_menu.addAction(action)
        restore_menu = bar.addMenu(self.tr("&Restore"))
        restore_menu.addAction(self.apply_action)
        restore_menu.addAction(self.train_action)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.about_action)
        self._rebuild_recent_menu()

    def _setup_playback(self, factory: Callable[..., Any] | None, enabled: bool) -> None:
        """Open the player. ``factory`` (tests) replaces ``app.playback.Player``."""
        self.player: Any = None
        self.playback_reason = ""
        self.playback_module: Any = None
        self._player_factory = factory
        if not enabled:
            self.playback_reason = self.tr("Playback is turned off (--no-sound).")
        elif factory is not None:
            self._open_player()
        else:
            module, error = _import_optional("app.playback")
            self.playback_module = module
            if module is None:
                self.playback_reason = self.tr("Playback is not available ({error}).").format(
                    error=error
                )
            else:
                ok, reason = module.Player.availability()
                if not ok:
                    self.playback_reason = reason
                self._open_player()
        self._show_playback_state()

    def _show_playback_state(self) -> None:
        reason = self.playback_reason
        self.playback_label.setText(self.tr("No sound") if reason else "")
        self.playback_label.setToolTip(reason)
        if reason:
            self.statusBar().showMessage(reason, 15000)
        for action in (self.play_action, self.stop_action):
            action.setToolTip(reason or action.text())
        self.transport.play_button.setToolTip(reason or self.tr("Play / pause (Space)"))

    def _open_player(self) -> None:
        if self.player is not None:
            self.player.close()
            self.player = None
        factory = self._player_factory
        if factory is None:
            if self.playback_module is None:
                return
            factory = self.playback_module.Player
        device = self.settings.output_device or None
        try:
            self.player = factory(device=device)
            self.player.matched_loudness = self.settings.matched_loudness
        except Exception as exc:  # noqa: BLE001 - PlaybackError or a bad device: no sound
            self.player = None
            self.playback_reason = self.tr("Playback is not available: {error}").format(error=exc)

    def _setup_training(self) -> None:
        self.training_module, error = _import_optional("app.dialogs.training")
        if self.training_module is None:
            self.train_action.setEnabled(False)
            self.train_action.setToolTip(
                self.tr("Training is not available in this build ({error}).").format(error=error)
            )
            self.train_action.setStatusTip(self.train_action.toolTip())

    # --- opening ------------------------------------------------------------------------------

    def open_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Open recordings"),
            self.settings.last_open_dir,
            self.tr("Audio files ({patterns});;All files (*)").format(patterns=AUDIO_PATTERNS),
        )
        if paths:
            self.settings.last_open_dir = str(Path(paths[0]).parent)
            self.open_files(paths)

    def open_files(self, paths: Iterable[str | Path]) -> None:
        """Open each file in the background (or switch to it if it is already open)."""
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                self.open_files(audio_files(path))
                continue
            existing = self._find(path)
            if existing is not None:
                self.set_current(existing)
                continue
            self.statusBar().showMessage(self.tr("Opening {name}…").format(name=path.name))
            worker = Worker(load_recording, str(path))
            self._start(
                worker,
                finished=self._loaded,
                failed=lambda exc, path=path: self._open_failed(path, exc),
            )

    def open_demo(self) -> None:
        from app.__main__ import demo_path

        try:
            self.open_files([demo_path(self.data_dir)])
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, exc, context=self.tr("The demo recording could not be created."))

    def _find(self, path: Path) -> Recording | None:
        resolved = path.resolve()
        return next((r for r in self.recordings if r.path.resolve() == resolved), None)

    def _loaded(self, result: tuple[Path, np.ndarray, int, PeakPyramid]) -> None:
        path, audio, sr, pyramid = result
        if self._find(path) is not None:
            return
        doc = Recording(path=path, original=audio, sr=sr)
        doc.cache["pyramid", "original"] = pyramid
        doc.undo_stack = QUndoStack(self.undo_group)
        self.recordings.append(doc)
        item = QListWidgetItem(doc.name)
        item.setToolTip(str(path))
        self.session_list.addItem(item)
        self.settings.add_recent(path)
        self._rebuild_recent_menu()
        self.set_current(doc)
        self.statusBar().showMessage(
            self.tr("Opened {name}: {seconds:.1f} s, {channels} channel(s), {rate} Hz").format(
                name=doc.name, seconds=doc.duration, channels=doc.channels, rate=sr
            ),
            6000,
        )
        self.recording_opened.emit(doc)

    def _open_failed(self, path: Path, exc: BaseException) -> None:
        self.statusBar().showMessage(self.tr("Could not open {name}").format(name=path.name), 8000)
        show_error(self, exc, context=self.tr("Could not open “{name}”.").format(name=path.name))

    def close_current(self) -> None:
        doc = self.current
        if doc is None:
            return
        index = self.recordings.index(doc)
        self.recordings.remove(doc)
        if doc.undo_stack is not None:
            self.undo_group.removeStack(doc.undo_stack)
        self.session_list.blockSignals(True)
        self.session_list.takeItem(index)
        self.session_list.blockSignals(False)
        self.current = None
        self.set_current(
            self.recordings[min(index, len(self.recordings) - 1)] if self.recordings else None
        )

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files
        for path in files:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_files([p]))
        if not files:
            self.recent_menu.addAction(self.tr("(none yet)")).setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(self.tr("Clear the list"), self._clear_recent)

    def _clear_recent(self) -> None:
        self.settings.recent_files = []
        self._rebuild_recent_menu()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_files(paths)

    # --- current recording ----------------------------------------------------------------------

    def _session_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.recordings):
            self.set_current(self.recordings[row])

    def set_current(self, doc: Recording | None) -> None:
        if doc is self.current and doc is not None:
            return
        self.stop()
        self.current = doc
        self._cursor = 0
        if doc is None:
            self.timeline.set_original(None, 1)
            self.timeline.set_lower(None, 1)
            self.timeline.set_original_spectrogram(None)
            self.timeline.set_lower_spectrogram(None)
            self.analysis_panel.clear(self.tr("Open a recording to analyse it."))
            self.undo_group.setActiveStack(None)
            self._update_actions()
            self._update_titles()
            return
        row = self.recordings.index(doc)
        if self.session_list.currentRow() != row:
            self.session_list.blockSignals(True)
            self.session_list.setCurrentRow(row)
            self.session_list.blockSignals(False)
        self.undo_group.setActiveStack(doc.undo_stack)
        self.timeline.set_original(doc.original, doc.sr, doc.cache.get(("pyramid", "original")))
        self.timeline.set_playhead(0.0)
        self.timeline.set_selection(0.0, 0.0)
        self.timeline.set_original_spectrogram(doc.cache.get(("spec", "original")))
        if ("spec", "original") not in doc.cache:
            self._request_spectrogram(doc, "original")
        self._doc_changed(doc, immediate=True)
        self._show_position()
        self.analysis_panel.clear("")
        self._schedule_analysis()
        self._update_titles()

    def _doc_changed(self, doc: Recording, *, immediate: bool = False) -> None:
        """The restoration or strength of ``doc`` changed (apply, slider, undo, redo)."""
        if doc is not self.current:
            return
        has = doc.restoration is not None
        self.restore_panel.set_strength(doc.strength)
        self.restore_panel.set_strength_enabled(has)
        self.transport.set_restored_available(has)
        self._update_actions()
        self._update_titles()
        if immediate:
            self._refresh_lower()
        else:
            self.view_timer.start()
        self._schedule_analysis()

    def _refresh_lower(self) -> None:
        """Redraw what depends on the restoration: lower views and the player's buffers.
        The preview at the current strength is mixed and overviewed in a worker first."""
        doc = self.current
        if doc is None:
            return
        if self.preview_worker is not None:
            self.preview_worker.cancel()  # a newer strength or restoration supersedes it
            self.preview_worker = None
        if doc.restoration is None or doc.preview_ready():
            self._show_lower(doc)
            return

        def finished(preview: Preview) -> None:
            if doc.accept_preview(preview) and doc is self.current:
                self._show_lower(doc)

        worker = Worker(make_preview, doc.restoration, doc.strength)
        self._start(
            worker,
            finished=finished,
            failed=lambda exc: self.statusBar().showMessage(
                self.tr("Preview failed: {error}").format(error=exc), 8000
            ),
        )
        self.preview_worker = worker

    def _show_lower(self, doc: Recording) -> None:
        mode = self.timeline.lower_mode
        audio = doc.restored if mode == "restored" else doc.removed
        hint = (
            ""
            if audio is not None
            else self.tr("Not restored yet — choose a preset and click Apply")
        )
        peaks = doc.peaks("restored" if mode == "restored" else "removed")
        self.timeline.set_lower(audio, doc.sr, hint, peaks)
        key = self._lower_key(doc)
        if key is None:
            self.timeline.set_lower_spectrogram(None)
        elif key in doc.cache:
            self.timeline.set_lower_spectrogram(doc.cache[key])
        else:
            self._request_spectrogram(doc, "lower")
        if self.player is not None:
            try:
                position = self.player.position
                self.player.set_sources(doc.sources(), doc.sr)
                self.player.select(self.transport.source)
                self.player.seek(position)
            except Exception as exc:  # noqa: BLE001 - playback problems never block editing
                self.statusBar().showMessage(self.tr("Playback: {error}").format(error=exc), 8000)

    def _lower_key(self, doc: Recording) -> tuple[Any, ...] | None:
        if doc.restoration is None:
            return None
        return ("spec", self.timeline.lower_mode, id(doc.restoration), doc.strength)

    def _update_titles(self) -> None:
        doc = self.current
        name = f"{doc.name} — " if doc else ""
        self.setWindowTitle(f"{name}SeminarioIA")
        for row, rec in enumerate(self.recordings):
            item = self.session_list.item(row)
            if item is not None:
                mark = " ✓" if rec.restoration is not None else ""
                item.setText(rec.name + mark)

    def _update_actions(self) -> None:
        has_doc = self.current is not None
        can_play = has_doc and self.player is not None and not self.playback_reason
        for action in (
            self.close_action,
            self.export_action,
            self.apply_action,
            self.cycle_action,
            self.home_action,
            self.end_action,
            self.back_action,
            self.forward_action,
            self.zoom_in_action,
            self.zoom_out_action,
            self.zoom_sel_action,
            self.zoom_all_action,
            self.select_all_action,
        ):
            action.setEnabled(has_doc)
        self.play_action.setEnabled(can_play)
        self.stop_action.setEnabled(can_play)
        self.transport.play_button.setEnabled(can_play)
        self.transport.stop_button.setEnabled(can_play)
        busy = self.restore_job is not None
        self.restore_panel.apply_button.setEnabled(has_doc and not busy)

    # --- background jobs ------------------------------------------------------------------------

    def _start(self, worker: Worker, *, pool: QThreadPool | None = None, **callbacks: Any) -> Job:
        job = Job(self, worker, done=self._job_done, **callbacks)
        self.jobs.add(job)
        worker.start(pool)
        return job

    def _job_done(self, job: Job) -> None:
        self.jobs.discard(job)
        job.deleteLater()
        if not self.jobs:
            self.idle.emit()

    @property
    def busy(self) -> bool:
        return bool(self.jobs)

    def _request_spectrogram(self, doc: Recording, which: str) -> None:
        previous = self.spectrogram_jobs.pop(which, None)
        if previous is not None:
            previous.cancel()
        if which == "original":
            key: tuple[Any, ...] | None = ("spec", "original")
            audio: np.ndarray | None = doc.original
        else:
            key = self._lower_key(doc)
            audio = doc.restored if self.timeline.lower_mode == "restored" else doc.removed
        if key is None or audio is None:
            return

        def finished(spec: Any, key: tuple[Any, ...] = key) -> None:
            doc.cache[key] = spec
            if doc is not self.current:
                return
            if which == "original":
                self.timeline.set_original_spectrogram(spec)
            elif self._lower_key(doc) == key:
                self.timeline.set_lower_spectrogram(spec)
            self.spectrogram_ready.emit(which)

        job = self._start(
            Worker(compute_spectrogram, audio, sr=doc.sr),
            finished=finished,
            failed=lambda exc: self.statusBar().showMessage(
                self.tr("Spectrogram failed: {error}").format(error=exc), 8000
            ),
        )
        self.spectrogram_jobs[which] = job

    # --- restoration ----------------------------------------------------------------------------

    def apply_restoration(self) -> None:
        """Run the panel's chain on the current recording's original, in the background."""
        doc = self.current
        if doc is None:
            self.statusBar().showMessage(self.tr("Open a recording first."), 5000)
            return
        if self.restore_job is not None:
            return
        try:
            chain = self.restore_panel.chain()
            self._check_model(chain)
        except Exception as exc:  # noqa: BLE001 - explained to the user
            show_error(self, exc, context=self.tr("The restoration cannot start."))
            self.restore_failed.emit(exc)
            return
        self.settings.preset = self.restore_panel.preset_key
        self.settings.model = self.restore_panel.model
        label = self.restore_panel.preset_box.currentText()
        self.restore_panel.set_busy(True)
        self.statusBar().showMessage(self.tr("Restoring {name}…").format(name=doc.name))

        def finished(result: tuple[np.ndarray, np.ndarray]) -> None:
            restored, residual = result
            restored.setflags(write=False)
            residual.setflags(write=False)
            restoration = Restoration(restored, residual, chain.to_dict(), label)
            assert doc.undo_stack is not None
            doc.undo_stack.push(ApplyRestorationCommand(doc, restoration, self._doc_changed))
            if doc is self.current:
                self.transport.set_source("restored")
                self._source_changed("restored")
            self.statusBar().showMessage(
                self.tr("Restored {name} with “{preset}”.").format(name=doc.name, preset=label),
                8000,
            )
            self.restore_finished.emit(doc)

        def failed(exc: BaseException) -> None:
            self.statusBar().showMessage(self.tr("Restoration failed."), 8000)
            show_error(
                self, exc, context=self.tr("Could not restore “{name}”.").format(name=doc.name)
            )
            self.restore_failed.emit(exc)

        def cancelled() -> None:
            self.statusBar().showMessage(
                self.tr("Restoration cancelled; nothing was changed."), 8000
            )
            self.restore_cancelled.emit()

        def done(job: Job) -> None:
            self.restore_job = None
            self.restore_panel.set_busy(False)
            self._update_actions()
            self._job_done(job)

        worker = Worker(
            restore_job, doc.original, sr=doc.sr, chain=chain, context=self.build_context
        )
        job = Job(
            self,
            worker,
            finished=finished,
            failed=failed,
            cancelled=cancelled,
            progress=self.restore_panel.set_progress,
            done=done,
        )
        self.jobs.add(job)
        self.restore_job = job
        self._update_actions()
        worker.start()

    @staticmethod
    def _check_model(chain: Any) -> None:
        """Fail early, with a clear message, when the chain needs a model that is missing."""
        from core.model.bundle import resolve_model_path

        if not any(s.type == "model" and not s.bypass for s in chain.steps):
            return
        names = ("dfn3", "default") if chain.model == "auto" else (chain.model,)
        for name in names:
            path = resolve_model_path(name)
            if not path.exists():
                if name in BUILTIN_CHOICES:
                    raise ModelFormatError(
                        f"the built-in model is not installed ({path}); choose another model "
                        "or bypass the AI step"
                    )
                raise ModelFormatError(f"model file not found: {path}")

    def cancel_restoration(self) -> None:
        if self.restore_job is not None:
            self.restore_job.cancel()
            self.restore_panel.progress.setFormat(self.tr("Cancelling…"))

    def set_strength(self, strength: float) -> None:
        """Preview at ``strength`` (0..1) without re-running anything; undoable."""
        doc = self.current
        if doc is None or doc.restoration is None or doc.undo_stack is None:
            return
        strength = float(min(max(strength, 0.0), 1.0))
        if strength == doc.strength:
            return
        doc.undo_stack.push(StrengthCommand(doc, strength, self._doc_changed))

    # --- playback -------------------------------------------------------------------------------

    def toggle_play(self) -> None:
        doc = self.current
        if doc is None:
            return
        if self.player is None or self.playback_reason:
            self.statusBar().showMessage(self.playback_reason or self.tr("No sound output."), 8000)
            return
        try:
            if self.player.playing:
                self.player.pause()
            else:
                self._update_loop()
                self.player.play()
        except Exception as exc:  # noqa: BLE001 - e.g. the device went away
            show_error(self, exc, context=self.tr("Playback failed."))
        playing = bool(self.player.playing)
        self.transport.set_playing(playing)
        if playing:
            self.position_timer.start()
        else:
            self.position_timer.stop()

    def stop(self) -> None:
        if self.player is not None and self.current is not None:
            try:
                self.player.stop()
            except Exception:  # noqa: BLE001 - stopping must never fail
                pass
        self.position_timer.stop()
        self.transport.set_playing(False)
        if self.current is not None:
            self.seek_seconds(0.0)

    def _poll_position(self) -> None:
        if self.player is None or self.current is None:
            return
        self._cursor = int(self.player.position)
        self._show_position()
        if not self.player.playing:
            self.position_timer.stop()
            self.transport.set_playing(False)

    def _show_position(self) -> None:
        doc = self.current
        if doc is None:
            return
        t = self._cursor / doc.sr
        self.timeline.set_playhead(t)
        self.transport.set_time(t, doc.duration)

    @property
    def position(self) -> float:
        """The playhead in seconds."""
        return self._cursor / self.current.sr if self.current else 0.0

    def seek_seconds(self, seconds: float) -> None:
        doc = self.current
        if doc is None:
            return
        self._cursor = int(round(min(max(seconds, 0.0), doc.duration) * doc.sr))
        self._cursor = min(self._cursor, doc.frames)
        if self.player is not None:
            try:
                self.player.seek(self._cursor)
            except Exception:  # noqa: BLE001 - the view still moves
                pass
        self._show_position()

    def go_end(self) -> None:
        if self.current is not None:
            self.seek_seconds(self.current.duration)

    def nudge(self, direction: int) -> None:
        """Move the playhead by a twentieth of the visible range."""
        if self.current is None:
            return
        x0, x1 = self.timeline.view_range()
        self.seek_seconds(self.position + direction * max((x1 - x0) / 20, 0.01))

    def cycle_source(self) -> None:
        doc = self.current
        if doc is None:
            return
        if doc.restoration is None:
            self.statusBar().showMessage(
                self.tr("Apply a restoration to compare it with the original."), 5000
            )
            return
        keys = [key for key, _label in SOURCES]
        nxt = keys[(keys.index(self.transport.source) + 1) % len(keys)]
        self.transport.set_source(nxt)  # emits source_changed

    def _source_changed(self, key: str) -> None:
        label = source_label(key)
        self.statusBar().showMessage(self.tr("Listening to: {source}").format(source=label), 3000)
        if self.player is not None and self.current is not None:
            try:
                self.player.select(key)
            except Exception as exc:  # noqa: BLE001
                self.statusBar().showMessage(self.tr("Playback: {error}").format(error=exc), 8000)

    def _selection_changed(self, start: float, stop: float) -> None:
        self._update_loop()

    def _update_loop(self, *_: object) -> None:
        doc = self.current
        if self.player is None or doc is None:
            return
        start, stop = self.timeline.selection
        try:
            if self.transport.loop_box.isChecked() and stop - start > 0.01:
                self.player.set_loop(int(start * doc.sr), int(stop * doc.sr))
            else:
                self.player.set_loop(None, None)
        except Exception as exc:  # noqa: BLE001
            self.statusBar().showMessage(self.tr("Playback: {error}").format(error=exc), 8000)

    # --- view -----------------------------------------------------------------------------------

    def _lower_mode_toggled(self, checked: bool) -> None:
        self.timeline.set_lower_mode("residual" if checked else "restored")
        self._refresh_lower()

    def zoom(self, factor: float) -> None:
        if self.current is None:
            return
        x0, x1 = self.timeline.view_range()
        center = self.position if x0 <= self.position <= x1 else (x0 + x1) / 2
        half = (x1 - x0) * factor / 2
        self.timeline.plots[0].setXRange(center - half, center + half, padding=0)

    def zoom_selection(self) -> None:
        start, stop = self.timeline.selection
        if stop - start > 0.001:
            self.timeline.plots[0].setXRange(start, stop, padding=0)

    def zoom_all(self) -> None:
        if self.current is not None:
            self.timeline.plots[0].setXRange(0, self.current.duration, padding=0)

    def select_all(self) -> None:
        if self.current is not None:
            self.timeline.set_selection(0.0, self.current.duration)

    # --- analysis -------------------------------------------------------------------------------

    def _analysis_visibility(self, visible: bool) -> None:
        if visible:
            self._schedule_analysis(now=True)

    def _schedule_analysis(self, *, now: bool = False) -> None:
        doc = self.current
        if (
            doc is None
            or not self.analysis_dock.isVisible()
            or self.analysis_dock.visibleRegion().isEmpty()
        ):
            return
        if self._analysis_key(doc) in doc.cache:
            self.analysis_panel.show_result(doc.cache[self._analysis_key(doc)])
            return
        if now:
            self.run_analysis()
        else:
            self.analysis_timer.start()

    @staticmethod
    def _analysis_key(doc: Recording) -> tuple[Any, ...]:
        rid = id(doc.restoration) if doc.restoration is not None else None
        return ("analysis", rid, doc.strength if rid else None)

    def run_analysis(self) -> None:
        """Compute the features of the current recording (before/after) in the background."""
        doc = self.current
        if doc is None:
            return
        if self.analysis_job is not None:
            self.analysis_job.cancel()
        key = self._analysis_key(doc)
        if key in doc.cache:
            self.analysis_panel.show_result(doc.cache[key])
            self.analysis_ready.emit(doc.cache[key])
            return
        self.analysis_panel.set_busy(self.tr("Analysing…"))

        def finished(result: Any) -> None:
            doc.cache[key] = result
            if doc is self.current and self._analysis_key(doc) == key:
                self.analysis_panel.show_result(result)
                self.analysis_ready.emit(result)

        def done(job: Job) -> None:
            if self.analysis_job is job:
                self.analysis_job = None
            self._job_done(job)

        worker = Worker(analyze, doc.original, doc.restored, sr=doc.sr)
        job = Job(
            self,
            worker,
            finished=finished,
            failed=lambda exc: self.analysis_panel.set_busy(
                self.tr("Analysis failed: {error}").format(error=exc)
            ),
            progress=lambda f, m: self.analysis_panel.set_busy(
                self.tr("Analysing… {fraction:.0%}").format(fraction=f)
            ),
            done=done,
        )
        self.jobs.add(job)
        self.analysis_job = job
        worker.start()

    # --- export ---------------------------------------------------------------------------------

    def export_dialog(self) -> None:
        doc = self.current
        if doc is None:
            return
        folder = Path(self.settings.last_export_dir or doc.path.parent)
        ext = "." + self.settings.export_format.lstrip(".")
        dialog = ExportDialog(
            self,
            suggested=folder / f"{doc.path.stem}_restored{ext}",
            fmt=self.settings.export_format,
            subtype=self.settings.export_subtype,
            has_restoration=doc.restoration is not None,
        )
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        self.settings.last_export_dir = str(dialog.path.parent)
        self.settings.export_format = dialog.extension.lstrip(".")
        self.settings.export_subtype = dialog.subtype
        self.export_current(
            dialog.path, subtype=dialog.subtype, what=dialog.what, overwrite=dialog.overwrite
        )

    def export_current(
        self,
        path: str | Path,
        *,
        subtype: str = "PCM_24",
        what: str = "restored",
        overwrite: bool = False,
    ) -> Job | None:
        """Write the current preview (``restored``), ``residual`` or ``original`` to ``path``
        (replacing an existing file only with ``overwrite``, never the recording itself)."""
        doc = self.current
        if doc is None:
            return None
        audio = {"restored": doc.restored, "residual": doc.removed, "original": doc.original}[what]
        if audio is None:
            self.statusBar().showMessage(self.tr("Apply a restoration before exporting it."), 6000)
            return None
        worker = Worker(
            export_buffer,
            Path(path),
            audio,
            doc.sr,
            subtype=writable_subtype(path, subtype),
            protect=[doc.path],
            overwrite=overwrite,
        )
        label = self.tr("Exporting {name}").format(name=Path(path).name)
        return self._start_side_job(worker, label, pool=self.write_pool)

    def batch_dialog(self) -> None:
        presets = [
            (
                self.restore_panel.preset_box.itemText(i),
                str(self.restore_panel.preset_box.itemData(i)),
            )
            for i in range(self.restore_panel.preset_box.count())
        ]
        dialog = BatchExportDialog(
            self,
            presets=presets,
            current_preset=self.restore_panel.preset_key,
            start_dir=self.settings.last_open_dir,
            fmt=self.settings.export_format,
            subtype=self.settings.export_subtype,
            strength=self.restore_panel.strength_value,
        )
        if dialog.exec() != BatchExportDialog.DialogCode.Accepted:
            return
        self.batch_export(
            dialog.src_dir,
            dialog.dst_dir,
            dialog.preset,
            dialog.extension,
            dialog.subtype,
            strength=dialog.strength,
        )

    def batch_export(
        self,
        src_dir: Path,
        dst_dir: Path,
        preset: str,
        extension: str = ".wav",
        subtype: str = "PCM_24",
        *,
        strength: float = 1.0,
    ) -> Job | None:
        """Restore every file of ``src_dir`` (subfolders too) into ``dst_dir`` with
        ``preset``, the model and ``strength``: :func:`core.batch.run_batch`, resuming
        a folder restored before."""
        try:
            chain = self.restore_panel.load_chain(preset).with_model(self.restore_panel.model)
            self._check_model(chain)
            if not Path(src_dir).is_dir():
                raise FileNotFoundError(f"folder not found: {src_dir}")
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, context=self.tr("The folder cannot be restored."))
            return None
        worker = Worker(
            run_batch,
            [Path(src_dir)],
            Path(dst_dir),
            chain,
            strength=strength,
            extension=extension,
            subtype=writable_subtype(extension, subtype),
        )
        label = self.tr("Restoring {name}").format(name=Path(src_dir).name)
        return self._start_side_job(worker, label, pool=self.write_pool)

    def _start_side_job(
        self, worker: Worker, label: str, *, pool: QThreadPool | None = None
    ) -> Job:
        if self.side_job is not None:
            self.statusBar().showMessage(
                self.tr("Another export is running; it will follow."), 5000
            )
        self.job_label.setText(label)
        for w in (self.job_label, self.job_bar, self.job_cancel):
            w.setVisible(True)
        self.job_bar.setValue(0)

        def finished(result: Any) -> None:
            if isinstance(result, BatchReport):
                count = len(result.restored)
                if result.journal is not None:
                    text = self.tr("Restored {count} file(s) into {folder}").format(
                        count=count, folder=result.journal.parent
                    )
                else:
                    text = self.tr("Restored {count} file(s)").format(count=count)
                if result.skipped:
                    text += self.tr("; {count} done before").format(count=len(result.skipped))
                if result.failed:
                    names = ", ".join(p.name for p, _e in result.failed[:5])
                    text += self.tr("; {count} failed: {names}").format(
                        count=len(result.failed), names=names
                    )
                    reasons = [f"{p.name}: {e}" for p, e in result.failed[:10]]
                    if len(result.failed) > 10:
                        reasons.append(
                            self.tr("… and {count} more, each with its reason in {journal}").format(
                                count=len(result.failed) - 10, journal=result.journal
                            )
                        )
                    QMessageBox.warning(
                        self,
                        self.tr("Some files were not restored"),
                        text + "\n\n" + "\n".join(reasons),
                    )
            else:
                text = self.tr("Exported {path}").format(path=result)
            self.statusBar().showMessage(text, 10000)
            self.export_finished.emit(result)

        def failed(exc: BaseException) -> None:
            show_error(self, exc, context=self.tr("{job} failed.").format(job=label))

        def cancelled() -> None:
            self.statusBar().showMessage(
                self.tr("{job}: cancelled; no partial file was left.").format(job=label), 8000
            )
            self.export_cancelled.emit()

        def done(job: Job) -> None:
            if self.side_job is job:
                self.side_job = None
                for w in (self.job_label, self.job_bar, self.job_cancel):
                    w.setVisible(False)
            self._job_done(job)

        job = Job(
            self,
            worker,
            finished=finished,
            failed=failed,
            cancelled=cancelled,
            progress=lambda f, m: self.job_bar.setValue(int(f * 1000)),
            done=done,
        )
        self.jobs.add(job)
        self.side_job = job
        worker.start(pool)
        return job

    def cancel_side_job(self) -> None:
        if self.side_job is not None:
            self.side_job.cancel()

    # --- dialogs --------------------------------------------------------------------------

    def training_dialog(self) -> None:
        if self.training_module is None:
            return
        self.models_dir.mkdir(parents=True, exist_ok=True)
        dialog = self.training_module.TrainingDialog(
            self, models_dir=self.models_dir, start_dir=self.settings.last_open_dir
        )
        dialog.model_saved.connect(self.model_trained)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.training = dialog

    def model_trained(self, path: str) -> None:
        """A model was saved: make it selectable (and select it)."""
        self.restore_panel.refresh_models()
        self.restore_panel.add_model(str(path), select=True)
        self.statusBar().showMessage(
            self.tr("New model ready: {name}").format(name=Path(path).name), 10000
        )

    def preferences_dialog(self) -> None:
        from app.dialogs.preferences import PreferencesDialog

        devices = self.playback_module.Player.output_devices() if self.playback_module else []
        dialog = PreferencesDialog(
            self,
            devices=devices,
            device=self.settings.output_device,
            matched_loudness=self.settings.matched_loudness,
            language=self.settings.language,
            playback_note=self.playback_reason,
        )
        if dialog.exec() != PreferencesDialog.DialogCode.Accepted:
            return
        self.apply_preferences(dialog.device, dialog.matched.isChecked(), dialog.language)

    def apply_preferences(self, device: str, matched_loudness: bool, language: str) -> None:
        changed_device = device != self.settings.output_device
        self.settings.output_device = device
        self.settings.matched_loudness = matched_loudness
        if language != self.settings.language:
            self.settings.language = language
            self.statusBar().showMessage(
                self.tr("The new language is used the next time SeminarioIA starts."), 10000
            )
        if changed_device and (self.playback_module or self._player_factory) is not None:
            self.stop()
            self.playback_reason = ""
            if self.playback_module is not None:
                ok, reason = self.playback_module.Player.availability()
                self.playback_reason = "" if ok else reason
            self._open_player()
            self._show_playback_state()
            if self.current is not None:
                self._refresh_lower()
        elif self.player is not None:
            self.player.matched_loudness = matched_loudness
        self._update_actions()

    def about(self) -> None:
        from app.dialogs.about import AboutDialog

        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exec()

    # --- closing --------------------------------------------------------------------------

    def preload_tensorflow(self) -> None:
        """Import TensorFlow and load the built-in models in the background now, so the
        first Apply or training neither waits for them nor stalls the window while
        they load."""
        if self.preload_worker is None:
            from core.steps import preload_models

            self.preload_worker = Worker(preload_models, self.build_context).start()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.settings.window_geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.last_model_dir = self.restore_panel.last_model_dir
        self.settings.sync()
        for job in list(self.jobs):
            job.cancel()
        self.position_timer.stop()
        if self.player is not None:
            try:
                self.player.close()
            except Exception:  # noqa: BLE001
                pass
            self.player = None
        QThreadPool.globalInstance().waitForDone(5000)
        self.write_pool.waitForDone(30000)  # let a running export finish or cancel cleanly
        super().closeEvent(event)
