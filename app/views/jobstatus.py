"""The status bar's indicator of an export or folder restoration: what, how far, Cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

BAR_WIDTH = 220  # px: room for the bar beside a long status message


class JobStatus(QWidget):
    """Hidden until :meth:`show_job`. Signal ``cancel_requested``."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setMaximumWidth(BAR_WIDTH)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.bar, self.cancel_button):
            layout.addWidget(widget)
        self.setVisible(False)

    def show_job(self, label: str) -> None:
        self.label.setText(label)
        self.bar.setValue(0)
        self.setVisible(True)

    def set_progress(self, fraction: float) -> None:
        self.bar.setValue(int(fraction * 1000))

    def hide_job(self) -> None:
        self.setVisible(False)
