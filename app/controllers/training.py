"""The training dialog (when this build has it) and the models it saves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from app.controllers import Status
from app.controllers.playback import import_optional
from app.settings import Settings
from app.views.restore import RestorePanel


class TrainingController(QObject):
    """Opens :class:`app.dialogs.training.TrainingDialog`; a saved model becomes the
    Restore panel's model. ``unavailable`` says why training is missing ("" if not)."""

    def __init__(
        self,
        parent: QWidget,
        *,
        settings: Settings,
        models_dir: Path,
        restore_panel: RestorePanel,
        status: Status,
    ) -> None:
        super().__init__(parent)
        self._window = parent
        self.settings = settings
        self.models_dir = models_dir
        self.restore_panel = restore_panel
        self.status = status
        self.dialog: Any = None
        self.module, error = import_optional("app.dialogs.training")
        self.unavailable = (
            ""
            if self.module is not None
            else self.tr("Training is not available in this build ({error}).").format(error=error)
        )

    def open_dialog(self) -> None:
        if self.module is None:
            return
        self.models_dir.mkdir(parents=True, exist_ok=True)
        dialog = self.module.TrainingDialog(
            self._window, models_dir=self.models_dir, start_dir=self.settings.last_open_dir
        )
        dialog.model_saved.connect(self.model_trained)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.dialog = dialog

    def model_trained(self, path: str) -> None:
        """A model was saved: make it selectable (and select it)."""
        self.restore_panel.refresh_models()
        self.restore_panel.add_model(str(path), select=True)
        self.status(self.tr("New model ready: {name}").format(name=Path(path).name), 10000)
