"""One meaning of strength (core.strength)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.audio.io import load, save
from core.chain import ChainConfig
from core.errors import ConfigError
from core.pipeline import restore_array, restore_file
from core.signals import speech_like
from core.strength import STRENGTH_RANGE_DB, mix, removal_share


def test_the_ends_are_exact_and_the_share_rises_monotonically() -> None:
    assert removal_share(0.0) == 0.0 and removal_share(1.0) == 1.0
    shares = [removal_share(s) for s in np.linspace(0, 1, 101)]
    assert all(b > a for a, b in zip(shares, shares[1:], strict=False))


def test_what_is_left_falls_in_decibels_along_the_range() -> None:
    for s in (0.25, 0.5):
        left_db = 20 * np.log10(1.0 - removal_share(s))
        assert left_db == pytest.approx(-s * STRENGTH_RANGE_DB, abs=1.0)
    # towards full strength it falls faster, to nothing at 1
    assert 20 * np.log10(1.0 - removal_share(0.75)) < -0.75 * STRENGTH_RANGE_DB


@pytest.mark.parametrize("bad", [-0.1, 1.01, float("nan")])
def test_out_of_range_strength_is_a_config_error(bad: float) -> None:
    with pytest.raises(ConfigError, match="strength"):
        removal_share(bad)


def test_a_file_restored_at_a_strength_holds_the_window_preview_at_that_strength(
    tmp_path: Path,
) -> None:
    """The CLI's restore_file, restore_array and the window's preview (mix of the full-strength
    restoration) are one blend: the same samples, for a chain of several steps and a gain."""
    sr = 16000
    rng = np.random.default_rng(3)
    x = (speech_like(sr=sr, seconds=3) + 0.05 * rng.standard_normal((1, 3 * sr))).astype(np.float32)
    chain = ChainConfig.from_dict(
        {
            "steps": [
                {"type": "highpass", "params": {"cutoff_hz": 120}},
                {"type": "gate"},
                {"type": "normalize", "params": {"mode": "peak", "target": -3.0}},
            ]
        }
    )
    src = tmp_path / "in.wav"
    save(src, x, sr, subtype="FLOAT")
    restoration = restore_array(x, sr=sr, chain=chain)
    full, residual = restoration.restored, restoration.residual
    for strength in (0.0, 0.5, 0.8):
        preview, removed = mix(full, residual, strength=strength)
        np.testing.assert_array_equal(restoration.mix(strength)[0], preview)
        out = tmp_path / f"out{strength}.wav"
        restore_file(src, out, chain, strength=strength, subtype="FLOAT")
        np.testing.assert_array_equal(load(out)[0], preview)
    # one blend: full strength removes everything the steps removed, zero nothing of it
    np.testing.assert_allclose(mix(full, residual, strength=0.0)[0], full + residual, atol=0)
    assert np.abs(residual).max() > 1e-3
