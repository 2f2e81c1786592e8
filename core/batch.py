"""Restore whole folders: resumable, one process per core, or on a Ray cluster.

:func:`run_batch` walks the input folders, keeps their structure under the output
folder and restores each file with :func:`core.pipeline.restore_file`, the function
``seminario restore`` uses, so a file comes out bit-identical whichever way it ran.

A journal in the output folder (:data:`JOURNAL_NAME`, one JSON line per event) makes
a batch resumable: a second run skips the files done whose input is unchanged, redoes
the ones that changed, and retries failures only when asked. Before a file is handed
to a worker its ``started`` line is on disk, so whatever the moment a run is killed,
the next one knows an output it finds there is its own; outputs appear atomically
(:mod:`core.output`), so a killed run loses at most the files in flight.

Engines: ``local`` runs a pool of worker processes on this machine; ``ray`` runs the
same tasks on Ray (``pip install seminario-ia[cluster]``), a local runtime or an
existing cluster whose machines share the input and output paths. Each worker loads
its models once and runs on one thread (:func:`core.workers.limit_threads`), so
``N`` workers on ``N`` cores do not wait on each other.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import multiprocessing
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from core.audio.formats import output_format
from core.audio.io import audio_files, info
from core.chain import ChainConfig
from core.errors import Cancelled, ConfigError, SeminarioError
from core.output import (
    check_folder,
    check_output,
    check_outputs,
    make_folder,
    remove_leftovers,
    same_file,
)
from core.progress import CancelToken, ProgressCallback, check_cancel
from core.workers import available_cores

JOURNAL_NAME = "seminario-batch.jsonl"
MAX_ATTEMPTS = 3
"""Tries of a file whose worker process dies (killed, out of memory): a crash that
repeats on the same file is that file's, not bad luck."""
_IN_FLIGHT_PER_WORKER = 2  # one running, one queued: a worker never waits for the next
_HASH_CHUNK = 1 << 20

Engine = Literal["local", "ray"]
Status = Literal["started", "done", "failed"]


# --- what to do -----------------------------------------------------------------------


@dataclass(frozen=True)
class BatchOptions:
    """What every file of a batch is restored with (the same as ``seminario restore``)."""

    chain: ChainConfig
    strength: float = 1.0
    subtype: str | None = None
    extension: str = ".wav"

    def settings(self) -> dict[str, Any]:
        """What the journal records of them: a file done before is done for this run
        too only with the same ``id`` (a digest of the whole chain and the rest)."""
        chosen = {
            "chain": self.chain.to_dict(),
            "strength": self.strength,
            "subtype": self.subtype,
            "extension": self.extension,
        }
        digest = hashlib.sha256(json.dumps(chosen, sort_keys=True).encode()).hexdigest()
        return {
            "id": digest[:16],
            "chain": self.chain.name,
            "strength": self.strength,
            "subtype": self.subtype,
            "extension": self.extension,
        }


@dataclass(frozen=True)
class Task:
    """One file to restore: ``key`` is its path under the output folder, as the journal
    names it."""

    key: str
    src: Path
    dst: Path
    overwrite: bool = False
    """Replace ``dst``: only ever an output an earlier run of this batch wrote."""
    audio_s: float = 0.0


@dataclass
class BatchReport:
    """What a batch run did, file by file."""

    restored: list[Path] = field(default_factory=list)
    """Outputs written by this run."""
    skipped: list[Path] = field(default_factory=list)
    """Outputs done by an earlier run, for inputs that have not changed since."""
    failed: list[tuple[Path, str]] = field(default_factory=list)
    """Inputs not restored, each with its reason (also those that failed in an earlier run
    and were not retried)."""
    audio_s: float = 0.0
    """Seconds of audio restored by this run."""
    seconds: float = 0.0
    journal: Path | None = None

    @property
    def throughput(self) -> float:
        """Seconds of audio restored per second of this run."""
        return self.audio_s / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        """One line: how many files, how much audio, how fast."""
        line = (
            f"{len(self.restored)} restored, {len(self.skipped)} skipped (done before), "
            f"{len(self.failed)} failed; {self.audio_s / 3600:.2f} h "
            f"({_clock(self.audio_s)}) of audio in {_clock(self.seconds)}"
        )
        if self.audio_s:
            line += f" ({self.throughput:.1f} s of audio per second)"
        return line


@dataclass
class Plan:
    """The files of a batch: what to restore now, what an earlier run finished."""

    out_dir: Path
    tasks: list[Task]
    skipped: list[Path]
    failed_before: list[tuple[Path, str]]
    journal: Journal


# --- the journal ----------------------------------------------------------------------


class Journal:
    """The batch's record in ``folder``: one JSON object a line, the last for a file
    counts. Lines are appended and flushed to disk one by one; a line cut short by a
    killed run is ignored."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / JOURNAL_NAME
        self.entries: dict[str, dict[str, Any]] = {}
        self._file: Any = None
        if self.path.is_symlink() or (self.path.exists() and not self.path.is_file()):
            raise ConfigError(f"{self.path} is not a batch journal; move it away")
        if self.path.exists():
            with open(self.path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue  # the tail a killed run left half-written
                    if isinstance(entry, dict) and isinstance(entry.get("file"), str):
                        self.entries[entry["file"]] = entry

    def open(self) -> None:
        """Open for appending, as the one run writing into this folder."""
        if self._file is not None:
            return
        check_output(self.path, overwrite=True)  # the batch's own record, appended to
        self._file = open(self.path, "a+b")  # noqa: SIM115 (kept open for the run)
        try:
            import fcntl

            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # Windows: no advisory locks; one run at a time is on the user
            pass
        except OSError:
            self.close()
            raise ConfigError(
                f"another batch is writing into {self.path.parent}; wait for it to finish"
            ) from None
        self._file.seek(0, os.SEEK_END)
        if self._file.tell():
            self._file.seek(-1, os.SEEK_END)
            if self._file.read(1) != b"\n":
                self._file.write(b"\n")  # end a line cut short by a killed run

    def append(self, entry: dict[str, Any]) -> None:
        self.open()
        line = json.dumps(entry, ensure_ascii=False, allow_nan=False, default=str)
        self._file.write(line.encode("utf-8") + b"\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self.entries[entry["file"]] = entry

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def file_hash(path: Path) -> str:
    """SHA-256 of ``path``'s bytes, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _unchanged(src: Path, entry: dict[str, Any]) -> bool:
    """Whether ``src`` is the input ``entry`` recorded: same size and time, or else the
    same bytes (a copy or a ``touch`` changes the time, not the recording)."""
    try:
        st = src.stat()
    except OSError:
        return False
    if st.st_size != entry.get("size"):
        return False
    if st.st_mtime_ns == entry.get("mtime_ns"):
        return True
    try:
        return file_hash(src) == entry.get("sha256")
    except OSError:
        return False


# --- planning ----------------------------------------------------------------------------


def _sources(inputs: Sequence[Path], out_dir: Path) -> list[tuple[str, Path]]:
    """``(key, input file)`` for every audio file of ``inputs`` (folders, walked, or
    files); a folder's files keep their path below it, under the folder's name when
    there are several inputs."""
    found: list[tuple[str, Path]] = []
    several = len(inputs) > 1
    for item in inputs:
        if item.is_dir():
            if same_file(item, out_dir):
                raise ConfigError(
                    f"{item} is both an input folder and the output folder; "
                    "write the restored files into another folder"
                )
            prefix = f"{item.resolve().name}/" if several else ""
            found += [
                (prefix + p.relative_to(item).as_posix(), p)
                for p in audio_files(item, recursive=True, skip=[out_dir])
            ]
        elif item.is_file():
            found.append((item.name, item))
        else:
            raise ConfigError(f"input not found: {item}")
    return found


def plan_batch(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    options: BatchOptions,
    *,
    retry_failed: bool = False,
) -> Plan:
    """Decide what a run does with each input file, checking every output first (the
    output guard: no input written over, no file of someone else's replaced). The plan
    holds the output folder's journal, open and locked for this run."""
    output_format(options.extension)  # a format this program writes, or a clear error
    if not inputs:
        raise ConfigError("give at least one folder to restore")
    paths = [Path(p) for p in inputs]
    out = Path(out_dir)
    sources = _sources(paths, out)
    if not sources:
        raise ConfigError(f"no audio files in {', '.join(str(p) for p in paths)}")
    make_folder(out)
    journal = Journal(out)
    journal.open()
    try:
        return _plan(sources, out, options, journal, retry_failed)
    except BaseException:
        journal.close()
        raise


def _plan(
    sources: list[tuple[str, Path]],
    out: Path,
    options: BatchOptions,
    journal: Journal,
    retry_failed: bool,
) -> Plan:
    settings = options.settings()
    targets: dict[str, tuple[str, Path]] = {}
    tasks: list[Task] = []
    skipped: list[Path] = []
    failed_before: list[tuple[Path, str]] = []
    for key, src in sources:
        out_key = str(Path(key).with_suffix(options.extension).as_posix())
        if out_key in targets:
            raise ConfigError(
                f"{targets[out_key][1]} and {src} would both be restored to {out_key}; "
                "rename one of them"
            )
        dst = out / out_key
        targets[out_key] = (key, src)
        entry = journal.entries.get(out_key)
        ours = entry is not None  # an output the journal names is this batch's own
        same = (
            entry is not None
            and (entry.get("settings") or {}).get("id") == settings["id"]
            and Path(str(entry.get("input", ""))) == src.resolve()
            and _unchanged(src, entry)
        )
        status = entry.get("status") if entry is not None else None
        if same and status == "done" and dst.is_file():
            skipped.append(dst)
            continue
        if same and status == "failed" and not retry_failed and entry is not None:
            failed_before.append((src, str(entry.get("error", "failed"))))
            continue
        tasks.append(Task(out_key, src, dst, overwrite=ours and os.path.lexists(dst)))
    for folder in dict.fromkeys(t.dst.parent for t in tasks):
        make_folder(folder)
    everything = [src for _k, src in sources]
    check_outputs([t.dst for t in tasks if not t.overwrite], inputs=everything)
    check_outputs([t.dst for t in tasks if t.overwrite], inputs=everything, overwrite=True)
    check_folder(out)
    return Plan(out, [_with_duration(t) for t in tasks], skipped, failed_before, journal)


def _with_duration(task: Task) -> Task:
    try:
        seconds = info(task.src).duration
    except (SeminarioError, OSError):
        seconds = 0.0  # the worker reports what is wrong with the file
    return Task(task.key, task.src, task.dst, task.overwrite, seconds)


# --- the worker side ----------------------------------------------------------------------

_worker: dict[str, Any] = {}
"""This process's state as a batch worker: its loaded models, and where it reports."""


class _SharedCancel(CancelToken):
    """A cancel token set from another process (a ``multiprocessing`` event)."""

    def __init__(self, event: Any) -> None:
        self._event = event


def _die_with_parent() -> None:
    """Ask Linux to end this worker when the process that started it ends (a killed
    batch leaves no orphan working on)."""
    if sys.platform.startswith("linux"):
        try:
            pr_set_pdeathsig = 1
            ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
        except (OSError, AttributeError):
            pass


def start_worker(events: Any = None, stop: Any = None) -> None:
    """Make this process a batch worker: numeric work on one thread, a model cache
    kept for its whole life. Called once per worker process, before any work."""
    if _worker:
        return
    from core.runtime import tune_memory_allocator
    from core.steps import BuildContext
    from core.workers import limit_threads

    limit_threads(1)
    tune_memory_allocator()
    _worker.update(context=BuildContext(), events=events, stop=stop)
    if events is not None:  # the local pool: Ctrl+C goes to the parent, which stops us
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _die_with_parent()


def _report(key: str, fraction: float) -> None:
    events = _worker.get("events")
    if events is not None:
        events.put((key, fraction))


def restore_task(task: Task, options: BatchOptions) -> dict[str, Any]:
    """Restore one file in this worker; returns its journal entry, ``done`` or
    ``failed`` with the reason (a bad file is that file's failure, not the batch's)."""
    from core.pipeline import restore_file

    start_worker()
    stop = _worker.get("stop")
    cancel = _SharedCancel(stop) if stop is not None else None
    started = time.perf_counter()
    entry = _entry(task, options, "failed")
    entry["worker"] = f"{socket.gethostname()}:{os.getpid()}"
    _report(task.key, 0.0)
    last = [0.0]

    def progress(fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5:
            last[0] = now
            _report(task.key, fraction)

    try:
        st = task.src.stat()
        entry.update(size=st.st_size, mtime_ns=st.st_mtime_ns, sha256=file_hash(task.src))
        check_cancel(cancel)
        report = restore_file(
            task.src,
            task.dst,
            options.chain,
            strength=options.strength,
            subtype=options.subtype,
            progress=progress,
            cancel=cancel,
            context=_worker["context"],
            overwrite=task.overwrite,
        )
    except Cancelled:
        raise
    except (SeminarioError, OSError) as exc:
        entry["error"] = _one_line(exc)
    except Exception as exc:  # noqa: BLE001 (a bug on one file must not stop the batch)
        entry["error"] = f"unexpected {type(exc).__name__}: {_one_line(exc)}"
    else:
        entry.update(
            status="done",
            chain_run=report.chain.to_dict() if report.chain else None,
            audio_s=round(report.duration_s, 3),
            clipped_samples=report.clipped_samples,
        )
    entry["seconds"] = round(time.perf_counter() - started, 3)
    return entry


def _entry(task: Task, options: BatchOptions, status: Status) -> dict[str, Any]:
    return {
        "file": task.key,
        "input": str(task.src.resolve()),
        "output": task.key,
        "status": status,
        "settings": options.settings(),
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# --- engines -------------------------------------------------------------------------------

OnDone = Callable[[Task, dict[str, Any]], None]
OnProgress = Callable[[str, float], None]


def _run_local(
    tasks: Sequence[Task],
    options: BatchOptions,
    *,
    workers: int,
    before: Callable[[Task], None],
    on_done: OnDone,
    on_progress: OnProgress,
    cancel: CancelToken | None,
) -> None:
    """Run ``tasks`` on ``workers`` processes here. When a worker dies the files in
    flight go back to the queue, each up to :data:`MAX_ATTEMPTS` tries."""
    # Spawned, not forked: the caller may hold threads, Qt or TensorFlow. Events go
    # through a SimpleQueue, written at once: a worker killed right after saying it
    # started a file has said so.
    mp = multiprocessing.get_context("spawn")
    events, stop = mp.SimpleQueue(), mp.Event()
    todo = list(reversed(tasks))
    attempts: dict[str, int] = {}
    idle_deaths = 0
    while todo:
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=mp, initializer=start_worker, initargs=(events, stop)
        )
        running: dict[Future[dict[str, Any]], Task] = {}
        started: set[str] = set()
        broken = False
        try:
            while (todo or running) and not broken:
                while todo and len(running) < workers * _IN_FLIGHT_PER_WORKER:
                    task = todo.pop()
                    before(task)
                    running[pool.submit(restore_task, task, options)] = task
                done, _ = wait(running, timeout=0.25, return_when=FIRST_COMPLETED)
                _drain(events, on_progress, started)
                check_cancel(cancel)
                for future in done:
                    try:
                        entry = future.result()
                    except BrokenProcessPool:
                        broken = True
                    else:
                        on_done(running.pop(future), entry)
        except BaseException:
            stop.set()  # the workers stop their files at the next block, leaving none behind
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        if broken:
            _drain(events, on_progress, started)
            for folder in dict.fromkeys(t.dst.parent for t in running.values()):
                remove_leftovers(folder)  # the dead worker's temporary file
            # A try counts against the files a dead worker had begun.
            begun = [t for t in running.values() if t.key in started]
            idle_deaths = 0 if begun else idle_deaths + 1
            if idle_deaths >= MAX_ATTEMPTS:
                raise SeminarioError(
                    "the batch's worker processes stop before they can start a file; "
                    "run one file with 'seminario restore' to see why"
                )
            for task in begun:
                attempts[task.key] = attempts.get(task.key, 0) + 1
            for task in reversed(list(running.values())):
                if attempts.get(task.key, 0) >= MAX_ATTEMPTS:
                    on_done(task, _crashed(task, options, attempts[task.key]))
                else:
                    todo.append(task)


def _drain(events: Any, on_progress: OnProgress, started: set[str]) -> None:
    while not events.empty():
        key, fraction = events.get()
        started.add(key)
        on_progress(key, fraction)


def _crashed(task: Task, options: BatchOptions, tries: int) -> dict[str, Any]:
    entry = _entry(task, options, "failed")
    entry["error"] = (
        f"the worker process stopped while restoring this file ({tries} tries; "
        "killed, or out of memory)"
    )
    return entry


def _run_ray(
    tasks: Sequence[Task],
    options: BatchOptions,
    *,
    workers: int | None,
    address: str | None,
    before: Callable[[Task], None],
    on_done: OnDone,
    cancel: CancelToken | None,
) -> None:
    """Run ``tasks`` on Ray: a local runtime of ``workers`` CPUs, or the cluster at
    ``address``. Ray retries a task whose worker dies, up to :data:`MAX_ATTEMPTS` tries
    in all; then the file is recorded as failed."""
    try:
        import ray
        from ray.exceptions import RayError
    except ImportError:
        raise ConfigError("the ray engine needs Ray: pip install 'seminario-ia[cluster]'") from None

    started_here = not ray.is_initialized()
    if started_here:
        # Workers import this package from where this process does (on other machines,
        # the same path must hold it, or it must be installed there).
        package_root = str(Path(__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        ray.init(
            address=address,
            num_cpus=workers if address is None else None,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
            runtime_env={"env_vars": {"PYTHONPATH": path, "TF_CPP_MIN_LOG_LEVEL": "2"}},
        )
    try:
        slots = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        remote = ray.remote(num_cpus=1, max_retries=MAX_ATTEMPTS - 1)(restore_task)
        todo = list(reversed(tasks))
        running: dict[Any, Task] = {}
        try:
            while todo or running:
                while todo and len(running) < slots * _IN_FLIGHT_PER_WORKER:
                    task = todo.pop()
                    before(task)
                    running[remote.remote(task, options)] = task
                ready, _ = ray.wait(list(running), num_returns=1, timeout=0.25)
                check_cancel(cancel)
                for ref in ready:
                    task = running.pop(ref)
                    try:
                        entry = ray.get(ref)
                    except RayError as exc:
                        entry = _crashed(task, options, MAX_ATTEMPTS)
                        entry["error"] += f": {_one_line(exc).splitlines()[0][:300]}"
                    on_done(task, entry)
        except BaseException:
            for ref in running:
                ray.cancel(ref)  # KeyboardInterrupt in the task: its output is not published
            raise
    finally:
        if started_here:
            ray.shutdown()


# --- the batch -------------------------------------------------------------------------------


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


WORKER_MEMORY = 1 << 30
"""Memory to count per worker: one with both built-in models loaded, restoring 30 s
files, peaked at 0.92 GB (48 kHz mono; longer files add only a block's worth)."""


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None  # not Linux: trust the core count


def default_batch_workers() -> int:
    """Worker processes for a batch on this machine: one per core, as many as the free
    memory holds."""
    memory = _available_memory()
    fits = available_cores() if memory is None else max(1, memory // WORKER_MEMORY)
    return max(1, min(available_cores(), fits))


def run_batch(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    chain: ChainConfig,
    *,
    strength: float = 1.0,
    subtype: str | None = None,
    extension: str = ".wav",
    workers: int | None = None,
    engine: Engine = "local",
    ray_address: str | None = None,
    retry_failed: bool = False,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    on_file: Callable[[Path, dict[str, Any]], None] | None = None,
) -> BatchReport:
    """Restore every audio file in the folders (or files) ``inputs`` into ``out_dir``,
    keeping their relative paths, resuming what the journal there records.

    Parameters
    ----------
    workers : processes (local) or Ray CPUs (a local Ray runtime); by default one per
        core here, or the cluster's CPUs with ``ray_address``
    engine : ``"local"`` or ``"ray"``
    retry_failed : restore again the files an earlier run recorded as failed
    progress : files and audio hours so far
    on_file : called with each input and its journal entry as it finishes

    Every output is checked before any work; a file that fails is recorded with its
    reason and the batch goes on; cancelling stops the files in flight, leaving none
    half-written. Returns what was restored, skipped and failed.
    """
    begun = time.perf_counter()
    if engine not in ("local", "ray"):
        raise ConfigError(f"unknown engine {engine!r}; choose local or ray")
    if workers is not None and workers < 1:
        raise ConfigError("--workers must be at least 1")
    options = BatchOptions(chain, strength, subtype, extension)
    plan = plan_batch(inputs, out_dir, options, retry_failed=retry_failed)
    journal = plan.journal
    report = BatchReport(
        skipped=list(plan.skipped), failed=list(plan.failed_before), journal=journal.path
    )
    total_s = sum(t.audio_s for t in plan.tasks) or 1.0
    count = len(plan.tasks)
    done_s = 0.0
    partial: dict[str, float] = {}

    def show(message: str = "") -> None:
        if progress is not None:
            so_far = done_s + sum(partial.values())
            progress(
                min(so_far / total_s, 1.0),
                f"{len(report.restored) + len(report.failed) - len(plan.failed_before)}/{count}"
                f" files, {_clock(so_far)}/{_clock(total_s)} of audio{message}",
            )

    def before(task: Task) -> None:
        journal.append(_entry(task, options, "started"))

    def on_progress(key: str, fraction: float) -> None:
        task = by_key.get(key)
        if task is not None:
            partial[key] = fraction * task.audio_s
            show()

    def on_done(task: Task, entry: dict[str, Any]) -> None:
        nonlocal done_s
        journal.append(entry)
        partial.pop(task.key, None)
        done_s += task.audio_s
        if entry["status"] == "done":
            report.restored.append(task.dst)
            report.audio_s += float(entry.get("audio_s", 0.0))
        else:
            report.failed.append((task.src, str(entry.get("error", "failed"))))
        if on_file is not None:
            on_file(task.src, entry)
        show()

    by_key = {t.key: t for t in plan.tasks}
    try:
        show()
        if plan.tasks and engine == "local":
            _run_local(
                plan.tasks,
                options,
                workers=min(workers or default_batch_workers(), len(plan.tasks)),
                before=before,
                on_done=on_done,
                on_progress=on_progress,
                cancel=cancel,
            )
        elif plan.tasks:
            _run_ray(
                plan.tasks,
                options,
                workers=workers,
                address=ray_address,
                before=before,
                on_done=on_done,
                cancel=cancel,
            )
    finally:
        journal.close()
    for folder in dict.fromkeys(t.dst.parent for t in plan.tasks):
        remove_leftovers(folder)  # what the workers of a killed run left, now they are gone
    report.restored.sort()  # in the order of the folders, not of the workers
    report.failed.sort()
    report.seconds = time.perf_counter() - begun
    return report
