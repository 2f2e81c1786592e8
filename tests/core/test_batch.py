"""``seminario batch`` and :mod:`core.batch`: the tree, the journal and resuming, a bad
file among good ones, a killed run, and the same bytes as ``seminario restore`` on
every engine."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from core.audio.io import audio_files, info, save
from core.batch import JOURNAL_NAME, run_batch
from core.chain import load_preset
from core.cli import main
from core.errors import ConfigError, OutputExistsError
from core.pipeline import restore_file
from core.signals import mix_at_snr, pink_noise, speech_like

ROOT = Path(__file__).resolve().parents[2]


def recording(path: Path, *, seconds: float = 2.0, seed: int = 0) -> Path:
    """Speech-like sound in pink noise at 16 kHz."""
    path.parent.mkdir(parents=True, exist_ok=True)
    voice = speech_like(sr=16000, seconds=seconds, seed=seed)
    noise = pink_noise(sr=16000, seconds=seconds, seed=seed + 100)
    audio = mix_at_snr(voice, noise, snr_db=5.0)
    return save(path, audio, 16000, subtype="PCM_16", overwrite=True)


def journal(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / JOURNAL_NAME).read_text().splitlines()]


def last_entries(folder: Path) -> dict[str, dict[str, Any]]:
    return {e["file"]: e for e in journal(folder)}


def wait_for_writers_to_end(folder: Path) -> None:
    """Until the processes whose temporaries are in ``folder`` are gone (a worker ends a
    moment after the batch that started it was killed)."""
    pids = {int(m[1]) for p in folder.iterdir() if (m := re.search(r"-(\d+)-\w{8}\.part", p.name))}
    deadline = time.monotonic() + 30
    while pids and time.monotonic() < deadline:
        time.sleep(0.05)
        pids = {pid for pid in pids if alive(pid)}
    assert not pids, f"processes {pids} still running"


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_audio_files_lists_what_the_program_reads(tmp_path: Path) -> None:
    for name in ("b.WAV", "a.flac", "sub/c.mp3", ".hidden.wav", "._a.wav", "notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "d.wav").write_bytes(b"x")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "e.wav").write_bytes(b"x")
    names = lambda files: [p.relative_to(tmp_path).as_posix() for p in files]  # noqa: E731
    assert names(audio_files(tmp_path)) == ["a.flac", "b.WAV"]
    assert names(audio_files(tmp_path, recursive=True, skip=[tmp_path / "out"])) == [
        "a.flac",
        "b.WAV",
        "sub/c.mp3",
    ]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A folder with a subfolder and a damaged file, and what ``restore_file`` (the
    function of ``seminario restore``) writes for each good file with ``denoise``."""
    root = tmp_path_factory.mktemp("tree")
    src = root / "in"
    recording(src / "a.wav", seed=1)
    recording(src / "sub" / "b.flac", seed=2)
    (src / "sub" / "broken.wav").write_bytes(b"RIFF but not audio")
    reference = {}
    (root / "ref").mkdir()
    for key, path in (("a.wav", src / "a.wav"), ("sub/b.wav", src / "sub" / "b.flac")):
        out = restore_file(path, root / "ref" / key.replace("/", "_"), load_preset("denoise"))
        reference[key] = out.output.read_bytes()
    return src, reference


def test_a_batch_keeps_the_tree_records_a_bad_file_and_writes_what_restore_writes(
    tree: tuple[Path, dict[str, bytes]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, reference = tree
    out = tmp_path / "out"
    code = main(["batch", str(src), "-o", str(out), "--preset", "denoise", "--workers", "2"])
    stdout, stderr = capsys.readouterr()
    assert code == 1  # one file failed
    assert "2 restored, 0 skipped (done before), 1 failed" in stdout
    assert "broken.wav" in stderr and "damaged" in stderr
    for key, data in reference.items():
        assert (out / key).read_bytes() == data, key
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "a.wav",
        JOURNAL_NAME,
        "sub/b.wav",
    ]
    entries = last_entries(out)
    done = entries["sub/b.wav"]
    assert done["status"] == "done" and done["input"] == str((src / "sub" / "b.flac").resolve())
    assert done["size"] == (src / "sub" / "b.flac").stat().st_size and len(done["sha256"]) == 64
    assert done["audio_s"] == pytest.approx(2.0) and done["seconds"] > 0
    # the chain actually run: the model the programme chose, not "auto"
    models = [s["params"]["model"] for s in done["chain_run"]["steps"] if s["type"] == "model"]
    assert models and "auto" not in models
    bad = entries["sub/broken.wav"]
    assert bad["status"] == "failed" and "damaged" in bad["error"]


def test_the_ray_engine_writes_the_same_bytes(
    tree: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    pytest.importorskip("ray")
    src, reference = tree
    report = run_batch([src], tmp_path / "out", load_preset("denoise"), engine="ray", workers=2)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in report.restored) == [
        "a.wav",
        "sub/b.wav",
    ]
    assert [p.name for p, _e in report.failed] == ["broken.wav"]
    for key, data in reference.items():
        assert (tmp_path / "out" / key).read_bytes() == data, key


def test_a_second_run_skips_what_is_done_redoes_what_changed_retries_on_request(
    tmp_path: Path,
) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    recording(src / "a.wav", seed=1)
    b = recording(src / "b.wav", seed=2)
    (src / "c.wav").write_bytes(b"damaged")
    chain = load_preset("dehum")
    first = run_batch([src], out, chain, workers=1)
    assert [p.name for p in first.restored] == ["a.wav", "b.wav"] and len(first.failed) == 1
    a_written = (out / "a.wav").stat().st_mtime_ns

    os.utime(src / "a.wav")  # touched, the same bytes: still done
    second = run_batch([src], out, chain, workers=1)
    assert not second.restored and [p.name for p in second.skipped] == ["a.wav", "b.wav"]
    assert [p.name for p, _e in second.failed] == ["c.wav"]  # not retried, still reported
    assert (out / "a.wav").stat().st_mtime_ns == a_written

    tries = lambda: sum(e["file"] == "c.wav" for e in journal(out))  # noqa: E731
    before = tries()
    retried = run_batch([src], out, chain, workers=1, retry_failed=True)
    assert not retried.restored and [p.name for p, _e in retried.failed] == ["c.wav"]
    assert tries() == before + 2  # tried again: started, failed

    recording(b, seed=3)  # changed: redone, replacing the batch's own earlier output
    recording(src / "c.wav", seed=4)  # repaired: a changed input is tried again
    third = run_batch([src], out, chain, workers=1)
    assert [p.name for p in third.restored] == ["b.wav", "c.wav"] and not third.failed
    reference = restore_file(b, tmp_path / "b_ref.wav", chain)
    assert (out / "b.wav").read_bytes() == reference.output.read_bytes()

    # other settings are another batch: everything is redone
    fifth = run_batch([src], out, chain, workers=1, strength=0.5)
    assert len(fifth.restored) == 3 and not fifth.skipped and not fifth.failed


def test_a_batch_never_writes_over_an_input_or_someone_elses_file(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    recording(src / "a.wav")
    recording(src / "b.wav", seed=1)
    chain = load_preset("dehum")
    with pytest.raises(ConfigError, match="both an input folder and the output folder"):
        run_batch([src], src, chain)
    out.mkdir()
    (out / "b.wav").write_bytes(b"mine")
    with pytest.raises(OutputExistsError, match="b.wav already exists"):
        run_batch([src], out, chain)
    assert (out / "b.wav").read_bytes() == b"mine" and not (out / "a.wav").exists()
    recording(src / "a.flac", seed=2)
    with pytest.raises(ConfigError, match="would both be restored to a.wav"):
        run_batch([src], tmp_path / "elsewhere", chain)
    # an output folder inside the input folder is not read as input
    (src / "a.flac").unlink()
    (out / "b.wav").unlink()
    run_batch([src], src / "restored", chain, workers=1)
    again = run_batch([src], src / "restored", chain, workers=1)
    assert [p.name for p in again.skipped] == ["a.wav", "b.wav"]


def test_a_killed_batch_leaves_no_partial_output_and_resumes(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    names = [f"take_{i}.wav" for i in range(8)]
    for i, name in enumerate(names):
        recording(src / name, seconds=20.0, seed=i)
    command = [sys.executable, "-m", "core.cli", "batch", str(src), "-o", str(out)]
    command += ["--preset", "dehum", "--workers", "1", "-q"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / JOURNAL_NAME).exists() and '"done"' in (out / JOURNAL_NAME).read_text():
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the batch ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    wait_for_writers_to_end(out)
    done_before = {e["file"] for e in journal(out) if e["status"] == "done"}
    assert 1 <= len(done_before) < len(names)
    for path in (out / name for name in names if (out / name).exists()):  # all whole
        assert info(path).frames == 20 * 16000, path.name

    report = run_batch([src], out, load_preset("dehum"), workers=1)
    assert {p.name for p in report.skipped} == done_before
    assert len(report.restored) == len(names) - len(done_before) and not report.failed
    assert sorted(p.name for p in out.iterdir()) == sorted([*names, JOURNAL_NAME])  # no temp
    redone = report.restored[0]
    reference = restore_file(src / redone.name, tmp_path / "ref.wav", load_preset("dehum"))
    assert redone.read_bytes() == reference.output.read_bytes()


def test_a_batch_worker_runs_on_one_thread_and_loads_each_model_once(
    tmp_path: Path, tiny_bundle_path: Path
) -> None:
    """In a fresh process (the setting is the process's): what a worker starts with."""
    for i in range(3):
        recording(tmp_path / f"{i}.wav", seconds=1.0, seed=i)
    script = textwrap.dedent(
        f"""
        import json, sys
        from pathlib import Path
        import core.model.bundle as bundle
        from core.batch import BatchOptions, Task, restore_task, start_worker
        from core.chain import load_preset
        from core.workers import default_workers
        from threadpoolctl import threadpool_info

        loads = []
        real = bundle.load_bundle
        bundle.load_bundle = lambda spec: loads.append(str(spec)) or real(spec)
        start_worker()
        chain = load_preset("denoise").with_model({str(tiny_bundle_path)!r})
        folder = Path({str(tmp_path)!r})
        entries = [
            restore_task(Task(f"{{i}}.wav", folder / f"{{i}}.wav", folder / f"{{i}}_out.wav"),
                         BatchOptions(chain))
            for i in range(3)
        ]
        import os
        print(json.dumps({{
            "status": [e["status"] for e in entries],
            "loads": loads,
            "workers": default_workers(),
            "blas": sorted({{p["num_threads"] for p in threadpool_info()}}),
            "tf": [os.environ["TF_NUM_INTRAOP_THREADS"], os.environ["TF_NUM_INTEROP_THREADS"]],
        }}))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["status"] == ["done"] * 3
    assert result["loads"] == [str(tiny_bundle_path)]
    assert result["workers"] == 1 and result["blas"] == [1] and result["tf"] == ["1", "1"]


def test_a_worker_that_dies_is_replaced_and_its_file_recorded_after_three_tries(
    tmp_path: Path,
) -> None:
    """A worker killed in the middle of a file (as the system does when memory runs out):
    the file is tried again in a new worker, then recorded as failed; the others go on."""
    import multiprocessing
    import threading

    src, out = tmp_path / "in", tmp_path / "out"
    recording(src / "a.wav", seconds=60.0)
    recording(src / "b.wav", seconds=1.0, seed=1)
    result: dict[str, Any] = {}
    thread = threading.Thread(
        target=lambda: result.update(report=run_batch([src], out, load_preset("dehum"), workers=1))
    )
    thread.start()
    kills = 0
    deadline = time.monotonic() + 240
    while thread.is_alive() and kills < 3 and time.monotonic() < deadline:
        writing_a = out.is_dir() and any(p.name.startswith(".a.wav.") for p in out.iterdir())
        children = multiprocessing.active_children()
        if writing_a and children:
            for child in children:
                os.kill(child.pid, signal.SIGKILL)
            kills += 1
            while out.is_dir() and any(p.name.startswith(".a.wav.") for p in out.iterdir()):
                time.sleep(0.005)  # until the batch has seen the death and cleaned up
        time.sleep(0.005)
    thread.join(timeout=240)
    assert kills == 3
    report = result["report"]
    assert [p.name for p in report.restored] == ["b.wav"]
    assert [p.name for p, _e in report.failed] == ["a.wav"]
    assert "3 tries" in report.failed[0][1] and "out of memory" in report.failed[0][1]
    assert sorted(p.name for p in out.iterdir()) == ["b.wav", JOURNAL_NAME]


def test_cancelling_a_batch_stops_the_files_in_flight_and_leaves_none_half_written(
    tmp_path: Path, tiny_bundle_path: Path
) -> None:
    import threading

    from core.errors import Cancelled
    from core.progress import CancelToken

    src, out = tmp_path / "in", tmp_path / "out"
    recording(src / "a.wav", seconds=240.0)  # eight blocks: the cancel lands mid-file
    recording(src / "b.wav", seconds=1.0, seed=1)
    token = CancelToken()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            # A model step; the cancel lands once the output is open, between blocks.
            chain = load_preset("denoise").with_model(str(tiny_bundle_path))
            run_batch([src], out, chain, workers=1, cancel=token)
        except Cancelled as exc:
            outcome["cancelled"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (
        out.is_dir() and any(p.name.startswith(".a.wav.") for p in out.iterdir())
    ):
        time.sleep(0.005)
    token.cancel()
    cancelled_at = time.monotonic()
    thread.join(timeout=120)
    assert "cancelled" in outcome
    assert time.monotonic() - cancelled_at < 30  # at the next block, not after the file
    assert sorted(p.name for p in out.iterdir()) == [JOURNAL_NAME]
    assert {e["status"] for e in journal(out)} == {"started"}
