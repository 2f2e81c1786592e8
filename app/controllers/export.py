"""Writing the preview to a file, restoring a folder, and their status-bar indicator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.controllers import Status
from app.controllers.restore import check_model
from app.controllers.session import SessionController
from app.dialogs.export import BatchExportDialog, ExportDialog, export_buffer
from app.errors import show_error
from app.jobs import Job, JobSet
from app.settings import Settings
from app.views.jobstatus import JobStatus
from app.views.restore import RestorePanel
from core.audio.io import writable_subtype
from core.batch import BatchReport, run_batch

EXPORT_WAIT_MS = 30_000  # on closing, a running export finishes or cancels cleanly


class ExportController(QObject):
    """Exports run one at a time on their own pool, shown by a :class:`JobStatus`.

    Signals: ``finished(object)`` (the written ``Path`` or a ``BatchReport``) and
    ``cancelled()``.
    """

    finished = Signal(object)
    cancelled = Signal()

    def __init__(
        self,
        parent: QWidget,
        *,
        settings: Settings,
        session: SessionController,
        restore_panel: RestorePanel,
        indicator: JobStatus,
        jobs: JobSet,
        status: Status,
    ) -> None:
        super().__init__(parent)
        self._window = parent
        self.settings = settings
        self.session = session
        self.restore_panel = restore_panel
        self.indicator = indicator
        self.jobs = jobs
        self.status = status
        self.job: Job | None = None
        self.write_pool = QThreadPool(self)
        self.write_pool.setMaxThreadCount(1)  # two exports never race
        indicator.cancel_requested.connect(self.cancel)

    def export_dialog(self) -> None:
        doc = self.session.current
        if doc is None:
            return
        folder = Path(self.settings.last_export_dir or doc.path.parent)
        ext = "." + self.settings.export_format.lstrip(".")
        dialog = ExportDialog(
            self._window,
            suggested=folder / f"{doc.path.stem}_restored{ext}",
            fmt=self.settings.export_format,
            subtype=self.settings.export_subtype,
            has_restoration=doc.restoration is not None,
            sr=doc.sr,
        )
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        self.settings.last_export_dir = str(dialog.path.parent)
        self.settings.export_format = dialog.extension.lstrip(".")
        self.settings.export_subtype = dialog.subtype
        self.export_current(
            dialog.path,
            subtype=dialog.subtype,
            what=dialog.what,
            overwrite=dialog.overwrite,
            rate=dialog.rate,
            dither=dialog.dither,
        )

    def export_current(
        self,
        path: str | Path,
        *,
        subtype: str = "PCM_24",
        what: str = "restored",
        overwrite: bool = False,
        rate: int | None = None,
        dither: bool = True,
    ) -> Job | None:
        """Write the current preview (``restored``), ``residual`` or ``original`` to ``path``
        (replacing an existing file only with ``overwrite``, never the recording itself)."""
        doc = self.session.current
        if doc is None:
            return None
        audio = {"restored": doc.restored, "residual": doc.removed, "original": doc.original}[what]
        if audio is None:
            self.status(self.tr("Apply a restoration before exporting it."), 6000)
            return None
        job = Job(
            export_buffer,
            Path(path),
            audio,
            doc.sr,
            subtype=writable_subtype(path, subtype),
            protect=[doc.path],
            overwrite=overwrite,
            rate=rate,
            dither=dither,
            parent=self,
        )
        if what == "restored":
            job.returned.connect(lambda _path: doc.mark_exported())
        return self._start(job, self.tr("Exporting {name}").format(name=Path(path).name))

    def batch_dialog(self) -> None:
        dialog = BatchExportDialog(
            self._window,
            presets=self.restore_panel.preset_choices(),
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
            check_model(chain)
            if not Path(src_dir).is_dir():
                raise FileNotFoundError(f"folder not found: {src_dir}")
        except Exception as exc:  # noqa: BLE001
            show_error(self._window, exc, context=self.tr("The folder cannot be restored."))
            return None
        job = Job(
            run_batch,
            [Path(src_dir)],
            Path(dst_dir),
            chain,
            strength=strength,
            extension=extension,
            subtype=writable_subtype(extension, subtype),
            parent=self,
        )
        return self._start(job, self.tr("Restoring {name}").format(name=Path(src_dir).name))

    def _start(self, job: Job, label: str) -> Job:
        if self.job is not None:
            self.status(self.tr("Another export is running; it will follow."), 5000)
        self.indicator.show_job(label)

        def returned(result: Any) -> None:
            if isinstance(result, BatchReport):
                text = self._batch_summary(result)
            else:
                text = self.tr("Exported {path}").format(path=result)
            self.status(text, 10000)
            self.finished.emit(result)

        def errored(exc: BaseException) -> None:
            show_error(self._window, exc, context=self.tr("{job} failed.").format(job=label))

        def aborted() -> None:
            self.status(
                self.tr("{job}: cancelled; no partial file was left.").format(job=label), 8000
            )
            self.cancelled.emit()

        def finished() -> None:
            if self.job is job:
                self.job = None
                self.indicator.hide_job()

        job.returned.connect(returned)
        job.errored.connect(errored)
        job.aborted.connect(aborted)
        job.progress.connect(lambda f, _m: self.indicator.set_progress(f))
        job.finished.connect(finished)
        self.job = job
        return self.jobs.start(job, self.write_pool)

    def _batch_summary(self, report: BatchReport) -> str:
        """The status line for a folder; a warning lists the files that failed."""
        count = len(report.restored)
        if report.journal is not None:
            text = self.tr("Restored {count} file(s) into {folder}").format(
                count=count, folder=report.journal.parent
            )
        else:
            text = self.tr("Restored {count} file(s)").format(count=count)
        if report.skipped:
            text += self.tr("; {count} done before").format(count=len(report.skipped))
        if report.failed:
            names = ", ".join(p.name for p, _e in report.failed[:5])
            text += self.tr("; {count} failed: {names}").format(
                count=len(report.failed), names=names
            )
            reasons = [f"{p.name}: {e}" for p, e in report.failed[:10]]
            if len(report.failed) > 10:
                reasons.append(
                    self.tr("… and {count} more, each with its reason in {journal}").format(
                        count=len(report.failed) - 10, journal=report.journal
                    )
                )
            QMessageBox.warning(
                self._window,
                self.tr("Some files were not restored"),
                text + "\n\n" + "\n".join(reasons),
            )
        return text

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def wait(self) -> None:
        """Let a running export finish or cancel cleanly (on closing)."""
        self.write_pool.waitForDone(EXPORT_WAIT_MS)
