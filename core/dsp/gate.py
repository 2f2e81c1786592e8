"""Spectral noise gate: attenuate time-frequency bins that do not rise above a noise profile.

The gain of each STFT bin is a soft function of how far its (lightly smoothed) power
rises above the learned noise power spectrum. The gain is smoothed over time with
separate attack and release constants and across neighbouring frequency bins, so
single noise bins that happen to peak above the threshold do not open for one frame
and produce "musical noise" (random twinkling tones).

Works on the whole signal in memory (its STFT is about 4x the size of the audio in
complex64); block-wise callers should overlap blocks by at least ``n_fft`` samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d

from core.audio.validate import validate_audio, validate_rate
from core.dsp.stft import StftConfig, istft, stft
from core.errors import ConfigError, InvalidAudioError

# Powers below this (about -200 dB) count as digital silence; avoids log(0) and 0/0.
_POWER_FLOOR = 1e-20


@dataclass(frozen=True)
class GateConfig:
    """Tuning of :func:`spectral_gate`.

    Attributes
    ----------
    reduction_db : attenuation in dB of bins judged to be noise (the gain floor).
    threshold_db : how far in dB a bin's power must rise above the noise profile to pass.
    knee_db : width in dB of the soft transition centred on ``threshold_db``.
    attack_ms : time constant in ms with which the gain opens (rises).
    release_ms : time constant in ms with which the gain closes (falls).
    freq_smoothing_bins : width in bins of the moving average applied to the gain (and
        to the power used for the decision) across frequency; 1 disables it.
    time_smoothing_frames : number of frames the decision power is averaged over.
    quiet_fraction : share of the lowest-energy frames that the automatic noise profile
        averages when no time range is given.
    n_fft, hop : STFT frame size and hop in samples.
    """

    reduction_db: float = 12.0
    threshold_db: float = 6.0
    knee_db: float = 6.0
    attack_ms: float = 10.0
    release_ms: float = 80.0
    freq_smoothing_bins: int = 5
    time_smoothing_frames: int = 3
    quiet_fraction: float = 0.15
    n_fft: int = 2048
    hop: int = 512

    def __post_init__(self) -> None:
        if not 0.0 <= self.reduction_db <= 120.0:
            raise ConfigError(f"reduction_db must be in [0, 120], got {self.reduction_db}")
        if self.knee_db < 0.0:
            raise ConfigError(f"knee_db must be >= 0, got {self.knee_db}")
        if self.attack_ms < 0.0 or self.release_ms < 0.0:
            raise ConfigError("attack_ms and release_ms must be >= 0")
        if self.freq_smoothing_bins < 1 or self.time_smoothing_frames < 1:
            raise ConfigError("freq_smoothing_bins and time_smoothing_frames must be >= 1")
        if not 0.0 < self.quiet_fraction <= 1.0:
            raise ConfigError(f"quiet_fraction must be in (0, 1], got {self.quiet_fraction}")
        try:
            StftConfig(n_fft=self.n_fft, hop=self.hop)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc

    @property
    def stft_config(self) -> StftConfig:
        return StftConfig(n_fft=self.n_fft, hop=self.hop)


def _power(spec: np.ndarray) -> np.ndarray:
    """Channel-averaged power ``(frames, bins)`` of a ``(channels, frames, bins)`` spectrum."""
    return np.mean(np.abs(spec.astype(np.complex128)) ** 2, axis=0)


def noise_profile(
    audio: np.ndarray,
    *,
    sr: int,
    config: GateConfig = GateConfig(),
    start_s: float | None = None,
    end_s: float | None = None,
) -> np.ndarray:
    """Estimate the noise power spectrum of ``audio``.

    Parameters
    ----------
    audio : float32 array ``(channels, samples)`` (1-D is taken as mono)
    sr : sample rate in Hz
    config : STFT size and ``quiet_fraction`` of the automatic estimate
    start_s, end_s : time range in seconds holding only noise. When both are ``None``
        the profile is estimated from the quietest parts: per bin, the lower of the mean
        of the ``quiet_fraction`` lowest-energy frames and the ``quiet_fraction``
        quantile of the bin's power (scaled to a mean). This needs pauses or moving
        material; give a range for a steady signal with no noise-only part.

    Returns
    -------
    float64 array ``(n_fft // 2 + 1,)``: mean power per bin (channels averaged), in
    squared full-scale units of the STFT of :mod:`core.dsp.stft`.
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    power = _power(stft(audio, config=config.stft_config))
    return _profile(power, audio.shape[1], sr=sr, config=config, start_s=start_s, end_s=end_s)


def _profile(
    power: np.ndarray,
    samples: int,
    *,
    sr: int,
    config: GateConfig,
    start_s: float | None = None,
    end_s: float | None = None,
) -> np.ndarray:
    """:func:`noise_profile` from an already computed power map ``(frames, bins)``."""
    cfg = config.stft_config
    centres = np.arange(power.shape[0]) * cfg.hop
    half = cfg.n_fft // 2
    if start_s is not None or end_s is not None:
        lo = 0 if start_s is None else int(round(start_s * sr))
        hi = samples if end_s is None else int(round(end_s * sr))
        lo, hi = max(lo, 0), min(hi, samples)
        if hi - lo < cfg.hop:
            raise InvalidAudioError(
                f"noise range {start_s}..{end_s} s holds fewer than {cfg.hop} samples"
            )
        # Frames lying wholly inside the range; frames centred in it if it is shorter.
        inside = (centres - half >= lo) & (centres + half <= hi)
        if not np.any(inside):
            inside = (centres >= lo) & (centres < hi)
        return np.maximum(power[inside].mean(axis=0), _POWER_FLOOR)
    # Skip frames overlapping the zero padding: they look quiet only because of it.
    full = (centres - half >= 0) & (centres + half <= samples)
    if np.any(full):
        power = power[full]
    energy = power.sum(axis=1)
    count = max(1, int(round(config.quiet_fraction * power.shape[0])))
    quiet = np.argsort(energy, kind="stable")[:count]
    quiet_mean = power[quiet].mean(axis=0)
    # A per-bin low percentile, scaled to a mean for noise whose bin power is
    # exponential, catches music without pauses: a moving tone leaves each bin quiet
    # most of the time even though no frame as a whole is quiet.
    q = config.quiet_fraction
    per_bin = np.quantile(power, q, axis=0) / -np.log1p(-q) if q < 1.0 else quiet_mean
    return np.maximum(np.minimum(quiet_mean, per_bin), _POWER_FLOOR)


def _one_pole(gain: np.ndarray, attack: float, release: float) -> np.ndarray:
    """Smooth ``(frames, bins)`` gain over frames: coefficient ``attack`` when it rises."""
    out = np.empty_like(gain)
    state = gain[0].copy()
    for t in range(gain.shape[0]):
        coef = np.where(gain[t] > state, attack, release)
        state = coef * state + (1.0 - coef) * gain[t]
        out[t] = state
    return out


def _coefficient(ms: float, frame_s: float) -> float:
    if ms <= 0.0:
        return 0.0
    return float(np.exp(-frame_s / (ms / 1000.0)))


def gate_gain(power: np.ndarray, profile: np.ndarray, *, sr: int, config: GateConfig) -> np.ndarray:
    """Gain mask ``(frames, bins)`` in ``[10 ** (-reduction_db / 20), 1]`` for a power map.

    Parameters
    ----------
    power : power ``(frames, bins)``
    profile : noise power ``(bins,)`` from :func:`noise_profile`
    sr : sample rate in Hz (converts attack and release to frames)
    """
    decision = power
    if config.time_smoothing_frames > 1:
        decision = uniform_filter1d(decision, config.time_smoothing_frames, axis=0, mode="nearest")
    if config.freq_smoothing_bins > 1:
        decision = uniform_filter1d(decision, config.freq_smoothing_bins, axis=1, mode="nearest")
    excess_db = 10.0 * np.log10(np.maximum(decision, _POWER_FLOOR) / profile[np.newaxis, :])
    if config.knee_db > 0.0:
        openness = np.clip((excess_db - config.threshold_db) / config.knee_db + 0.5, 0.0, 1.0)
    else:
        openness = (excess_db >= config.threshold_db).astype(np.float64)
    frame_s = config.hop / sr
    openness = _one_pole(
        openness,
        _coefficient(config.attack_ms, frame_s),
        _coefficient(config.release_ms, frame_s),
    )
    if config.freq_smoothing_bins > 1:
        openness = uniform_filter1d(openness, config.freq_smoothing_bins, axis=1, mode="nearest")
    # Interpolate in dB so half-open bins sit half-way in level, not in amplitude.
    return np.asarray(10.0 ** (-config.reduction_db * (1.0 - openness) / 20.0))


def spectral_gate(
    audio: np.ndarray,
    *,
    sr: int,
    config: GateConfig = GateConfig(),
    profile: np.ndarray | None = None,
) -> np.ndarray:
    """Reduce stationary noise with a smoothed spectral gate.

    Parameters
    ----------
    audio : float32 array ``(channels, samples)`` (1-D is taken as mono)
    sr : sample rate in Hz
    config : gate settings; the floor is ``-config.reduction_db`` dB
    profile : noise power ``(n_fft // 2 + 1,)`` from :func:`noise_profile` with the same
        ``n_fft``; estimated from the quietest frames of ``audio`` when ``None``

    Returns
    -------
    float32 array ``(channels, samples)``, same shape as the input. One gain mask is
    applied to all channels so the stereo image does not move.
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    cfg = config.stft_config
    spec = stft(audio, config=cfg)
    power = _power(spec)
    if profile is None:
        profile = _profile(power, audio.shape[1], sr=sr, config=config)
    profile = np.asarray(profile, dtype=np.float64)
    if profile.shape != (cfg.bins,) or not np.all(np.isfinite(profile)) or np.any(profile < 0):
        raise InvalidAudioError(
            f"profile must be {cfg.bins} finite non-negative powers (n_fft={cfg.n_fft}), "
            f"got shape {profile.shape}"
        )
    profile = np.maximum(profile, _POWER_FLOOR)
    gain = gate_gain(power, profile, sr=sr, config=config)
    out = istft(spec * gain[np.newaxis].astype(np.float32), config=cfg, length=audio.shape[1])
    return np.ascontiguousarray(out, dtype=np.float32)
