"""Mains hum removal: detection of 50/60 Hz, depth of removal, transparency."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.dsp.dehum import DehumConfig, HumReport, dehum, detect_hum
from core.errors import ConfigError
from core.metrics import si_sdr
from core.signals import pink_noise, speech_like, tone

SR = 16000


def hum(
    *,
    sr: int,
    seconds: float,
    f0: float,
    amplitude: float = 0.05,
    harmonics: int = 6,
    seed: int = 0,
) -> np.ndarray:
    """Hum at ``f0`` drifting by +-0.2 Hz, harmonic k at ``amplitude / k``; ``(1, samples)``."""
    rng = np.random.default_rng(seed)
    n = int(round(sr * seconds))
    t = np.arange(n) / sr
    freq = f0 + 0.2 * np.sin(2 * np.pi * 0.1 * t + rng.uniform(0, 2 * np.pi))
    phase = 2 * np.pi * np.cumsum(freq) / sr
    out = sum(
        amplitude / k * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
        for k in range(1, harmonics + 1)
    )
    return np.asarray(out, dtype=np.float32)[np.newaxis]


def band_db(x: np.ndarray, sr: int, centre: float, half_width: float = 1.0) -> float:
    """Energy in dB of ``x`` within ``centre +- half_width`` Hz (Hann-windowed FFT)."""
    spec = np.fft.rfft(x[0].astype(np.float64) * np.hanning(x.shape[1]))
    freqs = np.fft.rfftfreq(x.shape[1], 1 / sr)
    band = np.abs(freqs - centre) <= half_width
    return float(10 * np.log10(np.sum(np.abs(spec[band]) ** 2) + 1e-30))


@pytest.mark.parametrize("f0", [50.0, 60.0])
def test_detect_hum_tells_50_from_60(f0: float) -> None:
    programme = speech_like(sr=SR, seconds=6.0, seed=1)
    report = detect_hum(programme + hum(sr=SR, seconds=6.0, f0=f0), sr=SR)
    assert isinstance(report, HumReport)
    assert report.fundamental_hz is not None
    assert report.fundamental_hz == pytest.approx(f0, abs=0.3)
    # Mean-square power of the six harmonics: 0.05^2 / 2 * sum(1 / k^2) = -27.3 dBFS.
    expected = 10 * math.log10(0.05**2 / 2 * sum(1 / k**2 for k in range(1, 7)))
    assert report.level_db == pytest.approx(expected, abs=1.5)  # measured -27.4
    assert report.harmonics >= 6


@pytest.mark.parametrize(
    "programme",
    [
        speech_like(sr=SR, seconds=6.0, seed=2),
        tone(freq=125.0, sr=SR, seconds=6.0, amplitude=0.2)
        + tone(freq=440.0, sr=SR, seconds=6.0, amplitude=0.2)
        + pink_noise(sr=SR, seconds=6.0, amplitude=0.01, seed=3),
    ],
    ids=["speech", "tones"],
)
def test_detect_hum_finds_none_on_clean_input(programme: np.ndarray) -> None:
    report = detect_hum(programme, sr=SR)
    assert report.fundamental_hz is None
    assert report.level_db == float("-inf")
    assert report.harmonics == 0


def test_a_note_on_the_series_that_comes_and_goes_is_not_hum() -> None:
    """A bass note at 100 Hz (on the 50 Hz series), sounding one second in two, stands
    far out of the long-term spectrum but does not hold its level as hum does."""
    seconds = 8.0
    gate = (np.arange(int(SR * seconds)) // SR % 2 == 0).astype(np.float32)
    note = tone(freq=100.0, sr=SR, seconds=seconds, amplitude=0.2) * gate
    programme = note + pink_noise(sr=SR, seconds=seconds, amplitude=0.01, seed=3)
    assert detect_hum(programme, sr=SR).fundamental_hz is None
    # the same note with steady hum under it, 20 dB quieter: the hum is found
    mains = hum(sr=SR, seconds=seconds, f0=50.0, amplitude=0.02)
    assert detect_hum(programme + mains, sr=SR).fundamental_hz == pytest.approx(50.0, abs=0.3)


@pytest.mark.parametrize(("sr", "f0"), [(16000, 50.0), (16000, 60.0), (48000, 50.0)])
def test_removes_drifting_hum_by_30_db(sr: int, f0: float) -> None:
    programme = speech_like(sr=sr, seconds=6.0, seed=1)
    noise = hum(sr=sr, seconds=6.0, f0=f0)
    out = dehum(programme + noise, sr=sr)
    assert out.shape == programme.shape and out.dtype == np.float32
    residual = out - programme
    for k in range(1, 7):
        reduction = band_db(noise, sr, k * f0) - band_db(residual, sr, k * f0)
        assert reduction >= 30.0, f"harmonic {k}: {reduction:.1f} dB"  # measured 33..81 dB
    assert si_sdr(out, programme) >= 30.0  # measured 45 dB (noisy input: 2 dB)


def test_drifting_hum_under_dense_noise() -> None:
    # Stationary pink noise leaves no quiet frames to estimate from, and the drift
    # (+-0.2 Hz) is far beyond what a constant frequency can follow.
    programme = pink_noise(sr=SR, seconds=8.0, amplitude=0.01, seed=4)
    noise = hum(sr=SR, seconds=8.0, f0=60.0, amplitude=0.01, harmonics=8)
    out = dehum(programme + noise, sr=SR)
    residual = out - programme
    for k in range(1, 8):
        reduction = band_db(noise, SR, k * 60.0) - band_db(residual, SR, k * 60.0)
        assert reduction >= 15.0, f"harmonic {k}: {reduction:.1f} dB"  # measured 20..32 dB
    assert si_sdr(out, programme) >= 20.0  # measured 27 dB (noisy input: 1 dB)


def test_tones_between_harmonics_are_kept() -> None:
    tones = (
        tone(freq=125.0, sr=SR, seconds=6.0, amplitude=0.2)
        + tone(freq=275.0, sr=SR, seconds=6.0, amplitude=0.1)
        + tone(freq=440.0, sr=SR, seconds=6.0, amplitude=0.2)
    )
    out = dehum(tones + hum(sr=SR, seconds=6.0, f0=50.0), sr=SR)
    assert si_sdr(out, tones) >= 30.0  # measured 70 dB
    # Even removal forced at 50 Hz on hum-free tones leaves them essentially intact.
    forced = dehum(tones, sr=SR, config=DehumConfig(fundamental_hz=50.0))
    assert si_sdr(forced, tones) >= 25.0  # measured 89 dB


def test_clean_input_is_untouched() -> None:
    clean = np.concatenate(
        [speech_like(sr=SR, seconds=4.0, seed=5), speech_like(sr=SR, seconds=4.0, seed=6)]
    )
    out = dehum(clean, sr=SR)
    assert np.array_equal(out, clean)


@pytest.mark.parametrize("sr", [8000, 96000])
def test_short_stereo_chunk_at_extreme_rates(sr: int) -> None:
    programme = np.concatenate(
        [speech_like(sr=sr, seconds=1.0, seed=1), 0.5 * speech_like(sr=sr, seconds=1.0, seed=2)]
    )
    noisy = programme + hum(sr=sr, seconds=1.0, f0=60.0)
    out = dehum(noisy, sr=sr)
    assert out.shape == (2, sr) and out.dtype == np.float32
    for ch in range(2):
        assert si_sdr(out[ch], programme[ch]) >= si_sdr(noisy[ch], programme[ch]) + 20.0


@pytest.mark.parametrize(
    "kwargs", [{"fundamental_hz": 5.0}, {"harmonics": 0}, {"bandwidth_hz": 0.0}]
)
def test_bad_config_raises(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        DehumConfig(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [300, 1000, 4097])
def test_the_programme_beside_each_harmonic_is_the_boxcar_of_the_shifted_signal(n: int) -> None:
    """One matrix product per block gives what shifting the signal and framing it gives."""
    from core.dsp.dehum import _NEIGHBOURS, _boxcar2, _boxcar2_beside

    rng = np.random.default_rng(n)
    z = rng.standard_normal((3, n)) + 1j * rng.standard_normal((3, n))
    length = 64
    fast = _boxcar2_beside(z, length, _NEIGHBOURS)
    for i, j in enumerate(_NEIGHBOURS):
        direct, _ = _boxcar2(z * np.exp(-2j * np.pi * j * np.arange(n) / length), length)
        np.testing.assert_allclose(fast[i], direct, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("start", "frames", "step", "n"), [(7, 10, 8, 100), (0, 5, 4, 16), (3, 1, 6, 9)]
)
def test_hum_synthesis_equals_summing_interpolated_amplitudes(
    start: int, frames: int, step: int, n: int
) -> None:
    """Two weighted carrier sums per span give the hum that interpolating every
    harmonic's amplitude to each sample (held at the ends) and summing gives."""
    from core.dsp.dehum import _synthesise

    rng = np.random.default_rng(frames)
    amp = rng.standard_normal((4, frames)) + 1j * rng.standard_normal((4, frames))
    carriers = np.exp(1j * rng.uniform(0, 2 * np.pi, (4, n)))
    centres = start + step * np.arange(frames, dtype=np.float64)
    samples = np.arange(n, dtype=np.float64)
    amplitude = np.stack(
        [
            np.interp(samples, centres, a.real) + 1j * np.interp(samples, centres, a.imag)
            for a in amp
        ]
    )
    direct = np.sum((amplitude * carriers).real, axis=0)
    np.testing.assert_allclose(
        _synthesise(amp, carriers, start=start, step=step), direct, atol=1e-12
    )


@pytest.mark.parametrize(("fs", "n"), [(1000.0, 500), (1378.125, 4100), (2000.0, 60001)])
def test_the_long_term_spectrum_is_scipys_welch(fs: float, n: int) -> None:
    from scipy import signal

    from core.dsp.dehum import _long_term_spectrum

    t = np.arange(n) / fs
    low = np.random.default_rng(n).standard_normal((2, n)) + 0.3 * np.sin(2 * np.pi * 50 * t)
    size = int(min(n, round(4.0 * fs)))
    freqs, psd = signal.welch(
        low,
        fs=fs,
        window="hann",
        nperseg=size,
        noverlap=size // 2,
        nfft=2 * size,
        detrend="constant",
        average="median" if 1 + (n - size) // (size - size // 2) >= 3 else "mean",
        axis=-1,
    )
    got_freqs, got = _long_term_spectrum(low, fs)
    np.testing.assert_allclose(got_freqs, freqs)
    np.testing.assert_allclose(got, psd.mean(axis=0), rtol=1e-10)
