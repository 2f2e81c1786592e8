"""The before/after measurements the app's Analysis panel draws, headless."""

from __future__ import annotations

import numpy as np
import pytest

from core.analysis import ENVELOPE_POINTS, compare_audio, measure_audio
from core.errors import Cancelled
from core.progress import CancelToken
from core.signals import mix_at_snr, pink_noise, speech_like

SR = 16000


def _noisy(seconds: float = 3.0) -> np.ndarray:
    voice = speech_like(sr=SR, seconds=seconds, seed=5)
    return mix_at_snr(voice, pink_noise(sr=SR, seconds=seconds, seed=6), snr_db=5.0)


def test_measures_hold_features_loudness_and_a_bounded_envelope() -> None:
    audio = _noisy()
    seen: list[float] = []
    m = measure_audio(audio, sr=SR, progress=lambda f, _m="": seen.append(f))
    for key in ("snr_db", "lufs", "true_peak_dbtp", "dominant_hz", "band_energy_db"):
        assert key in m.summary
    assert -40 < m.summary["lufs"] < 0 and m.summary["true_peak_dbtp"] <= 3
    assert m.envelope_t.shape == m.envelope_db.shape and m.envelope_db.size <= ENVELOPE_POINTS
    assert np.all(np.isfinite(m.envelope_db)) and np.all(np.diff(m.envelope_t) > 0)
    assert seen == sorted(seen) and seen[-1] <= 1.0


def test_silence_reads_no_loudness_and_the_envelope_floor() -> None:
    m = measure_audio(np.zeros((1, SR), np.float32), sr=SR)
    assert m.summary["lufs"] is None and m.summary["true_peak_dbtp"] is None
    assert np.all(m.envelope_db == -120.0)


def test_compare_measures_both_and_a_quieter_copy_reads_quieter() -> None:
    audio = _noisy()
    quieter = (audio * 0.5).astype(np.float32)
    before, after = compare_audio(audio, quieter, sr=SR)
    assert after is not None
    assert after.summary["lufs"] == pytest.approx(before.summary["lufs"] - 6.02, abs=0.05)
    only, none = compare_audio(audio, None, sr=SR)
    assert none is None and only.summary == before.summary


def test_compare_can_be_cancelled() -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        compare_audio(_noisy(), None, sr=SR, cancel=token)
