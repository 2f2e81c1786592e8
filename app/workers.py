"""The one background-job class: runs a plain ``core`` function off the GUI thread.

A job is any callable accepting ``progress=`` and ``cancel=`` keyword arguments (the
``core`` convention). :class:`Worker` runs it on a ``QThreadPool`` and reports through
Qt signals, which Qt delivers on the receiver's (GUI) thread.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from core.errors import Cancelled
from core.progress import CancelToken

_PROGRESS_INTERVAL_S = 0.05  # at most 20 progress signals a second reach the GUI
# Jobs run at a lower CPU priority than the GUI thread: on a machine with few cores a
# model or an FFT using every core would otherwise starve the event loop. Threads the
# job starts (TensorFlow's pools, parallel decoding) inherit it.
BACKGROUND_NICENESS = 10


def _lower_priority() -> None:
    """Make the calling thread (only) nicer; Linux has per-thread niceness."""
    if not hasattr(os, "setpriority") or not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, max(current, BACKGROUND_NICENESS))
    except OSError:
        pass  # not permitted here: run at normal priority


def _call_in_fresh_thread(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` on a new Python thread, wait, and return its result or raise its error.

    TensorFlow crashes (segfault in ``tf.data``) when a second job runs on a pool
    thread that ran TensorFlow before: ``QThreadPool`` reuses the OS thread, Python
    gives it a new thread state, and TensorFlow's per-thread state goes stale. A
    fresh thread per job (about 0.1 ms) avoids that for every kind of job.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        _lower_priority()
        try:
            box["result"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the calling thread
            box["error"] = exc

    thread = threading.Thread(target=target, name=f"job-{getattr(fn, '__name__', 'fn')}")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("result")


class WorkerSignals(QObject):
    """Signals of a :class:`Worker`; a separate QObject because QRunnable is not one."""

    progress = Signal(float, str)  # fraction 0..1, what is being done
    finished = Signal(object)  # the job's return value
    failed = Signal(object)  # the exception raised
    cancelled = Signal()
    done = Signal()  # after any of the three outcomes


class Worker(QRunnable):
    """Run ``fn(*args, progress=..., cancel=..., **kwargs)`` in a thread pool.

    Exactly one of ``finished``, ``failed`` or ``cancelled`` is emitted, then ``done``.
    Call :meth:`cancel` from the GUI thread to ask the job to stop.
    """

    def __init__(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the owner keeps a reference while it listens
        self.signals = WorkerSignals()
        self.token = CancelToken()
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self._last_emit = 0.0
        self.running = False

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def is_cancelled(self) -> bool:
        return self.token.cancelled

    def _progress(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last_emit >= _PROGRESS_INTERVAL_S:
            self._last_emit = now
            self.signals.progress.emit(float(fraction), message)

    def run(self) -> None:
        self.running = True
        try:
            result = _call_in_fresh_thread(
                self._fn, *self._args, progress=self._progress, cancel=self.token, **self._kwargs
            )
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - handed to the GUI, which explains it
            self.signals.failed.emit(exc)
        else:
            if self.token.cancelled:
                self.signals.cancelled.emit()
            else:
                self.signals.finished.emit(result)
        finally:
            self.running = False
            self.signals.done.emit()

    def start(self, pool: QThreadPool | None = None) -> Worker:
        """Queue the job on ``pool`` (the global pool by default); returns ``self``."""
        (pool or QThreadPool.globalInstance()).start(self)
        return self
