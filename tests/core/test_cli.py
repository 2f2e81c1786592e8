"""The ``seminario`` command line, including the end-to-end train → restore check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.audio.io import load, save
from core.cli import main
from core.metrics import si_sdr
from core.signals import mix_at_snr, speech_like, white_noise
from tests.conftest import make_pairs


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
def test_train_then_restore_an_unseen_file_improves_si_sdr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    noisy_dir, clean_dir = make_pairs(tmp_path / "data", count=12, seconds=3.0)
    model = tmp_path / "model.keras"
    code, out, err = run(
        capsys,
        "train",
        "--noisy",
        str(noisy_dir),
        "--clean",
        str(clean_dir),
        "-o",
        str(model),
        "--epochs",
        "8",
        "--json",
        "-q",
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["improvement_db"] > 1.0  # on the held-out validation files

    sr = 16000
    clean = speech_like(sr=sr, seconds=4.0, seed=777)  # never seen in training
    noisy = mix_at_snr(clean, white_noise(sr=sr, seconds=4.0, seed=778), snr_db=5.0)
    src = save(tmp_path / "unseen.wav", noisy, sr)
    code, out, err = run(
        capsys,
        "restore",
        str(src),
        "-o",
        str(tmp_path / "restored.wav"),
        "--model",
        str(model),
        "-q",
    )
    assert code == 0, err
    restored, _ = load(tmp_path / "restored.wav")
    gain = si_sdr(restored, clean) - si_sdr(noisy, clean)
    assert gain > 2.0, f"SI-SDR gain only {gain:.2f} dB"


def test_restore_several_files_into_a_folder(tmp_path: Path, capsys) -> None:
    a = save(tmp_path / "a.wav", white_noise(sr=16000, seconds=0.5), 16000)
    b = save(tmp_path / "b.flac", white_noise(sr=16000, seconds=0.5, seed=1), 16000)
    code, out, err = run(
        capsys,
        "restore",
        str(a),
        str(b),
        "-o",
        str(tmp_path / "out"),
        "--preset",
        "normalize",
        "--json",
        "-q",
    )
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.wav", "b.flac"]
    assert len(json.loads(out)) == 2
    # running again refuses to replace the outputs unless asked
    code, _, err = run(
        capsys,
        "restore",
        str(a),
        str(b),
        "-o",
        str(tmp_path / "out"),
        "--preset",
        "normalize",
        "-q",
    )
    assert code == 1 and "--overwrite" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["restore", "missing.wav", "-o", "out.wav"], "file not found"),
        (["restore", "IN", "-o", "IN"], "input file"),
        (["restore", "IN", "-o", "x.m4a", "--preset", "normalize"], "cannot write"),
        (["restore", "IN", "-o", "x.wav", "--preset", "shiny"], "unknown preset"),
        (["restore", "IN", "-o", "x.wav", "--model", "nope.keras"], "model not found"),
        (["info", "missing.wav"], "file not found"),
        (["pairs", "check", "--noisy", "a", "--clean", "b"], "does not exist"),
    ],
)
def test_errors_are_one_line_with_exit_code_1(
    tmp_path: Path, capsys, monkeypatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    src = save(tmp_path / "in.wav", white_noise(sr=16000, seconds=0.5), 16000)
    args = [str(src) if a == "IN" else a for a in args]
    code, out, err = run(capsys, *args)
    assert code == 1
    assert err.startswith("seminario: error:") and message in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_info_analyze_presets_and_pairs_check(tmp_path: Path, capsys) -> None:
    src = save(tmp_path / "in.wav", speech_like(sr=16000, seconds=2.0), 16000)
    code, out, _ = run(capsys, "info", str(src), "--json")
    assert code == 0 and json.loads(out)["samplerate"] == 16000
    code, out, _ = run(capsys, "analyze", str(src), "--json")
    data = json.loads(out)
    assert code == 0 and {"snr_db", "lufs", "dominant_hz", "band_energy_db"} <= set(data)
    code, out, _ = run(capsys, "presets")
    assert code == 0 and "default" in out
    noisy, clean = make_pairs(tmp_path / "p", count=2, seconds=1.0)
    code, out, _ = run(capsys, "pairs", "check", "--noisy", str(noisy), "--clean", str(clean))
    assert code == 0 and "2 pairs usable" in out


def test_help_everywhere() -> None:
    for args in (
        [],
        ["restore"],
        ["batch"],
        ["train"],
        ["analyze"],
        ["pairs", "check"],
        ["pairs", "make"],
        ["info"],
        ["demo"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "core.cli", *args, "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0 and "usage:" in proc.stdout


def test_strength_is_validated(tmp_path: Path, capsys) -> None:
    src = save(tmp_path / "in.wav", white_noise(sr=16000, seconds=0.5), 16000)
    with pytest.raises(SystemExit) as exc:
        main(["restore", str(src), "-o", str(tmp_path / "o.wav"), "--strength", "2"])
    assert exc.value.code == 2
    assert "between 0 and 1" in capsys.readouterr().err
    assert not (tmp_path / "o.wav").exists()


def test_pairs_make_synthesises_a_checkable_training_set(tmp_path: Path, capsys) -> None:
    clean_dir, noise_dir = tmp_path / "clean_in", tmp_path / "noise_in"
    clean_dir.mkdir()
    noise_dir.mkdir()
    for i in range(2):
        save(clean_dir / f"voice{i}.wav", speech_like(sr=16000, seconds=1.5, seed=i), 16000)
    save(noise_dir / "hiss.wav", white_noise(sr=16000, seconds=3.0), 16000)
    out = tmp_path / "pairs"
    code, text, _ = run(
        capsys, "pairs", "make", "--clean", str(clean_dir), "--noise", str(noise_dir),
        "-o", str(out), "--count", "3", "--seed", "7", "-q",
    )  # fmt: skip
    assert code == 0 and "3 noisy/clean pairs" in text
    assert len(list((out / "noisy").glob("*.wav"))) == 3
    params = json.loads((out / "params.json").read_text())
    assert params  # the degradations used are recorded
    code, text, _ = run(
        capsys, "pairs", "check", "--noisy", str(out / "noisy"), "--clean", str(out / "clean")
    )
    assert code == 0 and "3 pairs usable" in text
    # Same seed, same pairs: reproducible.
    again = tmp_path / "again"
    run(capsys, "pairs", "make", "--clean", str(clean_dir), "--noise", str(noise_dir),
        "-o", str(again), "--count", "3", "--seed", "7", "-q")  # fmt: skip
    for f in (out / "noisy").glob("*.wav"):
        assert (again / "noisy" / f.name).read_bytes() == f.read_bytes()


def test_demo_restores_the_shipped_recording_and_can_run_twice(tmp_path: Path, capsys) -> None:
    for _ in range(2):  # a second run replaces its own outputs
        code, out, _ = run(capsys, "demo", "-o", str(tmp_path), "--preset", "dehum", "-q")
        assert code == 0
    noisy, sr = load(out.splitlines()[0].split(": ", 1)[1])
    restored, _ = load(tmp_path / "demo_restored.wav")
    removed, _ = load(tmp_path / "demo_removed.wav")
    assert restored.shape == noisy.shape
    np.testing.assert_allclose(restored + removed, noisy, atol=2e-4)  # 24-bit rounding
    assert float(np.sqrt(np.mean(removed**2))) > 1e-4  # something was removed
