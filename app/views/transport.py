"""Play / pause / stop, loop, the A/B/residual selector and the time readout."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStyle,
    QToolButton,
    QWidget,
)

from app.views.axes import format_time  # the locale's decimal separator, as everywhere

SOURCES = (
    ("original", QT_TRANSLATE_NOOP("TransportBar", "Original")),
    ("restored", QT_TRANSLATE_NOOP("TransportBar", "Restored")),
    ("residual", QT_TRANSLATE_NOOP("TransportBar", "Removed noise")),
)


def source_label(key: str) -> str:
    """The translated name of a playback source (``original``, ``restored``, ``residual``)."""
    return QCoreApplication.translate("TransportBar", dict(SOURCES)[key])


class TransportBar(QWidget):
    """Buttons only; the main window owns the player and connects these signals."""

    play_clicked = Signal()
    stop_clicked = Signal()
    source_changed = Signal(str)
    loop_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        style = self.style()
        self.play_button = QToolButton(self)
        self.play_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolTip(self.tr("Play / pause (Space)"))
        self.stop_button = QToolButton(self)
        self.stop_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaStop))
        self.stop_button.setToolTip(self.tr("Stop and go back to the start (Home)"))
        self.loop_box = QCheckBox(self.tr("Loop selection"), self)
        self.source_box = QComboBox(self)
        for key, _label in SOURCES:
            self.source_box.addItem(source_label(key), key)
        self.source_box.setToolTip(
            self.tr("What you hear: B cycles Original → Restored → Removed noise")
        )
        self.time_label = QLabel(format_time(0.0) + " / " + format_time(0.0), self)
        self.time_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Keyboard shortcuts belong to the window: keep focus away from these controls.
        for w in (self.play_button, self.stop_button, self.loop_box, self.source_box):
            w.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.play_button)
        layout.addWidget(self.stop_button)
        layout.addSpacing(8)
        layout.addWidget(QLabel(self.tr("Listen to:"), self))
        layout.addWidget(self.source_box)
        layout.addWidget(self.loop_box)
        layout.addStretch(1)
        layout.addWidget(self.time_label)

        self.play_button.clicked.connect(self.play_clicked)
        self.stop_button.clicked.connect(self.stop_clicked)
        self.loop_box.toggled.connect(self.loop_toggled)
        self.source_box.currentIndexChanged.connect(
            lambda i: self.source_changed.emit(self.source_box.itemData(i))
        )

    @property
    def source(self) -> str:
        return str(self.source_box.currentData())

    def set_source(self, key: str) -> None:
        index = self.source_box.findData(key)
        if index >= 0:
            self.source_box.setCurrentIndex(index)

    @property
    def loop_enabled(self) -> bool:
        """Whether the selection should loop."""
        return self.loop_box.isChecked()

    def set_playable(self, playable: bool, tip: str = "") -> None:
        """Enable play and stop; ``tip`` says why not (or describes play when empty)."""
        self.play_button.setEnabled(playable)
        self.stop_button.setEnabled(playable)
        self.play_button.setToolTip(tip or self.tr("Play / pause (Space)"))

    def set_restored_available(self, available: bool) -> None:
        """Before a restoration only "Original" can be chosen."""
        model = self.source_box.model()
        for row in (1, 2):
            item = model.item(row)  # type: ignore[attr-defined]
            item.setEnabled(available)
        if not available:
            self.set_source("original")

    def set_playing(self, playing: bool) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_button.setIcon(self.style().standardIcon(icon))

    def set_time(self, position: float, duration: float) -> None:
        self.time_label.setText(f"{format_time(position)} / {format_time(duration)}")
