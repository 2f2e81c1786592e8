"""The one background-job API: a plain ``core`` function run off the GUI thread.

A job function accepts ``progress=`` and ``cancel=`` keyword arguments (the ``core``
convention). :class:`Job` runs it on a ``QThreadPool`` and reports through Qt signals
that are always emitted on the GUI thread, so any callable may listen:

``started`` → ``progress(fraction, message)`` / ``yielded(value)`` → exactly one of
``returned(result)``, ``errored(exception)`` or ``aborted()`` → ``finished()``.

These are napari's worker signals. A job yields values (training's per-epoch reports)
through the keyword named by ``yield_to``, which receives a thread-safe callable.
:class:`JobSet` keeps the jobs a window started and says when none is left.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

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


_RUNNING: set[Job] = set()  # a running job stays alive even when nobody else holds it


class _Runnable(QRunnable):
    """The pool's handle on a job; holds the job alive until it has run."""

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the job keeps it
        self.job = job

    def run(self) -> None:
        self.job._run()


class Job(QObject):
    """Run ``fn(*args, progress=..., cancel=..., **kwargs)`` in a thread pool.

    Every public signal is emitted on the thread that created the job (the GUI
    thread): the worker thread emits private twins, delivered queued to this object.
    Call :meth:`cancel` to ask the function to stop (it raises
    :class:`core.errors.Cancelled`, reported as ``aborted``).
    """

    started = Signal()
    progress = Signal(float, str)  # fraction 0..1, what is being done
    yielded = Signal(object)  # a value sent through ``yield_to`` while running
    returned = Signal(object)  # the function's return value
    errored = Signal(object)  # the exception it raised
    aborted = Signal()  # cancelled
    finished = Signal()  # after any of the three outcomes

    _started = Signal()
    _progress = Signal(float, str)
    _yielded = Signal(object)
    _returned = Signal(object)
    _errored = Signal(object)
    _aborted = Signal()
    _finished = Signal()

    def __init__(
        self,
        fn: Callable[..., Any],
        /,
        *args: Any,
        yield_to: str | None = None,
        parent: QObject | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(parent)
        self.token = CancelToken()
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        if yield_to is not None:
            kwargs[yield_to] = self._yield
        self._last_emit = 0.0
        self._runnable = _Runnable(self)
        self.running = False
        queued = Qt.ConnectionType.QueuedConnection
        for private, public in (
            (self._started, self.started),
            (self._progress, self.progress),
            (self._yielded, self.yielded),
            (self._returned, self.returned),
            (self._errored, self.errored),
            (self._aborted, self.aborted),
        ):
            private.connect(public, queued)  # type: ignore[call-overload]
        self._finished.connect(self._on_finished, queued)

    # --- the GUI thread's side -----------------------------------------------------------------

    def start(self, pool: QThreadPool | None = None) -> Job:
        """Queue the job on ``pool`` (the global pool by default); returns ``self``."""
        self.running = True
        _RUNNING.add(self)
        (pool or QThreadPool.globalInstance()).start(self._runnable)
        return self

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def is_cancelled(self) -> bool:
        return self.token.cancelled

    @Slot()
    def _on_finished(self) -> None:
        self.running = False
        _RUNNING.discard(self)
        self.finished.emit()

    # --- the worker thread's side --------------------------------------------------------------

    def _emit(self, signal: Any, *args: Any) -> bool:
        try:
            signal.emit(*args)
        except RuntimeError:  # the job was deleted with its owner (a window closed)
            return False
        return True

    def _report(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last_emit >= _PROGRESS_INTERVAL_S:
            self._last_emit = now
            self._emit(self._progress, float(fraction), message)

    def _yield(self, value: object) -> None:
        self._emit(self._yielded, value)

    def _run(self) -> None:
        self._emit(self._started)
        try:
            result = _call_in_fresh_thread(
                self._fn, *self._args, progress=self._report, cancel=self.token, **self._kwargs
            )
        except Cancelled:
            self._emit(self._aborted)
        except Exception as exc:  # noqa: BLE001 - handed to the GUI, which explains it
            self._emit(self._errored, exc)
        else:
            if self.token.cancelled:
                self._emit(self._aborted)
            else:
                self._emit(self._returned, result)
        finally:
            if not self._emit(self._finished):
                _RUNNING.discard(self)  # no GUI side left to do it


class JobSet(QObject):
    """The jobs one window started: cancel them all, and know when none is left."""

    idle = Signal()  # the last running job finished

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: set[Job] = set()

    def start(self, job: Job, pool: QThreadPool | None = None) -> Job:
        """Start ``job`` and keep it until it finished (then it is deleted)."""
        self._jobs.add(job)
        job.finished.connect(lambda job=job: self._finished(job))
        return job.start(pool)

    def _finished(self, job: Job) -> None:
        self._jobs.discard(job)
        job.deleteLater()
        if not self._jobs:
            self.idle.emit()

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def cancel_all(self) -> None:
        for job in list(self._jobs):
            job.cancel()
