"""Deterministic synthetic signals for tests, examples and the demo recording.

Each generator returns float32 ``(channels, samples)`` and takes a seed where
randomness is involved, so fixtures are reproducible without shipping audio.
"""

from __future__ import annotations

import numpy as np


def tone(*, freq: float, sr: int, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    """A sine at ``freq`` Hz; shape ``(1, samples)``."""
    t = np.arange(int(round(sr * seconds))) / sr
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)[np.newaxis]


def chirp(*, f0: float, f1: float, sr: int, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    """A linear sweep from ``f0`` to ``f1`` Hz; shape ``(1, samples)``."""
    t = np.arange(int(round(sr * seconds))) / sr
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t**2 / (2 * seconds))
    return (amplitude * np.sin(phase)).astype(np.float32)[np.newaxis]


def white_noise(*, sr: int, seconds: float, amplitude: float = 0.1, seed: int = 0) -> np.ndarray:
    """Gaussian noise with standard deviation ``amplitude``; shape ``(1, samples)``."""
    rng = np.random.default_rng(seed)
    n = int(round(sr * seconds))
    return (amplitude * rng.standard_normal(n)).astype(np.float32)[np.newaxis]


def pink_noise(*, sr: int, seconds: float, amplitude: float = 0.1, seed: int = 0) -> np.ndarray:
    """1/f noise scaled to standard deviation ``amplitude``; shape ``(1, samples)``."""
    rng = np.random.default_rng(seed)
    n = int(round(sr * seconds))
    spectrum = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    freqs = np.fft.rfftfreq(n, 1 / sr)
    spectrum /= np.sqrt(np.maximum(freqs, 20.0))
    x = np.fft.irfft(spectrum, n=n)
    return (amplitude * x / (np.std(x) + 1e-12)).astype(np.float32)[np.newaxis]


def speech_like(*, sr: int, seconds: float, seed: int = 0, amplitude: float = 0.3) -> np.ndarray:
    """Voiced syllables: a gliding harmonic source through moving formants, with pauses.

    Not speech, but it has what a denoiser must respect: harmonics with vibrato,
    a formant envelope, syllabic on/off modulation and silent gaps.
    Shape ``(1, samples)``.
    """
    rng = np.random.default_rng(seed)
    n = int(round(sr * seconds))
    t = np.arange(n) / sr
    f0 = rng.uniform(100, 220) * (1 + 0.08 * np.sin(2 * np.pi * rng.uniform(0.5, 2) * t))
    phase = 2 * np.pi * np.cumsum(f0) / sr
    formants = rng.uniform([500, 1200, 2500], [800, 1900, 3200])
    out = np.zeros(n)
    for k in range(1, int(min(40, (sr / 2 - 200) / 260))):
        fk = k * f0
        weight = sum(np.exp(-(((fk - f) / 250.0) ** 2)) for f in formants) + 0.05
        out += weight * np.sin(k * phase) / k**0.5
    # Syllables of 120-350 ms separated by 40-250 ms of silence.
    envelope = np.zeros(n)
    pos = int(rng.uniform(0.05, 0.2) * sr)
    while pos < n:
        length = int(rng.uniform(0.12, 0.35) * sr)
        seg = np.sin(np.linspace(0, np.pi, max(length, 2))) ** 0.7
        envelope[pos : pos + length] = seg[: max(0, min(length, n - pos))]
        pos += length + int(rng.uniform(0.04, 0.25) * sr)
    out *= envelope
    peak = np.max(np.abs(out)) or 1.0
    return (amplitude * out / peak).astype(np.float32)[np.newaxis]


def mix_at_snr(clean: np.ndarray, noise: np.ndarray, *, snr_db: float) -> np.ndarray:
    """``clean + g * noise`` with ``g`` chosen so the mixture has ``snr_db`` dB SNR.

    ``noise`` is tiled or cut to the length of ``clean``; shapes ``(channels, samples)``.
    """
    n = clean.shape[-1]
    reps = int(np.ceil(n / noise.shape[-1]))
    noise = np.tile(noise, (1, reps))[..., :n]
    p_clean = float(np.mean(clean.astype(np.float64) ** 2))
    p_noise = float(np.mean(noise.astype(np.float64) ** 2)) or 1e-20
    gain = np.sqrt(p_clean / (p_noise * 10 ** (snr_db / 10)))
    return (clean + gain * noise).astype(np.float32)
