"""Training pairs mixed on the fly: SNR, clean share, band-limiting, hiss, pool weights."""

from __future__ import annotations

import numpy as np
import pytest

from core.data.mixing import (
    MixConfig,
    Mixer,
    MixStream,
    PreCleanedStream,
    excerpts,
    hiss,
)
from core.errors import ConfigError
from core.model.inference import pre_clean

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
    assert spectrum[freqs < 150].sum() > 1e-3 * spectrum.sum()  # the lows are kept

    telephone = plain(
        bandlimit_fraction=1.0,
        bandlimit_hz=(3000.0, 3000.0),
        band_highpass_fraction=1.0,
        band_highpass_hz=(400.0, 400.0),
    )
    noisy, clean = Mixer(noises(), sr=SR, config=telephone).mix(
        tone(1000.0), np.random.default_rng(3)
    )
    spectrum = np.abs(np.fft.rfft(noisy[0])) ** 2
    assert spectrum[freqs < 150].sum() < 1e-4 * spectrum.sum()  # and cut below 400 Hz
    assert spectrum[freqs > 4000].sum() < 1e-4 * spectrum.sum()


def octave_power_db(x: np.ndarray, low_hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(x[0])) ** 2
    freqs = np.fft.rfftfreq(x.shape[1], 1 / SR)
    return float(10 * np.log10(spectrum[(freqs >= low_hz) & (freqs < 2 * low_hz)].sum()))


@pytest.mark.parametrize("slope", [0.0, -3.0, 2.0])
def test_hiss_has_the_drawn_spectral_slope(slope: float) -> None:
    noise = hiss(4 * SR, sr=SR, slope_db_per_octave=slope, rng=np.random.default_rng(4))
    assert noise.shape == (1, 4 * SR)
    assert np.sqrt(np.mean(noise**2)) == pytest.approx(1.0, rel=1e-6)
    steps = [octave_power_db(noise, f * 2) - octave_power_db(noise, f) for f in (500, 1000, 2000)]
    # Each octave holds twice the bins of the one below: +3 dB for white noise.
    assert np.mean(steps) == pytest.approx(3.0 + slope, abs=0.3)


def test_hiss_share_replaces_the_recordings() -> None:
    # The recording pool is a 440 Hz tone; hiss is broadband, so it shows above 4 kHz.
    tonal = {"tone": [tone(440.0, 3.0)]}
    config = plain(snr_db_range=(10.0, 10.0), hiss_fraction=1.0, hiss_slope_db=(0.0, 0.0))
    noisy, clean = Mixer(tonal, sr=SR, config=config).mix(tone(300.0), np.random.default_rng(5))
    noise = noisy - clean
    assert 10 * np.log10(np.mean(clean**2) / np.mean(noise**2)) == pytest.approx(10.0, abs=0.01)
    assert octave_power_db(noise, 4000) - octave_power_db(noise, 2000) == pytest.approx(3.0, abs=1)
    # Hiss off draws nothing for it: the recipes without hiss keep their pairs.
    a = Mixer(tonal, sr=SR, config=plain()).mix(tone(300.0), np.random.default_rng(6))
    b = Mixer(tonal, sr=SR, config=plain(hiss_fraction=0.0, hiss_slope_db=(-9.0, 9.0))).mix(
        tone(300.0), np.random.default_rng(6)
    )
    assert np.array_equal(a[0], b[0])


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


def speech_like(seconds: float = 4.0) -> np.ndarray:
    """A tone in bursts with pauses: the quietest frames hold only the noise."""
    x = tone(440.0, seconds)
    t = np.arange(x.shape[1]) / SR
    return (x * ((t % 1.0) < 0.6)).astype(np.float32)


def test_pre_cleaned_pairs_are_windows_of_the_cut_long_mix() -> None:
    mixer = Mixer(noises(), sr=SR, config=plain(snr_db_range=(5.0, 5.0)))
    long_pairs = MixStream([(1.0, [speech_like()])], mixer, samples=4 * SR)
    stream = PreCleanedStream(long_pairs, samples=4096, sr=SR, depth_db=12.0, full_share=1.0)
    noisy, clean = stream.draw(np.random.default_rng(3))
    assert noisy.shape == clean.shape == (1, 4096) and noisy.dtype == np.float32

    # The same draws by hand: the whole mix, cut at full depth, then the window.
    rng = np.random.default_rng(3)
    long_noisy, long_clean = long_pairs.draw(rng)
    rng.random()  # the depth draw
    start = int(rng.integers(4 * SR - 4096 + 1))
    cut = pre_clean(long_noisy, sr=SR, depth_db=12.0)
    assert np.array_equal(noisy, cut[:, start : start + 4096])
    assert np.array_equal(clean, long_clean[:, start : start + 4096])

    # The cut learned the noise from the pauses: much less of it is left.
    def snr(x: np.ndarray) -> float:
        return float(10 * np.log10(np.mean(long_clean**2) / np.mean((x - long_clean) ** 2)))

    assert snr(cut) > snr(long_noisy) + 5.0


def test_pre_clean_depth_is_drawn_below_the_full_depth() -> None:
    mixer = Mixer(noises(), sr=SR, config=plain())
    long_pairs = MixStream([(1.0, [speech_like()])], mixer, samples=4 * SR)
    stream = PreCleanedStream(long_pairs, samples=4096, sr=SR, depth_db=12.0, full_share=0.5)
    rng = np.random.default_rng(0)
    depths = np.array([stream.draw_depth(rng) for _ in range(400)])
    full = depths == 12.0
    assert 0.4 < full.mean() < 0.6
    assert np.all((depths[~full] >= 1.0) & (depths[~full] < 12.0))
    with pytest.raises(ConfigError):
        PreCleanedStream(long_pairs, samples=4096, sr=SR, depth_db=0.5)
    with pytest.raises(ConfigError):
        PreCleanedStream(long_pairs, samples=5 * SR, sr=SR, depth_db=12.0)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ConfigError):
        Mixer({"none": []}, sr=SR, config=MixConfig())
    with pytest.raises(ConfigError):
        Mixer(noises(), sr=SR, config=MixConfig(clean_fraction=1.5))
    with pytest.raises(ConfigError):
        Mixer(noises(), sr=SR, config=MixConfig(hiss_fraction=-0.1))
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
