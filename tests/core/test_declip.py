"""Clipping repair: detection of the clip level, reconstruction gain, transparency."""

from __future__ import annotations

import numpy as np
import pytest

from core.dsp.declip import ClipReport, DeclipConfig, declip, detect_clipping
from core.errors import ConfigError
from core.metrics import si_sdr
from core.signals import speech_like, tone, white_noise


def loud_speech(*, sr: int, seconds: float, seed: int = 1) -> np.ndarray:
    noise = white_noise(sr=sr, seconds=seconds, amplitude=0.002, seed=seed + 100)
    return (3.0 * speech_like(sr=sr, seconds=seconds, seed=seed) + noise).astype(np.float32)


def tones(*, sr: int, seconds: float) -> np.ndarray:
    out = (
        tone(freq=220.0, sr=sr, seconds=seconds, amplitude=0.5)
        + tone(freq=330.0, sr=sr, seconds=seconds, amplitude=0.3)
        + tone(freq=1250.0, sr=sr, seconds=seconds, amplitude=0.1)
    )
    return out.astype(np.float32)


def clip(x: np.ndarray, fraction: float) -> tuple[np.ndarray, float]:
    """Clip symmetrically so that ``fraction`` of the samples hit the level."""
    level = float(np.quantile(np.abs(x), 1.0 - fraction))
    return np.clip(x, -level, level).astype(np.float32), level


@pytest.mark.parametrize(
    ("material", "sr", "minimum_gain"),
    [("speech", 48000, 5.0), ("speech", 16000, 5.0), ("tones", 44100, 10.0)],
)
def test_one_percent_clipping_is_repaired(material: str, sr: int, minimum_gain: float) -> None:
    make = loud_speech if material == "speech" else tones
    clean = make(sr=sr, seconds=5.0)
    clipped, level = clip(clean, 0.01)
    report = detect_clipping(clipped)
    assert isinstance(report, ClipReport)
    assert report.clip_level == pytest.approx(level, rel=1e-4)
    assert report.clipped_fraction == pytest.approx(0.01, abs=0.002)
    assert report.runs > 0
    out = declip(clipped, sr=sr)
    assert out.shape == clean.shape and out.dtype == np.float32
    # Measured gains: speech +7.6 dB (48 kHz) / +9.4 dB (16 kHz), tones +29 dB.
    assert si_sdr(out, clean) >= si_sdr(clipped, clean) + minimum_gain
    # Consistent: rebuilt samples lie beyond the clip level; the others are unchanged.
    on_level = np.abs(clipped) >= level * (1 - 1e-4)
    assert np.all(np.abs(out[on_level]) >= level * (1 - 1e-4))
    assert np.array_equal(out[~on_level], clipped[~on_level])


@pytest.mark.parametrize("material", ["speech", "tones"])
def test_clean_input_is_untouched(material: str) -> None:
    sr = 48000
    clean = loud_speech(sr=sr, seconds=3.0) if material == "speech" else tones(sr=sr, seconds=3.0)
    report = detect_clipping(clean, sr=sr)
    assert report.clipped_fraction == 0.0 and report.runs == 0 and report.clip_level == 0.0
    assert np.array_equal(declip(clean, sr=sr), clean)


def test_given_threshold_and_fixed_headroom() -> None:
    sr = 16000
    clean = loud_speech(sr=sr, seconds=3.0, seed=2)
    clipped = np.clip(clean, -0.5, 0.5)
    config = DeclipConfig(threshold=0.5, headroom_db=6.0)
    report = detect_clipping(clipped, config=config)
    assert report.clip_level == 0.5 and report.positive_level == report.negative_level == 0.5
    out = declip(clipped, sr=sr, config=config)
    assert si_sdr(out, clean) > si_sdr(clipped, clean) + 3.0
    # The gain is fixed by the config, the same for clipped and unclipped blocks.
    quiet = 0.1 * clean
    assert np.allclose(declip(quiet, sr=sr, config=config), quiet * config.gain, atol=1e-7)
    assert config.gain == pytest.approx(10 ** (-6.0 / 20))


def test_asymmetric_clipping_and_stereo() -> None:
    sr = 44100
    clean = np.concatenate([loud_speech(sr=sr, seconds=2.0, seed=3), tones(sr=sr, seconds=2.0)])
    clipped = np.clip(clean, -0.6, 0.8)
    report = detect_clipping(clipped)
    assert report.positive_level == pytest.approx(0.8)
    assert report.negative_level == pytest.approx(0.6)
    out = declip(clipped, sr=sr)
    for ch in range(2):
        assert si_sdr(out[ch], clean[ch]) > si_sdr(clipped[ch], clean[ch]) + 3.0


@pytest.mark.parametrize(
    "kwargs",
    [{"threshold": 0.0}, {"threshold": 1.5}, {"headroom_db": -1.0}, {"order": 2}, {"min_run": 0}],
)
def test_bad_config_raises(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        DeclipConfig(**kwargs)  # type: ignore[arg-type]
