"""Tests for core.dsp.filters: DC removal, zero-phase high/low-pass."""

from __future__ import annotations

import numpy as np
import pytest

from core.dsp.filters import highpass, lowpass, remove_dc
from core.errors import ConfigError, InvalidAudioError
from core.signals import tone, white_noise

SR = 16_000


def _level_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(x, dtype=np.float64))))


def _middle(x: np.ndarray) -> np.ndarray:
    """Drop the first and last 10 % so edge effects do not count."""
    n = x.shape[-1]
    return x[..., n // 10 : n - n // 10]


def test_remove_dc_zeroes_the_mean_and_keeps_the_tone() -> None:
    clean = tone(freq=440, sr=SR, seconds=1.0, amplitude=0.3)
    out = remove_dc(clean + 0.25, sr=SR)
    assert abs(float(out.mean())) < 1e-5
    assert np.max(np.abs(_middle(out - clean))) < 1e-3


def test_remove_dc_removes_slow_drift() -> None:
    t = np.arange(2 * SR) / SR
    drift = (0.2 * np.sin(2 * np.pi * 0.5 * t)).astype(np.float32)[None]
    clean = tone(freq=300, sr=SR, seconds=2.0, amplitude=0.2)
    out = remove_dc(clean + drift, sr=SR)
    # A 0.5 Hz wander of 0.2 is mostly gone (a mean subtraction alone would leave it).
    residual = _middle(out - clean)
    assert np.max(np.abs(residual)) < 0.02
    assert _level_db(residual) < _level_db(_middle(drift)) - 25


def test_remove_dc_on_long_signals_matches_the_full_rate_filter() -> None:
    """Long signals have their drift filtered at about 1 kHz: same result as filtering
    at the full rate, away from the ends."""
    from core.dsp.filters import DC_CUTOFF_HZ, _zero_phase

    sr = 48000
    t = np.arange(4 * sr) / sr
    drift = 0.1 + 0.2 * np.sin(2 * np.pi * 0.7 * t) + 0.05 * np.sin(2 * np.pi * 9.0 * t)
    x = (tone(freq=440, sr=sr, seconds=4.0, amplitude=0.3) + drift).astype(np.float32)
    x = np.concatenate([x, white_noise(sr=sr, seconds=4.0, amplitude=0.2) - 0.3])
    mean = x.mean(axis=1, keepdims=True, dtype=np.float64)
    full_rate = _zero_phase(x - mean, sr=sr, cutoff_hz=DC_CUTOFF_HZ, order=2, btype="highpass")
    out = remove_dc(x, sr=sr)
    assert np.max(np.abs(_middle(out - full_rate))) < 1e-4


def test_remove_dc_folds_no_tone_onto_the_drift() -> None:
    """A tone 3 Hz from the rate the drift is estimated at is left alone (a plain block
    average would fold it onto a 3 Hz wobble)."""
    sr = 48000
    x = tone(freq=1003, sr=sr, seconds=3.0, amplitude=0.5)
    assert np.max(np.abs(_middle(remove_dc(x, sr=sr) - x))) < 1e-4


def test_highpass_attenuates_20hz_and_keeps_1khz() -> None:
    low = tone(freq=20, sr=SR, seconds=2.0, amplitude=0.5)
    high = tone(freq=1000, sr=SR, seconds=2.0, amplitude=0.5)
    out_low = highpass(low, sr=SR, cutoff_hz=80)
    out_high = highpass(high, sr=SR, cutoff_hz=80)
    assert _level_db(_middle(low)) - _level_db(_middle(out_low)) > 20
    assert abs(_level_db(_middle(high)) - _level_db(_middle(out_high))) < 0.1


def test_highpass_is_zero_phase() -> None:
    x = tone(freq=1000, sr=SR, seconds=1.0)
    out = highpass(x, sr=SR, cutoff_hz=80)
    # No delay: the passband tone lines up sample for sample.
    assert np.max(np.abs(_middle(out - x))) < 5e-3


def test_lowpass_attenuates_above_cutoff() -> None:
    low = tone(freq=500, sr=SR, seconds=1.0)
    high = tone(freq=6000, sr=SR, seconds=1.0)
    assert (
        abs(_level_db(_middle(lowpass(low, sr=SR, cutoff_hz=3000))) - _level_db(_middle(low))) < 0.1
    )
    assert _level_db(_middle(high)) - _level_db(_middle(lowpass(high, sr=SR, cutoff_hz=3000))) > 40


@pytest.mark.parametrize("n", [1, 2, 5, 20, 100])
def test_short_signals_do_not_crash(n: int) -> None:
    x = white_noise(sr=SR, seconds=n / SR, amplitude=0.1, seed=n)
    for out in (
        highpass(x, sr=SR, cutoff_hz=40),
        lowpass(x, sr=SR, cutoff_hz=4000),
        remove_dc(x, sr=SR),
    ):
        assert out.shape == (1, n)
        assert out.dtype == np.float32
        assert np.all(np.isfinite(out))


@pytest.mark.parametrize("func", [highpass, lowpass])
def test_shape_and_dtype_preserved_for_stereo(func: object) -> None:
    x = np.concatenate(
        [white_noise(sr=SR, seconds=0.5, seed=1), white_noise(sr=SR, seconds=0.5, seed=2)]
    )
    out = func(x.astype(np.float64), sr=SR, cutoff_hz=1000)  # type: ignore[operator]
    assert out.shape == x.shape
    assert out.dtype == np.float32
    assert out.flags.c_contiguous
    # Channels are filtered independently.
    np.testing.assert_allclose(out[1], func(x[1:], sr=SR, cutoff_hz=1000)[0], atol=1e-6)  # type: ignore[operator]


def test_remove_dc_stereo_shape_and_dtype() -> None:
    x = np.stack([np.full(SR, 0.1), np.full(SR, -0.3)]).astype(np.float32)
    out = remove_dc(x, sr=SR)
    assert out.shape == (2, SR) and out.dtype == np.float32
    assert np.max(np.abs(out)) < 1e-4


def test_one_dimensional_input_is_mono() -> None:
    x = white_noise(sr=SR, seconds=0.1)[0]
    assert highpass(x, sr=SR).shape == (1, x.size)


@pytest.mark.parametrize("cutoff", [0.0, -10.0, SR / 2, SR, float("nan"), float("inf")])
def test_invalid_cutoff_raises_config_error(cutoff: float) -> None:
    x = white_noise(sr=SR, seconds=0.1)
    with pytest.raises(ConfigError):
        highpass(x, sr=SR, cutoff_hz=cutoff)
    with pytest.raises(ConfigError):
        lowpass(x, sr=SR, cutoff_hz=cutoff)


@pytest.mark.parametrize("order", [0, -1, 2.5, True, 100])
def test_invalid_order_raises_config_error(order: object) -> None:
    with pytest.raises(ConfigError):
        highpass(white_noise(sr=SR, seconds=0.1), sr=SR, order=order)  # type: ignore[arg-type]


def test_invalid_audio_and_rate_raise() -> None:
    with pytest.raises(InvalidAudioError):
        highpass(np.array([[np.nan, 0.0]]), sr=SR)
    with pytest.raises(InvalidAudioError):
        remove_dc(np.zeros((1, 10)), sr=0)


def test_highpass_adds_no_thump_at_the_edges() -> None:
    # 443.3 Hz over 1 s ends near a peak; odd padding would ring at the end.
    x = tone(freq=443.3, sr=SR, seconds=1.0, amplitude=0.3)
    out = highpass(x, sr=SR, cutoff_hz=5, order=2)
    assert np.max(np.abs(out - x)) < 0.01


@pytest.mark.parametrize("fn", [remove_dc, highpass, lowpass])
def test_each_channel_is_filtered_as_if_alone(fn) -> None:
    """Channels are filtered one at a time (to bound the float64 copies): a channel's
    result must not depend on the others."""
    noise = np.concatenate([white_noise(sr=SR, seconds=1.5, seed=s) + 0.1 * s for s in range(3)])
    kwargs = {"cutoff_hz": 2000.0} if fn is lowpass else {}
    together = fn(noise, sr=SR, **kwargs)
    assert together.dtype == np.float32 and together.shape == noise.shape
    for ch in range(3):
        np.testing.assert_array_equal(together[ch], fn(noise[ch : ch + 1], sr=SR, **kwargs)[0])


@pytest.mark.parametrize(
    ("sr", "cutoff", "order", "btype"),
    [(48000, 40.0, 4, "highpass"), (16000, 3000.0, 8, "lowpass"), (1000, 5.0, 2, "highpass")],
)
def test_the_frequency_domain_filter_is_scipys_forward_backward_butterworth(
    sr: int, cutoff: float, order: int, btype: str
) -> None:
    """Away from the ends (where each handles the edge its own way) the result is
    ``sosfiltfilt``'s to rounding."""
    from scipy.signal import butter, sosfiltfilt

    from core.dsp.filters import _filtfilt

    x = np.random.default_rng(order).standard_normal((2, 4 * sr))
    expected = sosfiltfilt(butter(order, cutoff, btype=btype, fs=sr, output="sos"), x, axis=-1)
    got = _filtfilt(x, fs=sr, cutoff_hz=cutoff, order=order, btype=btype)  # type: ignore[arg-type]
    inner = slice(sr, 3 * sr)
    np.testing.assert_allclose(got[:, inner], expected[:, inner], atol=1e-9)
    single = _filtfilt(x.astype(np.float32), fs=sr, cutoff_hz=cutoff, order=order, btype=btype)  # type: ignore[arg-type]
    assert single.dtype == np.float32
    np.testing.assert_allclose(single[:, inner], expected[:, inner], atol=2e-6)
