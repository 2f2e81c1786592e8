"""Progress reporting and cooperative cancellation for long ``core`` work.

Every long function takes ``progress: ProgressCallback | None`` and
``cancel: CancelToken | None``. Progress is a fraction in ``[0, 1]`` plus a short
status text; cancelling raises :class:`core.errors.Cancelled` at the next check.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from core.errors import Cancelled

PROGRESS_SEPARATOR = " · "
"""Joins the names of the steps a progress message says run together."""


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


class TimeLeft:
    """Estimates the seconds a job still needs from its progress so far.

    The rate is measured from the first report after ``warmup`` of the range (model
    loading and the first block make the start slow), so the estimate is the time the
    remaining fraction takes at the recent average pace; ``None`` until it is known.
    """

    MIN_SECONDS = 2.0  # an estimate made from less time than this jumps about

    def __init__(
        self, *, warmup: float = 0.02, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.warmup, self.clock = warmup, clock
        self._origin: tuple[float, float] | None = None
        self._latest: tuple[float, float] | None = None

    def update(self, fraction: float) -> float | None:
        """Take a new fraction; return the seconds left (``None`` while unknown)."""
        now = self.clock()
        if self._origin is None or fraction < self._origin[0]:
            if fraction >= self.warmup or self._origin is not None:
                self._origin = (fraction, now)
            return None
        self._latest = (fraction, now)
        return self.seconds_left()

    def seconds_left(self) -> float | None:
        if self._origin is None or self._latest is None:
            return None
        (f0, t0), (f1, t1) = self._origin, self._latest
        if f1 <= f0 or t1 - t0 < self.MIN_SECONDS:
            return None
        return max((1.0 - f1) * (t1 - t0) / (f1 - f0), 0.0)


def format_duration(seconds: float) -> str:
    """``'2.0 s'``, ``'3 min 20 s'`` or ``'1 h 05 min'``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    total = int(round(seconds))
    if total < 3600:
        return f"{total // 60} min {total % 60} s"
    return f"{total // 3600} h {(total % 3600) // 60:02d} min"
