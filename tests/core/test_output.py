"""The output guard (core.output): inputs, existing files, races, full disks, leftovers."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import core.output as guard
from core.audio.io import AudioWriter, save
from core.errors import (
    DiskFullError,
    FolderNotWritableError,
    InputAsOutputError,
    OutputConflictError,
    OutputExistsError,
    UnsafeOutputError,
    WriteError,
)

ROOT = Path(__file__).resolve().parents[2]


def _dead_pid() -> int:
    """The id of a process that has ended (and was reaped)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


def _temp_name(name: str, pid: int, host: str | None = None) -> str:
    return f".{name}.seminario-{host or guard._HOST}-{pid}-abcd_123.part.wav"


# --- inputs and existing files ----------------------------------------------------------


def test_an_input_is_refused_however_it_is_named(tmp_path: Path) -> None:
    rec = tmp_path / "rec.wav"
    rec.write_bytes(b"precious")
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.wav").symlink_to(rec)
    os.link(rec, tmp_path / "hard.wav")
    names = [rec, tmp_path / "sub" / ".." / "rec.wav", tmp_path / "link.wav", tmp_path / "hard.wav"]
    for name in names:
        for overwrite in (False, True):
            with pytest.raises(InputAsOutputError, match="input file"):
                guard.check_outputs([name], inputs=[rec], overwrite=overwrite)
            with pytest.raises(InputAsOutputError):
                guard.write_text(name, "x", inputs=[rec], overwrite=overwrite)
    assert rec.read_bytes() == b"precious"


def test_an_existing_file_is_refused_unless_overwrite(tmp_path: Path) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text("mine")
    (tmp_path / "dangling.csv").symlink_to(tmp_path / "nowhere")
    for name in (mine, tmp_path / "dangling.csv"):
        with pytest.raises(OutputExistsError, match="already exists"):
            guard.write_text(name, "new")
    assert mine.read_text() == "mine" and not (tmp_path / "nowhere").exists()
    guard.write_text(mine, "new", overwrite=True)
    assert mine.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.csv", "mine.csv"]


def test_outputs_are_checked_together(tmp_path: Path) -> None:
    with pytest.raises(UnsafeOutputError, match="named twice"):
        guard.check_outputs([tmp_path / "a.wav", tmp_path / "." / "a.wav"])
    with pytest.raises(UnsafeOutputError, match="is a folder"):
        guard.check_outputs([tmp_path / "a.wav", tmp_path], overwrite=True)
    with pytest.raises(WriteError, match="does not exist"):
        guard.check_outputs([tmp_path / "a.wav", tmp_path / "missing" / "b.wav"])


def test_unicode_and_long_names(tmp_path: Path) -> None:
    name = "grabación ñandú 🎙️ " + "x" * (240 - len("grabación ñandú 🎙️ ".encode())) + ".wav"
    assert len(name.encode()) <= 255
    path = save(tmp_path / name, np.zeros((1, 100), np.float32), 8000)
    assert path.exists() and [p.name for p in tmp_path.iterdir()] == [name]


# --- publishing without clobbering --------------------------------------------------------


def test_a_file_that_appears_after_the_check_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.wav"
    with pytest.raises(OutputConflictError, match="was kept"):
        with AudioWriter(target, sr=8000, channels=1) as writer:
            writer.write(np.zeros((1, 100), np.float32))
            target.write_bytes(b"someone else's")  # appears while we write
    assert target.read_bytes() == b"someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["out.wav"]


@pytest.mark.parametrize("renameat2", [True, False], ids=["renameat2", "link"])
def test_two_writers_of_one_new_name_one_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, renameat2: bool
) -> None:
    if not renameat2:
        monkeypatch.setattr(guard, "_renameat2", None)
    elif guard._renameat2 is None:
        pytest.fail("this C library has no renameat2; the link test covers the fallback")
    target = tmp_path / "out.txt"
    both_checked = threading.Barrier(2)
    results: list[object] = []

    def writer(text: str) -> None:
        guard.check_output(target)
        both_checked.wait()  # neither sees the other's file at the check
        try:
            with guard.writing(target) as tmp:
                tmp.write_text(text)
            results.append(text)
        except OutputConflictError as exc:
            results.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("first", "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [r for r in results if isinstance(r, str)]
    lost = [r for r in results if isinstance(r, OutputConflictError)]
    assert len(won) == 1 and len(lost) == 1
    assert target.read_text() == won[0]
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_without_hard_links_the_fallback_still_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guard, "_renameat2", None)

    def no_links(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(guard.os, "link", no_links)
    guard.write_text(tmp_path / "a.txt", "a")
    assert (tmp_path / "a.txt").read_text() == "a"
    with guard.PendingFile(tmp_path / "b.txt") as pending:
        pending.tmp.write_text("late")
        (tmp_path / "b.txt").write_text("first")
        with pytest.raises(OutputConflictError):
            pending.commit()
    assert (tmp_path / "b.txt").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_published_files_get_ordinary_permissions(tmp_path: Path) -> None:
    path = guard.write_text(tmp_path / "a.txt", "a")
    assert path.stat().st_mode & 0o777 == 0o666 & ~guard._umask()


# --- disks that refuse ----------------------------------------------------------------------


def test_a_full_disk_mid_write_removes_the_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = sf.SoundFile.write
    calls = [0]

    def fill_up(self: sf.SoundFile, data: np.ndarray) -> None:
        calls[0] += 1
        if calls[0] > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(self, data)

    monkeypatch.setattr(sf.SoundFile, "write", fill_up)
    with pytest.raises(DiskFullError, match="not enough space to write out.wav"):
        with AudioWriter(tmp_path / "out.wav", sr=8000, channels=1) as writer:
            for _ in range(5):
                writer.write(np.zeros((1, 1000), np.float32))
    assert list(tmp_path.iterdir()) == []

    def fsync_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(guard.os, "fsync", fsync_full)
    with pytest.raises(DiskFullError):
        guard.write_text(tmp_path / "report.csv", "a,b\n" * 1000)
    assert list(tmp_path.iterdir()) == []


def test_a_real_refusal_mid_write_is_one_typed_error(tmp_path: Path) -> None:
    """The kernel stops the file at 64 KiB (RLIMIT_FSIZE) while libsndfile writes."""
    script = f"""
import resource, signal, sys
import numpy as np
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
from core.audio.io import save
from core.errors import WriteError
try:
    save({str(tmp_path / "big.wav")!r}, np.zeros((2, 48000), np.float32), 48000)
except WriteError as exc:
    print(type(exc).__name__, exc)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.startswith("DiskFullError"), result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("code", "sentence"),
    [(errno.EROFS, "read-only disk"), (errno.EACCES, "no permission to write in")],
)
def test_a_folder_that_cannot_be_written_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, sentence: str
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(FolderNotWritableError, match=sentence):
        save(tmp_path / "out.wav", np.zeros((1, 100), np.float32), 8000)
    with pytest.raises(FolderNotWritableError, match=sentence):
        guard.write_text(tmp_path / "out.csv", "x")
    monkeypatch.undo()
    monkeypatch.setattr(guard.os, "access", lambda *a, **k: False)
    with pytest.raises(FolderNotWritableError, match="no permission"):
        guard.check_output(tmp_path / "out.wav")  # before any work starts


# --- leftovers ----------------------------------------------------------------------------


def test_leftovers_of_ended_runs_are_removed_and_nothing_else(tmp_path: Path) -> None:
    dead = _dead_pid()
    leftover = tmp_path / _temp_name("take1.wav", dead)
    running = tmp_path / _temp_name("take2.wav", os.getppid())
    elsewhere = "0000" if guard._HOST != "0000" else "0001"
    other_host = tmp_path / _temp_name("take3.wav", dead, host=elsewhere)  # a shared folder
    users = [tmp_path / ".notes.part", tmp_path / "take1.seminario-1-x.part.wav"]
    for path in [leftover, running, other_host, *users]:
        path.write_bytes(b"x")
    guard.write_text(tmp_path / "report.csv", "x")  # a run in that folder cleans up
    assert not leftover.exists()
    assert running.exists() and other_host.exists() and all(p.exists() for p in users)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="zombies are read from /proc")
def test_the_leftover_of_an_ended_but_unreaped_writer_is_removed(tmp_path: Path) -> None:
    # a worker orphaned by a killed batch stays a zombie where nothing reaps it (CI)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    stat = Path(f"/proc/{child.pid}/stat")
    try:
        for _ in range(600):
            if stat.read_text().rpartition(")")[2].split()[0] == "Z":
                break
            threading.Event().wait(0.05)
        leftover = tmp_path / _temp_name("take1.wav", child.pid)
        leftover.write_bytes(b"x")
        assert guard.remove_leftovers(tmp_path) == [leftover]
    finally:
        child.wait()


def test_a_killed_run_leaves_nothing_after_the_next_run(tmp_path: Path) -> None:
    script = f"""
import os, signal
import numpy as np
from core.audio.io import AudioWriter
w = AudioWriter({str(tmp_path / "a.wav")!r}, sr=8000, channels=1)
w.write(np.zeros((1, 1000), np.float32))
os.kill(os.getpid(), signal.SIGKILL)
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=60)
    assert result.returncode == -9
    assert [p.name.endswith(".part.wav") for p in tmp_path.iterdir()] == [True]
    save(tmp_path / "b.wav", np.zeros((1, 10), np.float32), 8000)
    assert [p.name for p in tmp_path.iterdir()] == ["b.wav"]


def test_scratch_folders_of_ended_runs_are_removed(tmp_path: Path) -> None:
    root = Path(tempfile.gettempdir())
    old = root / f"seminario-{guard._HOST}-{_dead_pid()}-abcd_123"
    old.mkdir()
    (old / "pass.w64").write_bytes(b"x")
    with guard.scratch_folder() as folder:
        assert folder.is_dir() and not old.exists()
    assert not folder.exists()


def test_free_path_skips_names_in_use(tmp_path: Path) -> None:
    (tmp_path / "m.keras").write_bytes(b"")
    (tmp_path / "m-2.json").write_bytes(b"")
    assert guard.free_path(tmp_path / "m.keras", companions=[".json"]) == tmp_path / "m-3.keras"
    assert guard.free_path(tmp_path / "new.keras") == tmp_path / "new.keras"
    (tmp_path / "pairs").mkdir()
    assert guard.free_path(tmp_path / "pairs") == tmp_path / "pairs-2"


def test_a_read_only_disk_is_named_as_such_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class ReadOnly:
        f_flag = os.ST_RDONLY

    monkeypatch.setattr(guard.os, "access", lambda *a, **k: False)
    monkeypatch.setattr(guard.os, "statvfs", lambda path: ReadOnly())
    with pytest.raises(FolderNotWritableError, match="is on a read-only disk"):
        guard.check_output(tmp_path / "out.wav")
