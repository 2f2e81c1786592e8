"""The open recordings: opening (in the background), switching, closing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoGroup, QUndoStack
from PySide6.QtWidgets import QFileDialog, QListWidget, QListWidgetItem, QMessageBox, QWidget

from app.controllers import Status
from app.document import Recording
from app.errors import show_error
from app.jobs import Job, JobSet
from app.settings import Settings
from core.audio.io import READ_EXTENSIONS, audio_files
from core.demo import demo_recording, shipped_demo
from core.display import FileFrames, Overview, build_overview

AUDIO_PATTERNS = " ".join(f"*{e}" for e in READ_EXTENSIONS)
LOAD_THREADS = 2  # reading an hour of stereo for its overview is bound by cores, not disk


class SessionController(QObject):
    """The recordings open in one window and the current one.

    Signals
    -------
    current_changed(object) : the current :class:`Recording` (or ``None``) changed.
    opened(object) : a :class:`Recording` was opened (after it became current).
    """

    current_changed = Signal(object)
    opened = Signal(object)

    def __init__(
        self,
        parent: QWidget,
        *,
        settings: Settings,
        data_dir: Path,
        list_view: QListWidget,
        undo_group: QUndoGroup,
        jobs: JobSet,
        status: Status,
    ) -> None:
        super().__init__(parent)
        self._window = parent
        self.ask_before_discard = True  # off only for scripted runs, which hold no user work
        self.settings = settings
        self.data_dir = data_dir
        self.list_view = list_view
        self.undo_group = undo_group
        self.jobs = jobs
        self.status = status
        self.recordings: list[Recording] = []
        self.current: Recording | None = None
        list_view.currentRowChanged.connect(self._row_changed)

    # --- opening --------------------------------------------------------------------------------

    def open_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self._window,
            self.tr("Open recordings"),
            self.settings.last_open_dir,
            self.tr("Audio files ({patterns});;All files (*)").format(patterns=AUDIO_PATTERNS),
        )
        if paths:
            self.settings.last_open_dir = str(Path(paths[0]).parent)
            self.open_files(paths)

    def open_files(self, paths: Iterable[str | Path]) -> None:
        """Open each file in the background (or switch to it if it is already open);
        a folder opens the audio files in it. Opening reads the file once in blocks for
        its waveform and spectrogram overviews (:func:`core.display.build_overview`);
        the samples stay in the file and are read as views, playback and work need
        them (an hour of 48 kHz stereo opens with about 250 MB)."""
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                self.open_files(audio_files(path))
                continue
            existing = self.find(path)
            if existing is not None:
                self.set_current(existing)
                continue
            self.status(self.tr("Opening {name}…").format(name=path.name))
            job = Job(build_overview, str(path), threads=LOAD_THREADS, parent=self)
            job.returned.connect(lambda result, path=path: self._loaded(path, result))
            job.errored.connect(lambda exc, path=path: self._open_failed(path, exc))
            self.jobs.start(job)

    def open_demo(self) -> None:
        try:
            self.open_files([demo_recording(self.data_dir / "demo")])
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(
                self._window, exc, context=self.tr("The demo recording could not be created.")
            )

    def find(self, path: Path) -> Recording | None:
        resolved = path.resolve()
        return next((r for r in self.recordings if r.path.resolve() == resolved), None)

    def _loaded(self, path: Path, overview: Overview) -> None:
        frames = overview.pyramid.audio
        assert isinstance(frames, FileFrames)
        if self.find(path) is not None:
            frames.close()
            return
        sr = overview.info.samplerate
        doc = Recording(path=path, original=frames, sr=sr)
        doc.cache["pyramid", "original"] = overview.pyramid
        doc.cache["spec", "original"] = overview.spectrogram
        doc.undo_stack = QUndoStack(self.undo_group)
        self.recordings.append(doc)
        item = QListWidgetItem(doc.name)
        item.setToolTip(str(path))
        self.list_view.addItem(item)
        self.settings.add_recent(path)
        self.set_current(doc)
        self.status(
            self.tr("Opened {name}: {seconds:.1f} s, {channels} channel(s), {rate} Hz").format(
                name=doc.name, seconds=doc.duration, channels=doc.channels, rate=sr
            ),
            6000,
        )
        self.opened.emit(doc)

    def _open_failed(self, path: Path, exc: BaseException) -> None:
        self.status(self.tr("Could not open {name}").format(name=path.name), 8000)
        show_error(
            self._window, exc, context=self.tr("Could not open “{name}”.").format(name=path.name)
        )

    # --- switching and closing -----------------------------------------------------------------

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(self.recordings):
            self.set_current(self.recordings[row])

    def showing_demo(self) -> bool:
        """Whether the current recording is the demo (shipped, or generated in the data
        folder), found without creating it."""
        doc = self.current
        if doc is None:
            return False
        return doc.path in (shipped_demo(), self.data_dir / "demo" / doc.path.name)

    def set_current(self, doc: Recording | None) -> None:
        if doc is self.current and doc is not None:
            return
        self.current = doc
        if doc is not None:
            row = self.recordings.index(doc)
            if self.list_view.currentRow() != row:
                self.list_view.blockSignals(True)
                self.list_view.setCurrentRow(row)
                self.list_view.blockSignals(False)
        self.undo_group.setActiveStack(doc.undo_stack if doc is not None else None)
        self.current_changed.emit(doc)

    def confirm_discard(self, docs: Iterable[Recording]) -> bool:
        """Whether the user agrees to lose the restorations of ``docs`` never exported
        (True at once when there are none)."""
        names = [doc.name for doc in docs if doc.unexported]
        if not names or not self.ask_before_discard:
            return True
        if len(names) == 1:
            text = self.tr("The restoration of {name} was never exported.").format(name=names[0])
        else:
            text = self.tr("The restorations of {count} recordings were never exported: {names}.")
            text = text.format(count=len(names), names=", ".join(names))
        answer = QMessageBox.question(
            self._window,
            self.tr("Discard the restoration?"),
            text + " " + self.tr("Discard it, or cancel and export it first?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer != QMessageBox.StandardButton.Cancel

    def close_current(self) -> None:
        doc = self.current
        if doc is None or not self.confirm_discard([doc]):
            return
        index = self.recordings.index(doc)
        self.recordings.remove(doc)
        if doc.undo_stack is not None:
            self.undo_group.removeStack(doc.undo_stack)
        self.list_view.blockSignals(True)
        self.list_view.takeItem(index)
        self.list_view.blockSignals(False)
        self.current = None
        self.set_current(
            self.recordings[min(index, len(self.recordings) - 1)] if self.recordings else None
        )

    def show_marks(self) -> None:
        """Name each recording in the list, with a tick when it has a restoration."""
        for row, rec in enumerate(self.recordings):
            item = self.list_view.item(row)
            if item is not None:
                mark = " ✓" if rec.restoration is not None else ""
                item.setText(rec.name + mark)
