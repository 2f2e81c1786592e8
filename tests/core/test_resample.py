"""Tests for core.audio.resample."""

from __future__ import annotations

import numpy as np
import pytest

from core.audio.resample import resample
from core.errors import InvalidAudioError
from core.signals import tone, white_noise


def test_round_trip_keeps_a_1khz_tone() -> None:
    x = tone(freq=1000, sr=44_100, seconds=0.5)
    down = resample(x, orig_sr=44_100, target_sr=16_000)
    back = resample(down, orig_sr=16_000, target_sr=44_100)
    assert back.shape == x.shape and back.dtype == np.float32
    edge = 2_000
    a, b = x[0, edge:-edge], back[0, edge:-edge]
    assert float(np.corrcoef(a, b)[0, 1]) > 0.999
    assert float(np.max(np.abs(a - b))) < 0.01


def test_downsampled_tone_has_the_right_frequency() -> None:
    down = resample(tone(freq=1000, sr=48_000, seconds=1.0), orig_sr=48_000, target_sr=16_000)
    spectrum = np.abs(np.fft.rfft(down[0]))
    assert np.argmax(spectrum) == pytest.approx(1000, abs=1)  # 1 Hz bins for 1 s


def test_content_above_the_new_nyquist_is_removed() -> None:
    high = tone(freq=10_000, sr=44_100, seconds=0.5)
    down = resample(high, orig_sr=44_100, target_sr=16_000)  # Nyquist 8 kHz
    assert float(np.max(np.abs(down[:, 500:-500]))) < 1e-3


@pytest.mark.parametrize("n", [1_000, 4_410, 12_345, 44_101, 3])
@pytest.mark.parametrize(("orig", "target"), [(44_100, 16_000), (16_000, 44_100), (48_000, 44_100)])
def test_length_is_rounded_ratio(n: int, orig: int, target: int) -> None:
    x = white_noise(sr=orig, seconds=n / orig)
    assert x.shape[1] == n
    out = resample(x, orig_sr=orig, target_sr=target)
    assert out.shape == (1, round(n * target / orig))


def test_stereo_channels_stay_separate() -> None:
    left = tone(freq=440, sr=48_000, seconds=0.25)
    right = np.zeros_like(left)
    out = resample(np.concatenate([left, right]), orig_sr=48_000, target_sr=22_050)
    assert out.shape == (2, round(left.shape[1] * 22_050 / 48_000))
    assert out.flags.c_contiguous
    assert float(np.max(np.abs(out[1]))) == 0.0
    np.testing.assert_allclose(
        out[0], resample(left, orig_sr=48_000, target_sr=22_050)[0], atol=1e-7
    )


def test_same_rate_returns_the_signal_unchanged() -> None:
    x = white_noise(sr=44_100, seconds=0.1)
    out = resample(x, orig_sr=44_100, target_sr=44_100)
    np.testing.assert_array_equal(out, x)
    assert out.dtype == np.float32


@pytest.mark.parametrize(
    ("orig", "target"),
    [(0, 16_000), (44_100, -1), (44_100.0, 16_000), (44_100, 10**7), (True, 8000)],
)
def test_bad_rates_raise(orig: object, target: object) -> None:
    with pytest.raises(InvalidAudioError):
        resample(white_noise(sr=8_000, seconds=0.01), orig_sr=orig, target_sr=target)  # type: ignore[arg-type]


def test_bad_audio_raises() -> None:
    with pytest.raises(InvalidAudioError):
        resample(np.zeros((1, 0)), orig_sr=44_100, target_sr=16_000)
    with pytest.raises(InvalidAudioError):
        resample(np.array([[np.nan, 1.0]]), orig_sr=44_100, target_sr=16_000)


@pytest.mark.parametrize("factor", [2, 3, 4])
def test_the_polyphase_filter_is_the_one_resample_poly_designs(factor: int) -> None:
    from scipy.signal import firwin

    from core.audio.resample import polyphase_filter

    expected = firwin(20 * factor + 1, 1.0 / factor, window=("kaiser", 5.0))
    np.testing.assert_allclose(polyphase_filter(factor), expected, atol=1e-15)
