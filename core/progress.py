"""Progress reporting and cooperative cancellation for long ``core`` work.

Every long function takes ``progress: ProgressCallback | None`` and
``cancel: CancelToken | None``. Progress is a fraction in ``[0, 1]`` plus a short
status text; cancelling raises :class:`core.errors.Cancelled` at the next check.
"""

from __future__ import annotations

import threading
from typing import Protocol

from core.errors import Cancelled


class ProgressCallback(Protocol):
    def __call__(self, fraction: float, message: str = "") -> None: ...


def null_progress(fraction: float, message: str = "") -> None:
    """A progress callback that ignores everything."""


class CancelToken:
    """Thread-safe flag a caller sets to ask long work to stop."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by the user")


def check_cancel(cancel: CancelToken | None) -> None:
    """Raise :class:`Cancelled` if ``cancel`` is set; accept ``None``."""
    if cancel is not None:
        cancel.raise_if_cancelled()


def sub_progress(progress: ProgressCallback | None, start: float, end: float) -> ProgressCallback:
    """Map a sub-task's ``[0, 1]`` progress onto ``[start, end]`` of ``progress``."""
    if progress is None:
        return null_progress
    span = end - start

    def report(fraction: float, message: str = "") -> None:
        progress(start + span * min(max(fraction, 0.0), 1.0), message)

    return report
