"""The one background-job API: outcomes, cancellation, yielded values, and its place below
the GUI."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

import pytest

from app.jobs import BACKGROUND_NICENESS, Job, JobSet
from core.errors import Cancelled


def _run(qtbot: Any, job: Job) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    job.returned.connect(lambda r: seen.setdefault("finished", r))
    job.errored.connect(lambda e: seen.setdefault("failed", e))
    job.aborted.connect(lambda: seen.setdefault("cancelled", True))
    with qtbot.waitSignal(job.finished, timeout=10_000):
        job.start()
    return seen


def test_outcomes_arrive_as_signals(qtbot: Any) -> None:
    def ok(x: int, *, progress: Any, cancel: Any) -> int:
        progress(1.0, "done")
        return x * 2

    def bad(*, progress: Any, cancel: Any) -> None:
        raise ValueError("no")

    def stopped(*, progress: Any, cancel: Any) -> None:
        raise Cancelled("by test")

    assert _run(qtbot, Job(ok, 21)) == {"finished": 42}
    assert isinstance(_run(qtbot, Job(bad))["failed"], ValueError)
    assert _run(qtbot, Job(stopped)) == {"cancelled": True}


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
    job, child = _run(qtbot, Job(niceness))["finished"]
    assert job >= BACKGROUND_NICENESS > gui or gui >= BACKGROUND_NICENESS
    assert child == job
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == gui  # GUI untouched


def test_signals_arrive_on_the_gui_thread_in_order(qtbot: Any) -> None:
    def counting(n: int, *, progress: Any, cancel: Any, report: Any) -> int:
        for i in range(n):
            report(i)
        progress(1.0, "counted")
        return n

    gui = threading.get_ident()
    seen: list[tuple[str, Any, bool]] = []
    job = Job(counting, 3, yield_to="report")
    for name in ("started", "yielded", "progress", "returned", "finished"):
        getattr(job, name).connect(
            lambda *args, name=name: seen.append((name, args, threading.get_ident() == gui))
        )
    with qtbot.waitSignal(job.finished, timeout=10_000):
        job.start()
    assert [s[0] for s in seen] == [
        "started",
        "yielded",
        "yielded",
        "yielded",
        "progress",
        "returned",
        "finished",
    ]
    assert [s[1] for s in seen if s[0] == "yielded"] == [(0,), (1,), (2,)]
    assert all(on_gui for _name, _args, on_gui in seen)
    assert not job.running


def test_a_job_set_cancels_its_jobs_and_says_when_it_is_idle(qtbot: Any) -> None:
    def wait(*, progress: Any, cancel: Any) -> None:
        while True:
            cancel.raise_if_cancelled()
            time.sleep(0.001)

    jobs = JobSet()
    aborted: list[bool] = []
    job = jobs.start(Job(wait))
    job.aborted.connect(lambda: aborted.append(True))
    assert jobs.busy
    with qtbot.waitSignal(jobs.idle, timeout=10_000):
        jobs.cancel_all()
    assert aborted == [True] and not jobs.busy


def test_a_job_deleted_with_its_owner_while_running_ends_quietly(qtbot: Any) -> None:
    from PySide6.QtCore import QObject

    from app.jobs import _RUNNING

    release = threading.Event()

    def slow(*, progress: Any, cancel: Any) -> int:
        release.wait(10)
        return 1

    owner = QObject()
    job = Job(slow, parent=owner)
    job.start()
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _is_alive(job), timeout=5_000)
    release.set()
    # It ran to its end without its signals' owner, and let go of itself.
    qtbot.waitUntil(lambda: job not in _RUNNING, timeout=10_000)


def _is_alive(obj: Any) -> bool:
    from shiboken6 import isValid

    return bool(isValid(obj))
