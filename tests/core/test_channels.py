"""Tests for core.dsp.channels."""

from __future__ import annotations

import numpy as np
import pytest

from core.dsp.channels import match_channels, to_mono
from core.errors import ConfigError, InvalidAudioError


def _stereo() -> np.ndarray:
    return np.array([[1.0, 0.5, -1.0, 0.0], [0.0, 0.5, 1.0, 0.25]], dtype=np.float32)


def test_to_mono_averages_channels() -> None:
    out = to_mono(_stereo())
    assert out.shape == (1, 4) and out.dtype == np.float32
    np.testing.assert_allclose(out[0], [0.5, 0.5, 0.0, 0.125])


def test_to_mono_of_mono_and_1d() -> None:
    x = np.array([0.1, -0.2, 0.3], dtype=np.float64)
    out = to_mono(x)
    assert out.shape == (1, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out[0], x, rtol=1e-6)


def test_to_mono_of_six_channels() -> None:
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    np.testing.assert_allclose(to_mono(x), [[5.0, 6.0]])


def test_match_channels_duplicates_mono() -> None:
    mono = np.array([[0.1, 0.2, 0.3]], dtype=np.float32)
    for n in (2, 6):
        out = match_channels(mono, channels=n)
        assert out.shape == (n, 3) and out.dtype == np.float32
        assert all(np.array_equal(row, mono[0]) for row in out)


def test_match_channels_downmixes_to_mono() -> None:
    out = match_channels(_stereo(), channels=1)
    np.testing.assert_allclose(out, to_mono(_stereo()))


def test_match_channels_same_count_is_unchanged() -> None:
    x = _stereo()
    out = match_channels(x, channels=2)
    np.testing.assert_array_equal(out, x)


def test_match_channels_rejects_other_conversions() -> None:
    with pytest.raises(InvalidAudioError, match="2 channels to 6"):
        match_channels(_stereo(), channels=6)
    with pytest.raises(InvalidAudioError):
        match_channels(np.zeros((6, 10), dtype=np.float32), channels=2)


@pytest.mark.parametrize("channels", [0, -1, 65, 1.5, True])
def test_match_channels_rejects_bad_count(channels: object) -> None:
    with pytest.raises(ConfigError):
        match_channels(_stereo(), channels=channels)  # type: ignore[arg-type]


def test_invalid_audio_raises() -> None:
    with pytest.raises(InvalidAudioError):
        to_mono(np.zeros((1, 0)))
    with pytest.raises(InvalidAudioError):
        match_channels(np.array([[np.inf, 0.0]]), channels=2)
