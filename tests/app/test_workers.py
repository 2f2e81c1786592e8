"""The one background-job class: outcomes, cancellation, and its place below the GUI."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import pytest

from app.workers import BACKGROUND_NICENESS, Worker
from core.errors import Cancelled


def _run(qtbot: Any, worker: Worker) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    worker.signals.finished.connect(lambda r: seen.setdefault("finished", r))
    worker.signals.failed.connect(lambda e: seen.setdefault("failed", e))
    worker.signals.cancelled.connect(lambda: seen.setdefault("cancelled", True))
    with qtbot.waitSignal(worker.signals.done, timeout=10_000):
        worker.start()
    return seen


def test_outcomes_arrive_as_signals(qtbot: Any) -> None:
    def ok(x: int, *, progress: Any, cancel: Any) -> int:
        progress(1.0, "done")
        return x * 2

    def bad(*, progress: Any, cancel: Any) -> None:
        raise ValueError("no")

    def stopped(*, progress: Any, cancel: Any) -> None:
        raise Cancelled("by test")

    assert _run(qtbot, Worker(ok, 21)) == {"finished": 42}
    assert isinstance(_run(qtbot, Worker(bad))["failed"], ValueError)
    assert _run(qtbot, Worker(stopped)) == {"cancelled": True}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread niceness is Linux's")
def test_jobs_and_the_threads_they_start_run_below_the_gui(qtbot: Any) -> None:
    def niceness(*, progress: Any, cancel: Any) -> tuple[int, int]:
        box: list[int] = []
        child = threading.Thread(
            target=lambda: box.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        )
        child.start()
        child.join()
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), box[0]

    gui = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    job, child = _run(qtbot, Worker(niceness))["finished"]
    assert job >= BACKGROUND_NICENESS > gui or gui >= BACKGROUND_NICENESS
    assert child == job
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == gui  # GUI untouched
