"""Apply and Cancel, the strength preview and its undo history, the models kept loaded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.controllers import Status
from app.controllers.playback import PlaybackController
from app.controllers.session import SessionController
from app.document import (
    ApplyRestorationCommand,
    Preview,
    Recording,
    Restoration,
    StrengthCommand,
    make_preview,
)
from app.errors import show_error
from app.jobs import Job, JobSet
from app.settings import Settings
from app.views.axes import format_time
from app.views.restore import BUILTIN_CHOICES, RestorePanel
from core.display import FileFrames, as_array
from core.errors import ModelFormatError
from core.steps import BuildContext, preload_models

VIEW_REFRESH_MS = 120  # a slider drag redraws once it pauses this long
PRELOAD_DELAY_MS = 1500  # after the window appears: let it paint and settle first


def restore_job(
    audio: np.ndarray | FileFrames,
    *,
    sr: int,
    chain: Any,
    context: Any = None,
    noise_profile: Any = None,
    progress: Any = None,
    cancel: Any = None,
) -> Any:
    """Job: run the chain once at full strength (imports TensorFlow if needed); returns
    :class:`core.pipeline.Restoration`. ``context`` keeps loaded models between runs.
    ``audio`` may be kept in its file (:class:`core.display.FileFrames`): it is read
    whole here, in the worker."""
    from core.pipeline import restore_array

    return restore_array(
        as_array(audio),
        sr=sr,
        chain=chain,
        progress=progress,
        cancel=cancel,
        context=context,
        noise_profile=noise_profile,
    )


def restore_region_job(
    base: np.ndarray | FileFrames,
    base_residual: np.ndarray | None,
    *,
    sr: int,
    chain: Any,
    start: int,
    stop: int,
    context: Any = None,
    noise_profile: Any = None,
    progress: Any = None,
    cancel: Any = None,
) -> Any:
    """Job: run the chain on ``start:stop`` of ``base`` (the restoration shown, or the
    original) only; what the earlier restoration removed stays removed, and outside the
    region nothing changes."""
    from core.pipeline import Restoration as Result
    from core.pipeline import restore_region

    region = restore_region(
        as_array(base),
        sr=sr,
        chain=chain,
        start=start,
        stop=stop,
        progress=progress,
        cancel=cancel,
        context=context,
        noise_profile=noise_profile,
    )
    if base_residual is None:
        return region
    return Result(region.restored, base_residual + region.residual, region.chain, region.diagnosis)


def learn_noise_job(
    audio: np.ndarray | FileFrames,
    *,
    sr: int,
    start: int = 0,
    stop: int | None = None,
    progress: Any = None,
    cancel: Any = None,
) -> Any:
    """Job: the noise profile of samples ``start:stop`` of ``audio``, a stretch that
    holds noise only (read here, from the file when the recording is kept there)."""
    from core.dsp.noise_profile import learn_noise_profile

    stop = audio.shape[1] if stop is None else stop
    return learn_noise_profile(np.asarray(audio[:, start:stop], dtype=np.float32), sr=sr)


def check_model(chain: Any) -> None:
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


class RestoreController(QObject):
    """Restores the current recording with the Restore panel's chain and previews it.

    Signals
    -------
    finished(object) : a :class:`Recording` got a new restoration.
    cancelled() : a restoration was cancelled; nothing changed.
    failed(object) : a restoration could not start or failed (the exception).
    noise_learned(object) : a :class:`Recording` has a noise profile from its selection.
    changed(object) : a :class:`Recording`'s restoration or strength changed (apply,
        slider, undo, redo, switching to it).
    preview_ready(object) : the current :class:`Recording`'s preview buffers and
        overviews at its strength are ready to show and play.
    busy_changed(bool) : a restoration started or ended.
    """

    finished = Signal(object)
    cancelled = Signal()
    failed = Signal(object)
    changed = Signal(object)
    preview_ready = Signal(object)
    busy_changed = Signal(bool)
    noise_learned = Signal(object)

    def __init__(
        self,
        parent: QWidget,
        *,
        settings: Settings,
        panel: RestorePanel,
        session: SessionController,
        playback: PlaybackController,
        jobs: JobSet,
        status: Status,
        selection: Callable[[], tuple[float, float] | None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self._window = parent
        self.selection = selection  # seconds selected on the timeline, or None
        self.settings = settings
        self.panel = panel
        self.session = session
        self.playback = playback
        self.jobs = jobs
        self.status = status
        self.job: Job | None = None
        self.preview_job: Job | None = None
        self.preload_job: Job | None = None
        self.build_context = BuildContext()  # models stay loaded between Applies
        self._shown: Restoration | None = None  # the restoration the panel describes
        self.view_timer = QTimer(self)
        self.view_timer.setSingleShot(True)
        self.view_timer.setInterval(VIEW_REFRESH_MS)
        self.view_timer.timeout.connect(self.refresh_preview)
        panel.apply_requested.connect(self.apply)
        panel.cancel_requested.connect(self.cancel)
        panel.forget_noise_requested.connect(self.forget_noise)
        panel.strength_changed.connect(self.set_strength)

    @property
    def busy(self) -> bool:
        return self.job is not None

    # --- restoring ------------------------------------------------------------------------------

    def apply(self) -> None:
        """Run the panel's chain on the current recording's original, in the background."""
        doc = self.session.current
        if doc is None:
            self.status(self.tr("Open a recording first."), 5000)
            return
        if self.job is not None:
            return
        try:
            chain = self.panel.chain()
            check_model(chain)
        except Exception as exc:  # noqa: BLE001 - explained to the user
            show_error(self._window, exc, context=self.tr("The restoration cannot start."))
            self.failed.emit(exc)
            return
        self.settings.preset = self.panel.preset_key
        self.settings.model = self.panel.model
        label = self.panel.preset_label
        region = self._region(doc)
        if region is not None:
            label = self.tr("{preset}, {start}–{stop}").format(
                preset=label,
                start=format_time(region[0] / doc.sr, 1),
                stop=format_time(region[1] / doc.sr, 1),
            )
        self.panel.set_busy(True)
        self.status(self.tr("Restoring {name}…").format(name=doc.name))

        preset_key = self.panel.preset_key

        def returned(result: Any) -> None:
            restored, residual = result.restored, result.residual
            restored.setflags(write=False)
            residual.setflags(write=False)
            restoration = Restoration(
                restored,
                residual,
                chain.to_dict(),
                label,
                preset_key=preset_key,
                ran=result.chain.to_dict(),
                diagnosis=result.diagnosis.to_dict() if result.diagnosis is not None else None,
            )
            assert doc.undo_stack is not None
            doc.undo_stack.push(ApplyRestorationCommand(doc, restoration, self.show_changes))
            if doc is self.session.current:
                self.playback.listen_to("restored")
            self.status(
                self.tr("Restored {name} with “{preset}”.").format(name=doc.name, preset=label),
                8000,
            )
            self.finished.emit(doc)

        def errored(exc: BaseException) -> None:
            self.status(self.tr("Restoration failed."), 8000)
            show_error(
                self._window,
                exc,
                context=self.tr("Could not restore “{name}”.").format(name=doc.name),
            )
            self.failed.emit(exc)

        def aborted() -> None:
            self.status(self.tr("Restoration cancelled; nothing was changed."), 8000)
            self.cancelled.emit()

        def finished() -> None:
            self.job = None
            self.panel.set_busy(False)
            self.busy_changed.emit(False)

        if region is None:
            job = Job(
                restore_job,
                doc.original,
                sr=doc.sr,
                chain=chain,
                context=self.build_context,
                noise_profile=doc.noise_profile,
                parent=self,
            )
        else:
            previous = doc.restoration
            job = Job(
                restore_region_job,
                previous.restored if previous is not None else doc.original,
                previous.residual if previous is not None else None,
                sr=doc.sr,
                chain=chain,
                start=region[0],
                stop=region[1],
                context=self.build_context,
                noise_profile=doc.noise_profile,
                parent=self,
            )
        job.returned.connect(returned)
        job.errored.connect(errored)
        job.aborted.connect(aborted)
        job.progress.connect(lambda f, m: self.panel.set_progress(f, m, job.seconds_left))
        job.finished.connect(finished)
        self.job = job
        self.busy_changed.emit(True)
        self.jobs.start(job)

    def learn_noise(self) -> None:
        """Learn the noise profile from the selection, a stretch that holds noise only,
        in the background; the next Apply on this recording takes that noise out."""
        doc = self.session.current
        selected = self.selection()
        if doc is None or selected is None:
            self.status(self.tr("Select a stretch that holds noise only first."), 6000)
            return
        region = (max(int(selected[0] * doc.sr), 0), min(int(selected[1] * doc.sr), doc.frames))

        def returned(profile: Any) -> None:
            doc.noise_profile = profile
            doc.noise_range = selected
            if doc is self.session.current:
                self.panel.show_noise_profile(self._noise_text(doc))
            self.status(self.tr("Noise profile learned; Apply now takes that noise out."), 8000)
            self.noise_learned.emit(doc)

        def errored(exc: BaseException) -> None:
            show_error(self._window, exc, context=self.tr("No noise profile was learned."))

        job = Job(
            learn_noise_job,
            doc.original,
            sr=doc.sr,
            start=region[0],
            stop=region[1],
            parent=self,
        )
        job.returned.connect(returned)
        job.errored.connect(errored)
        self.jobs.start(job)

    def forget_noise(self) -> None:
        doc = self.session.current
        if doc is not None:
            doc.noise_profile = doc.noise_range = None
        self.panel.show_noise_profile("")

    def _noise_text(self, doc: Recording | None) -> str:
        if doc is None or doc.noise_range is None:
            return ""
        start, stop = doc.noise_range
        return self.tr("Noise profile from {start}–{stop}").format(
            start=format_time(start, 1), stop=format_time(stop, 1)
        )

    def _region(self, doc: Recording) -> tuple[int, int] | None:
        """The selected samples of ``doc``, or ``None`` for the whole recording (no
        selection, or one that covers it all)."""
        selected = self.selection()
        if selected is None:
            return None
        start = max(int(round(selected[0] * doc.sr)), 0)
        stop = min(int(round(selected[1] * doc.sr)), doc.frames)
        if stop - start < 2 or (start == 0 and stop == doc.frames):
            return None
        return start, stop

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.panel.set_cancelling()

    def set_strength(self, strength: float) -> None:
        """Preview at ``strength`` (0..1) without re-running anything; undoable."""
        doc = self.session.current
        if doc is None or doc.restoration is None or doc.undo_stack is None:
            return
        strength = float(min(max(strength, 0.0), 1.0))
        if strength == doc.strength:
            return
        doc.undo_stack.push(StrengthCommand(doc, strength, self.show_changes))

    def preload_tensorflow(self) -> None:
        """Load the built-in models in the background now (through LiteRT: a fraction of
        a second, no TensorFlow; :func:`core.steps.preload_models`), so the first Apply
        neither waits for them nor stalls the window while they load."""
        if self.preload_job is None:
            self.preload_job = Job(preload_models, self.build_context, parent=self).start()

    # --- showing --------------------------------------------------------------------------------

    def show_changes(self, doc: Recording, *, immediate: bool = False) -> None:
        """``doc``'s restoration or strength changed (apply, slider, undo, redo, switching
        to it): update the panel now, the preview now or once a slider drag pauses."""
        if doc is not self.session.current:
            return
        self.panel.show_noise_profile(self._noise_text(doc))
        if doc.restoration is not self._shown:  # applied, undone, redone or switched to
            self._shown = doc.restoration
            self.panel.show_restoration(doc.restoration)
        self.panel.set_strength(doc.strength)
        self.panel.set_strength_enabled(doc.restoration is not None)
        self.changed.emit(doc)
        if immediate:
            self.refresh_preview()
        else:
            self.view_timer.start()

    def refresh_preview(self) -> None:
        """Make the current recording's preview at its strength (mixed and overviewed in
        a job), then say ``preview_ready``."""
        doc = self.session.current
        if doc is None:
            return
        if self.preview_job is not None:
            self.preview_job.cancel()  # a newer strength or restoration supersedes it
            self.preview_job = None
        if doc.restoration is None or doc.preview_ready():
            self.preview_ready.emit(doc)
            return

        def returned(preview: Preview) -> None:
            if doc.accept_preview(preview) and doc is self.session.current:
                self.preview_ready.emit(doc)

        job = Job(make_preview, doc.restoration, doc.strength, parent=self)
        job.returned.connect(returned)
        job.errored.connect(
            lambda exc: self.status(self.tr("Preview failed: {error}").format(error=exc), 8000)
        )
        self.preview_job = job
        self.jobs.start(job)
