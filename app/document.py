"""One open recording: the untouched original, the last restoration, and its undo history.

A restoration runs the chain once at full strength and keeps both outputs,
``restored₁`` and ``residual`` (what the repair steps removed), so the strength
slider never re-runs the model. The preview at strength ``s`` is

    restored(s) = restored₁ + (1 − k) · residual,   k = core.strength.removal_share(s)

which is ``original − k · residual`` for chains without gain steps (the pipeline
guarantees ``restored₁ + residual = gains × original``; with a normalise step the
preview blends between the level-matched original and the full restoration). The
"removed noise" buffer at strength ``s`` is ``k · residual``: what is left of it falls in
dB along the slider, as DeepFilterNet's attenuation limit does.

This is :func:`core.strength.mix`, the blend the CLI and batch apply too, so a
file restored at ``strength=s`` anywhere holds the samples of this preview.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand, QUndoStack

from core.audio.peaks import PeakPyramid
from core.progress import CancelToken, ProgressCallback, check_cancel
from core.strength import mix as mix_strength


@dataclass(frozen=True)
class Restoration:
    """What one Apply produced: full-strength outputs and the chain that made them."""

    restored: np.ndarray  # float32 (channels, samples), at strength 1
    residual: np.ndarray  # float32 (channels, samples), what strength 1 removed
    chain: dict[str, Any]
    label: str = ""


def mix(restoration: Restoration, strength: float) -> tuple[np.ndarray, np.ndarray]:
    """``(restored, removed)`` buffers of ``restoration`` previewed at ``strength``."""
    return mix_strength(restoration.restored, restoration.residual, strength=strength)


@dataclass(frozen=True)
class Preview:
    """A restoration's buffers and waveform overviews at one strength, built off the
    GUI thread (mixing and min/max of long files take a noticeable fraction of a second)."""

    restoration: Restoration
    strength: float
    restored: np.ndarray
    removed: np.ndarray
    peaks: dict[str, PeakPyramid]


def make_preview(
    restoration: Restoration,
    strength: float,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Preview:
    """Worker job: the :class:`Preview` of ``restoration`` at ``strength``."""
    restored, removed = mix(restoration, strength)
    check_cancel(cancel)
    peaks = {"restored": PeakPyramid(restored)}
    check_cancel(cancel)
    peaks["removed"] = PeakPyramid(removed)
    return Preview(restoration, strength, restored, removed, peaks)


@dataclass
class Recording:
    """An open file. ``original`` is never modified (it is made read-only)."""

    path: Path
    original: np.ndarray
    sr: int
    restoration: Restoration | None = None
    strength: float = 1.0
    undo_stack: QUndoStack | None = None
    cache: dict[Any, Any] = field(default_factory=dict)  # view data, keyed by what it shows

    def __post_init__(self) -> None:
        self.original.setflags(write=False)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def frames(self) -> int:
        return int(self.original.shape[1])

    @property
    def channels(self) -> int:
        return int(self.original.shape[0])

    @property
    def duration(self) -> float:
        return self.frames / self.sr

    @property
    def restored(self) -> np.ndarray | None:
        """The preview at the current strength (``None`` before any restoration)."""
        return self._mixed("restored")

    @property
    def removed(self) -> np.ndarray | None:
        """What the preview removes at the current strength."""
        return self._mixed("removed")

    def _mixed(self, kind: str) -> np.ndarray | None:
        r = self.restoration
        if r is None:
            return None
        key = (kind, id(r), self.strength)
        if key not in self.cache:  # normally a Preview made in a worker put it there
            self._drop_cached(kind)
            self.cache[key] = mix(r, self.strength)[0 if kind == "restored" else 1]
        return self.cache[key]

    def preview_ready(self) -> bool:
        """Whether buffers and overviews for the current strength are cached."""
        r = self.restoration
        return r is not None and ("peaks", id(r), self.strength) in self.cache

    def accept_preview(self, preview: Preview) -> bool:
        """Cache a worker's :class:`Preview`; ``False`` if the recording moved on."""
        r = self.restoration
        if r is None or preview.restoration is not r or preview.strength != self.strength:
            return False
        for kind in ("restored", "removed", "peaks"):
            self._drop_cached(kind)
        self.cache["restored", id(r), self.strength] = preview.restored
        self.cache["removed", id(r), self.strength] = preview.removed
        self.cache["peaks", id(r), self.strength] = preview.peaks
        return True

    def peaks(self, kind: str) -> PeakPyramid | None:
        """Waveform overview of ``restored`` or ``removed``, if a preview made one."""
        r = self.restoration
        found = self.cache.get(("peaks", id(r), self.strength)) if r is not None else None
        return found[kind] if found else None

    def _drop_cached(self, kind: str) -> None:
        for key in [k for k in self.cache if isinstance(k, tuple) and k and k[0] == kind]:
            del self.cache[key]

    def sources(self) -> dict[str, np.ndarray]:
        """The three buffers for playback; before restoration, the original and silence."""
        restored, removed = self.restored, self.removed
        return {
            "original": self.original,
            "restored": self.original if restored is None else restored,
            "residual": np.zeros_like(self.original) if removed is None else removed,
        }


Refresh = Callable[[Recording], None]


class ApplyRestorationCommand(QUndoCommand):
    """Replace the recording's restoration (and reset strength to 1)."""

    def __init__(self, doc: Recording, new: Restoration, refresh: Refresh) -> None:
        name = new.label or new.chain.get("name", "chain")
        super().__init__(
            QCoreApplication.translate("document", "Restore with “{preset}”").format(preset=name)
        )
        self.doc, self.refresh = doc, refresh
        self.before = (doc.restoration, doc.strength)
        self.after = (new, 1.0)

    def _set(self, state: tuple[Restoration | None, float]) -> None:
        self.doc.restoration, self.doc.strength = state
        self.refresh(self.doc)

    def redo(self) -> None:
        self._set(self.after)

    def undo(self) -> None:
        self._set(self.before)


STRENGTH_COMMAND_ID = 1001


def _strength_text(strength: float) -> str:
    return QCoreApplication.translate("document", "Strength {percent} %").format(
        percent=round(strength * 100)
    )


class StrengthCommand(QUndoCommand):
    """Change the preview strength; consecutive changes (a slider drag) merge into one."""

    def __init__(self, doc: Recording, new: float, refresh: Refresh) -> None:
        super().__init__(_strength_text(new))
        self.doc, self.refresh = doc, refresh
        self.old, self.new = doc.strength, float(new)

    def id(self) -> int:  # noqa: A003 - Qt's name
        return STRENGTH_COMMAND_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, StrengthCommand) or other.doc is not self.doc:
            return False
        self.new = other.new
        self.setText(_strength_text(self.new))
        return True

    def redo(self) -> None:
        self.doc.strength = self.new
        self.refresh(self.doc)

    def undo(self) -> None:
        self.doc.strength = self.old
        self.refresh(self.doc)
