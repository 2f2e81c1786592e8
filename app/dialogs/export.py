"""Export the current restoration, or restore a whole folder with a preset.

The write jobs are plain functions (:func:`export_buffer` here, a folder's
:func:`core.batch.run_batch`) that the main window runs in a worker; the dialogs only
collect choices and never write.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
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

from core.audio.io import check_output_path, save
from core.progress import CancelToken, ProgressCallback, check_cancel

FORMATS = (("WAV", ".wav"), ("FLAC", ".flac"))
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
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """Write ``audio`` atomically to ``path``, refusing to replace any ``protect`` file,
    or an existing file unless ``overwrite``."""
    check_cancel(cancel)
    check_output_path(path, protect=protect, overwrite=overwrite)
    if progress is not None:
        progress(0.1, "writing")
    out = save(path, audio, sr, subtype=subtype, protect=protect, overwrite=overwrite)
    if progress is not None:
        progress(1.0, "written")
    return out


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
        for label, ext in FORMATS:
            self.format_box.addItem(label, ext)
        self.format_box.setCurrentIndex(max(0, self.format_box.findData("." + fmt.lstrip("."))))
        self.depth_box = QComboBox()
        for label, key in DEPTHS:
            self.depth_box.addItem(QCoreApplication.translate("ExportDialog", label), key)
        self.depth_box.setCurrentIndex(max(0, self.depth_box.findData(subtype)))
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

    def _format_changed(self, *_: object) -> None:
        flac = self.extension == ".flac"
        float_item = self.depth_box.model().item(2)  # type: ignore[attr-defined]
        float_item.setEnabled(not flac)
        if flac and self.subtype == "FLOAT":
            self.depth_box.setCurrentIndex(1)

    @property
    def extension(self) -> str:
        return str(self.format_box.currentData())

    @property
    def subtype(self) -> str:
        return str(self.depth_box.currentData())


class ExportDialog(QDialog, _FormatMixin):
    """Choose where and how to write the current file's restoration."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        suggested: Path,
        fmt: str = "wav",
        subtype: str = "PCM_24",
        has_restoration: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export"))
        self.path_edit = QLineEdit(str(suggested))
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
        self._build_format(fmt, subtype)
        form = QFormLayout(self)
        form.addRow(self.tr("Save as"), _path_row(self.path_edit, browse))
        form.addRow(self.tr("Export"), self.what_box)
        form.addRow(self.tr("Format"), self.format_box)
        form.addRow(self.tr("Sample format"), self.depth_box)
        self.overwrite = False
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(520, self.sizeHint().height())

    def _format_changed(self, *_: object) -> None:
        super()._format_changed()
        if hasattr(self, "path_edit") and self.path_edit.text():
            self.path_edit.setText(str(Path(self.path_edit.text()).with_suffix(self.extension)))

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
