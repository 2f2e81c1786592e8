"""Degradation simulator: realistic damaged versions of clean audio for training and benchmarks.

:func:`degrade` applies, each with its own probability and in the order a real signal
chain would, room reverberation, band-limiting (old broadcast, telephone), mains hum
with drifting frequency, real background noise at a drawn SNR, clicks, crackle,
clipping and a level change. It returns the damaged audio and a :class:`DegradeParams`
that records exactly what was applied, including ``target_gain``: the factor by which
the clean signal must be scaled to be the matching training target (the level change
and any scaling that keeps peaks at or under full scale apply to both).

:func:`degrade_pair_folder` turns a folder of clean recordings and one of noise
recordings into a paired ``noisy/`` + ``clean/`` training set.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import butter, ellip, fftconvolve, hilbert, sosfiltfilt

from core.audio.io import audio_files, load, save
from core.audio.resample import resample
from core.audio.validate import validate_audio, validate_rate
from core.dsp.channels import match_channels
from core.errors import (
    AudioFormatError,
    ConfigError,
    InvalidAudioError,
    OutputExistsError,
    UnsafeOutputError,
)
from core.output import check_output, make_folder, write_text
from core.progress import CancelToken, ProgressCallback, check_cancel

NoiseSource = Sequence[np.ndarray] | Callable[[np.random.Generator, int], np.ndarray]
"""Noise recordings at the clean signal's rate, or ``f(rng, samples) -> noise``."""

# References for signals that are silent, so levels relative to them stay defined.
_MIN_RMS = 1e-4  # -80 dBFS
_MIN_PEAK = 1e-2  # -40 dBFS
# Peak kept by the final level stage: a hair under full scale survives float32 rounding.
_MAX_PEAK = 1.0 - 1e-6
# Control rate of the synthetic mains drift random walk, in Hz.
_DRIFT_CONTROL_RATE = 4.0


Range = tuple[float, float]


@dataclass(frozen=True)
class DegradeConfig:
    """Probabilities and parameter ranges of each degradation (ranges are inclusive).

    Attributes
    ----------
    p_clean : probability of returning the input untouched (no other step runs).
    p_reverb, wet_range : probability of reverberation (needs ``rirs``) and its wet share.
    p_bandlimit, lowpass_hz_range : probability of band-limiting and its low-pass cutoff.
    p_highpass, highpass_hz_range : probability, given band-limiting, of also cutting lows.
    p_hum, hum_base_hz : probability of mains hum and the mains frequencies to pick from.
    hum_harmonics_range : number of harmonics (fundamental included).
    hum_level_db_range : hum RMS relative to the signal RMS, in dB.
    hum_decay_db_range : level drop per harmonic, in dB (plus +-3 dB random jitter).
    hum_drift_rate : sample rate in Hz of a ``hum_drift`` trajectory given to :func:`degrade`.
    hum_drift_span_hz : largest deviation of the synthetic random-walk drift, in Hz.
    p_noise, snr_db_range : probability of added noise (needs ``noises``) and its SNR in dB.
    p_clicks, click_rate_range : probability of clicks and their rate per minute.
    click_length_range : click length in samples.
    click_level_db_range : click peak relative to the signal peak, in dB.
    p_crackle, crackle_rate_range, crackle_length_range, crackle_level_db_range :
        the same for crackle, dense small impulses.
    p_clip, clip_fraction_range : probability of clipping and the share of samples clipped.
    p_gain, gain_db_range : probability of a level change and its range in dB; the gain
        is reduced when needed so no peak exceeds full scale.
    """

    p_clean: float = 0.05
    p_reverb: float = 0.3
    wet_range: Range = (0.2, 0.8)
    p_bandlimit: float = 0.3
    lowpass_hz_range: Range = (3000.0, 8000.0)
    p_highpass: float = 0.5
    highpass_hz_range: Range = (100.0, 300.0)
    p_hum: float = 0.3
    hum_base_hz: tuple[float, ...] = (50.0, 60.0)
    hum_harmonics_range: tuple[int, int] = (3, 10)
    hum_level_db_range: Range = (-45.0, -20.0)
    hum_decay_db_range: Range = (2.0, 8.0)
    hum_drift_rate: float = 400.0
    hum_drift_span_hz: float = 0.05
    p_noise: float = 0.8
    snr_db_range: Range = (-5.0, 20.0)
    p_clicks: float = 0.3
    click_rate_range: Range = (0.0, 300.0)
    click_length_range: tuple[int, int] = (1, 30)
    click_level_db_range: Range = (-20.0, 0.0)
    p_crackle: float = 0.2
    crackle_rate_range: Range = (1000.0, 10000.0)
    crackle_length_range: tuple[int, int] = (1, 4)
    crackle_level_db_range: Range = (-45.0, -25.0)
    p_clip: float = 0.2
    clip_fraction_range: Range = (0.001, 0.03)
    p_gain: float = 1.0
    gain_db_range: Range = (-20.0, 6.0)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.startswith("p_") and not 0.0 <= value <= 1.0:
                raise ConfigError(f"{f.name} must be a probability in [0, 1], got {value}")
            if f.name.endswith("_range"):
                if len(value) != 2 or not value[0] <= value[1]:
                    raise ConfigError(f"{f.name} must be (low, high) with low <= high, got {value}")
        checks = [
            (0.0 <= self.wet_range[0] and self.wet_range[1] <= 1.0, "wet_range within [0, 1]"),
            (self.lowpass_hz_range[0] > 0 and self.highpass_hz_range[0] > 0, "cutoffs > 0"),
            (len(self.hum_base_hz) > 0 and min(self.hum_base_hz) > 0, "hum_base_hz positive"),
            (self.hum_harmonics_range[0] >= 1, "at least one hum harmonic"),
            (self.hum_drift_rate > 0 and self.hum_drift_span_hz >= 0, "hum drift settings"),
            (self.click_rate_range[0] >= 0 and self.crackle_rate_range[0] >= 0, "rates >= 0"),
            (self.click_length_range[0] >= 1 and self.crackle_length_range[0] >= 1, "lengths"),
            (
                0.0 < self.clip_fraction_range[0] and self.clip_fraction_range[1] < 0.5,
                "clip_fraction_range within (0, 0.5)",
            ),
        ]
        for ok, what in checks:
            if not ok:
                raise ConfigError(f"invalid degradation settings: need {what}")


@dataclass(frozen=True)
class ReverbParams:
    rir_index: int
    direct_index: int  # sample of the direct path in the original impulse response
    wet: float


@dataclass(frozen=True)
class BandLimitParams:
    lowpass_hz: float | None  # None when the cutoff was at or above the Nyquist margin
    highpass_hz: float | None


@dataclass(frozen=True)
class HumParams:
    base_hz: float
    level_db: float  # hum RMS relative to the signal RMS
    harmonic_levels_db: tuple[float, ...]  # per harmonic, relative to the fundamental
    drift: str  # "given" or "synthetic"
    drift_offset_s: float  # start of the used excerpt of a given trajectory
    mean_hz: float
    min_hz: float
    max_hz: float


@dataclass(frozen=True)
class NoiseParams:
    noise_index: int | None  # None when the noise came from a callable
    offset: int  # first sample taken from the noise recording (tiled past its end)
    snr_db: float


@dataclass(frozen=True)
class ImpulseParams:
    """Clicks (every event listed) or crackle (summary only)."""

    rate_per_min: float
    count: int
    positions: tuple[int, ...] = ()
    lengths: tuple[int, ...] = ()
    levels_db: tuple[float, ...] = ()  # peak relative to the signal peak
    level_db: float | None = None  # crackle: typical level relative to the signal peak


@dataclass(frozen=True)
class ClipParams:
    target_fraction: float
    fraction: float  # share of samples at the clip level after clipping
    threshold: float  # clip level before the final gain


@dataclass(frozen=True)
class DegradeParams:
    """What :func:`degrade` did; ``None`` marks a step that did not run."""

    sr: int
    channels: int
    samples: int
    untouched: bool
    reverb: ReverbParams | None = None
    bandlimit: BandLimitParams | None = None
    hum: HumParams | None = None
    noise: NoiseParams | None = None
    clicks: ImpulseParams | None = None
    crackle: ImpulseParams | None = None
    clip: ClipParams | None = None
    gain_db: float = 0.0  # level change actually applied (after the peak limit)
    target_gain: float = 1.0  # multiply the clean input by this to get the matching target

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-safe dict (lists, floats, ints, strings, ``None``)."""
        return {str(k): _json_safe(v) for k, v in asdict(self).items()}


def _json_safe(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _uniform(rng: np.random.Generator, bounds: Range) -> float:
    return float(rng.uniform(bounds[0], bounds[1]))


def _integer(rng: np.random.Generator, bounds: tuple[int, int]) -> int:
    return int(rng.integers(bounds[0], bounds[1] + 1))


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def _zero_phase(sos: np.ndarray, x: np.ndarray) -> np.ndarray:
    # Zero-phase keeps the damaged signal aligned with its clean target.
    padlen = min(3 * (2 * len(sos) + 1), x.shape[1] - 1)
    return np.asarray(sosfiltfilt(sos, x, axis=-1, padlen=max(padlen, 0)))


def _reverb(
    x: np.ndarray, rirs: Sequence[np.ndarray], rng: np.random.Generator, wet_range: Range
) -> tuple[np.ndarray, ReverbParams]:
    index = int(rng.integers(len(rirs)))
    wet = _uniform(rng, wet_range)
    rir = validate_audio(rirs[index], name=f"rirs[{index}]")
    rir = match_channels(rir, channels=x.shape[0]).astype(np.float64)
    strength = np.abs(rir).max(axis=0)
    direct = int(np.argmax(strength))
    channel = int(np.argmax(np.abs(rir[:, direct])))
    if rir[channel, direct] == 0.0:
        raise InvalidAudioError(f"rirs[{index}] is silent")
    # Start at the direct path and scale it to +1: the dry sound keeps its time and level.
    rir = rir[:, direct:] / rir[channel, direct]
    reverberant = fftconvolve(x, rir, axes=-1)[:, : x.shape[1]]
    return (1.0 - wet) * x + wet * reverberant, ReverbParams(index, direct, wet)


def _bandlimit(
    x: np.ndarray, sr: int, rng: np.random.Generator, config: DegradeConfig
) -> tuple[np.ndarray, BandLimitParams]:
    lowpass: float | None = _uniform(rng, config.lowpass_hz_range)
    highpass: float | None = (
        _uniform(rng, config.highpass_hz_range) if rng.random() < config.p_highpass else None
    )
    if lowpass is not None and lowpass < 0.45 * sr:
        # Elliptic: the steep edge of codecs and broadcast links (about 80 dB by 1.1 fc).
        x = _zero_phase(ellip(8, 0.1, 80.0, lowpass, fs=sr, output="sos"), x)
    else:
        lowpass = None
    if highpass is not None and highpass < 0.45 * sr:
        x = _zero_phase(butter(4, highpass, btype="highpass", fs=sr, output="sos"), x)
    else:
        highpass = None
    return x, BandLimitParams(lowpass, highpass)


def _drift_relative(
    n: int,
    sr: int,
    base_hz: float,
    rng: np.random.Generator,
    config: DegradeConfig,
    hum_drift: np.ndarray | None,
) -> tuple[np.ndarray, str, float]:
    """Per-sample mains frequency divided by its nominal value, its source and offset."""
    seconds = n / sr
    if hum_drift is not None:
        rate = config.hum_drift_rate
        needed = int(np.ceil(seconds * rate)) + 2
        offset = int(rng.integers(0, max(hum_drift.size - needed, 0) + 1))
        idx = (offset + np.arange(needed)) % hum_drift.size  # tile a short trajectory
        nominal = 50.0 if float(np.median(hum_drift)) < 55.0 else 60.0
        control = hum_drift[idx] / nominal
        t_control = np.arange(needed) / rate
        source, offset_s = "given", offset / rate
    else:
        steps = int(np.ceil(seconds * _DRIFT_CONTROL_RATE)) + 2
        walk = np.cumsum(rng.standard_normal(steps))
        walk = uniform_filter1d(walk - walk.mean(), size=3, mode="nearest")
        span = float(np.max(np.abs(walk))) or 1.0
        deviation = walk / span * config.hum_drift_span_hz * rng.uniform(0.5, 1.0)
        control = 1.0 + deviation / base_hz
        t_control = np.arange(steps) / _DRIFT_CONTROL_RATE
        source, offset_s = "synthetic", 0.0
    return np.interp(np.arange(n) / sr, t_control, control), source, offset_s


def _hum(
    x: np.ndarray,
    sr: int,
    rng: np.random.Generator,
    config: DegradeConfig,
    hum_drift: np.ndarray | None,
) -> tuple[np.ndarray, HumParams]:
    n = x.shape[1]
    base = float(config.hum_base_hz[int(rng.integers(len(config.hum_base_hz)))])
    harmonics = _integer(rng, config.hum_harmonics_range)
    level_db = _uniform(rng, config.hum_level_db_range)
    decay = _uniform(rng, config.hum_decay_db_range)
    levels = -decay * np.arange(harmonics) + rng.uniform(-3.0, 3.0, harmonics)
    levels[0] = 0.0
    phases = rng.uniform(0.0, 2 * np.pi, harmonics)
    relative, source, offset_s = _drift_relative(n, sr, base, rng, config, hum_drift)
    freq = base * relative
    phase = 2 * np.pi * np.cumsum(freq) / sr
    hum = np.zeros(n)
    for k in range(harmonics):
        if (k + 1) * freq.max() < 0.45 * sr:  # no aliased harmonics
            hum += 10 ** (levels[k] / 20) * np.sin((k + 1) * phase + phases[k])
    hum *= max(_rms(x), _MIN_RMS) * 10 ** (level_db / 20) / (_rms(hum) or 1.0)
    params = HumParams(
        base_hz=base,
        level_db=level_db,
        harmonic_levels_db=tuple(float(v) for v in levels),
        drift=source,
        drift_offset_s=offset_s,
        mean_hz=float(freq.mean()),
        min_hz=float(freq.min()),
        max_hz=float(freq.max()),
    )
    return x + hum[np.newaxis, :], params


def _noise(
    x: np.ndarray, rng: np.random.Generator, noises: NoiseSource, snr_range: Range
) -> tuple[np.ndarray, NoiseParams]:
    n = x.shape[1]
    snr_db = _uniform(rng, snr_range)
    index: int | None
    if callable(noises):
        index, raw = None, noises(rng, n)
    else:
        index = int(rng.integers(len(noises)))
        raw = noises[index]
    noise = validate_audio(raw, name="noise")
    noise = match_channels(noise, channels=x.shape[0]).astype(np.float64)
    length = noise.shape[1]
    offset = int(rng.integers(length))
    noise = noise[:, (offset + np.arange(n)) % length]  # random start, tiled when short
    noise_rms = _rms(noise)
    if noise_rms == 0.0:
        raise InvalidAudioError(f"noise {index if index is not None else ''} is silent")
    signal_rms = max(_rms(x), _MIN_RMS)
    noise *= signal_rms / (noise_rms * 10 ** (snr_db / 20))
    return x + noise, NoiseParams(index, offset, snr_db)


def _impulses(
    n: int,
    rng: np.random.Generator,
    *,
    count: int,
    lengths: tuple[int, int],
    levels: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``count`` decaying random-sign bursts; returns (signal, positions, lengths)."""
    positions = np.sort(rng.integers(0, n, count))
    sizes = np.minimum(rng.integers(lengths[0], lengths[1] + 1, count), n - positions)
    signs = rng.choice(np.array([-1.0, 1.0]), count)
    longest = int(sizes.max()) if count else 0
    out = np.zeros(n)
    if count:
        k = np.arange(longest)[np.newaxis, :]
        # A sharp first sample, then a fast-decaying ringing of random shape.
        shape = np.exp(-k / np.maximum(sizes[:, np.newaxis] / 3.0, 1.0))
        wiggle = np.clip(rng.normal(0.0, 0.6, (count, longest)), -1.0, 1.0)
        wiggle[:, 0] = 1.0
        burst = signs[:, np.newaxis] * levels[:, np.newaxis] * shape * wiggle
        mask = k < sizes[:, np.newaxis]
        where = (positions[:, np.newaxis] + k)[mask]
        np.add.at(out, where, burst[mask])
    return out, positions, sizes


def _clicks(
    x: np.ndarray, sr: int, rng: np.random.Generator, config: DegradeConfig
) -> tuple[np.ndarray, ImpulseParams]:
    n = x.shape[1]
    rate = _uniform(rng, config.click_rate_range)
    count = int(rng.poisson(rate * n / sr / 60.0))
    levels_db = rng.uniform(*config.click_level_db_range, count)
    peak = max(float(np.max(np.abs(x))), _MIN_PEAK)
    burst, positions, sizes = _impulses(
        n, rng, count=count, lengths=config.click_length_range, levels=peak * 10 ** (levels_db / 20)
    )
    params = ImpulseParams(
        rate_per_min=rate,
        count=count,
        positions=tuple(int(p) for p in positions),
        lengths=tuple(int(s) for s in sizes),
        levels_db=tuple(float(v) for v in levels_db),
    )
    return x + burst[np.newaxis, :], params


def _crackle(
    x: np.ndarray, sr: int, rng: np.random.Generator, config: DegradeConfig
) -> tuple[np.ndarray, ImpulseParams]:
    n = x.shape[1]
    rate = _uniform(rng, config.crackle_rate_range)
    level_db = _uniform(rng, config.crackle_level_db_range)
    count = int(rng.poisson(rate * n / sr / 60.0))
    # Crackle levels scatter widely around the typical level (6 dB standard deviation).
    levels_db = level_db + rng.normal(0.0, 6.0, count)
    peak = max(float(np.max(np.abs(x))), _MIN_PEAK)
    burst, _, _ = _impulses(
        n,
        rng,
        count=count,
        lengths=config.crackle_length_range,
        levels=peak * 10 ** (levels_db / 20),
    )
    return x + burst[np.newaxis, :], ImpulseParams(rate, count, level_db=level_db)


def _clip(
    x: np.ndarray, rng: np.random.Generator, fraction_range: Range
) -> tuple[np.ndarray, ClipParams | None]:
    target = _uniform(rng, fraction_range)
    magnitude = np.abs(x)
    threshold = float(np.quantile(magnitude, 1.0 - target))
    if threshold <= 0.0:
        return x, None  # mostly silence: nothing meaningful to clip
    fraction = float(np.mean(magnitude >= threshold))
    return np.clip(x, -threshold, threshold), ClipParams(target, fraction, threshold)


def degrade(
    clean: np.ndarray,
    *,
    sr: int,
    config: DegradeConfig = DegradeConfig(),
    rng: np.random.Generator,
    noises: NoiseSource = (),
    rirs: Sequence[np.ndarray] = (),
    hum_drift: np.ndarray | None = None,
) -> tuple[np.ndarray, DegradeParams]:
    """Make one realistic degraded version of ``clean``.

    Parameters
    ----------
    clean : float32 array ``(channels, samples)`` (1-D is taken as mono)
    sr : sample rate in Hz
    config : probabilities and ranges of every degradation
    rng : the only source of randomness; the same seed gives the same result
    noises : noise recordings ``(channels or 1, samples)`` at rate ``sr``, or a callable
        ``f(rng, samples)`` returning one; a random excerpt is used, tiled when short.
        Without noises the noise step is skipped.
    rirs : room impulse responses ``(channels or 1, samples)`` at rate ``sr``; the part
        before the direct path (largest sample) is dropped so the output stays aligned.
        Without impulse responses the reverberation step is skipped.
    hum_drift : mains frequency in Hz over time, sampled at ``config.hum_drift_rate``
        (e.g. from :func:`mains_frequency_track`); only its relative deviation from 50 or
        60 Hz is used. Without it, a slow random walk of at most
        ``config.hum_drift_span_hz`` is synthesised.

    Returns
    -------
    ``(noisy, params)``: float32 ``(channels, samples)`` with the input's shape and peak
    at most 1.0, and the record of what was applied. The clean target matching ``noisy``
    is ``clean * params.target_gain`` (also at most 1.0 in peak).
    """
    clean = validate_audio(clean, name="clean")
    sr = validate_rate(sr)
    channels, n = clean.shape
    if hum_drift is not None:
        hum_drift = np.asarray(hum_drift, dtype=np.float64).ravel()
        if hum_drift.size < 2 or not np.all(np.isfinite(hum_drift)) or np.any(hum_drift <= 0):
            raise InvalidAudioError("hum_drift must be at least 2 positive frequencies in Hz")
    if rng.random() < config.p_clean:
        return clean.copy(), DegradeParams(sr, channels, n, untouched=True)

    x = clean.astype(np.float64)
    reverb = bandlimit = hum = noise = clicks = crackle = clip = None
    # One draw per step whether or not it can run, so a missing input does not shift
    # the random stream of the later steps.
    if rng.random() < config.p_reverb and len(rirs):
        x, reverb = _reverb(x, rirs, rng, config.wet_range)
    if rng.random() < config.p_bandlimit:
        x, bandlimit = _bandlimit(x, sr, rng, config)
    if rng.random() < config.p_hum:
        x, hum = _hum(x, sr, rng, config, hum_drift)
    if rng.random() < config.p_noise and (callable(noises) or len(noises)):
        x, noise = _noise(x, rng, noises, config.snr_db_range)
    if rng.random() < config.p_clicks:
        x, clicks = _clicks(x, sr, rng, config)
    if rng.random() < config.p_crackle:
        x, crackle = _crackle(x, sr, rng, config)
    if rng.random() < config.p_clip:
        x, clip = _clip(x, rng, config.clip_fraction_range)

    gain_db = _uniform(rng, config.gain_db_range) if rng.random() < config.p_gain else 0.0
    gain = 10 ** (gain_db / 20)
    # Neither the damaged signal nor its target may pass full scale: both get one gain.
    peak = max(float(np.max(np.abs(x))), float(np.max(np.abs(clean))))
    if peak * gain > _MAX_PEAK:
        gain = _MAX_PEAK / peak
    noisy = np.ascontiguousarray(x * gain, dtype=np.float32)
    params = DegradeParams(
        sr=sr,
        channels=channels,
        samples=n,
        untouched=False,
        reverb=reverb,
        bandlimit=bandlimit,
        hum=hum,
        noise=noise,
        clicks=clicks,
        crackle=crackle,
        clip=clip,
        gain_db=float(20 * np.log10(gain)),
        target_gain=float(gain),
    )
    return noisy, params


def mains_frequency_track(
    recording: np.ndarray, *, sr: int, nominal_hz: float = 50.0, smooth_s: float = 1.0
) -> np.ndarray:
    """Instantaneous mains frequency of a power-line recording, for ``hum_drift``.

    Parameters
    ----------
    recording : 1-D or ``(1, samples)`` recording of the mains waveform (e.g. the
        400 Hz-rate ENF recordings); rates from 100 Hz are accepted here
    sr : its sample rate in Hz
    nominal_hz : 50 or 60
    smooth_s : length in seconds of the moving average applied to the estimate

    Returns
    -------
    float64 array ``(samples,)``: frequency in Hz at every input sample, so pass
    ``DegradeConfig(hum_drift_rate=sr)`` with it.
    """
    x = np.asarray(recording, dtype=np.float64)
    if x.ndim == 2 and x.shape[0] == 1:
        x = x[0]
    if x.ndim != 1 or x.size < 16 or not np.all(np.isfinite(x)):
        raise InvalidAudioError("recording must be a finite 1-D signal of at least 16 samples")
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or not 100 <= sr <= 768_000:
        raise InvalidAudioError(f"sr must be an integer rate of at least 100 Hz, got {sr!r}")
    if not 0 < nominal_hz * 1.2 < sr / 2:
        raise InvalidAudioError(f"nominal_hz {nominal_hz} does not fit the rate {sr}")
    band = butter(2, [nominal_hz * 0.8, nominal_hz * 1.2], btype="bandpass", fs=sr, output="sos")
    narrow = _zero_phase(band, x[np.newaxis, :])[0]
    phase = np.unwrap(np.angle(np.asarray(hilbert(narrow))))
    freq = np.gradient(phase) * sr / (2 * np.pi)
    size = max(1, int(round(smooth_s * sr)))
    return np.asarray(uniform_filter1d(freq, size=size, mode="nearest"), dtype=np.float64)


class _DecodedCache:
    """Decoded files at a given rate, for one call; oldest dropped past ``limit_bytes``."""

    def __init__(self, limit_bytes: int = 512 * 2**20) -> None:
        self._items: dict[tuple[Path, int], np.ndarray] = {}
        self._limit = limit_bytes

    def get(self, path: Path, rate: int, what: str) -> np.ndarray:
        key = (path, rate)
        if key not in self._items:
            audio, file_rate = load(path)
            if not np.any(audio):
                raise InvalidAudioError(f"{what} file {path.name} is silent")
            audio = resample(audio, orig_sr=file_rate, target_sr=rate)
            while self._items and sum(a.nbytes for a in self._items.values()) + audio.nbytes > (
                self._limit
            ):
                del self._items[next(iter(self._items))]
            self._items[key] = audio
        return self._items[key]


class _LazyAudio(Sequence[np.ndarray]):
    """Files decoded (and resampled to ``rate``) only when :func:`degrade` picks one."""

    def __init__(self, paths: list[Path], rate: int, cache: _DecodedCache, what: str) -> None:
        self._paths, self._rate, self._cache, self._what = paths, rate, cache, what

    def __len__(self) -> int:
        return len(self._paths)

    def __getitem__(self, index: int) -> np.ndarray:  # type: ignore[override]
        return self._cache.get(self._paths[index], self._rate, self._what)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _check_folders(clean_dir: Path, noise_dir: Path | None, out_dir: Path) -> None:
    sources = [("clean", clean_dir)] + ([("noise", noise_dir)] if noise_dir else [])
    targets = [out_dir / "noisy", out_dir / "clean"]
    for label, source in sources:
        if _inside(out_dir, source):
            raise UnsafeOutputError(
                f"output folder {out_dir} is inside the {label} folder {source}; "
                "choose a folder outside your recordings"
            )
        if any(_inside(source, target) for target in targets):
            raise UnsafeOutputError(
                f"the {label} folder {source} lies where the output would be written"
            )
    for target in targets:
        if target.exists() and any(target.iterdir()):
            raise UnsafeOutputError(f"{target} already holds files; choose an empty folder")
    params = out_dir / PARAMS_NAME
    if os.path.lexists(params):  # the record of how an earlier set was made
        raise OutputExistsError(
            f"{params} already exists: {out_dir} holds an earlier set of pairs; "
            "choose an empty folder"
        )
    if out_dir.is_dir():
        check_output(params)


PARAMS_NAME = "params.json"


def degrade_pair_folder(
    clean_dir: str | os.PathLike[str],
    noise_dir: str | os.PathLike[str] | None,
    out_dir: str | os.PathLike[str],
    *,
    count: int,
    seed: int,
    config: DegradeConfig = DegradeConfig(),
    rir_dir: str | os.PathLike[str] | None = None,
    hum_drift: np.ndarray | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """Write a paired training set of degraded and clean audio.

    Parameters
    ----------
    clean_dir : folder (searched recursively) of clean recordings; cycled through
    noise_dir : folder of noise recordings, each resampled to the clean file's rate;
        ``None`` for no added noise
    out_dir : destination; gets ``noisy/<name>.wav`` and ``clean/<name>.wav`` (24-bit,
        the clean file's rate, channels and length) and ``params.json``. It must not be
        inside ``clean_dir`` or ``noise_dir``, and its ``noisy``/``clean`` subfolders must
        be empty or absent.
    count : number of pairs; ``<name>`` is ``<index>_<clean file stem>``
    seed : example ``i`` uses ``np.random.default_rng([seed, i])``, so results do not
        depend on order
    config : degradation settings
    rir_dir : optional folder of room impulse responses (resampled like the noises)
    hum_drift : optional mains frequency trajectory, as for :func:`degrade`
    progress, cancel : progress reporting and cooperative cancellation. On an error or
        cancellation the files written so far are removed again.

    Returns
    -------
    ``out_dir``.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ConfigError(f"count must be a positive integer, got {count!r}")
    clean_root = Path(clean_dir).resolve()
    noise_root = Path(noise_dir).resolve() if noise_dir is not None else None
    rir_root = Path(rir_dir).resolve() if rir_dir is not None else None
    out_root = Path(out_dir).resolve()
    for label, folder in (("clean", clean_root), ("noise", noise_root), ("rir", rir_root)):
        if folder is not None and not folder.is_dir():
            raise AudioFormatError(f"{label} folder does not exist: {folder}")
    _check_folders(clean_root, noise_root, out_root)
    if rir_root is not None and _inside(out_root, rir_root):
        raise UnsafeOutputError(f"output folder {out_root} is inside the rir folder {rir_root}")
    clean_files = audio_files(clean_root, recursive=True)
    if not clean_files:
        raise AudioFormatError(f"no audio files in {clean_root}")
    noise_files = audio_files(noise_root, recursive=True) if noise_root is not None else []
    if noise_root is not None and not noise_files:
        raise AudioFormatError(f"no audio files in {noise_root}")
    rir_files = audio_files(rir_root, recursive=True) if rir_root is not None else []
    protect = clean_files + noise_files + rir_files

    cache = _DecodedCache()
    noisy_dir, target_dir = out_root / "noisy", out_root / "clean"
    created = [d for d in (out_root, noisy_dir, target_dir) if not d.exists()]
    for d in (out_root, noisy_dir, target_dir):
        make_folder(d)
    written: list[Path] = []
    examples: list[dict[str, object]] = []
    try:
        for i in range(count):
            check_cancel(cancel)
            source = clean_files[i % len(clean_files)]
            clean, sr = load(source)
            rng = np.random.default_rng([seed, i])
            noises = _LazyAudio(noise_files, sr, cache, "noise")
            rirs = _LazyAudio(rir_files, sr, cache, "impulse response")
            noisy, params = degrade(
                clean,
                sr=sr,
                config=config,
                rng=rng,
                noises=noises,
                rirs=rirs,
                hum_drift=hum_drift,
            )
            target = np.ascontiguousarray(clean * np.float32(params.target_gain))
            name = f"{i:05d}_{source.stem}.wav"
            for folder, audio in ((noisy_dir, noisy), (target_dir, target)):
                # Listed once written: a name taken meanwhile is someone else's file.
                written.append(save(folder / name, audio, sr, subtype="PCM_24", protect=protect))
            record: dict[str, object] = {
                "name": name,
                "clean_file": str(source.relative_to(clean_root)),
                "noise_file": (
                    str(noise_files[params.noise.noise_index].relative_to(noise_root))
                    if params.noise is not None
                    and params.noise.noise_index is not None
                    and noise_root is not None
                    else None
                ),
                "rir_file": (
                    str(rir_files[params.reverb.rir_index].relative_to(rir_root))
                    if params.reverb is not None and rir_root is not None
                    else None
                ),
            }
            record.update(params.to_dict())
            examples.append(record)
            if progress is not None:
                progress((i + 1) / count, name)
        check_cancel(cancel)
        record_all = {
            "seed": seed,
            "count": count,
            "config": _json_safe(asdict(config)),
            "examples": examples,
        }
        write_text(out_root / PARAMS_NAME, json.dumps(record_all, indent=1))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        for d in reversed(created):
            if d.exists() and not any(d.iterdir()):
                d.rmdir()
        raise
    return out_root
