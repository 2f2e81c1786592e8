"""The Restore panel: preset, model, chain steps with their parameters, strength, Apply.

Parameter widgets are built generically from each step type's ``ParamSpec`` list
(``core.steps.STEP_TYPES``), so a new step type appears here without GUI changes.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core_text import core_text
from app.dialogs.export import confirm_replace
from app.document import Restoration
from app.errors import show_error
from core.chain import ChainConfig, StepSpec, list_presets, load_preset
from core.errors import SeminarioError
from core.output import make_folder, write_text
from core.progress import PROGRESS_SEPARATOR
from core.steps import STEP_TYPES, ParamSpec
from core.strength import removal_share

USER_PREFIX = "user:"
OTHER_MODEL = "__other__"


BUILTIN_CHOICES = ("auto", "dfn3", "default")
"""The built-in models the model box offers, first the automatic choice."""


def builtin_model_available(choice: str = "auto") -> bool:
    """Whether the files behind a built-in choice are installed."""
    from core.model.bundle import resolve_model_path

    names = ("dfn3", "default") if choice == "auto" else (choice,)
    return all(resolve_model_path(name).exists() for name in names)


def param_widget(spec: ParamSpec, value: Any) -> QWidget:
    """An editor for one parameter, limited to what ``spec`` allows."""
    if spec.choices:
        box = QComboBox()
        for choice in spec.choices:  # shown translated, kept as the chain's value
            box.addItem(core_text(choice), choice)
        box.setCurrentIndex(max(0, box.findData(str(value))))
        return box
    if isinstance(spec.default, bool):
        check = QCheckBox()
        check.setChecked(bool(value))
        return check
    if isinstance(spec.default, int):
        spin = QSpinBox()
        spin.setRange(int(spec.minimum or 0), int(spec.maximum or 1_000_000))
        spin.setValue(int(value))
        if spec.unit:
            spin.setSuffix(f" {spec.unit}")
        return spin
    if isinstance(spec.default, float):
        dspin = QDoubleSpinBox()
        lo = spec.minimum if spec.minimum is not None else -1e9
        hi = spec.maximum if spec.maximum is not None else 1e9
        dspin.setRange(lo, hi)
        dspin.setDecimals(1 if hi - lo >= 10 else 2)
        dspin.setSingleStep(1.0 if hi - lo >= 10 else 0.1)
        dspin.setValue(float(value))
        if spec.unit:
            dspin.setSuffix(f" {spec.unit}")
        if spec.at_minimum:
            dspin.setSpecialValueText(core_text(spec.at_minimum))
        return dspin
    line = QLineEdit(str(value))
    return line


def widget_value(spec: ParamSpec, widget: QWidget) -> Any:
    if isinstance(widget, QComboBox):
        return str(widget.currentData())
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QSpinBox):
        return int(widget.value())
    if isinstance(widget, QDoubleSpinBox):
        return float(widget.value())
    assert isinstance(widget, QLineEdit)
    return widget.text()


class StepEditor(QGroupBox):
    """One step: its label, a Bypass box and one editor per parameter."""

    def __init__(self, step: StepSpec, parent: QWidget | None = None) -> None:
        kind = STEP_TYPES[step.type]
        super().__init__(core_text(kind.label), parent)
        self.step_type = step.type
        self.extra: dict[str, Any] = {}
        self.editors: dict[str, tuple[ParamSpec, QWidget]] = {}
        form = QFormLayout(self)
        form.setContentsMargins(6, 4, 6, 4)
        self.bypass = QCheckBox(self.tr("Bypass"), self)
        self.bypass.setChecked(step.bypass)
        self.bypass.setToolTip(self.tr("Skip this step when restoring"))
        form.addRow(self.bypass)
        for spec in kind.params:
            value = step.params.get(spec.name, spec.default)
            if step.type == "model" and spec.name == "model":
                self.extra[spec.name] = value  # chosen in the panel's model box
                continue
            editor = param_widget(spec, value)
            editor.setObjectName(f"{step.type}.{spec.name}")
            form.addRow(core_text(spec.label), editor)
            self.editors[spec.name] = (spec, editor)
        self.bypass.toggled.connect(self._update_enabled)
        self._update_enabled(step.bypass)

    def _update_enabled(self, bypassed: bool) -> None:
        for _spec, editor in self.editors.values():
            editor.setEnabled(not bypassed)

    def spec(self) -> StepSpec:
        params = dict(self.extra)
        params.update({n: widget_value(s, w) for n, (s, w) in self.editors.items()})
        return StepSpec(self.step_type, params, self.bypass.isChecked())


class RestorePanel(QWidget):
    """Signals: ``apply_requested``, ``cancel_requested``, ``strength_changed(float)``,
    ``model_browse_requested`` and ``message(str)`` for the status bar."""

    apply_requested = Signal()
    cancel_requested = Signal()
    forget_noise_requested = Signal()
    strength_changed = Signal(float)
    message = Signal(str)

    def __init__(
        self, *, presets_dir: Path, models_dir: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.presets_dir = presets_dir
        self.models_dir = models_dir
        self._chain = ChainConfig([])
        self.steps: list[StepEditor] = []
        self.last_model_dir = ""

        self.preset_box = QComboBox(self)
        self.preset_box.setObjectName("preset")
        self.save_preset_button = QPushButton(self.tr("Save preset…"), self)
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: palette(mid);")
        self.model_box = QComboBox(self)
        self.model_box.setObjectName("model")
        self.model_box.setToolTip(self.tr("The AI model used by the “AI noise reduction” step"))
        self.steps_holder = QWidget(self)
        self.steps_layout = QVBoxLayout(self.steps_holder)
        self.steps_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.steps_holder)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self.strength = QSlider(Qt.Orientation.Horizontal, self)
        self.strength.setRange(0, 100)
        self.strength.setValue(100)
        self.strength.setToolTip(
            self.tr("How much of what the chain removed is taken away (preview)")
        )
        self.strength_label = QLabel("100 %", self)
        self.strength_label.setMinimumWidth(40)
        self.apply_button = QPushButton(self.tr("Apply"), self)
        self.apply_button.setDefault(True)
        self.apply_button.setToolTip(self.tr("Restore the recording with this chain (Ctrl+R)"))
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.progress.setVisible(False)
        self.report_box = QGroupBox(self.tr("What the last restoration did"), self)
        self.report = QLabel(self.report_box)
        self.report.setObjectName("restorationReport")
        self.report.setWordWrap(True)
        self.report.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        report_layout = QVBoxLayout(self.report_box)
        report_layout.addWidget(self.report)
        self.report_box.setVisible(False)
        self.noise_label = QLabel(self)
        self.noise_label.setObjectName("noiseProfile")
        self.forget_noise_button = QPushButton(self.tr("Forget"), self)
        self.forget_noise_button.setToolTip(self.tr("Apply without the learned noise profile"))
        self.forget_noise_button.clicked.connect(self.forget_noise_requested)
        noise_row = QHBoxLayout()
        noise_row.addWidget(self.noise_label, 1)
        noise_row.addWidget(self.forget_noise_button)
        self.show_noise_profile("")

        top = QFormLayout()
        preset_row = QHBoxLayout()
        preset_row.addWidget(self.preset_box, 1)
        preset_row.addWidget(self.save_preset_button)
        top.addRow(self.tr("Preset"), preset_row)
        top.addRow(self.description)
        top.addRow(self.tr("Model"), self.model_box)
        strength_row = QHBoxLayout()
        strength_row.addWidget(self.strength, 1)
        strength_row.addWidget(self.strength_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.apply_button, 1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        strength_form = QFormLayout()
        strength_form.addRow(self.tr("Strength"), strength_row)
        layout.addLayout(strength_form)
        layout.addLayout(noise_row)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.report_box)

        self.refresh_presets()
        self.refresh_models()
        self.preset_box.currentIndexChanged.connect(self._preset_chosen)
        self.model_box.activated.connect(self._model_activated)
        self.save_preset_button.clicked.connect(self._ask_save_preset)
        self.strength.valueChanged.connect(self._strength_moved)
        self.apply_button.clicked.connect(self.apply_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self._preset_chosen(self.preset_box.currentIndex())

    # --- presets ------------------------------------------------------------------------------

    def user_presets(self) -> list[Path]:
        return sorted(self.presets_dir.glob("*.json")) if self.presets_dir.is_dir() else []

    def refresh_presets(self, select: str | None = None) -> None:
        current = select or self.preset_box.currentData() or "default"
        self.preset_box.blockSignals(True)
        self.preset_box.clear()
        for name in list_presets():
            self.preset_box.addItem(name, name)
        for path in self.user_presets():
            self.preset_box.addItem(
                self.tr("{name} (mine)").format(name=path.stem), USER_PREFIX + str(path)
            )
        index = self.preset_box.findData(current)
        self.preset_box.setCurrentIndex(max(index, 0))
        self.preset_box.blockSignals(False)

    def select_preset(self, key: str) -> bool:
        """Select a preset by name (built-in) or ``user:PATH``; False if unknown."""
        index = self.preset_box.findData(key)
        if index < 0:
            return False
        if index == self.preset_box.currentIndex():
            self._preset_chosen(index)
        else:
            self.preset_box.setCurrentIndex(index)
        return True

    @property
    def preset_key(self) -> str:
        return str(self.preset_box.currentData())

    @property
    def preset_label(self) -> str:
        """The selected preset as the box shows it."""
        return self.preset_box.currentText()

    def preset_choices(self) -> list[tuple[str, str]]:
        """``(label, key)`` of every preset the box offers, in its order."""
        box = self.preset_box
        return [(box.itemText(i), str(box.itemData(i))) for i in range(box.count())]

    def load_chain(self, key: str) -> ChainConfig:
        if key.startswith(USER_PREFIX):
            return ChainConfig.from_json(key[len(USER_PREFIX) :])
        return load_preset(key)

    def _preset_chosen(self, index: int) -> None:
        key = self.preset_box.itemData(index)
        if key is None:
            return
        try:
            chain = self.load_chain(str(key))
        except Exception as exc:  # noqa: BLE001 - a broken user preset must not break the panel
            self.message.emit(
                self.tr("Cannot use preset {name}: {error}").format(
                    name=self.preset_box.itemText(index), error=exc
                )
            )
            return
        self.set_chain(chain)

    def show_noise_profile(self, text: str) -> None:
        """Say where the noise profile Apply will use was learned (empty: none)."""
        self.noise_label.setText(text)
        self.noise_label.setVisible(bool(text))
        self.forget_noise_button.setVisible(bool(text))

    def show_restoration(self, restoration: Restoration | None) -> None:
        """Follow the recording's restoration (after Apply, undo, redo or switching files):
        its preset and steps in the editor, and what the assistant found and ran."""
        if restoration is None:
            self.report_box.setVisible(False)
            return
        index = self.preset_box.findData(restoration.preset_key)
        if index >= 0 and index != self.preset_box.currentIndex():
            self.preset_box.blockSignals(True)
            self.preset_box.setCurrentIndex(index)
            self.preset_box.blockSignals(False)
        try:
            self.set_chain(ChainConfig.from_dict(restoration.chain))
        except SeminarioError:  # a chain this version no longer reads: keep the editor
            pass
        self.report.setText("\n".join(self.restoration_lines(restoration)))
        self.report_box.setVisible(True)

    def restoration_lines(self, restoration: Restoration) -> list[str]:
        """What the assistant measured (with its numbers) and the steps that ran."""
        lines = self._finding_lines(restoration.diagnosis) if restoration.diagnosis else []
        steps = []
        for step in (restoration.ran or restoration.chain).get("steps", []):
            if step.get("bypass"):
                continue
            kind = STEP_TYPES.get(step.get("type", ""))
            name = core_text(kind.label) if kind is not None else str(step.get("type"))
            model = step.get("params", {}).get("model")
            steps.append(f"{name} ({model})" if step.get("type") == "model" and model else name)
        lines.append(self.tr("Steps run: {steps}").format(steps=", ".join(steps) or "—"))
        return lines

    def _finding_lines(self, found: dict[str, Any]) -> list[str]:
        def number(value: float, digits: int = 0) -> str:
            return QLocale().toString(float(value), "f", digits)

        lines = []
        programme = found.get("programme")
        if programme == "speech":
            lines.append(self.tr("Heard speech"))
        elif programme == "music":
            lines.append(self.tr("Heard music"))
        if found.get("hum_hz"):
            lines.append(
                self.tr("Hum at {hz} Hz, {level} dBFS").format(
                    hz=number(found["hum_hz"]), level=number(found["hum_level_db"])
                )
            )
        if found.get("clicks_per_min") is not None:
            lines.append(
                self.tr("Clicks: {count} per minute").format(count=number(found["clicks_per_min"]))
            )
        if found.get("clipped_fraction"):
            lines.append(
                self.tr("Clipped: {share} % of the samples").format(
                    share=number(100 * found["clipped_fraction"], 2)
                )
            )
        if found.get("snr_db") is not None:
            lines.append(
                self.tr("Noise about {snr} dB below the programme").format(
                    snr=number(found["snr_db"])
                )
            )
        if found.get("noise_above_hz"):
            lines.append(
                self.tr("Only noise above {khz} kHz").format(
                    khz=number(found["noise_above_hz"] / 1000, 1)
                )
            )
        return lines

    def set_chain(self, chain: ChainConfig) -> None:
        self._chain = chain
        for editor in self.steps:
            editor.setParent(None)
            editor.deleteLater()
        self.steps = []
        while self.steps_layout.count():
            item = self.steps_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for step in chain.steps:
            editor = StepEditor(step, self.steps_holder)
            self.steps_layout.addWidget(editor)
            self.steps.append(editor)
        if chain.adaptive:
            note = QLabel(
                self.tr(
                    "The repair assistant measures each recording and chooses the repair "
                    "steps itself; only the model chosen above is taken as given."
                ),
                self.steps_holder,
            )
            note.setWordWrap(True)
            self.steps_layout.addWidget(note)
        self.steps_layout.addStretch(1)
        self.description.setText(core_text(chain.description))
        if chain.model not in BUILTIN_CHOICES and any(s.type == "model" for s in chain.steps):
            self.add_model(chain.model)

    def chain(self) -> ChainConfig:
        """The chain the widgets describe, with the chosen model."""
        chain = ChainConfig(
            [e.spec() for e in self.steps],
            name=self._chain.name,
            description=self._chain.description,
            adaptive=self._chain.adaptive,
        )
        return chain.with_model(self.model)

    def preset_path(self, name: str) -> Path:
        """Where a user preset named ``name`` is kept."""
        safe = re.sub(r"[^\w\- ]+", "_", name).strip() or "preset"
        return self.presets_dir / f"{safe}.json"

    def save_preset(self, name: str, *, overwrite: bool = False) -> Path:
        """Write the current chain as a user preset named ``name``; returns its path.
        An existing preset of that name is replaced only with ``overwrite``."""
        path = self.preset_path(name)
        make_folder(self.presets_dir)
        data = self.chain().to_dict()
        data["name"] = path.stem
        write_text(path, json.dumps(data, indent=2) + "\n", overwrite=overwrite)
        self.refresh_presets(select=USER_PREFIX + str(path))
        self._chain = ChainConfig.from_dict(data)
        self.message.emit(self.tr("Preset saved: {path}").format(path=path))
        return path

    def _ask_save_preset(self) -> None:
        name, ok = QInputDialog.getText(
            self, self.tr("Save preset"), self.tr("Name of the new preset:")
        )
        if not (ok and name.strip()):
            return
        path = self.preset_path(name.strip())
        overwrite = path.exists()
        if overwrite and not confirm_replace(self, path):
            return
        try:
            self.save_preset(name.strip(), overwrite=overwrite)
        except SeminarioError as exc:
            show_error(self, exc, context=self.tr("The preset was not saved."))

    # --- models -------------------------------------------------------------------------------

    def refresh_models(self, select: str | None = None) -> None:
        current = select or self.model_box.currentData() or "auto"
        extra = [
            str(self.model_box.itemData(i))
            for i in range(self.model_box.count())
            if self.model_box.itemData(i) not in (*BUILTIN_CHOICES, OTHER_MODEL)
        ]
        self.model_box.blockSignals(True)
        self.model_box.clear()
        labels = {
            "auto": self.tr("Automatic: DeepFilterNet3 on speech, SeminarioIA on music"),
            "dfn3": self.tr("DeepFilterNet3 (speech)"),
            "default": self.tr("SeminarioIA (music and general)"),
        }
        for choice in BUILTIN_CHOICES:
            label = labels[choice]
            if not builtin_model_available(choice):
                label = self.tr("{model} (not installed)").format(model=label)
            self.model_box.addItem(label, choice)
        found = (
            sorted(str(p) for p in self.models_dir.glob("*.keras"))
            if self.models_dir.is_dir()
            else []
        )
        for path in dict.fromkeys(found + extra):
            self.model_box.addItem(Path(path).stem, path)
            self.model_box.setItemData(
                self.model_box.count() - 1, path, Qt.ItemDataRole.ToolTipRole
            )
        self.model_box.addItem(self.tr("Other model file…"), OTHER_MODEL)
        index = self.model_box.findData(current)
        self.model_box.setCurrentIndex(max(index, 0))
        self.model_box.blockSignals(False)
        self._last_model = self.model

    def add_model(self, path: str, *, select: bool = True) -> None:
        if self.model_box.findData(path) < 0:
            self.model_box.insertItem(self.model_box.count() - 1, Path(path).stem, path)
            self.model_box.setItemData(
                self.model_box.count() - 2, path, Qt.ItemDataRole.ToolTipRole
            )
        if select:
            self.model_box.setCurrentIndex(self.model_box.findData(path))
            self._last_model = path

    @property
    def model(self) -> str:
        data = self.model_box.currentData()
        return "auto" if data in (None, OTHER_MODEL) else str(data)

    def _model_activated(self, index: int) -> None:
        if self.model_box.itemData(index) != OTHER_MODEL:
            self._last_model = self.model
            return
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a model"), self.last_model_dir, self.tr("Keras models (*.keras)")
        )
        if path:
            self.last_model_dir = str(Path(path).parent)
            self.add_model(path)
        else:
            self.model_box.setCurrentIndex(max(0, self.model_box.findData(self._last_model)))

    # --- strength and progress ------------------------------------------------------------------

    @property
    def strength_value(self) -> float:
        return self.strength.value() / 100.0

    def set_strength(self, value: float) -> None:
        """Show ``value`` without emitting ``strength_changed`` (undo, switching files)."""
        self.strength.blockSignals(True)
        self.strength.setValue(round(value * 100))
        self.strength.blockSignals(False)
        self._show_strength(round(value * 100))

    def _strength_moved(self, value: int) -> None:
        self._show_strength(value)
        self.strength_changed.emit(value / 100.0)

    def _show_strength(self, percent: int) -> None:
        """The percentage, and in the tooltip how far down what was removed stays."""
        self.strength_label.setText(f"{percent} %")
        share = removal_share(percent / 100.0)
        if share >= 1.0:
            tip = self.tr("Everything the chain removed is taken out.")
        elif share <= 0.0:
            tip = self.tr("The original: nothing is taken out.")
        else:
            tip = self.tr("What the chain removed stays, {db:.0f} dB down.").format(
                db=-20 * math.log10(1.0 - share)
            )
        self.strength_label.setToolTip(tip)

    def set_strength_enabled(self, enabled: bool) -> None:
        self.strength.setEnabled(enabled)
        self.strength.setToolTip(
            self.tr("How much of what the chain removed is taken away (preview, instant)")
            if enabled
            else self.tr("Apply a restoration first")
        )

    def set_busy(self, busy: bool) -> None:
        self.apply_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("Starting…") if busy else "")

    def set_apply_enabled(self, enabled: bool) -> None:
        self.apply_button.setEnabled(enabled)

    def set_cancelling(self) -> None:
        """Say that the running restoration was asked to stop."""
        self.progress.setFormat(self.tr("Cancelling…"))

    def set_progress(
        self, fraction: float, message: str, seconds_left: float | None = None
    ) -> None:
        """Show ``fraction`` done of the steps ``message`` names (core's words, translated
        here), with the time left once it is known."""
        self.progress.setValue(int(fraction * 1000))
        what = PROGRESS_SEPARATOR.join(core_text(p) for p in message.split(PROGRESS_SEPARATOR))
        text = self.tr("{what} — {fraction}").format(
            what=(what[:1].upper() + what[1:]) or self.tr("Working"),
            fraction=QLocale().toString(fraction * 100, "f", 0) + " %",
        )
        if seconds_left is not None and fraction < 1.0:
            text += " — " + self._time_left_text(seconds_left)
        self.progress.setFormat(text)

    def _time_left_text(self, seconds: float) -> str:
        s = int(round(seconds))
        if s < 60:
            return self.tr("{s} s left").format(s=s)
        if s < 3600:
            return self.tr("{m} min {s:02d} s left").format(m=s // 60, s=s % 60)
        return self.tr("{h} h {m:02d} min left").format(h=s // 3600, m=s % 3600 // 60)
