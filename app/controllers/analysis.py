"""The Analysis panel's measurements, before and after, made when the panel is seen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QWidget

from app.controllers.session import SessionController
from app.document import Recording
from app.jobs import Job, JobSet
from app.views.analysis import AnalysisPanel
from core.analysis import compare_audio
from core.display import as_array

ANALYSIS_DELAY_MS = 600  # a slider drag or a quick undo/redo run settles first


def compare_job(
    original: Any, restored: Any, *, sr: int, progress: Any = None, cancel: Any = None
) -> Any:
    """Job: :func:`core.analysis.compare_audio`, reading an original kept in its file
    (:class:`core.display.FileFrames`) here, in the worker."""
    return compare_audio(as_array(original), restored, sr=sr, progress=progress, cancel=cancel)


class AnalysisController(QObject):
    """Measures the current recording (and its preview) while the panel is visible;
    results stay in the recording's view cache.

    Signal ``ready(object)``: ``(before, after)`` :class:`core.analysis.Measures` shown.
    """

    ready = Signal(object)

    def __init__(
        self,
        parent: QWidget,
        *,
        panel: AnalysisPanel,
        dock: QDockWidget,
        session: SessionController,
        jobs: JobSet,
    ) -> None:
        super().__init__(parent)
        self.panel = panel
        self.dock = dock
        self.session = session
        self.jobs = jobs
        self.job: Job | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(ANALYSIS_DELAY_MS)
        self.timer.timeout.connect(self.run)
        dock.visibilityChanged.connect(self._visibility)

    def show_recording(self, doc: Recording | None) -> None:
        if doc is None:
            self.panel.clear(self.tr("Open a recording to analyse it."))
            return
        self.panel.clear("")
        self.schedule()

    def _visibility(self, visible: bool) -> None:
        if visible:
            self.schedule(now=True)

    @staticmethod
    def _key(doc: Recording) -> tuple[Any, ...]:
        r = doc.restoration
        return ("analysis", r, doc.strength if r is not None else None)

    def schedule(self, *, now: bool = False) -> None:
        """Measure soon (or ``now``) if the panel can be seen; show a kept result at once."""
        doc = self.session.current
        if doc is None or not self.dock.isVisible() or self.dock.visibleRegion().isEmpty():
            return
        if self._key(doc) in doc.cache:
            self.panel.show_result(doc.cache[self._key(doc)])
            return
        if now:
            self.run()
        else:
            self.timer.start()

    def run(self) -> None:
        """Measure the current recording (before/after) in the background."""
        doc = self.session.current
        if doc is None:
            return
        if self.job is not None:
            self.job.cancel()
        key = self._key(doc)
        if key in doc.cache:
            self.panel.show_result(doc.cache[key])
            self.ready.emit(doc.cache[key])
            return
        self.panel.set_busy(self.tr("Analysing…"))

        def returned(result: Any) -> None:
            if key[1] is not None and key[1] is not doc.restoration:
                return  # undone or replaced meanwhile: its cache entries are gone
            doc.cache[key] = result
            if doc is self.session.current and self._key(doc) == key:
                self.panel.show_result(result)
                self.ready.emit(result)

        def finished() -> None:
            if self.job is job:
                self.job = None

        job = Job(compare_job, doc.original, doc.restored, sr=doc.sr, parent=self)
        job.returned.connect(returned)
        job.errored.connect(
            lambda exc: self.panel.set_busy(self.tr("Analysis failed: {error}").format(error=exc))
        )
        job.progress.connect(
            lambda f, _m: self.panel.set_busy(
                self.tr("Analysing… {fraction:.0%}").format(fraction=f)
            )
        )
        job.finished.connect(finished)
        self.job = job
        self.jobs.start(job)
