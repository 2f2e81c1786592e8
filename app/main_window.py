"""The main window: the layout, the actions and menus, and the wiring of its controllers.

Each concern lives in a controller of :mod:`app.controllers` (the open recordings,
restoring, the timeline's pictures, playback, analysis, export, training) that holds
its state and runs its slow work as :class:`app.jobs.Job` s calling plain ``core``
functions; the window builds the views, connects the controllers' signals and keeps
the actions' enabled state. TensorFlow is imported by the restore job itself, never
here, so the window appears fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QUndoGroup,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from app.controllers.analysis import AnalysisController
from app.controllers.export import ExportController
from app.controllers.playback import PlaybackController
from app.controllers.restore import RestoreController
from app.controllers.session import SessionController
from app.controllers.training import TrainingController
from app.controllers.view import ViewController
from app.dialogs.about import AboutDialog, app_icon
from app.dialogs.preferences import PreferencesDialog
from app.document import Recording
from app.jobs import JobSet
from app.settings import Settings
from app.views.analysis import AnalysisPanel
from app.views.jobstatus import JobStatus
from app.views.restore import BUILTIN_CHOICES, RestorePanel
from app.views.spectrogram import render_pool
from app.views.timeline import TimelineView
from app.views.transport import TransportBar

JOBS_WAIT_MS = 5000  # on closing, cancelled jobs get this long to stop


class MainWindow(QMainWindow):
    """The controllers are public attributes (``session``, ``restore``, ``view``,
    ``playback``, ``analysis``, ``export``, ``training``); their signals are for tests
    and scripts, each fired after the window has updated. ``jobs.idle`` fires when no
    background job is left."""

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
        self.jobs = JobSet(self)
        self.undo_group = QUndoGroup(self)

        self._build_widgets()
        self._build_controllers(player_factory, enable_playback)
        self._build_actions()
        self._build_menus()
        self._connect()

        geometry = settings.window_geometry
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = settings.window_state
        if not state.isEmpty():
            self.restoreState(state)
        self._show_playback_state(self.playback.reason)
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
        layout.addWidget(self.timeline.footer)
        layout.addWidget(self.transport)
        self.setCentralWidget(central)

        self.session_list = QListWidget(self)
        self.session_list.setObjectName("sessionList")
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
        self.restore_panel.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.restore_dock = self._dock(self.tr("Restore"), "restoreDock", self.restore_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.restore_dock)

        self.analysis_panel = AnalysisPanel(self)
        self.analysis_dock = self._dock(self.tr("Analysis"), "analysisDock", self.analysis_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.analysis_dock)
        self.tabifyDockWidget(self.restore_dock, self.analysis_dock)
        self.restore_dock.raise_()
        # Edit ▸ History: every Apply and strength change of the current recording; a
        # click goes back (or forward) to that state.
        self.history_view = QUndoView(self.undo_group, self)
        self.history_view.setEmptyLabel(self.tr("Opened"))
        self.history_dock = self._dock(self.tr("History"), "historyDock", self.history_view)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.history_dock)
        self.history_dock.setVisible(False)
        self.resizeDocks([self.session_dock], [170], Qt.Orientation.Horizontal)
        self.resizeDocks([self.restore_dock], [330], Qt.Orientation.Horizontal)

        self.job_status = JobStatus(self)
        self.statusBar().addPermanentWidget(self.job_status)
        self.playback_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.playback_label)

    def _build_controllers(self, player_factory: Callable[..., Any] | None, sound: bool) -> None:
        status = self.statusBar().showMessage
        jobs = self.jobs
        self.session = SessionController(
            self,
            settings=self.settings,
            data_dir=self.data_dir,
            list_view=self.session_list,
            undo_group=self.undo_group,
            jobs=jobs,
            status=status,
        )
        self.playback = PlaybackController(
            self,
            settings=self.settings,
            session=self.session,
            transport=self.transport,
            timeline=self.timeline,
            status=status,
            player_factory=player_factory,
            enabled=sound,
        )
        self.restore = RestoreController(
            self,
            settings=self.settings,
            panel=self.restore_panel,
            session=self.session,
            playback=self.playback,
            jobs=jobs,
            status=status,
            selection=lambda: self.timeline.selection if self.timeline.has_selection() else None,
        )
        self.view = ViewController(
            self, timeline=self.timeline, session=self.session, jobs=jobs, status=status
        )
        self.analysis = AnalysisController(
            self,
            panel=self.analysis_panel,
            dock=self.analysis_dock,
            session=self.session,
            jobs=jobs,
        )
        self.export = ExportController(
            self,
            settings=self.settings,
            session=self.session,
            restore_panel=self.restore_panel,
            indicator=self.job_status,
            jobs=jobs,
            status=status,
        )
        self.training = TrainingController(
            self,
            settings=self.settings,
            models_dir=self.models_dir,
            restore_panel=self.restore_panel,
            status=status,
        )

    def _connect(self) -> None:
        self.session.current_changed.connect(self._current_changed)
        self.session.opened.connect(lambda _doc: self._rebuild_recent_menu())
        self.restore.changed.connect(self._restoration_changed)
        self.restore.preview_ready.connect(self._preview_ready)
        self.restore.busy_changed.connect(lambda _busy: self._update_actions())
        self.playback.availability_changed.connect(self._show_playback_state)
        if self.training.unavailable:
            self.train_action.setEnabled(False)
            self.train_action.setToolTip(self.training.unavailable)
            self.train_action.setStatusTip(self.training.unavailable)

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
        demo = self.hint_demo_button = QPushButton(self.tr("Open the demo"), bar)
        demo.clicked.connect(lambda: self.session.open_demo())
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

    def _update_hint(self) -> None:
        """While the demo is open the hint says what to do with it, not how to open it."""
        showing_demo = self.session.showing_demo()
        self.hint_demo_button.setVisible(not showing_demo)
        if showing_demo:
            self.hint_label.setText(
                self.tr(
                    "This is the demo recording: press Apply to restore it, then B to switch "
                    "between the original, the restored sound and the removed noise."
                )
            )

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
        self.open_action = A(
            self.tr("&Open…"), self.session.open_dialog, QKeySequence.StandardKey.Open
        )
        self.demo_action = A(
            self.tr("Open the &demo recording"),
            self.session.open_demo,
            tip=self.tr("A short noisy recording to try the restoration on"),
        )
        self.close_action = A(
            self.tr("&Close recording"), self.session.close_current, QKeySequence.StandardKey.Close
        )
        self.export_action = A(
            self.tr("&Export…"),
            self.export.export_dialog,
            "Ctrl+E",
            self.tr("Write the restored file"),
        )
        self.batch_action = A(
            self.tr("Restore a &folder…"), self.export.batch_dialog, "Ctrl+Shift+E"
        )
        self.prefs_action = A(self.tr("&Preferences…"), self.preferences_dialog, "Ctrl+,")
        self.quit_action = A(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        self.undo_action = self.undo_group.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_group.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.apply_action = A(self.tr("&Apply restoration"), self.restore.apply, "Ctrl+R")
        self.learn_noise_action = A(
            self.tr("&Learn noise from selection"), self.restore.learn_noise, "Ctrl+L"
        )
        self.train_action = A(self.tr("&Train a model…"), self.training.open_dialog)
        self.play_action = A(self.tr("&Play / pause"), self.playback.toggle_play, "Space")
        self.stop_action = A(self.tr("&Stop"), self.playback.stop)
        self.cycle_action = A(self.tr("Cycle &A/B/removed noise"), self.playback.cycle_source, "B")
        self.home_action = A(
            self.tr("Go to &start"), lambda: self.playback.seek_seconds(0.0), "Home"
        )
        self.end_action = A(self.tr("Go to &end"), self.playback.go_end, "End")
        self.back_action = A(self.tr("Move &back"), lambda: self.playback.nudge(-1), "Left")
        self.forward_action = A(self.tr("Move &forward"), lambda: self.playback.nudge(1), "Right")
        self.residual_view_action = A(
            self.tr("Show &removed noise below"),
            self._lower_mode_toggled,
            "D",
            self.tr("Show the difference (what was removed) instead of the restored signal"),
            checkable=True,
        )
        self.channel_spectra_action = A(
            self.tr("Spectrogram per &channel"),
            self.timeline.set_channel_spectrograms,
            tip=self.tr("One spectrogram for each channel of a stereo recording, stacked"),
            checkable=True,
        )
        self.zoom_in_action = A(
            self.tr("Zoom &in"),
            lambda: self.view.zoom(0.5, self.playback.position),
            QKeySequence.StandardKey.ZoomIn,
        )
        self.zoom_out_action = A(
            self.tr("Zoom &out"),
            lambda: self.view.zoom(2.0, self.playback.position),
            QKeySequence.StandardKey.ZoomOut,
        )
        self.zoom_sel_action = A(self.tr("Zoom to &selection"), self.view.zoom_selection, "Z")
        self.zoom_all_action = A(self.tr("Show &all"), self.view.zoom_all, "Ctrl+0")
        self.select_all_action = A(
            self.tr("Select &all"), self.view.select_all, QKeySequence.StandardKey.SelectAll
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
        self.history_action = self.history_dock.toggleViewAction()
        self.history_action.setText(self.tr("&History"))
        self.history_action.setShortcut(QKeySequence("Ctrl+H"))
        edit_menu.addAction(self.history_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.select_all_action)
        view_menu = bar.addMenu(self.tr("&View"))
        for action in (
            self.residual_view_action,
            self.channel_spectra_action,
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
        restore_menu.addAction(self.learn_noise_action)
        restore_menu.addAction(self.train_action)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.about_action)
        self._rebuild_recent_menu()

    # --- the current recording -----------------------------------------------------------------

    def _current_changed(self, doc: Recording | None) -> None:
        self.playback.show_recording(doc)
        self.view.show_recording(doc)
        if doc is not None:
            self.restore.show_changes(doc, immediate=True)
        self.analysis.show_recording(doc)
        self._update_actions()
        self._update_titles()

    def _restoration_changed(self, doc: Recording) -> None:
        self.playback.set_restored_available(doc.restoration is not None)
        self._update_actions()
        self._update_titles()
        self.analysis.schedule()

    def _preview_ready(self, doc: Recording) -> None:
        self.view.show_lower(doc)
        self.playback.load_sources(doc)

    def _lower_mode_toggled(self, checked: bool) -> None:
        self.view.show_removed(checked)
        self.restore.refresh_preview()

    def _update_titles(self) -> None:
        self._update_hint()
        doc = self.session.current
        name = f"{doc.name} — " if doc else ""
        self.setWindowTitle(f"{name}SeminarioIA")
        self.session.show_marks()

    def _update_actions(self) -> None:
        has_doc = self.session.current is not None
        can_play = self.playback.can_play
        for action in (
            self.close_action,
            self.export_action,
            self.apply_action,
            self.learn_noise_action,
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
        self.transport.set_playable(can_play, self.playback.reason)
        self.restore_panel.set_apply_enabled(has_doc and not self.restore.busy)

    def _show_playback_state(self, reason: str) -> None:
        self.playback_label.setText(self.tr("No sound") if reason else "")
        self.playback_label.setToolTip(reason)
        if reason:
            self.statusBar().showMessage(reason, 15000)
        for action in (self.play_action, self.stop_action):
            action.setToolTip(reason or action.text())
        self._update_actions()

    # --- recent files and dropping ---------------------------------------------------------------

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files
        for path in files:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.session.open_files([p]))
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
            self.session.open_files(paths)

    # --- dialogs ----------------------------------------------------------------------------

    def preferences_dialog(self) -> None:
        dialog = PreferencesDialog(
            self,
            devices=self.playback.output_devices(),
            device=self.settings.output_device,
            matched_loudness=self.settings.matched_loudness,
            language=self.settings.language,
            playback_note=self.playback.reason,
        )
        if dialog.exec() != PreferencesDialog.DialogCode.Accepted:
            return
        self.apply_preferences(dialog.device, dialog.matched_loudness, dialog.language)

    def apply_preferences(self, device: str, matched_loudness: bool, language: str) -> None:
        if language != self.settings.language:
            self.settings.language = language
            self.statusBar().showMessage(
                self.tr("The new language is used the next time SeminarioIA starts."), 10000
            )
        if self.playback.set_output(device, matched_loudness) and self.session.current:
            self.restore.refresh_preview()
        self._update_actions()

    def about(self) -> None:
        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.exec()

    # --- closing --------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if not self.session.confirm_discard(self.session.recordings):
            event.ignore()
            return
        self.settings.window_geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.last_model_dir = self.restore_panel.last_model_dir
        self.settings.sync()
        self.jobs.cancel_all()
        self.playback.close()
        QThreadPool.globalInstance().waitForDone(JOBS_WAIT_MS)
        render_pool().waitForDone(JOBS_WAIT_MS)
        self.export.wait()
        super().closeEvent(event)
