"""The training dialog: choose or synthesise paired data, check it, train, watch the loss.

Every long step (synthesising pairs, checking pairs, training) runs as a ``core``
function in an :class:`app.jobs.Job`, so the dialog stays responsive and Cancel
works. TensorFlow is imported only inside the training job (``core.training`` imports
it lazily). ``core.training.train`` calls ``on_epoch`` on the worker thread; the job
yields each :class:`core.training.EpochReport` (its ``yielded`` signal, on the GUI
thread), where the curves are updated.

A trained model is saved as ``models_dir/<name>.keras`` (plus its ``.json``); an
existing file is never overwritten: the name gets ``-2``, ``-3``, ... and the summary
says so. :attr:`TrainingDialog.model_saved` then carries the saved path.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QCloseEvent, QDoubleValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import describe_inline
from app.jobs import Job
from core.errors import ConfigError, SeminarioError
from core.model.architectures import ARCHITECTURES
from core.output import free_path, make_folder
from core.training import DFN3_ARCH

_FAMILY_SETTINGS = {"default": (20, 16, 0.001), DFN3_ARCH: (10, 8, 0.0001)}
"""Epochs, batch and learning rate the dialog suggests for an architecture."""
_LEARNING_RATES = (0.003, 0.001, 0.0003, 0.0001)
_NAME_INVALID = re.compile(r"[^\w\-. ]+")


def _number_text(value: float) -> str:
    """``value`` with the interface's decimal separator, as the other fields show it."""
    return QLocale().toString(value, "g", 6)


def _read_number(text: str) -> float:
    """A number typed with the interface's decimal separator, or with a dot."""
    value, ok = QLocale().toDouble(text)
    return value if ok else float(text)


def unique_model_path(models_dir: Path, name: str) -> Path:
    """``models_dir/<name>.keras``, or ``<name>-2.keras`` etc. when that is taken."""
    stem = _NAME_INVALID.sub("_", name.strip()).strip(" .") or "model"
    if stem.lower().endswith(".keras"):
        stem = stem[: -len(".keras")] or "model"
    return free_path(models_dir / f"{stem}.keras", companions=[".json"])


class TrainingDialog(QDialog):
    """Train or fine-tune a restoration model on paired folders.

    Signals
    -------
    model_saved(str) : path of the saved ``.keras`` file, after a successful training.
    busy_changed(bool) : a background job started (True) or ended (False).
    epoch_reported(object) : a :class:`core.training.EpochReport`, after the curves show it.
    """

    model_saved = Signal(str)
    busy_changed = Signal(bool)
    epoch_reported = Signal(object)

    def __init__(
        self, parent: QWidget | None = None, *, models_dir: Path, start_dir: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Train a model"))
        self.models_dir = Path(models_dir)
        self._start_dir = start_dir
        # Extra :class:`core.training.TrainConfig` fields (e.g. ``arch_params``,
        # ``n_fft``) merged over what the widgets say; for experts and tests.
        self.config_overrides: dict[str, Any] = {}
        self._job: Job | None = None
        self._job_kind = ""
        self._close_when_idle = False
        self._target: Path | None = None
        self._epochs: list[int] = []
        self._losses: list[float] = []
        self._val_losses: list[float] = []
        self._build()
        self._update_buttons()

    # --- layout -----------------------------------------------------------------------------

    def _folder_row(self, edit: QLineEdit, title: str) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        button = QPushButton(self.tr("Browse…"))
        button.clicked.connect(lambda: self._browse(edit, title))
        layout.addWidget(button)
        edit.textChanged.connect(self._update_buttons)
        return row

    def _build(self) -> None:
        root = QVBoxLayout(self)

        # Data: paired folders, or pairs synthesised from clean audio and noise.
        data = QGroupBox(self.tr("Training data"))
        data_layout = QVBoxLayout(data)
        mode_row = QHBoxLayout()
        self.paired_radio = QRadioButton(self.tr("Paired noisy/ and clean/ folders"))
        self.synth_radio = QRadioButton(self.tr("Synthesise pairs from clean audio and noise"))
        self.paired_radio.setChecked(True)
        self._mode = QButtonGroup(self)
        self._mode.addButton(self.paired_radio, 0)
        self._mode.addButton(self.synth_radio, 1)
        mode_row.addWidget(self.paired_radio)
        mode_row.addWidget(self.synth_radio)
        mode_row.addStretch(1)
        data_layout.addLayout(mode_row)

        self._pages = QStackedWidget()
        paired = QWidget()
        paired_form = QFormLayout(paired)
        self.noisy_edit = QLineEdit()
        self.noisy_edit.setPlaceholderText(self.tr("folder of noisy recordings"))
        self.clean_edit = QLineEdit()
        self.clean_edit.setPlaceholderText(self.tr("folder of the same recordings, clean"))
        noisy, clean = self.tr("Noisy folder"), self.tr("Clean folder")
        paired_form.addRow(noisy, self._folder_row(self.noisy_edit, noisy))
        paired_form.addRow(clean, self._folder_row(self.clean_edit, clean))
        self._pages.addWidget(paired)

        synth = QWidget()
        synth_form = QFormLayout(synth)
        self.synth_clean_edit = QLineEdit()
        self.synth_clean_edit.setPlaceholderText(self.tr("folder of clean recordings"))
        self.synth_noise_edit = QLineEdit()
        self.synth_noise_edit.setPlaceholderText(self.tr("folder of noise recordings (optional)"))
        synth_form.addRow(
            self.tr("Clean audio"),
            self._folder_row(self.synth_clean_edit, self.tr("Folder of clean audio")),
        )
        synth_form.addRow(
            self.tr("Noise"), self._folder_row(self.synth_noise_edit, self.tr("Folder of noise"))
        )
        count_row = QHBoxLayout()
        self.synth_count_spin = QSpinBox()
        self.synth_count_spin.setRange(2, 100_000)
        self.synth_count_spin.setValue(200)
        self.synth_seed_spin = QSpinBox()
        self.synth_seed_spin.setRange(0, 1_000_000)
        self.synthesise_button = QPushButton(self.tr("Make pairs"))
        self.synthesise_button.setToolTip(
            self.tr(
                "Write degraded copies of the clean files (noise, hum, clicks, reverb, …) "
                "with their clean targets under {folder}"
            ).format(folder=self._pairs_root())
        )
        self.synthesise_button.clicked.connect(self.start_synthesis)
        count_row.addWidget(self.synth_count_spin)
        count_row.addWidget(QLabel(self.tr("seed")))
        count_row.addWidget(self.synth_seed_spin)
        count_row.addStretch(1)
        count_row.addWidget(self.synthesise_button)
        synth_form.addRow(self.tr("Pairs"), count_row)
        self._pages.addWidget(synth)
        self._mode.idToggled.connect(self._mode_changed)
        data_layout.addWidget(self._pages)

        check_row = QHBoxLayout()
        self.check_button = QPushButton(self.tr("Check pairs"))
        self.check_button.setToolTip(
            self.tr("Match the files of both folders and look for problems")
        )
        self.check_button.clicked.connect(self.start_check)
        check_row.addWidget(self.check_button)
        check_row.addStretch(1)
        data_layout.addLayout(check_row)
        self.report_view = QPlainTextEdit()
        self.report_view.setReadOnly(True)
        self.report_view.setMaximumHeight(90)
        self.report_view.setPlaceholderText(self.tr("Pair report: press “Check pairs”."))
        data_layout.addWidget(self.report_view)
        root.addWidget(data)

        # Model and training settings.
        settings = QGroupBox(self.tr("Model"))
        form = QFormLayout(settings)
        self.arch_combo = QComboBox()
        self.arch_combo.addItems([*ARCHITECTURES, DFN3_ARCH])
        self.arch_combo.setToolTip(
            self.tr("dfn3: DeepFilterNet3, the built-in speech model; fine-tune it on your speech")
        )
        form.addRow(self.tr("Architecture"), self.arch_combo)
        self.init_check = QCheckBox(self.tr("Start from the built-in model (fine-tune)"))
        self.init_check.toggled.connect(self._update_buttons)
        if not self._default_model_exists():
            self.init_check.setEnabled(False)
            self.init_check.setToolTip(
                self.tr("The built-in model file is missing from this installation.")
            )
        else:
            self.init_check.setToolTip(
                self.tr(
                    "Continue training the built-in model of this architecture on your data "
                    "(dfn3: DeepFilterNet3; the others: SeminarioIA's own model, whose "
                    "architecture is kept)."
                )
            )
        form.addRow("", self.init_check)
        numbers = QHBoxLayout()
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 1000)
        self.epochs_spin.setValue(20)
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 1024)
        self.batch_spin.setValue(16)
        self.val_split_spin = QDoubleSpinBox()
        self.val_split_spin.setRange(0.05, 0.5)
        self.val_split_spin.setSingleStep(0.05)
        self.val_split_spin.setValue(0.2)
        self.lr_combo = QComboBox()
        self.lr_combo.setEditable(True)
        self.lr_combo.addItems([_number_text(rate) for rate in _LEARNING_RATES])
        self.lr_combo.setCurrentText(_number_text(0.001))
        validator = QDoubleValidator(1e-7, 1.0, 7, self.lr_combo)  # the interface's locale
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.lr_combo.setValidator(validator)
        self.arch_combo.currentTextChanged.connect(self._suggest_settings)
        for label, widget in (
            (self.tr("Epochs"), self.epochs_spin),
            (self.tr("Batch"), self.batch_spin),
            (self.tr("Validation share"), self.val_split_spin),
            (self.tr("Learning rate"), self.lr_combo),
        ):
            numbers.addWidget(QLabel(label))
            numbers.addWidget(widget)
        numbers.addStretch(1)
        form.addRow(numbers)
        self.name_edit = QLineEdit(f"my-model-{dt.date.today():%Y%m%d}")
        self.name_edit.textChanged.connect(self._update_buttons)
        form.addRow(self.tr("Model name"), self.name_edit)
        root.addWidget(settings)

        # Loss curves.
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setMinimumHeight(180)
        self.plot.setLabel("bottom", self.tr("epoch"))
        self.plot.setLabel("left", self.tr("loss"))
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.addLegend(offset=(-10, 10))
        self.loss_curve = self.plot.plot(
            [], [], name=self.tr("training loss"), pen=pg.mkPen("#1f77b4", width=2), symbol="o",
            symbolSize=6, symbolBrush="#1f77b4",
        )  # fmt: skip
        self.val_curve = self.plot.plot(
            [], [], name=self.tr("validation loss"), pen=pg.mkPen("#d62728", width=2), symbol="s",
            symbolSize=6, symbolBrush="#d62728",
        )  # fmt: skip
        root.addWidget(self.plot, 1)

        # Progress, messages and buttons.
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(False)
        root.addWidget(self.progress_bar)
        self.status_label = QLabel(self.tr("Choose the training data."))
        self.status_label.setWordWrap(True)
        root.addWidget(self.status_label)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        root.addWidget(self.error_label)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.hide()
        root.addWidget(self.summary_label)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.train_button = QPushButton(self.tr("Train"))
        self.train_button.setDefault(True)
        self.train_button.clicked.connect(self.start_training)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop the running job; nothing is saved"))
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.reject)
        for button in (self.train_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)
        root.addLayout(buttons)
        self._inputs: list[QWidget] = [data, settings]
        self.resize(720, 760)

    # --- small helpers ----------------------------------------------------------------------

    def _pairs_root(self) -> Path:
        return self.models_dir.parent / "pairs"

    def _suggest_settings(self, arch: str) -> None:
        """Each family's sensible start: DeepFilterNet3 is fine-tuned gently, on small
        batches of 3-s segments at 48 kHz (a CPU's memory and patience)."""
        epochs, batch, rate = _FAMILY_SETTINGS.get(arch, _FAMILY_SETTINGS["default"])
        self.epochs_spin.setValue(epochs)
        self.batch_spin.setValue(batch)
        self.lr_combo.setCurrentText(_number_text(rate))

    def _base(self) -> str:
        """The built-in model fine-tuning starts from: that of the chosen family."""
        return "dfn3" if self.arch_combo.currentText() == DFN3_ARCH else "default"

    @staticmethod
    def _default_model_exists() -> bool:
        from core.model.bundle import resolve_model_path

        try:
            return resolve_model_path("default").is_file()
        except Exception:  # noqa: BLE001 - no resources folder: no built-in model
            return False

    def _browse(self, edit: QLineEdit, title: str) -> None:
        start = edit.text() or self._start_dir
        folder = QFileDialog.getExistingDirectory(self, title, start)
        if folder:
            edit.setText(folder)
            self._start_dir = str(Path(folder).parent)

    def _mode_changed(self, index: int, checked: bool) -> None:
        if checked:
            self._pages.setCurrentIndex(index)
            self._update_buttons()

    @property
    def is_busy(self) -> bool:
        return self._job is not None

    def _update_buttons(self) -> None:
        busy = self.is_busy
        for widget in self._inputs:
            widget.setEnabled(not busy)
        has_pairs = bool(self.noisy_edit.text().strip() and self.clean_edit.text().strip())
        self.check_button.setEnabled(not busy and has_pairs)
        self.synthesise_button.setEnabled(not busy and bool(self.synth_clean_edit.text().strip()))
        self.train_button.setEnabled(not busy and has_pairs and bool(self.name_edit.text().strip()))
        self.cancel_button.setEnabled(busy)
        self.arch_combo.setEnabled(not busy)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _start(self, kind: str, job: Job, status: str) -> None:
        self._show_error("")
        self._job_kind = kind
        self._job = job
        job.progress.connect(self._on_progress)
        job.errored.connect(self._on_failed)
        job.aborted.connect(self._on_cancelled)
        job.finished.connect(self._on_done)
        self.progress_bar.setValue(0)
        self.status_label.setText(status)
        self._update_buttons()
        self.busy_changed.emit(True)
        job.start()

    # --- jobs -------------------------------------------------------------------------------

    def start_synthesis(self) -> None:
        """Write degraded/clean pairs from the clean and noise folders (a background job)."""
        if self.is_busy:
            return
        from core.data.degrade import degrade_pair_folder

        clean = self.synth_clean_edit.text().strip()
        noise = self.synth_noise_edit.text().strip() or None
        out = free_path(self._pairs_root() / f"synthetic-{dt.datetime.now():%Y%m%d-%H%M%S}")
        try:
            make_folder(self._pairs_root())
        except SeminarioError as exc:
            self._show_error(
                self.tr("Cannot create {folder}: {error}").format(
                    folder=self._pairs_root(), error=exc
                )
            )
            return
        job = Job(
            degrade_pair_folder,
            clean,
            noise,
            out,
            count=self.synth_count_spin.value(),
            seed=self.synth_seed_spin.value(),
            parent=self,
        )
        job.returned.connect(self._on_synthesised)
        self._start("synthesis", job, self.tr("Synthesising pairs…"))

    def start_check(self) -> None:
        """Match and check the paired folders (a background job); shows the report."""
        if self.is_busy:
            return
        from core.data.pairs import match_pairs

        noisy, clean = self.noisy_edit.text().strip(), self.clean_edit.text().strip()
        job = Job(match_pairs, noisy, clean, parent=self)
        job.returned.connect(self._on_checked)
        self._start("check", job, self.tr("Checking pairs…"))

    def training_config(self) -> Any:
        """The :class:`core.training.TrainConfig` the widgets describe."""
        from core.training import TrainConfig

        try:
            learning_rate = _read_number(self.lr_combo.currentText())
        except ValueError:
            raise ConfigError(
                self.tr("the learning rate {value!r} is not a number").format(
                    value=self.lr_combo.currentText()
                )
            ) from None
        fields: dict[str, Any] = {
            "arch": self.arch_combo.currentText(),
            "epochs": self.epochs_spin.value(),
            "batch_size": self.batch_spin.value(),
            "val_split": round(self.val_split_spin.value(), 4),
            "learning_rate": learning_rate,
            "init": self._base() if self.init_check.isChecked() else None,
        }
        fields.update(self.config_overrides)
        config = TrainConfig(**fields)
        config.validate()
        return config

    def start_training(self) -> None:
        """Train in a background job; on success save under ``models_dir`` and emit
        model_saved."""
        if self.is_busy:
            return
        try:
            config = self.training_config()
            self.models_dir.mkdir(parents=True, exist_ok=True)
        except (SeminarioError, OSError) as exc:
            self._show_error(describe_inline(exc))
            return
        name = self.name_edit.text().strip()
        self._target = unique_model_path(self.models_dir, name)
        self._epochs, self._losses, self._val_losses = [], [], []
        self.loss_curve.setData([], [])
        self.val_curve.setData([], [])
        self.summary_label.hide()

        loading = self.tr("Loading TensorFlow…")

        def train(
            noisy: str, clean: str, output: Path, *, progress: Any, cancel: Any, on_epoch: Any
        ) -> Any:
            from core.training import train  # TensorFlow loads on this thread, lazily

            progress(0.0, loading)
            return train(
                noisy,
                clean,
                output,
                config=config,
                progress=progress,
                cancel=cancel,
                on_epoch=on_epoch,
            )

        noisy, clean = self.noisy_edit.text().strip(), self.clean_edit.text().strip()
        job = Job(train, noisy, clean, self._target, yield_to="on_epoch", parent=self)
        job.yielded.connect(self._on_epoch)
        job.returned.connect(self._on_trained)
        self._start("training", job, self.tr("Starting training…"))

    def cancel(self) -> None:
        """Ask the running job to stop; the dialog returns to idle when it has."""
        if self._job is not None:
            self._job.cancel()
            self.cancel_button.setEnabled(False)
            self.status_label.setText(self.tr("Cancelling…"))

    # --- job results (GUI thread) -----------------------------------------------------------

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress_bar.setValue(int(round(1000 * min(max(fraction, 0.0), 1.0))))
        if message and not (self._job and self._job.is_cancelled):
            self.status_label.setText(message[:1].upper() + message[1:])

    def _on_epoch(self, report: Any) -> None:
        self._epochs.append(int(report.epoch))
        self._losses.append(float(report.loss))
        self._val_losses.append(float(report.val_loss))
        self.loss_curve.setData(self._epochs, self._losses)
        self.val_curve.setData(self._epochs, self._val_losses)
        self.plot.setXRange(1, max(2, report.epochs), padding=0.02)
        self.epoch_reported.emit(report)

    def _on_checked(self, report: Any) -> None:
        self.report_view.setPlainText("\n".join(report.summary_lines()))
        if report.ok:
            self.status_label.setText(
                self.tr("{count} usable pairs; ready to train.").format(count=report.usable_count)
            )
        else:
            self.status_label.setText(self.tr("No usable pairs."))
            self._show_error(self.tr("These folders hold no usable pairs; see the report above."))

    def _on_synthesised(self, out_dir: Any) -> None:
        out = Path(out_dir)
        self.noisy_edit.setText(str(out / "noisy"))
        self.clean_edit.setText(str(out / "clean"))
        self.paired_radio.setChecked(True)
        self.status_label.setText(self.tr("Pairs written to {folder}.").format(folder=out))

    def _on_trained(self, result: Any) -> None:
        path = Path(result.model_path)
        lines = [
            self.tr("Saved the model as {name} in {folder}.").format(
                name=path.name, folder=path.parent
            )
        ]
        requested = self.name_edit.text().strip()
        if path.stem != requested:
            lines.append(
                self.tr("(A model named “{name}” already exists, so it was not replaced.)").format(
                    name=requested
                )
            )
        lines.append(
            self.tr(
                "Validation SI-SDR: {before:.1f} dB before → {after:.1f} dB after ({gain:+.1f} dB)."
            ).format(
                before=result.val_si_sdr_before,
                after=result.val_si_sdr_after,
                gain=result.improvement_db,
            )
        )
        lines.append(
            self.tr(
                "{epochs} epochs (best: {best}), {train} training and {val} validation files, "
                "{seconds:.0f} s."
            ).format(
                epochs=result.epochs_run,
                best=result.best_epoch,
                train=result.train_files,
                val=result.val_files,
                seconds=result.seconds,
            )
        )
        self.summary_label.setText("\n".join(lines))
        self.summary_label.show()
        self.status_label.setText(self.tr("Training finished."))
        self.progress_bar.setValue(1000)
        self.model_saved.emit(str(path))

    def _on_failed(self, exc: object) -> None:
        message = describe_inline(exc) if isinstance(exc, BaseException) else str(exc)
        self._show_error(message)
        stopped = {
            "training": self.tr("The training stopped with an error."),
            "check": self.tr("The check stopped with an error."),
            "synthesis": self.tr("The synthesis stopped with an error."),
        }
        self.status_label.setText(
            stopped.get(self._job_kind, self.tr("The job stopped with an error."))
        )

    def _on_cancelled(self) -> None:
        self.status_label.setText(
            self.tr("Cancelled; no model was saved.")
            if self._job_kind == "training"
            else self.tr("Cancelled; nothing was kept.")
        )
        self.progress_bar.setValue(0)

    def _on_done(self) -> None:
        if self._job is not None:
            self._job.deleteLater()
        self._job = None
        self._job_kind = ""
        self._update_buttons()
        self.busy_changed.emit(False)
        if self._close_when_idle:
            self._close_when_idle = False
            super().reject()

    # --- closing ----------------------------------------------------------------------------

    def reject(self) -> None:
        """Close; a running job is cancelled first and the dialog closes once it stopped."""
        if self.is_busy:
            self._close_when_idle = True
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.is_busy:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)
