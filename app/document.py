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

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand, QUndoStack

from core.audio.peaks import PeakPyramid
from core.display import FileFrames, as_array
from core.progress import CancelToken, ProgressCallback, check_cancel
from core.strength import mix as mix_strength


@dataclass(frozen=True, eq=False)
class Restoration:
    """What one Apply produced: full-strength outputs and the chain that made them.

    Compared and hashed by identity: view caches key their entries by the restoration
    object itself (never by ``id()``, which a later object may reuse)."""

    restored: np.ndarray  # float32 (channels, samples), at strength 1
    residual: np.ndarray  # float32 (channels, samples), what strength 1 removed
    chain: dict[str, Any]  # as the panel set it
    label: str = ""
    preset_key: str = ""  # the preset box's key when it ran
    ran: dict[str, Any] | None = None  # the chain that ran (the assistant's choice for auto)
    diagnosis: dict[str, Any] | None = None  # what the assistant measured, if it listened


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
    """Job: the :class:`Preview` of ``restoration`` at ``strength``."""
    restored, removed = mix(restoration, strength)
    check_cancel(cancel)
    peaks = {"restored": PeakPyramid(restored)}
    check_cancel(cancel)
    peaks["removed"] = PeakPyramid(removed)
    return Preview(restoration, strength, restored, removed, peaks)


# Entries of a :class:`ViewCache` that depend on a restoration kept at most: the current
# strength's buffers, overviews, two spectrograms and analysis, and a few strengths
# visited just before (spectrograms of long files weigh megabytes each).
RESTORATION_ENTRIES = 12


class ViewCache:
    """View data of one recording (spectrograms, overviews, analyses), keyed by a tuple
    that says what it shows: ``("spec", "original")``, or with the
    :class:`Restoration` object and the strength, ``("spec", "restored", r, 0.7)``.

    Entries whose key holds a restoration are bounded (least recently used first out,
    :data:`RESTORATION_ENTRIES`) and dropped by :meth:`forget_restorations`."""

    def __init__(self, limit: int = RESTORATION_ENTRIES) -> None:
        self.limit = limit
        self._fixed: dict[Hashable, Any] = {}
        self._restored: OrderedDict[Hashable, Any] = OrderedDict()

    @staticmethod
    def _depends(key: Hashable) -> bool:
        return isinstance(key, tuple) and any(isinstance(k, Restoration) for k in key)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._restored or key in self._fixed

    def __getitem__(self, key: Hashable) -> Any:
        if key in self._restored:
            self._restored.move_to_end(key)
            return self._restored[key]
        return self._fixed[key]

    def __setitem__(self, key: Hashable, value: Any) -> None:
        if not self._depends(key):
            self._fixed[key] = value
            return
        self._restored[key] = value
        self._restored.move_to_end(key)
        while len(self._restored) > self.limit:
            self._restored.popitem(last=False)

    def __delitem__(self, key: Hashable) -> None:
        if key in self._restored:
            del self._restored[key]
        else:
            del self._fixed[key]

    def __iter__(self) -> Iterator[Hashable]:
        return iter([*self._fixed, *self._restored])

    def __len__(self) -> int:
        return len(self._fixed) + len(self._restored)

    def get(self, key: Hashable, default: Any = None) -> Any:
        return self[key] if key in self else default

    def forget_restorations(self) -> None:
        """Drop everything that showed a restoration (it was replaced or undone)."""
        self._restored.clear()


class Silence:
    """A ``(channels, frames)`` array-like of zeros that holds no samples: what the
    removed-noise source plays before any restoration (slices are made as read)."""

    ndim = 2
    dtype = np.dtype(np.float32)

    def __init__(self, shape: tuple[int, int]) -> None:
        self.shape = (int(shape[0]), int(shape[1]))

    def __getitem__(self, key: object) -> np.ndarray:
        rows, cols = key if isinstance(key, tuple) else (key, slice(None))
        if not isinstance(cols, slice):
            raise TypeError("Silence slices frame ranges: use [:, a:b]")
        channels = range(self.shape[0])[rows]  # type: ignore[index]
        frames = len(range(self.shape[1])[cols])
        if isinstance(channels, range):
            return np.zeros((len(channels), frames), np.float32)
        return np.zeros(frames, np.float32)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.zeros(self.shape, dtype or np.float32)


@dataclass
class Recording:
    """An open file. ``original`` is never modified: a :class:`core.display.FileFrames`
    that reads the samples from the file as they are needed (how the window opens
    files, so an hour of audio is not held in memory), or a read-only array.
    Work that needs every sample takes :meth:`samples` in a worker. The file's handles
    close when the last job holding the recording lets go of it."""

    path: Path
    original: np.ndarray | FileFrames
    sr: int
    restoration: Restoration | None = None
    strength: float = 1.0
    undo_stack: QUndoStack | None = None
    cache: ViewCache = field(default_factory=ViewCache)  # view data, keyed by what it shows
    noise_profile: Any = None  # core.dsp.noise_profile.NoiseProfile from a "noise only" selection
    noise_range: tuple[float, float] | None = None  # where it was learned (seconds)

    def __post_init__(self) -> None:
        if isinstance(self.original, np.ndarray):
            self.original.setflags(write=False)

    def samples(self) -> np.ndarray:
        """The original as a float32 array: read from the file whole when it is kept
        there (seconds for an hour: call it from a worker)."""
        return as_array(self.original)

    def set_restoration(self, restoration: Restoration | None, strength: float) -> None:
        """Show ``restoration`` at ``strength``; a different restoration empties what the
        view cache kept of the previous one."""
        if restoration is not self.restoration:
            self.cache.forget_restorations()
        self.restoration, self.strength = restoration, strength

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def unexported(self) -> bool:
        """Whether the restoration on screen was never exported (the undo stack's clean
        state marks the last export)."""
        stack = self.undo_stack
        return self.restoration is not None and stack is not None and not stack.isClean()

    def mark_exported(self) -> None:
        """The restoration as shown now was written to a file."""
        if self.undo_stack is not None:
            self.undo_stack.setClean()

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
        key = (kind, r, self.strength)
        if key not in self.cache:  # normally a Preview made in a worker put it there
            self._drop_cached(kind)
            self.cache[key] = mix(r, self.strength)[0 if kind == "restored" else 1]
        return self.cache[key]

    def preview_ready(self) -> bool:
        """Whether buffers and overviews for the current strength are cached."""
        r = self.restoration
        return r is not None and ("peaks", r, self.strength) in self.cache

    def accept_preview(self, preview: Preview) -> bool:
        """Cache a worker's :class:`Preview`; ``False`` if the recording moved on."""
        r = self.restoration
        if r is None or preview.restoration is not r or preview.strength != self.strength:
            return False
        for kind in ("restored", "removed", "peaks"):
            self._drop_cached(kind)
        self.cache["restored", r, self.strength] = preview.restored
        self.cache["removed", r, self.strength] = preview.removed
        self.cache["peaks", r, self.strength] = preview.peaks
        return True

    def peaks(self, kind: str) -> PeakPyramid | None:
        """Waveform overview of ``restored`` or ``removed``, if a preview made one."""
        r = self.restoration
        found = self.cache.get(("peaks", r, self.strength)) if r is not None else None
        return found[kind] if found else None

    def _drop_cached(self, kind: str) -> None:
        for key in [k for k in list(self.cache) if isinstance(k, tuple) and k and k[0] == kind]:
            del self.cache[key]

    def sources(self) -> dict[str, np.ndarray | FileFrames | Silence]:
        """The three buffers for playback; before restoration, the original and silence."""
        restored, removed = self.restored, self.removed
        return {
            "original": self.original,
            "restored": self.original if restored is None else restored,
            "residual": Silence(self.original.shape) if removed is None else removed,
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
        self.doc.set_restoration(*state)
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
