"""Noisy/clean training pairs mixed on the fly from clean and noise recordings.

A model trained on a fixed set of mixes learns those mixes: with an hour of pairs
the training loss keeps falling while the validation loss stalls. Drawing a fresh
excerpt, noise, SNR and level for every example gives each epoch new material.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.dsp.filters import highpass, lowpass
from core.errors import ConfigError
from core.model.inference import pre_clean


@dataclass(frozen=True)
class MixConfig:
    """How a clean excerpt becomes a training pair."""

    snr_db_range: tuple[float, float] = (-5.0, 20.0)
    level_db_range: tuple[float, float] = (-20.0, -1.0)  # peak of the clean excerpt
    clean_fraction: float = 0.15  # pairs left clean: the model must learn to leave them be
    # Telephone, old broadcast and 8 kHz files arrive band-limited; both sides are
    # low-passed, so there is nothing to invent above the edge.
    bandlimit_fraction: float = 0.25
    bandlimit_hz: tuple[float, float] = (3000.0, 7000.0)
    # Telephone and AM broadcast also lose the lows: this share of the band-limited
    # pairs is high-passed too.
    band_highpass_fraction: float = 0.0
    band_highpass_hz: tuple[float, float] = (100.0, 400.0)
    # Steady hiss (tape, preamp, old broadcast) in place of a recording: coloured
    # Gaussian noise whose power falls or rises by a drawn slope in dB per octave
    # (0 white, -3 pink). Real noise recordings rarely hold such a steady floor.
    hiss_fraction: float = 0.0
    hiss_slope_db: tuple[float, float] = (-4.0, 2.0)

    def validate(self) -> None:
        for name in (
            "clean_fraction",
            "bandlimit_fraction",
            "band_highpass_fraction",
            "hiss_fraction",
        ):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(f"{name} must be between 0 and 1")
        if self.snr_db_range[0] > self.snr_db_range[1]:
            raise ConfigError("the SNR range must run from low to high")


def hiss(
    samples: int, *, sr: int, slope_db_per_octave: float, rng: np.random.Generator
) -> np.ndarray:
    """Stationary Gaussian noise ``(1, samples)`` whose power spectrum changes by
    ``slope_db_per_octave`` per octave (0 white, -3 pink), flat below 50 Hz, unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(samples))
    freqs = np.maximum(np.fft.rfftfreq(samples, 1.0 / sr), 50.0)
    spectrum *= (freqs / 1000.0) ** (slope_db_per_octave / (20 * np.log10(2.0)))
    noise = np.fft.irfft(spectrum, n=samples)
    return (noise / max(float(np.sqrt(np.mean(noise**2))), 1e-12))[np.newaxis]


def excerpts(audio: np.ndarray, n: int, rng: np.random.Generator, most: int) -> list[np.ndarray]:
    """Up to ``most`` random half-overlapping excerpts of ``n`` samples, zero-padded if short.

    ``audio`` is ``(channels, samples)``; each excerpt is ``(channels, n)``.
    """
    if audio.shape[1] < n:
        return [np.pad(audio, ((0, 0), (0, n - audio.shape[1])))]
    starts = rng.permutation(max(audio.shape[1] - n, 0) // (n // 2) + 1)[:most] * (n // 2)
    return [audio[:, s : s + n] for s in starts]


class Mixer:
    """Mixes clean excerpts with real noise recordings.

    Parameters
    ----------
    noises : Mapping[str, Sequence[np.ndarray]]
        noise recordings ``(1, samples)`` grouped by collection; a collection is drawn
        first, then a file in it, so no one large collection dominates.
    sr : int
        the rate of every recording.
    config : MixConfig
    """

    def __init__(
        self, noises: Mapping[str, Sequence[np.ndarray]], *, sr: int, config: MixConfig
    ) -> None:
        config.validate()
        self.noises = {k: list(v) for k, v in sorted(noises.items()) if len(v)}
        if not self.noises:
            raise ConfigError("no noise recordings to mix with")
        self.folders = sorted(self.noises)
        self.sr = sr
        self.config = config

    def mix(self, clean: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """A ``(noisy, clean)`` pair from one clean excerpt ``(1, samples)``, both float32
        ``(1, samples)``, peaks at most 0.99; ``clean`` is rescaled to a random level."""
        cfg = self.config
        n = clean.shape[1]
        clean = clean / max(float(np.max(np.abs(clean))), 1e-9)
        clean = clean * 10 ** (rng.uniform(*cfg.level_db_range) / 20)
        if rng.random() < cfg.clean_fraction:
            noisy = clean.copy()
        else:
            noise = self._noise(n, rng)
            snr = rng.uniform(*cfg.snr_db_range)
            p_c, p_n = np.mean(clean**2), max(float(np.mean(noise**2)), 1e-12)
            noisy = clean + noise * np.sqrt(p_c / (p_n * 10 ** (snr / 10)))
        if rng.random() < cfg.bandlimit_fraction:
            cutoff = float(rng.uniform(*cfg.bandlimit_hz))
            clean = lowpass(clean, sr=self.sr, cutoff_hz=cutoff)
            noisy = lowpass(noisy, sr=self.sr, cutoff_hz=cutoff)
            if cfg.band_highpass_fraction > 0 and rng.random() < cfg.band_highpass_fraction:
                low = float(rng.uniform(*cfg.band_highpass_hz))
                clean = highpass(clean, sr=self.sr, cutoff_hz=low)
                noisy = highpass(noisy, sr=self.sr, cutoff_hz=low)
        peak = max(float(np.max(np.abs(noisy))), 1e-9)
        if peak > 0.99:
            noisy, clean = noisy * 0.99 / peak, clean * 0.99 / peak
        return noisy.astype(np.float32), clean.astype(np.float32)

    def _noise(self, n: int, rng: np.random.Generator) -> np.ndarray:
        cfg = self.config
        # No draw when hiss is off, so recipes without it keep their random sequence.
        if cfg.hiss_fraction > 0 and rng.random() < cfg.hiss_fraction:
            return hiss(n, sr=self.sr, slope_db_per_octave=rng.uniform(*cfg.hiss_slope_db), rng=rng)
        pool = self.noises[self.folders[rng.integers(len(self.folders))]]
        return excerpts(pool[rng.integers(len(pool))], n, rng, 1)[0]


class MixStream:
    """An endless supply of fresh pairs drawn from weighted pools of clean recordings.

    Parameters
    ----------
    pools : Sequence[tuple[float, Sequence[np.ndarray]]]
        ``(weight, recordings)``: a pool is drawn by weight (e.g. speech 0.8, music 0.2),
        then a recording in it, then a random excerpt; silent excerpts are redrawn.
    mixer : Mixer
    samples : int
        length of each pair.
    """

    def __init__(
        self, pools: Sequence[tuple[float, Sequence[np.ndarray]]], mixer: Mixer, *, samples: int
    ) -> None:
        self.pools = [(w, list(p)) for w, p in pools if w > 0 and len(p)]
        if not self.pools:
            raise ConfigError("no clean recordings to draw from")
        weights = np.array([w for w, _ in self.pools], dtype=np.float64)
        self.weights = weights / weights.sum()
        self.mixer = mixer
        self.samples = samples

    def draw(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One fresh ``(noisy, clean)`` pair, float32 ``(1, samples)`` each."""
        for _ in range(100):
            pool = self.pools[rng.choice(len(self.pools), p=self.weights)][1]
            clean = excerpts(pool[rng.integers(len(pool))], self.samples, rng, 1)[0]
            if np.max(np.abs(clean)) >= 1e-3:
                return self.mixer.mix(clean, rng)
        raise ConfigError("the clean recordings are silent")


PRE_CLEAN_FULL_SHARE = 0.75
"""Share of :class:`PreCleanedStream`'s pairs cut at full depth (as the pre-clean mostly runs)."""


class PreCleanedStream:
    """Pairs whose noisy side has been through the steady-noise cut that the model step's
    pre-clean makes before its speech-in-noise model (:class:`core.model.inference.Enhancer`),
    so that model trains on the input it will meet.

    As in use, the cut learns its noise profile from seconds of audio: ``stream`` draws
    long pairs, and a random window of ``samples`` of each is kept. The depth is
    ``depth_db`` for a share ``full_share`` of the pairs and uniform between 1 dB and
    it otherwise.
    """

    def __init__(
        self,
        stream: MixStream,
        *,
        samples: int,
        sr: int,
        depth_db: float,
        full_share: float = PRE_CLEAN_FULL_SHARE,
    ) -> None:
        if not 1.0 <= depth_db <= 100.0:
            raise ConfigError(f"the pre-clean depth must be in [1, 100] dB, got {depth_db}")
        if samples > stream.samples:
            raise ConfigError("the kept window must fit in the drawn pairs")
        self.stream, self.samples, self.sr = stream, samples, sr
        self.depth_db, self.full_share = depth_db, full_share

    def draw(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One fresh ``(pre-cleaned noisy, clean)`` pair, float32 ``(1, samples)`` each."""
        noisy, clean = self.stream.draw(rng)
        noisy = pre_clean(noisy, sr=self.sr, depth_db=self.draw_depth(rng))
        start = int(rng.integers(noisy.shape[1] - self.samples + 1))
        window = slice(start, start + self.samples)
        return noisy[:, window], clean[:, window]

    def draw_depth(self, rng: np.random.Generator) -> float:
        if rng.random() < self.full_share:
            return self.depth_db
        return float(rng.uniform(1.0, self.depth_db))
