"""The timeline's pictures: waveforms and spectrograms above and below, zoom, selection."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.controllers import Status
from app.controllers.session import SessionController
from app.document import Recording
from app.jobs import Job, JobSet
from app.views.spectrogram import compute_spectrogram
from app.views.timeline import TimelineView


class ViewController(QObject):
    """Draws the current recording on the timeline; spectrograms are computed in jobs
    and kept in the recording's view cache.

    Signal ``spectrogram_ready(str)``: ``"original"`` or ``"lower"`` was drawn.
    """

    spectrogram_ready = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        *,
        timeline: TimelineView,
        session: SessionController,
        jobs: JobSet,
        status: Status,
    ) -> None:
        super().__init__(parent)
        self.timeline = timeline
        self.session = session
        self.jobs = jobs
        self.status = status
        self.spectrogram_jobs: dict[str, Job] = {}

    def show_recording(self, doc: Recording | None) -> None:
        """Draw ``doc``'s original (the lower half follows its preview), or nothing."""
        timeline = self.timeline
        if doc is None:
            timeline.set_original(None, 1)
            timeline.set_lower(None, 1)
            timeline.set_original_spectrogram(None)
            timeline.set_lower_spectrogram(None)
            return
        timeline.set_original(doc.original, doc.sr, doc.cache.get(("pyramid", "original")))
        timeline.set_playhead(0.0)
        timeline.set_selection(0.0, 0.0)
        timeline.set_original_spectrogram(doc.cache.get(("spec", "original")))
        if ("spec", "original") in doc.cache:  # opening built it with the waveform's
            self.spectrogram_ready.emit("original")
        else:
            self._request_spectrogram(doc, "original")

    def show_lower(self, doc: Recording) -> None:
        """Draw ``doc``'s preview (or what it removes) below, once its buffers are ready."""
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

    def show_removed(self, removed: bool) -> None:
        """Show what was removed below instead of the restored sound (or back)."""
        self.timeline.set_lower_mode("residual" if removed else "restored")

    def _lower_key(self, doc: Recording) -> tuple[Any, ...] | None:
        if doc.restoration is None:
            return None
        return ("spec", self.timeline.lower_mode, doc.restoration, doc.strength)

    def _request_spectrogram(self, doc: Recording, which: str) -> None:
        previous = self.spectrogram_jobs.pop(which, None)
        if previous is not None:
            previous.cancel()
        if which == "original":
            key: tuple[Any, ...] | None = ("spec", "original")
            audio: Any = doc.original  # read by compute_spectrogram in the job
        else:
            key = self._lower_key(doc)
            audio = doc.restored if self.timeline.lower_mode == "restored" else doc.removed
        if key is None or audio is None:
            return

        def returned(spec: Any, key: tuple[Any, ...] = key) -> None:
            if which == "lower" and key[2] is not doc.restoration:
                return  # undone or replaced meanwhile: its cache entries are gone
            doc.cache[key] = spec
            if doc is not self.session.current:
                return
            if which == "original":
                self.timeline.set_original_spectrogram(spec)
            elif self._lower_key(doc) == key:
                self.timeline.set_lower_spectrogram(spec)
            self.spectrogram_ready.emit(which)

        job = Job(compute_spectrogram, audio, sr=doc.sr, parent=self)
        job.returned.connect(returned)
        job.errored.connect(
            lambda exc: self.status(self.tr("Spectrogram failed: {error}").format(error=exc), 8000)
        )
        self.spectrogram_jobs[which] = job
        self.jobs.start(job)

    # --- zoom and selection ---------------------------------------------------------------------

    def zoom(self, factor: float, around: float) -> None:
        """Zoom by ``factor`` (0.5: in) around ``around`` seconds when it is visible."""
        if self.session.current is None:
            return
        x0, x1 = self.timeline.view_range()
        center = around if x0 <= around <= x1 else (x0 + x1) / 2
        half = (x1 - x0) * factor / 2
        self.timeline.set_view_range(center - half, center + half)

    def zoom_selection(self) -> None:
        start, stop = self.timeline.selection
        if stop - start > 0.001:
            self.timeline.set_view_range(start, stop)

    def zoom_all(self) -> None:
        if self.session.current is not None:
            self.timeline.set_view_range(0, self.session.current.duration)

    def select_all(self) -> None:
        if self.session.current is not None:
            self.timeline.set_selection(0.0, self.session.current.duration)
