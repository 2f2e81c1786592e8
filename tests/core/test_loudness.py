"""Tests for core.dsp.loudness: peak/RMS, streaming BS.1770 meter, normalisation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest

from core.audio.io import save
from core.dsp.loudness import (
    LoudnessMeter,
    file_loudness,
    integrated_loudness,
    level_gain,
    normalize,
    peak_dbfs,
    rms_dbfs,
)
from core.errors import Cancelled, ConfigError, InvalidAudioError
from core.progress import CancelToken
from core.signals import pink_noise, speech_like, tone, white_noise


def _signal(kind: str, *, sr: int, channels: int, seconds: float = 3.3) -> np.ndarray:
    if kind == "noise":
        chans = [pink_noise(sr=sr, seconds=seconds, amplitude=0.1, seed=c) for c in range(channels)]
    elif kind == "tone":
        chans = [
            tone(freq=220 * (c + 1), sr=sr, seconds=seconds, amplitude=0.4 / (c + 1))
            for c in range(channels)
        ]
    else:  # speech-like with pauses exercises the relative gate
        chans = [speech_like(sr=sr, seconds=seconds, seed=c) for c in range(channels)]
    return np.concatenate(chans)


def _reference(audio: np.ndarray, sr: int) -> float:
    return float(pyloudnorm.Meter(sr).integrated_loudness(audio.T.astype(np.float64)))


@pytest.mark.parametrize("sr", [44_100, 48_000])
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("kind", ["noise", "tone", "speech"])
def test_meter_agrees_with_pyloudnorm(sr: int, channels: int, kind: str) -> None:
    audio = _signal(kind, sr=sr, channels=channels)
    ours = integrated_loudness(audio, sr=sr)
    assert ours == pytest.approx(_reference(audio, sr), abs=0.1)


def test_meter_agrees_with_pyloudnorm_on_five_channels() -> None:
    sr = 48_000
    audio = np.concatenate(
        [white_noise(sr=sr, seconds=2.0, amplitude=0.05 * (c + 1), seed=c) for c in range(5)]
    )
    assert integrated_loudness(audio, sr=sr) == pytest.approx(_reference(audio, sr), abs=0.1)


@pytest.mark.parametrize("sr", [44_100, 48_000, 11_025])
@pytest.mark.parametrize("channels", [1, 2])
def test_streaming_in_random_blocks_matches_one_block(sr: int, channels: int) -> None:
    audio = _signal("speech", sr=sr, channels=channels, seconds=4.1)
    whole = LoudnessMeter(sr=sr, channels=channels)
    whole.update(audio)

    streamed = LoudnessMeter(sr=sr, channels=channels)
    rng = np.random.default_rng(sr + channels)
    start = 0
    while start < audio.shape[1]:
        size = int(rng.choice([1, 777, 4800, 100_000, 0]))
        streamed.update(audio[:, start : start + size])
        start += size
    assert streamed.samples == audio.shape[1]
    assert streamed.integrated() == pytest.approx(whole.integrated(), abs=0.01)
    np.testing.assert_allclose(streamed.block_loudness(), whole.block_loudness(), atol=1e-6)


def test_997hz_full_scale_sine_reads_minus_3_01_lufs() -> None:
    # BS.1770: a 0 dBFS 997 Hz sine in one channel reads -3.01 LUFS. pyloudnorm's
    # RBJ-designed K-weighting (used here for agreement) lands about 0.04 dB below.
    for sr in (44_100, 48_000):
        sine = tone(freq=997, sr=sr, seconds=3.0, amplitude=1.0)
        assert integrated_loudness(sine, sr=sr) == pytest.approx(-3.01, abs=0.05)


def test_gain_scales_loudness_in_db() -> None:
    sr = 48_000
    audio = _signal("noise", sr=sr, channels=2)
    assert integrated_loudness(audio * 0.5, sr=sr) == pytest.approx(
        integrated_loudness(audio, sr=sr) - 6.0206, abs=1e-3
    )


def test_silence_and_short_signals_measure_minus_inf() -> None:
    sr = 48_000
    assert integrated_loudness(np.zeros((2, sr)), sr=sr) == -math.inf
    assert integrated_loudness(white_noise(sr=sr, seconds=0.3), sr=sr) == -math.inf
    # Below the -70 LUFS absolute gate.
    assert integrated_loudness(white_noise(sr=sr, seconds=1.0, amplitude=1e-5), sr=sr) == -math.inf
    assert LoudnessMeter(sr=sr, channels=1).integrated() == -math.inf


def test_relative_gate_ignores_quiet_passages() -> None:
    sr = 48_000
    loud = white_noise(sr=sr, seconds=2.0, amplitude=0.1)
    quiet = white_noise(sr=sr, seconds=4.0, amplitude=0.001, seed=3)  # 40 dB lower
    both = np.concatenate([loud, quiet], axis=1)
    gated = integrated_loudness(both, sr=sr)
    # Only the 3 blocks straddling the change pull it down a little; ungated, the
    # 4 s of quiet would drag it about 4.5 dB below the loud part.
    assert gated == pytest.approx(integrated_loudness(loud, sr=sr), abs=0.5)
    assert gated == pytest.approx(_reference(both, sr), abs=0.1)


def test_meter_rejects_wrong_channels_and_bad_settings() -> None:
    meter = LoudnessMeter(sr=48_000, channels=2)
    with pytest.raises(InvalidAudioError):
        meter.update(np.zeros((1, 100), dtype=np.float32))
    with pytest.raises(ConfigError):
        LoudnessMeter(sr=48_000, channels=0)
    with pytest.raises(ConfigError):
        LoudnessMeter(sr=48_000, channels=2, weights=[1.0])
    with pytest.raises(InvalidAudioError):
        LoudnessMeter(sr=10, channels=1)


def test_meter_reset_forgets_everything() -> None:
    sr = 44_100
    meter = LoudnessMeter(sr=sr, channels=1)
    meter.update(white_noise(sr=sr, seconds=1.0, amplitude=0.3))
    meter.reset()
    quiet = white_noise(sr=sr, seconds=1.0, amplitude=0.01, seed=5)
    meter.update(quiet)
    assert meter.integrated() == pytest.approx(integrated_loudness(quiet, sr=sr), abs=1e-9)


def test_file_loudness_streams_a_file(tmp_path: Path) -> None:
    sr = 44_100
    audio = _signal("speech", sr=sr, channels=2, seconds=3.0)
    path = save(tmp_path / "x.wav", audio, sr, subtype="FLOAT")
    fractions: list[float] = []
    value = file_loudness(path, block_seconds=0.37, progress=lambda f, m="": fractions.append(f))
    assert value == pytest.approx(integrated_loudness(audio, sr=sr), abs=0.01)
    assert fractions[-1] == pytest.approx(1.0) and fractions == sorted(fractions)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        file_loudness(path, cancel=token)


def test_peak_and_rms_dbfs() -> None:
    sine = tone(freq=1000, sr=48_000, seconds=1.0, amplitude=0.5)
    assert peak_dbfs(sine) == pytest.approx(-6.0206, abs=1e-3)
    assert rms_dbfs(sine) == pytest.approx(-6.0206 - 3.0103, abs=1e-3)
    stereo = np.stack([sine[0] * 0.1, sine[0]])
    assert peak_dbfs(stereo) == pytest.approx(-6.0206, abs=1e-3)
    assert peak_dbfs(np.zeros((2, 10))) == -math.inf
    assert rms_dbfs(np.zeros((2, 10))) == -math.inf


def test_gain_helpers() -> None:
    sr = 48_000
    sine = tone(freq=1000, sr=sr, seconds=1.0, amplitude=0.5)
    assert level_gain(peak_dbfs(sine), 0.0) == pytest.approx(2.0, rel=1e-4)
    assert level_gain(rms_dbfs(sine), -20.0) == pytest.approx(
        10 ** ((-20 - rms_dbfs(sine)) / 20), rel=1e-9
    )
    assert level_gain(integrated_loudness(sine, sr=sr), -23.0) == pytest.approx(
        10 ** ((-23 - integrated_loudness(sine, sr=sr)) / 20), rel=1e-9
    )
    silence = np.zeros((1, sr), dtype=np.float32)
    levels = (peak_dbfs(silence), rms_dbfs(silence), integrated_loudness(silence, sr=sr))
    assert [level_gain(level, -1.0) for level in levels] == [1.0, 1.0, 1.0]
    # amplification is capped where asked, attenuation never
    assert level_gain(-80.0, -1.0, max_gain_db=40.0) == pytest.approx(100.0)
    assert level_gain(-1.0, -60.0, max_gain_db=40.0) == pytest.approx(10 ** (-59 / 20))


@pytest.mark.parametrize("sr", [44_100, 48_000])
def test_normalize_to_minus_23_lufs(sr: int) -> None:
    audio = _signal("speech", sr=sr, channels=2)
    out = normalize(audio, sr=sr, mode="lufs", target=-23.0)
    assert out.dtype == np.float32 and out.shape == audio.shape
    assert integrated_loudness(out, sr=sr) == pytest.approx(-23.0, abs=0.1)
    assert _reference(out, sr) == pytest.approx(-23.0, abs=0.1)


@pytest.mark.parametrize("target", [-1.0, -12.5, 0.0])
def test_normalize_peak_hits_target(target: float) -> None:
    audio = _signal("noise", sr=44_100, channels=2)
    out = normalize(audio, sr=44_100, mode="peak", target=target)
    assert peak_dbfs(out) == pytest.approx(target, abs=0.01)


def test_normalize_rms_hits_target() -> None:
    audio = _signal("tone", sr=44_100, channels=1)
    out = normalize(audio, sr=44_100, mode="rms", target=-20.0)
    assert rms_dbfs(out) == pytest.approx(-20.0, abs=0.01)


@pytest.mark.parametrize("mode", ["peak", "rms", "lufs"])
def test_silence_stays_silence(mode: str) -> None:
    silence = np.zeros((2, 48_000), dtype=np.float32)
    out = normalize(silence, sr=48_000, mode=mode, target=-1.0)  # type: ignore[arg-type]
    assert out.shape == silence.shape and not np.any(out)
    assert np.all(np.isfinite(out))


def test_normalize_caps_amplification_at_40_db() -> None:
    quiet = tone(freq=1000, sr=48_000, seconds=1.0, amplitude=1e-4)  # -80 dBFS peak
    out = normalize(quiet, sr=48_000, mode="peak", target=-1.0)
    assert peak_dbfs(out) == pytest.approx(-80.0 + 40.0, abs=0.01)
    louder = normalize(quiet, sr=48_000, mode="peak", target=-1.0, max_gain_db=80.0)
    assert peak_dbfs(louder) == pytest.approx(-1.0, abs=0.01)
    # Attenuation is never capped.
    hot = tone(freq=1000, sr=48_000, seconds=1.0, amplitude=1.0)
    assert peak_dbfs(normalize(hot, sr=48_000, mode="peak", target=-60.0)) == pytest.approx(
        -60.0, abs=0.01
    )


def test_normalize_rejects_bad_mode_and_target() -> None:
    audio = tone(freq=1000, sr=48_000, seconds=0.5)
    with pytest.raises(ConfigError):
        normalize(audio, sr=48_000, mode="loud", target=-1.0)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        normalize(audio, sr=48_000, mode="peak", target=float("nan"))


def test_comparison_loudness_and_the_matching_gain() -> None:
    from core.dsp.loudness import MAX_MATCH_GAIN_DB, comparison_loudness, match_gain

    sr = 16000
    t = np.arange(sr * 3) / sr
    sine = (0.1 * np.sin(2 * np.pi * 997 * t)).astype(np.float32)[None]
    assert comparison_loudness(sine, sr=sr) == pytest.approx(integrated_loudness(sine, sr=sr))
    # Long signals are measured on excerpts (a steady tone reads the same).
    long = np.tile(sine, (1, 40))
    assert comparison_loudness(long, sr=sr) == pytest.approx(
        integrated_loudness(sine, sr=sr), abs=0.05
    )
    short = sine[:, :1000]  # under 400 ms: RMS instead of a gated loudness
    assert comparison_loudness(short, sr=sr) == pytest.approx(rms_dbfs(short))
    assert match_gain(-20.0, -26.0) == pytest.approx(10 ** (6 / 20))
    assert match_gain(-10.0, -60.0) == pytest.approx(10 ** (MAX_MATCH_GAIN_DB / 20))
    assert match_gain(-60.0, -10.0) == pytest.approx(10 ** (-MAX_MATCH_GAIN_DB / 20))
    assert match_gain(-20.0, -math.inf) == 1.0
