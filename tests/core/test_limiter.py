"""True-peak meter and look-ahead limiter."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import correlate, correlation_lags

from core.dsp.limiter import LimiterConfig, limit, true_peak_dbtp
from core.errors import ConfigError, InvalidAudioError
from core.signals import speech_like, tone

SR = 48000


def faded(x: np.ndarray, ms: float = 10.0) -> np.ndarray:
    """Raised-cosine fades, so an abrupt start does not add its own overshoot."""
    n = int(SR * ms / 1000)
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n))).astype(np.float32)
    out = x.copy()
    out[:, :n] *= ramp
    out[:, -n:] *= ramp[::-1]
    return out


def quarter_rate_sine() -> np.ndarray:
    """Sine at sr/4 with a 45 degree phase: samples at +-0.707, true peak 1.0."""
    n = np.arange(SR)
    return faded(np.sin(np.pi / 2 * n + np.pi / 4).astype(np.float32)[np.newaxis])


def test_meter_sees_inter_sample_peak() -> None:
    x = quarter_rate_sine()
    sample_peak_db = 20 * np.log10(np.max(np.abs(x)))
    assert sample_peak_db == pytest.approx(-3.01, abs=0.01)
    tp = true_peak_dbtp(x, sr=SR)
    assert tp == pytest.approx(0.0, abs=0.05)  # measured +0.015 dBTP
    assert tp - sample_peak_db == pytest.approx(3.01, abs=0.05)


def test_meter_on_plain_sine_and_silence() -> None:
    x = faded(tone(freq=997.0, sr=SR, seconds=1.0, amplitude=0.5))
    assert true_peak_dbtp(x, sr=SR) == pytest.approx(20 * np.log10(0.5), abs=0.02)
    assert true_peak_dbtp(np.zeros((2, 1000), np.float32), sr=SR) == float("-inf")
    # Channels: the loudest one counts.
    stereo = np.concatenate([x, 0.1 * x])
    assert true_peak_dbtp(stereo, sr=SR) == pytest.approx(true_peak_dbtp(x, sr=SR), abs=1e-9)


def test_meter_oversamples_only_where_the_peak_can_be_and_finds_the_same_value() -> None:
    """Skipped segments cannot hold the peak: the value equals oversampling everything."""
    from core.dsp import limiter

    rng = np.random.default_rng(3)
    for _ in range(20):
        n = int(rng.integers(10_000, 60_000))
        x = 0.1 * rng.standard_normal((2, n)).astype(np.float32)
        # A short inter-sample peak somewhere (a quarter-rate burst between samples).
        at = int(rng.integers(0, n - 64))
        x[int(rng.integers(0, 2)), at : at + 64] += 0.6 * np.sin(
            np.pi / 2 * np.arange(64) + np.pi / 4
        ).astype(np.float32)
        everywhere = np.max(limiter._peak_envelope(x.astype(np.float64)))
        assert true_peak_dbtp(x, sr=SR) == 20 * np.log10(everywhere)


def hot_signals() -> dict[str, np.ndarray]:
    sine = tone(freq=997.0, sr=SR, seconds=1.0, amplitude=1.0)
    return {
        "clipped_sine": np.clip(3.0 * sine, -1.0, 1.0),
        "square": np.sign(tone(freq=441.0, sr=SR, seconds=1.0, amplitude=1.0)),
        "speech_x4": 4.0 * speech_like(sr=SR, seconds=2.0, seed=2),
        "inter_sample": quarter_rate_sine(),
        "stereo": np.concatenate(
            [np.clip(3.0 * sine, -1.0, 1.0), 0.3 * tone(freq=300.0, sr=SR, seconds=1.0)]
        ),
    }


@pytest.mark.parametrize("name", list(hot_signals()))
def test_limits_true_peak_to_ceiling(name: str) -> None:
    x = hot_signals()[name]
    assert true_peak_dbtp(x, sr=SR) > -0.2  # really over the ceiling before
    y = limit(x, sr=SR, config=LimiterConfig(ceiling_dbtp=-1.0))
    assert y.shape == x.shape and y.dtype == np.float32
    # Measured -1.000 dBTP for every signal here.
    assert true_peak_dbtp(y, sr=SR) <= -0.95


@pytest.mark.parametrize(
    "config",
    [LimiterConfig(lookahead_ms=0.0, release_ms=0.0), LimiterConfig(-6.0, 1.0, 200.0)],
    ids=["no_lookahead", "deep"],
)
def test_ceiling_holds_for_other_settings(config: LimiterConfig) -> None:
    y = limit(hot_signals()["speech_x4"], sr=SR, config=config)
    assert true_peak_dbtp(y, sr=SR) <= config.ceiling_dbtp + 0.05


def test_quiet_signal_passes_unchanged() -> None:
    x = tone(freq=1000.0, sr=SR, seconds=1.0, amplitude=0.1)  # -20 dBFS peak
    y = limit(x, sr=SR)
    assert np.max(np.abs(y - x)) <= 1e-6


def test_output_aligned_with_input() -> None:
    x = hot_signals()["speech_x4"]
    y = limit(x, sr=SR)
    xc = correlate(y[0].astype(np.float64), x[0].astype(np.float64), method="fft")
    lags = correlation_lags(y.shape[1], x.shape[1])
    assert lags[np.argmax(xc)] == 0


def test_gain_is_smooth_and_linked() -> None:
    x = hot_signals()["stereo"]
    y = limit(x, sr=SR)
    # Same gain on both channels: the quiet channel is scaled like the loud one.
    gain_loud = np.max(np.abs(y[0])) / np.max(np.abs(x[0]))
    gain_quiet = np.max(np.abs(y[1])) / np.max(np.abs(x[1]))
    assert gain_quiet == pytest.approx(gain_loud, rel=0.02)
    # Steady input after the attack: the gain settles, no pumping between cycles.
    ratio = np.abs(y[1, SR // 2 :]) / np.maximum(np.abs(x[1, SR // 2 :]), 1e-3)
    valid = np.abs(x[1, SR // 2 :]) > 0.1
    assert np.ptp(ratio[valid]) < 0.01


def test_attack_starts_before_the_peak() -> None:
    x = np.zeros((1, SR // 10), np.float32)
    x[0, 2400:] = 0.9 * np.sin(2 * np.pi * 1000 * np.arange(SR // 10 - 2400) / SR)
    x[0, 3000:3100] *= 2.0  # an overshoot after a quiet lead-in
    y = limit(x, sr=SR)
    gain = np.abs(y[0]) / np.maximum(np.abs(x[0]), 1e-9)
    before = gain[2880:2990][np.abs(x[0, 2880:2990]) > 0.3]
    assert np.min(before) < 0.99  # already reducing within the 5 ms look-ahead
    assert true_peak_dbtp(y, sr=SR) <= -0.95


def test_errors() -> None:
    with pytest.raises(ConfigError):
        LimiterConfig(ceiling_dbtp=3.0)
    with pytest.raises(ConfigError):
        LimiterConfig(lookahead_ms=-1.0)
    with pytest.raises(InvalidAudioError):
        limit(np.zeros((1, 0), np.float32), sr=SR)
    with pytest.raises(InvalidAudioError):
        true_peak_dbtp(np.ones((1, 10)), sr=12)
