"""Tests for core.dsp.stft: perfect reconstruction, shapes, config validation."""

from __future__ import annotations

import numpy as np
import pytest

from core.dsp.stft import StftConfig, istft, stft
from core.signals import speech_like, white_noise


@pytest.mark.parametrize("length", [1, 100, 511, 512, 513, 1000, 4096, 4097, 16_000 + 37])
def test_reconstruction_for_many_lengths(length: int) -> None:
    config = StftConfig()
    x = white_noise(sr=16_000, seconds=length / 16_000, amplitude=0.3, seed=length)
    spec = stft(x, config=config)
    assert spec.dtype == np.complex64
    y = istft(spec, config=config, length=length)
    assert y.shape == (1, length) and y.dtype == np.float32
    np.testing.assert_allclose(y, x, atol=1e-5)


@pytest.mark.parametrize(
    ("n_fft", "hop"), [(512, 128), (1024, 256), (256, 128), (2048, 512), (64, 8)]
)
def test_reconstruction_stereo_and_other_settings(n_fft: int, hop: int) -> None:
    config = StftConfig(n_fft=n_fft, hop=hop)
    x = np.concatenate(
        [speech_like(sr=16_000, seconds=0.3, seed=1), white_noise(sr=16_000, seconds=0.3, seed=2)]
    )
    y = istft(stft(x, config=config), config=config, length=x.shape[1])
    assert y.shape == x.shape
    np.testing.assert_allclose(y, x, atol=1e-5)


def test_shapes_and_centring() -> None:
    config = StftConfig(n_fft=512, hop=128)
    assert config.bins == 257
    x = np.zeros((2, 1000), dtype=np.float32)
    x[:, 256] = 1.0  # an impulse at frame 2's centre
    spec = stft(x, config=config)
    assert spec.shape[0] == 2 and spec.shape[2] == 257
    # Every sample is covered by frames centred up to at least the last sample.
    assert (spec.shape[1] - 1) * config.hop >= x.shape[1] - 1
    energy = np.sum(np.abs(spec[0]) ** 2, axis=-1)
    assert int(np.argmax(energy)) == 2


def test_stft_of_a_sine_peaks_at_its_bin() -> None:
    config = StftConfig(n_fft=512, hop=128)
    sr = 16_000
    freq = 40 * sr / 512  # exactly bin 40
    x = (0.5 * np.sin(2 * np.pi * freq * np.arange(sr) / sr)).astype(np.float32)[None]
    spec = stft(x, config=config)
    assert np.all(np.argmax(np.abs(spec[0, 4:-4]), axis=-1) == 40)


def test_modified_spectrum_still_inverts_to_the_right_length() -> None:
    config = StftConfig()
    x = white_noise(sr=16_000, seconds=0.2)
    spec = stft(x, config=config) * 0.5
    y = istft(spec, config=config, length=x.shape[1])
    np.testing.assert_allclose(y, 0.5 * x, atol=1e-5)
    longer = istft(spec, config=config, length=x.shape[1] + 1000)
    assert longer.shape == (1, x.shape[1] + 1000)


@pytest.mark.parametrize(
    ("n_fft", "hop"),
    [(8, 2), (511, 128), (512, 0), (512, 300), (512, 384), (512, 512), (600, 256)],
)
def test_invalid_config_raises_value_error(n_fft: int, hop: int) -> None:
    with pytest.raises(ValueError):
        StftConfig(n_fft=n_fft, hop=hop)


@pytest.mark.parametrize("length", [1, 700, 16_000 + 37])
def test_a_stretch_of_frames_is_the_whole_spectrograms(length: int) -> None:
    from core.dsp.stft import frame_count, stft_frames

    config = StftConfig(n_fft=1920, hop=480)
    x = white_noise(sr=16_000, seconds=length / 16_000, amplitude=0.3, seed=length)
    x = np.concatenate([x, 0.5 * x[:, ::-1]])
    whole = stft(x, config=config)
    count = frame_count(length, config=config)
    assert whole.shape[1] == count
    for start, stop in ((0, 1), (0, count), (1, count), (count // 2, count - 1 or count)):
        if start < stop:
            np.testing.assert_array_equal(
                stft_frames(x, config=config, start=start, stop=stop), whole[:, start:stop]
            )
