"""Preferences: audio output device, loudness-matched A/B, interface language."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from app.i18n import LANGUAGES, available_languages


class PreferencesDialog(QDialog):
    """Collects choices; the main window applies them to the settings and the player."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        devices: list[tuple[int, str]],
        device: str,
        matched_loudness: bool,
        language: str,
        playback_note: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preferences"))
        self.device_box = QComboBox()
        self.device_box.addItem(self.tr("System default"), "")
        for _index, name in devices:
            self.device_box.addItem(name, name)
        index = self.device_box.findData(device)
        if device and index < 0:  # remembered device is gone: keep it visible, unselectable
            self.device_box.addItem(
                self.tr("{device} (not connected)").format(device=device), device
            )
            index = self.device_box.count() - 1
        self.device_box.setCurrentIndex(max(0, index))
        self.matched = QCheckBox(self.tr("Compare at equal loudness (A/B)"))
        self.matched.setChecked(matched_loudness)
        self.matched.setToolTip(
            self.tr(
                "Play Original and Restored at the same loudness, so louder never sounds better"
            )
        )
        self.language_box = QComboBox()
        self.language_box.addItem(self.tr("System language"), "system")
        available = available_languages()
        for key, name in LANGUAGES:
            if key in available:
                self.language_box.addItem(name, key)
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(language)))
        self.language_box.setToolTip(self.tr("Takes effect after a restart"))
        self.initial_language = self.language
        self.language_note = QLabel(
            self.tr("The new language is used the next time SeminarioIA starts.")
        )
        self.language_note.setWordWrap(True)
        self.language_note.setVisible(False)
        self.language_box.currentIndexChanged.connect(self._language_changed)
        form = QFormLayout(self)
        form.addRow(self.tr("Audio output"), self.device_box)
        if playback_note:
            note = QLabel(playback_note)
            note.setWordWrap(True)
            form.addRow("", note)
        form.addRow("", self.matched)
        form.addRow(self.tr("Language"), self.language_box)
        form.addRow("", self.language_note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _language_changed(self, _index: int = 0) -> None:
        """Show or hide the restart note, growing the dialog to hold it: a wrapped label
        shown in a dialog already on screen is otherwise squeezed into no height."""
        self.language_note.setVisible(self.language != self.initial_language)
        self.layout().activate()
        width = self.width()
        self.resize(width, max(self.minimumSizeHint().height(), self.heightForWidth(width)))

    @property
    def device(self) -> str:
        return str(self.device_box.currentData())

    @property
    def language(self) -> str:
        return str(self.language_box.currentData())

    @property
    def matched_loudness(self) -> bool:
        return self.matched.isChecked()
