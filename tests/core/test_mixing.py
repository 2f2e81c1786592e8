"""Training pairs mixed on the fly: SNR, clean share, band-limiting, pool weights."""

from __future__ import annotations

import numpy as np
import pytest

from core.data.mixing import MixConfig, Mixer, MixStream, excerpts
from core.errors import ConfigError

SR = 16000


def tone(freq: float, seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)[None, :]


def noises() -> dict[str, list[np.ndarray]]:
    rng = np.random.default_rng(0)
    white = (0.1 * rng.standard_normal((1, 3 * SR))).astype(np.float32)
    return {"white": [white], "silent": []}


def plain(**kw: object) -> MixConfig:
    base: dict[str, object] = dict(clean_fraction=0.0, bandlimit_fraction=0.0)
    base.update(kw)
    return MixConfig(**base)  # type: ignore[arg-type]


def test_mix_reaches_the_drawn_snr_and_keeps_peaks_below_full_scale() -> None:
    mixer = Mixer(noises(), sr=SR, config=plain(snr_db_range=(5.0, 5.0)))
    rng = np.random.default_rng(1)
    for _ in range(5):
        noisy, clean = mixer.mix(tone(440.0), rng)
        assert noisy.shape == clean.shape == (1, 2 * SR) and noisy.dtype == np.float32
        snr = 10 * np.log10(np.mean(clean**2) / np.mean((noisy - clean) ** 2))
        assert snr == pytest.approx(5.0, abs=0.01)
        assert np.max(np.abs(noisy)) <= 0.99 + 1e-6


def test_clean_share_and_band_limiting() -> None:
    mixer = Mixer(noises(), sr=SR, config=plain(clean_fraction=1.0))
    noisy, clean = mixer.mix(tone(440.0), np.random.default_rng(2))
    assert np.array_equal(noisy, clean)

    limited = Mixer(
        noises(), sr=SR, config=plain(bandlimit_fraction=1.0, bandlimit_hz=(3000.0, 3000.0))
    )
    noisy, clean = limited.mix(tone(440.0), np.random.default_rng(3))
    spectrum = np.abs(np.fft.rfft(noisy[0])) ** 2
    freqs = np.fft.rfftfreq(noisy.shape[1], 1 / SR)
    assert spectrum[freqs > 4000].sum() < 1e-4 * spectrum.sum()  # white noise cut above 3 kHz


def test_stream_draws_pools_by_weight_reproducibly() -> None:
    low, high = [tone(300.0)], [tone(3000.0)]
    mixer = Mixer(noises(), sr=SR, config=plain(snr_db_range=(40.0, 40.0)))
    stream = MixStream([(0.8, low), (0.2, high)], mixer, samples=4096)

    def is_high(clean: np.ndarray) -> bool:
        spectrum = np.abs(np.fft.rfft(clean[0]))
        return bool(np.fft.rfftfreq(clean.shape[1], 1 / SR)[np.argmax(spectrum)] > 1000)

    draws = [stream.draw(np.random.default_rng(i)) for i in range(300)]
    share = np.mean([is_high(clean) for _, clean in draws])
    assert 0.13 < share < 0.27
    assert all(n.shape == (1, 4096) for n, _ in draws)
    again = stream.draw(np.random.default_rng(7))
    assert np.array_equal(again[0], draws[7][0])


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ConfigError):
        Mixer({"none": []}, sr=SR, config=MixConfig())
    with pytest.raises(ConfigError):
        Mixer(noises(), sr=SR, config=MixConfig(clean_fraction=1.5))
    mixer = Mixer(noises(), sr=SR, config=MixConfig())
    with pytest.raises(ConfigError):
        MixStream([(1.0, [])], mixer, samples=100)
    silent = MixStream([(1.0, [np.zeros((1, SR), np.float32)])], mixer, samples=100)
    with pytest.raises(ConfigError, match="silent"):
        silent.draw(np.random.default_rng(0))


def test_excerpts_pad_short_recordings() -> None:
    short = np.ones((1, 10), np.float32)
    (only,) = excerpts(short, 16, np.random.default_rng(0), 3)
    assert only.shape == (1, 16) and only[0, 10:].sum() == 0
    many = excerpts(np.ones((1, 100), np.float32), 20, np.random.default_rng(0), 3)
    assert len(many) == 3 and all(e.shape == (1, 20) for e in many)
