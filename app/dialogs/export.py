"""Export the current restoration, or restore a whole folder with a preset.

The write jobs are plain functions (:func:`export_buffer` here, a folder's
:func:`core.batch.run_batch`) that the main window runs in a worker; the dialogs only
collect choices and never write.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from core.audio.formats import (
    OUTPUT_FORMATS,
    dithered,
    output_format,
    writable_rate,
    writable_subtype,
)
from core.audio.io import export_audio
from core.display import as_array
from core.output import free_path
from core.progress import CancelToken, ProgressCallback

RATES = (44100, 48000, 88200, 96000, 32000, 22050, 16000)  # CD, video, their doubles, speech
DEPTHS = (
    (QT_TRANSLATE_NOOP("ExportDialog", "16-bit (dithered)"), "PCM_16"),
    (QT_TRANSLATE_NOOP("ExportDialog", "24-bit"), "PCM_24"),
    (QT_TRANSLATE_NOOP("ExportDialog", "32-bit float"), "FLOAT"),
)


def export_buffer(
    path: str | os.PathLike[str],
    audio: np.ndarray,
    sr: int,
    *,
    subtype: str,
    protect: list[Path],
    overwrite: bool = False,
    rate: int | None = None,
    dither: bool = True,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """Write ``audio`` atomically to ``path`` (:func:`core.audio.io.export_audio`: the
    format from the extension, ``rate`` Hz, dither at 16 bits when ``dither``), refusing
    to replace any ``protect`` file, or an existing file unless ``overwrite``."""
    return export_audio(
        path,
        as_array(audio),  # an original kept in its file is read here, in the worker
        sr,
        subtype=subtype,
        rate=rate,
        dither=dither,
        protect=protect,
        overwrite=overwrite,
        progress=progress,
        cancel=cancel,
    )


def confirm_replace(parent: QWidget | None, path: Path) -> bool:
    """Whether the user agrees to replace the existing file ``path``."""
    answer = QMessageBox.question(
        parent,
        QCoreApplication.translate("ExportDialog", "Replace the file?"),
        QCoreApplication.translate(
            "ExportDialog", "{name} already exists in {folder}. Replace it?"
        ).format(name=path.name, folder=path.parent),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def _path_row(edit: QLineEdit, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row


class _FormatMixin:
    format_box: QComboBox
    depth_box: QComboBox

    def _build_format(self, fmt: str, subtype: str) -> None:
        self.format_box = QComboBox()
        for spec in OUTPUT_FORMATS:
            label = spec.label
            if spec.lossy:
                label = QCoreApplication.translate("ExportDialog", "{format} (lossy)").format(
                    format=spec.label
                )
            self.format_box.addItem(label, spec.extension)
        self.format_box.setCurrentIndex(max(0, self.format_box.findData("." + fmt.lstrip("."))))
        self.depth_box = QComboBox()
        for label, key in DEPTHS:
            self.depth_box.addItem(QCoreApplication.translate("ExportDialog", label), key)
        self.depth_box.setCurrentIndex(max(0, self.depth_box.findData(subtype)))
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

    def _format_changed(self, *_: object) -> None:
        """Offer only the sample formats the chosen file format holds (one rule:
        :mod:`core.audio.formats`); a lossy format encodes, so none is chosen."""
        spec = output_format(self.extension)
        model = self.depth_box.model()
        for row in range(self.depth_box.count()):
            item = model.item(row)  # type: ignore[attr-defined]
            item.setEnabled(self.depth_box.itemData(row) in spec.subtypes)
        self.depth_box.setEnabled(not spec.lossy)
        chosen = str(self.depth_box.currentData())
        if not spec.lossy and chosen not in spec.subtypes:
            self.depth_box.setCurrentIndex(self.depth_box.findData(spec.default_subtype))

    @property
    def extension(self) -> str:
        return str(self.format_box.currentData())

    @property
    def subtype(self) -> str:
        """The sample format to write (the codec itself for a lossy format)."""
        return writable_subtype(self.extension, str(self.depth_box.currentData()))


class ExportDialog(QDialog, _FormatMixin):
    """Choose where and how to write the current file's restoration. It proposes a name
    no file has yet, and asks before replacing one the user names."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        suggested: Path,
        fmt: str = "wav",
        subtype: str = "PCM_24",
        has_restoration: bool = True,
        sr: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export"))
        self._suggested = Path(suggested)
        self._proposed = free_path(self._suggested.with_suffix("." + fmt.lstrip(".")))
        self.path_edit = QLineEdit(str(self._proposed))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        self.what_box = QComboBox()
        self.what_box.addItem(self.tr("Restored recording"), "restored")
        self.what_box.addItem(self.tr("Removed noise only"), "residual")
        self.what_box.addItem(self.tr("Original (converted)"), "original")
        if not has_restoration:
            self.what_box.setCurrentIndex(2)
            for row in (0, 1):
                self.what_box.model().item(row).setEnabled(False)  # type: ignore[attr-defined]
        self.rate_box = QComboBox()
        same = self.tr("Same as the recording")
        if sr:
            same = self.tr("Same as the recording ({rate} Hz)").format(rate=QLocale().toString(sr))
        self.rate_box.addItem(same, None)
        for rate in RATES:
            self.rate_box.addItem(self.tr("{rate} Hz").format(rate=QLocale().toString(rate)), rate)
        self.rate_note = QLabel()
        self.rate_note.setWordWrap(True)
        self.dither_box = QCheckBox(self.tr("TPDF dither"))
        self.dither_box.setChecked(True)
        self.dither_box.setToolTip(
            self.tr("Adds a faint noise when reducing to 16 bits so quiet passages fade smoothly")
        )
        self.sr = sr
        self._build_format(fmt, subtype)
        self.depth_box.currentIndexChanged.connect(self._update_options)
        self.rate_box.currentIndexChanged.connect(self._update_options)
        form = QFormLayout(self)
        form.addRow(self.tr("Save as"), _path_row(self.path_edit, browse))
        form.addRow(self.tr("Export"), self.what_box)
        form.addRow(self.tr("Format"), self.format_box)
        form.addRow(self.tr("Sample format"), self.depth_box)
        form.addRow("", self.dither_box)
        form.addRow(self.tr("Sample rate"), self.rate_box)
        form.addRow("", self.rate_note)
        self.overwrite = False
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._update_options()
        self.resize(520, self.sizeHint().height())

    def _format_changed(self, *_: object) -> None:
        super()._format_changed()
        if hasattr(self, "path_edit") and self.path_edit.text():
            path = Path(self.path_edit.text()).with_suffix(self.extension)
            if Path(self.path_edit.text()) == self._proposed:
                # Still the dialog's own proposal: keep it a name that is free.
                path = self._proposed = free_path(self._suggested.with_suffix(self.extension))
            self.path_edit.setText(str(path))
        if hasattr(self, "rate_note"):
            self._update_options()

    def _update_options(self, *_: object) -> None:
        self.dither_box.setEnabled(dithered(self.subtype))
        spec = output_format(self.extension)
        wanted = self.rate or self.sr
        note = ""
        if spec.rates and wanted and wanted not in spec.rates:
            written = writable_rate(self.extension, wanted)
            note = self.tr("{format} has no {rate} Hz: the file will be at {written} Hz.").format(
                format=spec.label,
                rate=QLocale().toString(wanted),
                written=QLocale().toString(written),
            )
        self.rate_note.setText(note)
        self.rate_note.setVisible(bool(note))

    def _browse(self) -> None:
        label = self.format_box.currentText()
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export as"), self.path_edit.text(), f"{label} (*{self.extension})"
        )
        if path:
            self.path_edit.setText(str(Path(path).with_suffix(self.extension)))

    def accept(self) -> None:
        """Ask before replacing a file; the answer travels as :attr:`overwrite`."""
        self.overwrite = self.path.exists()
        if self.overwrite and not confirm_replace(self, self.path):
            return
        super().accept()

    @property
    def path(self) -> Path:
        return Path(self.path_edit.text()).with_suffix(self.extension)

    @property
    def what(self) -> str:
        return str(self.what_box.currentData())

    @property
    def rate(self) -> int | None:
        """The sample rate to write, or ``None`` for the recording's own."""
        data = self.rate_box.currentData()
        return int(data) if data else None

    @property
    def dither(self) -> bool:
        return self.dither_box.isChecked()


class BatchExportDialog(QDialog, _FormatMixin):
    """Choose a folder to restore, where to write, the preset and the format; the
    strength is the Restore panel's, shown here."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        presets: list[tuple[str, str]],
        current_preset: str,
        start_dir: str = "",
        fmt: str = "wav",
        subtype: str = "PCM_24",
        strength: float = 1.0,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Restore a folder"))
        self.strength = strength
        self.src_edit = QLineEdit(start_dir)
        self.dst_edit = QLineEdit(str(Path(start_dir) / "restored") if start_dir else "")
        src_button, dst_button = QPushButton(self.tr("Browse…")), QPushButton(self.tr("Browse…"))
        src_title, dst_title = self.tr("Folder to restore"), self.tr("Write restored files to")
        src_button.clicked.connect(lambda: self._browse(self.src_edit, src_title))
        dst_button.clicked.connect(lambda: self._browse(self.dst_edit, dst_title))
        self.preset_box = QComboBox()
        for label, key in presets:
            self.preset_box.addItem(label, key)
        self.preset_box.setCurrentIndex(max(0, self.preset_box.findData(current_preset)))
        self._build_format(fmt, subtype)
        form = QFormLayout(self)
        form.addRow(self.tr("Recordings in"), _path_row(self.src_edit, src_button))
        form.addRow(self.tr("Write to"), _path_row(self.dst_edit, dst_button))
        form.addRow(self.tr("Preset"), self.preset_box)
        form.addRow(self.tr("Format"), self.format_box)
        form.addRow(self.tr("Sample format"), self.depth_box)
        form.addRow(
            self.tr("Strength"),
            QLabel(
                self.tr("{percent} %, as in the Restore panel").format(
                    percent=round(strength * 100)
                )
            ),
        )
        note = QLabel(
            self.tr(
                "Subfolders are restored too, into the same structure. A folder restored "
                "before continues where it stopped: files already done are skipped."
            )
        )
        note.setWordWrap(True)
        form.addRow(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Restore all"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(560, self.sizeHint().height())

    def _browse(self, edit: QLineEdit, title: str) -> None:
        path = QFileDialog.getExistingDirectory(self, title, edit.text())
        if path:
            edit.setText(path)
            if edit is self.src_edit and not self.dst_edit.text():
                self.dst_edit.setText(str(Path(path) / "restored"))

    @property
    def src_dir(self) -> Path:
        return Path(self.src_edit.text())

    @property
    def dst_dir(self) -> Path:
        return Path(self.dst_edit.text())

    @property
    def preset(self) -> str:
        return str(self.preset_box.currentData())
