"""Steady noise reduction (decision-directed Wiener): hiss goes, speech and silence stay."""

from __future__ import annotations

import numpy as np
import pytest

from core.dsp.wiener import WienerConfig, reduce_steady_noise
from core.errors import ConfigError, InvalidAudioError
from core.metrics import si_sdr
from core.signals import mix_at_snr, speech_like, white_noise

SR = 16000


def hissy_speech(seed: int = 0, snr_db: float = 15.0) -> tuple[np.ndarray, np.ndarray]:
    """Speech-like signal after 0.5 s of silence, in white hiss at ``snr_db``."""
    clean = speech_like(sr=SR, seconds=4.0, seed=seed)
    clean = np.concatenate([np.zeros((1, SR // 2), np.float32), clean], axis=1)
    noise = white_noise(sr=SR, seconds=clean.shape[1] / SR, amplitude=1.0, seed=seed + 10)
    return clean, mix_at_snr(clean, noise, snr_db=snr_db)


@pytest.mark.parametrize("seed", [0, 1])
def test_hiss_is_removed_and_speech_kept(seed: int) -> None:
    clean, noisy = hissy_speech(seed)
    out = reduce_steady_noise(noisy, sr=SR)
    assert out.shape == noisy.shape and out.dtype == np.float32
    lead = slice(0, SR // 2 - 512)  # the silent lead-in: hiss only
    reduction = 10 * np.log10(np.mean(out[:, lead] ** 2) / np.mean(noisy[:, lead] ** 2))
    assert reduction < -25.0
    assert si_sdr(out[0], clean[0]) > si_sdr(noisy[0], clean[0]) + 5.0


def test_reduction_db_sets_the_depth_of_the_cut() -> None:
    _, noisy = hissy_speech(2)
    lead = slice(0, SR // 2 - 512)

    def cut(reduction_db: float) -> float:
        out = reduce_steady_noise(noisy, sr=SR, config=WienerConfig(reduction_db=reduction_db))
        return float(10 * np.log10(np.mean(out[:, lead] ** 2) / np.mean(noisy[:, lead] ** 2)))

    assert cut(10.0) > -12.0  # never deeper than asked
    assert cut(10.0) > cut(30.0) > cut(60.0)


def test_channels_get_their_own_profile() -> None:
    _, hissy = hissy_speech(3)
    clean = speech_like(sr=SR, seconds=hissy.shape[1] / SR, seed=4)
    stereo = np.concatenate([hissy, clean[:, : hissy.shape[1]]], axis=0)
    out = reduce_steady_noise(stereo, sr=SR)
    assert out.shape == stereo.shape
    assert si_sdr(out[1], stereo[1]) > 15.0  # the clean channel is barely touched
    assert np.mean(out[0, : SR // 4] ** 2) < 0.01 * np.mean(hissy[0, : SR // 4] ** 2)


def test_nothing_to_learn_from_passes_unchanged() -> None:
    short = white_noise(sr=SR, seconds=0.05, seed=5)
    assert np.array_equal(reduce_steady_noise(short, sr=SR), short)
    silent = np.zeros((2, SR), np.float32)
    assert np.array_equal(reduce_steady_noise(silent, sr=SR), silent)
    # A silent channel beside a hissy one: only the hissy one has a profile to use.
    _, hissy = hissy_speech(3)
    mixed = np.concatenate([np.zeros_like(hissy), hissy])
    out = reduce_steady_noise(mixed, sr=SR)
    assert np.max(np.abs(out[0])) < 1e-6
    np.testing.assert_allclose(out[1], reduce_steady_noise(hissy, sr=SR)[0], atol=1e-5)


def test_bad_input_and_settings_are_refused() -> None:
    with pytest.raises(InvalidAudioError):
        reduce_steady_noise(np.full((1, SR), np.nan, np.float32), sr=SR)
    for bad in (
        {"reduction_db": 0.0},
        {"smoothing": 1.0},
        {"quiet_fraction": 0.0},
        {"frame_ms": 1.0},
    ):
        with pytest.raises(ConfigError):
            WienerConfig(**bad)  # type: ignore[arg-type]


def test_the_hiss_step_runs_in_a_chain() -> None:
    from core.chain import ChainConfig
    from core.pipeline import restore_array

    chain = ChainConfig.from_dict(
        {"name": "t", "steps": [{"type": "hiss", "params": {"reduction_db": 40.0}}]}
    )
    clean, noisy = hissy_speech(6)
    r = restore_array(noisy, sr=SR, chain=chain)
    restored, residual = r.restored, r.residual
    assert si_sdr(restored[0], clean[0]) > si_sdr(noisy[0], clean[0]) + 5.0
    np.testing.assert_allclose(restored + residual, noisy, atol=1e-5)
    with pytest.raises(ConfigError):
        ChainConfig.from_dict(
            {"name": "t", "steps": [{"type": "hiss", "params": {"reduction_db": 0.0}}]}
        )
