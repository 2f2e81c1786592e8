"""Issue 26's unclear messages: each failure is one typed error and one line a user can act on."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.audio import io
from core.chain import MAX_CHAIN_STEPS, ChainConfig
from core.cli import main
from core.errors import (
    AudioTooLongError,
    ChainFileError,
    ConfigError,
    DamagedAudioError,
    ModelFormatError,
)
from core.signals import tone

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``seminario`` as a user runs it: its own process and terminal streams."""
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "SEMINARIO_DEBUG": ""},
    )


def forged_flac(tmp_path: Path) -> Path:
    """A valid short FLAC whose STREAMINFO claims 2^36 - 1 frames (about 400 hours)."""
    path = tmp_path / "huge.flac"
    sf.write(path, np.zeros((1000, 2), np.float32), 48000, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    # STREAMINFO starts at byte 8; its total-samples field is the low 36 bits at 21..25.
    data[21] |= 0x0F
    data[22:26] = b"\xff\xff\xff\xff"
    path.write_bytes(bytes(data))
    return path


# --- audio files ---------------------------------------------------------------------------


def test_a_header_claiming_hundreds_of_hours_is_damaged_not_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = forged_flac(tmp_path)
    with sf.SoundFile(path) as f:
        assert f.frames == 2**36 - 1  # what libsndfile believes
    for read in (io.info, io.load):
        with pytest.raises(DamagedAudioError, match="claims 398 hours of audio in"):
            read(path)
    code, _, err = run(capsys, "analyze", str(path))
    assert code == 1 and err.count("\n") == 1 and "damaged" in err


def test_a_wav_header_promising_more_than_the_file_holds_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "short.wav"
    sf.write(path, np.full((1000, 1), 0.25, np.float32), 8000, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    at = data.find(b"data")
    data[at + 4 : at + 8] = (0xFFFFFFF0).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    audio, _ = io.load(path)
    assert audio.shape == (1, 1000)


def test_a_recording_larger_than_memory_is_refused_before_allocating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = io.save(tmp_path / "a.wav", tone(freq=100, sr=8000, seconds=1.0), 8000)
    monkeypatch.setattr(io.os, "sysconf", lambda name: 1024 if "PAGES" in name else 4)
    with pytest.raises(AudioTooLongError, match="too long to open at once"):
        io.load(path)


def test_random_bytes_named_mp3_say_not_audio_and_stay_quiet(tmp_path: Path) -> None:
    path = tmp_path / "song.mp3"
    path.write_bytes(np.random.default_rng(3).integers(0, 256, 20000, np.uint8).tobytes())
    with pytest.raises(DamagedAudioError, match="not audio SeminarioIA can read"):
        io.info(path)
    result = cli("info", str(path))
    assert result.returncode == 1
    # One line: no "possibly a pipe?", and no decoder notes ("Note: Illegal Audio-MPEG…").
    assert result.stderr.count("\n") == 1 and "pipe" not in result.stderr, result.stderr
    assert result.stderr.startswith("seminario: error: song.mp3 is not audio")


def test_one_sample_at_48_khz_restores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = io.save(tmp_path / "one.wav", np.full((2, 1), 0.1, np.float32), 48000)
    code, _, err = run(capsys, "restore", str(src), "-o", str(tmp_path / "out.wav"), "-q")
    assert code == 0, err
    assert io.info(tmp_path / "out.wav").frames == 1


def test_float_output_over_full_scale_says_what_happens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loud = np.concatenate([np.full((1, 100), 1.5), np.full((1, 100), -1.5)], axis=1)
    src = io.save(tmp_path / "loud.wav", loud.astype(np.float32), 8000, subtype="FLOAT")
    chain = tmp_path / "chain.json"
    chain.write_text(json.dumps({"steps": [{"type": "dc"}]}))
    base = ["restore", str(src), "--chain", str(chain), "-q"]
    code, _, err = run(capsys, *base, "-o", str(tmp_path / "f.wav"))
    assert code == 0 and "float file keeps them" in err and "were clipped" not in err, err
    assert np.abs(io.load(tmp_path / "f.wav")[0]).max() > 1.4  # kept, as it says
    code, _, err = run(capsys, *base, "-o", str(tmp_path / "i.wav"), "--format", "PCM_24")
    assert code == 0 and "were clipped" in err, err
    assert np.abs(io.load(tmp_path / "i.wav")[0]).max() <= 1.0


# --- chains --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        (float("nan"), "must be a finite number"),
        (float("inf"), "must be a finite number"),
        (2.5, "must be a whole number"),
        ("3", "must be a number"),
    ],
)
def test_an_integer_parameter_must_be_a_whole_number(value: object, sentence: str) -> None:
    with pytest.raises(ConfigError, match=sentence):
        ChainConfig.from_dict({"steps": [{"type": "dehum", "params": {"harmonics": value}}]})


def test_chain_files_with_nan_huge_or_nested_content_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wav = io.save(tmp_path / "a.wav", tone(freq=100, sr=8000, seconds=0.2), 8000)
    cases = {
        "nan.json": ('{"steps": [{"type": "dehum", "params": {"harmonics": NaN}}]}', "finite"),
        "nested.json": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        "long.json": (json.dumps({"steps": [{"type": "dc"}] * 1000}), "1000 steps; at most"),
        "big.json": (" " * (2 << 20) + "{}", "larger than 1024 KiB"),
    }
    for name, (text, sentence) in cases.items():
        (tmp_path / name).write_text(text)
        started = time.perf_counter()
        code, _, err = run(
            capsys, "restore", str(wav), "-o", str(tmp_path / "o.wav"), "--chain",
            str(tmp_path / name),
        )  # fmt: skip
        assert code == 1 and sentence in err and err.count("\n") == 1, (name, err)
        assert time.perf_counter() - started < 5
    with pytest.raises(ChainFileError):
        ChainConfig.from_dict({"steps": [{"type": "dc"}] * (MAX_CHAIN_STEPS + 1)})
    ChainConfig.from_dict({"steps": [{"type": "dc"}] * MAX_CHAIN_STEPS})


# --- models --------------------------------------------------------------------------------


def test_a_model_description_with_nan_normalisation_names_the_file(
    tiny_bundle_path: Path, tmp_path: Path
) -> None:
    from core.model.bundle import load_meta, meta_path

    copy = tmp_path / "m.keras"
    shutil.copy(tiny_bundle_path, copy)
    data = json.loads(meta_path(tiny_bundle_path).read_text())
    for bad in (float("nan"), float("inf"), 0.0):
        data["norm"]["std"][3] = bad
        meta_path(copy).write_text(json.dumps(data))
        with pytest.raises(ModelFormatError, match="m.json: .*NaN, infinite or non-positive"):
            load_meta(copy)


def test_errors_print_as_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def multi_line(path: object) -> None:
        raise ModelFormatError("cannot load model m.keras: first\n  second\n\tthird")

    monkeypatch.setattr(io, "info", multi_line)
    code, _, err = run(capsys, "info", "x.wav")
    assert code == 1 and err == "seminario: error: cannot load model m.keras: first second third\n"

    def refused(path: object) -> None:
        raise PermissionError(13, "Permission denied", "x.wav")

    monkeypatch.setattr(io, "info", refused)
    code, _, err = run(capsys, "info", "x.wav")
    assert code == 1 and err == "seminario: error: x.wav: Permission denied\n"


# --- signals -------------------------------------------------------------------------------


def test_sigterm_cleans_up_says_interrupted_and_exits_143(tmp_path: Path) -> None:
    src = io.save(tmp_path / "long.wav", tone(freq=100, sr=48000, seconds=600.0), 48000)
    chain = tmp_path / "slow.json"
    chain.write_text(json.dumps({"steps": [{"type": "declick"}] * 8}))
    out = tmp_path / "out.wav"
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "restore", str(src), "-o", str(out), "--chain",
         str(chain), "-q"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".part.wav") for p in tmp_path.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, "the run never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert err.strip() == "seminario: interrupted; no partial output was left"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.wav", "slow.json"]
