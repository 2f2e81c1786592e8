"""Output formats: one rule for what each holds; every format libsndfile writes, with
rate conversion and dither; the CLI picks the format from the output's extension."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.audio.formats import (
    OUTPUT_FORMATS,
    check_subtype,
    output_format,
    writable_rate,
    writable_subtype,
)
from core.audio.io import export_audio, info, load, save
from core.cli import main
from core.errors import AudioFormatError, UnsafeOutputError


def tone(sr: int, seconds: float = 1.0, channels: int = 2) -> np.ndarray:
    t = np.arange(int(sr * seconds)) / sr
    x = 0.4 * np.sin(2 * np.pi * 440.0 * t)
    return np.repeat(x[None], channels, axis=0).astype(np.float32)


@pytest.mark.parametrize("fmt", OUTPUT_FORMATS, ids=lambda f: f.extension)
def test_every_format_writes_and_reads_back(tmp_path: Path, fmt: object) -> None:
    sr = 48000
    audio = tone(sr)
    path = export_audio(tmp_path / f"x{fmt.extension}", audio, sr, subtype="PCM_16")  # type: ignore[attr-defined]
    back, back_sr = load(path)
    assert back_sr == sr and back.shape[0] == 2
    assert abs(back.shape[1] - audio.shape[1]) < 0.1 * sr  # codecs pad a little
    n = min(back.shape[1], audio.shape[1])
    # Lossy codecs keep the tone (correlation), lossless ones the samples.
    corr = np.corrcoef(back[0, 4000 : n - 4000], audio[0, 4000 : n - 4000])[0, 1]
    assert corr > 0.95
    expected = {".flac": "FLAC", ".wav": "WAV", ".aiff": "AIFF", ".mp3": "MP3"}
    assert sf.info(str(path)).format == expected.get(fmt.extension, "OGG")  # type: ignore[attr-defined]


def test_one_rule_for_what_a_format_holds() -> None:
    assert writable_subtype("a.flac", "FLOAT") == "PCM_24"
    assert writable_subtype("a.wav", "FLOAT") == "FLOAT"
    assert writable_subtype("a.AIF", "PCM_16") == "PCM_16"
    assert writable_subtype(".flac", "FLOAT") == "PCM_24"  # a bare extension too
    assert writable_subtype("a.mp3", "PCM_24") == "MPEG_LAYER_III"
    assert writable_subtype("a.opus", "FLOAT") == "OPUS"
    with pytest.raises(AudioFormatError, match="FLAC cannot store FLOAT"):
        check_subtype("a.flac", "FLOAT")
    with pytest.raises(AudioFormatError, match="cannot write"):
        output_format("a.m4a")
    assert writable_rate("a.opus", 44100) == 48000
    assert writable_rate("a.mp3", 96000) == 48000
    assert writable_rate("a.wav", 96000) == 96000


def test_flac_float_is_refused_by_the_writer(tmp_path: Path) -> None:
    with pytest.raises(AudioFormatError, match="FLAC"):
        save(tmp_path / "x.flac", tone(8000), 8000, subtype="FLOAT")
    assert not list(tmp_path.iterdir())


def test_export_converts_the_rate_and_never_replaces(tmp_path: Path) -> None:
    out = export_audio(tmp_path / "x.wav", tone(44100), 44100, rate=48000, subtype="PCM_24")
    assert info(out).samplerate == 48000 and info(out).frames == 48000
    opus = export_audio(tmp_path / "x.opus", tone(44100), 44100)
    assert info(opus).samplerate == 48000  # Opus has no 44.1 kHz: the next rate up
    with pytest.raises(UnsafeOutputError):
        export_audio(out, tone(44100), 44100)
    export_audio(out, tone(8000), 8000, overwrite=True)
    assert info(out).samplerate == 8000


def test_dither_is_a_choice_at_16_bits(tmp_path: Path) -> None:
    lsb = 1.0 / 32767
    level = np.full((1, 48000), 0.3 * lsb, np.float32)  # under half a step: rounds to 0
    plain = export_audio(tmp_path / "plain.wav", level, 48000, subtype="PCM_16", dither=False)
    dith = export_audio(tmp_path / "dith.wav", level, 48000, subtype="PCM_16", dither=True)
    a, _ = sf.read(str(plain), dtype="int16")
    b, _ = sf.read(str(dith), dtype="int16")
    assert not a.any()  # the level is lost without dither
    assert b.mean() == pytest.approx(0.3, abs=0.03)  # and kept on average with TPDF


@pytest.mark.parametrize("ext", [".mp3", ".ogg", ".aiff", ".flac"])
def test_cli_restore_picks_the_format_from_the_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ext: str
) -> None:
    src = save(tmp_path / "in.wav", tone(48000, seconds=0.5), 48000)
    out = tmp_path / f"out{ext}"
    code = main(["restore", str(src), "-o", str(out), "--preset", "normalize", "--json", "-q"])
    assert code == 0, capsys.readouterr().err
    assert out.exists() and info(out).samplerate == 48000
    report = json.loads(capsys.readouterr().out)
    assert report[0]["subtype"] == writable_subtype(out, "PCM_24")


def test_a_minute_of_stereo_exports_to_ogg_vorbis(tmp_path: Path) -> None:
    """libsndfile's Vorbis encoder crashes the process on one write this long; the
    writer hands it blocks (run in a child process, where a crash is a failed test)."""
    import subprocess
    import sys

    out = tmp_path / "minute.ogg"
    script = (
        "import numpy as np, sys\n"
        "from core.audio.io import save\n"
        "x = np.random.default_rng(0).standard_normal((2, 48000 * 60)).astype(np.float32)\n"
        "save(sys.argv[1], 0.1 * x, 48000, subtype='VORBIS')\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script, str(out)], cwd=root, timeout=300)
    assert done.returncode == 0
    assert info(out).frames == 48000 * 60 and info(out).channels == 2
