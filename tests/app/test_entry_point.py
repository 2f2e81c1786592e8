"""``python -m app``: arguments, the demo, and a screenshot run in a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.__main__ import demo_path, parse_args


def test_arguments() -> None:
    args = parse_args(["a.wav", "b.flac", "--demo", "--screenshot", "x.png"])
    assert args.files == ["a.wav", "b.flac"] and args.demo and args.screenshot == "x.png"


def test_demo_is_shipped_or_generated(tmp_path: Path) -> None:
    from core.audio.io import info

    path = demo_path(tmp_path)
    assert path.exists() and info(path).frames > 0


@pytest.mark.parametrize("apply", [[], ["--preset", "dehum", "--apply"]], ids=["open", "restored"])
def test_screenshot_of_an_opened_file(tmp_path: Path, apply: list[str]) -> None:
    """Saves the picture and quits, also with a restoration never exported (nothing asks)."""
    from core.audio.io import save
    from core.signals import tone

    wav = save(tmp_path / "tone.wav", tone(freq=440, sr=16000, seconds=1.0), 16000)
    png = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            str(wav),
            "--screenshot",
            str(png),
            "--no-sound",
            "--settings",
            str(tmp_path / "s.ini"),
            "--data-dir",
            str(tmp_path / "data"),
            *apply,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert png.stat().st_size > 10_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_self_test_passes_in_spanish(capsys: pytest.CaptureFixture[str]) -> None:
    """``--self-test`` (what the frozen app runs): window, model, demo restoration."""
    from app.__main__ import main

    assert main(["--self-test", "--language", "es"]) == 0
    out = capsys.readouterr().out
    assert "language es, first menu '&Archivo'" in out
    assert "ok   restore demo (auto preset)" in out and "self-test passed" in out
