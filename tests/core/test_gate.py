"""Spectral noise gate: noise reduction in pauses, transparency, musical noise."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import minimum_filter1d

from core.dsp.gate import GateConfig, gate_gain, noise_profile, spectral_gate
from core.dsp.stft import stft
from core.errors import ConfigError, InvalidAudioError
from core.signals import chirp, mix_at_snr, speech_like, white_noise

SR = 16000


def si_sdr(estimate: np.ndarray, reference: np.ndarray) -> float:
    est = estimate.ravel().astype(np.float64)
    ref = reference.ravel().astype(np.float64)
    target = np.dot(est, ref) / np.dot(ref, ref) * ref
    return float(10 * np.log10(np.sum(target**2) / np.sum((est - target) ** 2)))


def noisy_speech(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Speech-like signal after 0.5 s of silence, plus white noise at 10 dB SNR."""
    clean = speech_like(sr=SR, seconds=4.0, seed=seed)
    clean = np.concatenate([np.zeros((1, SR // 2), np.float32), clean], axis=1)
    noise = white_noise(sr=SR, seconds=clean.shape[1] / SR, amplitude=1.0, seed=seed + 10)
    return clean, mix_at_snr(clean, noise, snr_db=10.0)


def pause_mask(clean: np.ndarray, margin_s: float = 0.08) -> np.ndarray:
    """Samples where the clean signal is silent for at least ``margin_s`` either side."""
    silent = (clean[0] == 0).astype(np.float64)
    return minimum_filter1d(silent, size=2 * int(margin_s * SR) + 1) > 0


@pytest.mark.parametrize("seed", [0, 1])
def test_reduces_noise_in_pauses_by_reduction_db(seed: int) -> None:
    clean, noisy = noisy_speech(seed)
    out = spectral_gate(noisy, sr=SR)
    pauses = pause_mask(clean)
    assert pauses.mean() > 0.1  # enough pause material to measure
    noise = noisy - clean
    reduction = 10 * np.log10(np.mean(out[0, pauses] ** 2) / np.mean(noise[0, pauses] ** 2))
    # Measured -11.3 to -11.6 dB with the default 12 dB.
    assert reduction == pytest.approx(-GateConfig().reduction_db, abs=3.0)
    assert si_sdr(out, clean) > si_sdr(noisy, clean) + 4.0  # measured +6.5..+7.8 dB


def test_reduction_follows_config() -> None:
    clean, noisy = noisy_speech()
    config = GateConfig(reduction_db=20.0)
    out = spectral_gate(noisy, sr=SR, config=config)
    pauses = pause_mask(clean)
    noise = noisy - clean
    reduction = 10 * np.log10(np.mean(out[0, pauses] ** 2) / np.mean(noise[0, pauses] ** 2))
    assert reduction == pytest.approx(-20.0, abs=3.0)


def test_profile_from_noise_only_range() -> None:
    clean, noisy = noisy_speech()
    profile = noise_profile(noisy, sr=SR, start_s=0.0, end_s=0.45)
    assert profile.shape == (GateConfig().n_fft // 2 + 1,)
    # White noise: flat profile whose mean matches the noise power per bin.
    noise = noisy - clean
    reference = noise_profile(noise, sr=SR, start_s=0.0, end_s=4.5)
    assert 10 * np.log10(profile.mean() / reference.mean()) == pytest.approx(0.0, abs=1.0)
    out = spectral_gate(noisy, sr=SR, profile=profile)
    pauses = pause_mask(clean)
    reduction = 10 * np.log10(np.mean(out[0, pauses] ** 2) / np.mean(noise[0, pauses] ** 2))
    assert reduction == pytest.approx(-12.0, abs=3.0)
    assert si_sdr(out, clean) > si_sdr(noisy, clean) + 4.0


def test_automatic_profile_matches_noise_level() -> None:
    clean, noisy = noisy_speech()
    auto = noise_profile(noisy, sr=SR)
    reference = noise_profile(noisy - clean, sr=SR, start_s=0.0, end_s=4.5)
    assert 10 * np.log10(auto.mean() / reference.mean()) == pytest.approx(0.0, abs=1.5)


@pytest.mark.parametrize(
    "signal",
    [
        speech_like(sr=SR, seconds=3.0, seed=3),
        speech_like(sr=SR, seconds=3.0, seed=4) + white_noise(sr=SR, seconds=3.0, amplitude=1e-4),
        chirp(f0=100.0, f1=6000.0, sr=SR, seconds=3.0),  # no pauses at all
    ],
    ids=["speech", "speech_with_floor", "chirp"],
)
def test_clean_input_changes_little(signal: np.ndarray) -> None:
    out = spectral_gate(signal, sr=SR)
    assert out.shape == signal.shape and out.dtype == np.float32
    assert si_sdr(out, signal) >= 25.0  # measured >= 60 dB


def flip_rate(config: GateConfig) -> float:
    """Share of TF bins of pure noise that go from gated to passing between frames.

    A bin "passes" when its gain is above the half-way level ``-reduction_db / 2``;
    each flip is a short tone burst, the raw material of musical noise.
    """
    noise = white_noise(sr=SR, seconds=4.0, amplitude=0.05, seed=5)
    profile = noise_profile(noise, sr=SR, config=config)
    power = np.abs(stft(noise, config=config.stft_config)[0]) ** 2
    gain_db = 20 * np.log10(gate_gain(power[4:-4], profile, sr=SR, config=config))
    passing = gain_db > -config.reduction_db / 2
    return float(np.mean(passing[1:] & ~passing[:-1]))


def test_little_musical_noise() -> None:
    smoothed = flip_rate(GateConfig())
    naive = flip_rate(
        GateConfig(
            knee_db=0.0,
            attack_ms=0.0,
            release_ms=0.0,
            freq_smoothing_bins=1,
            time_smoothing_frames=1,
        )
    )
    # Measured 2e-4..3e-4 with smoothing and 2.9e-2 for a hard per-bin gate.
    assert smoothed < 2e-3
    assert naive > 1e-2
    assert naive > 20 * smoothed


def test_stereo_uses_one_mask_and_keeps_shape() -> None:
    clean, noisy = noisy_speech()
    stereo = np.concatenate([noisy, 0.5 * noisy], axis=0)
    out = spectral_gate(stereo, sr=SR)
    assert out.shape == stereo.shape
    np.testing.assert_allclose(out[1], 0.5 * out[0], atol=1e-6)


def test_one_dimensional_input_is_mono() -> None:
    _, noisy = noisy_speech()
    np.testing.assert_allclose(spectral_gate(noisy[0], sr=SR), spectral_gate(noisy, sr=SR))


def test_errors() -> None:
    _, noisy = noisy_speech()
    with pytest.raises(InvalidAudioError):
        spectral_gate(noisy, sr=SR, profile=np.ones(10))
    with pytest.raises(InvalidAudioError):
        spectral_gate(np.full((1, 100), np.nan), sr=SR)
    with pytest.raises(InvalidAudioError):
        noise_profile(noisy, sr=SR, start_s=1.0, end_s=1.001)
    with pytest.raises(ConfigError):
        GateConfig(n_fft=1000, hop=300)
    with pytest.raises(ConfigError):
        GateConfig(reduction_db=-3.0)
