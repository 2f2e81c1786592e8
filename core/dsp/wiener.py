"""Steady noise reduction: a decision-directed Wiener filter with a learned noise profile.

For noise that holds still — tape and preamp hiss, the hiss a transmission added above
and around a band-limited programme — a statistical estimator that knows the noise
spectrum beats a learned mask: the noise power is measured once, on the quietest
frames, and each bin's gain follows its a-priori SNR, smoothed over time by the
decision-directed rule (Ephraim & Malah, 1984; Scalart & Filho, 1996), which keeps
"musical noise" down. On noise that moves (voices, traffic, dishes) the profile is
wrong most of the time; that is the model's job.

Works on the whole signal in memory; block-wise callers should give it a few seconds
of context so the profile has quiet frames to learn from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.audio.validate import validate_audio, validate_rate
from core.dsp.stft import StftConfig, istft, stft
from core.errors import ConfigError

# Frames with less energy than this share of the loudest are digital silence (fades,
# gaps): they would make the profile far too quiet.
_SILENCE = 1e-10


@dataclass(frozen=True)
class WienerConfig:
    """Tuning of :func:`reduce_steady_noise`.

    Attributes
    ----------
    reduction_db : the deepest cut in dB, where a bin holds only noise.
    smoothing : weight of the previous frame's clean estimate in the a-priori SNR
        (0.98 is the classic choice: higher is smoother, slower to follow speech onsets).
    quiet_fraction : share of the lowest-energy frames averaged into the noise profile.
    frame_ms : STFT frame length in ms (rounded to a power of two); hop a quarter of it.
    """

    reduction_db: float = 50.0
    smoothing: float = 0.98
    quiet_fraction: float = 0.1
    frame_ms: float = 32.0

    def __post_init__(self) -> None:
        if not 1.0 <= self.reduction_db <= 100.0:
            raise ConfigError(f"reduction_db must be in [1, 100], got {self.reduction_db}")
        if not 0.0 <= self.smoothing < 1.0:
            raise ConfigError(f"smoothing must be in [0, 1), got {self.smoothing}")
        if not 0.0 < self.quiet_fraction <= 0.5:
            raise ConfigError(f"quiet_fraction must be in (0, 0.5], got {self.quiet_fraction}")
        if not 4.0 <= self.frame_ms <= 200.0:
            raise ConfigError(f"frame_ms must be in [4, 200], got {self.frame_ms}")

    def stft_config(self, sr: int) -> StftConfig:
        n_fft = 1 << int(round(np.log2(self.frame_ms / 1000 * sr)))
        return StftConfig(n_fft=n_fft, hop=n_fft // 4)


def reduce_steady_noise(
    audio: np.ndarray,
    *,
    sr: int,
    config: WienerConfig | None = None,
    spec: np.ndarray | None = None,
) -> np.ndarray:
    """Remove stationary noise whose spectrum the quietest frames reveal.

    Parameters
    ----------
    audio : float32 ``(channels, samples)``; each channel gets its own profile.
    sr : sample rate in Hz.
    config : :class:`WienerConfig`; defaults if ``None``.
    spec : ``stft(audio, config=config.stft_config(sr))``, if the caller has it already
        (complex ``(channels, frames, bins)``); computed here otherwise.

    Returns
    -------
    float32 ``(channels, samples)``. Input with no quiet frames to learn from (shorter
    than a few frames, or all digital silence) is returned unchanged.
    """
    audio = validate_audio(audio)
    validate_rate(sr)
    config = config or WienerConfig()
    stft_config = config.stft_config(sr)
    if audio.shape[1] < 4 * stft_config.n_fft:
        return audio.copy()
    if spec is None:
        spec = stft(audio, config=stft_config)  # (channels, frames, bins)
    elif spec.shape[0] != audio.shape[0] or spec.shape[2] != stft_config.bins:
        raise ConfigError(f"spec of shape {spec.shape} is not this audio's STFT")
    power = (spec.real**2 + spec.imag**2).astype(np.float64)
    gain = np.ones(power.shape, dtype=np.float32)
    floor = 10 ** (-config.reduction_db / 20)
    xi_min = floor / (1.0 - floor)
    profiles = [_noise_profile(p, config.quiet_fraction) for p in power]
    learned = [c for c, noise in enumerate(profiles) if noise is not None]
    if learned:
        noise = np.stack([n for n in profiles if n is not None])
        gain[learned] = _decision_directed(power[learned], noise, config.smoothing, xi_min)
    return istft(spec * gain, config=stft_config, length=audio.shape[1]).astype(np.float32)


def quietest_frames(energy: np.ndarray, fraction: float) -> np.ndarray | None:
    """Indices of the quietest ``fraction`` (at least 5) of the frames whose ``energy``
    ``(frames,)`` is not digital silence: where the noise profile is learned. ``None``
    when fewer than 5 such frames exist."""
    active = np.flatnonzero(energy > energy.max() * _SILENCE)
    if active.size < 5:
        return None
    count = max(5, int(fraction * active.size))
    return active[np.argsort(energy[active])[:count]]


def _noise_profile(power: np.ndarray, quiet_fraction: float) -> np.ndarray | None:
    """Mean power spectrum ``(bins,)`` of the quietest frames."""
    quiet = quietest_frames(power.sum(axis=1), quiet_fraction)
    return None if quiet is None else np.maximum(power[quiet].mean(axis=0), 1e-20)


def _decision_directed(
    power: np.ndarray, noise: np.ndarray, smoothing: float, xi_min: float
) -> np.ndarray:
    """Wiener gains ``(channels, frames, bins)`` for ``power`` of that shape and ``noise``
    ``(channels, bins)``: a-priori SNR from the previous frame's estimate.

    The recursion runs frame by frame over all channels at once, on ratios to the noise
    computed beforehand: the per-frame Python overhead is most of the cost.
    """
    gamma = np.ascontiguousarray((power / noise[:, None, :]).transpose(1, 0, 2))
    instant = (1 - smoothing) * np.maximum(gamma - 1.0, 0.0)  # (frames, channels, bins)
    gains = np.empty(gamma.shape, dtype=np.float32)
    previous = np.zeros(noise.shape)  # the last frame's clean power over the noise
    xi, gain, den = np.empty(noise.shape), np.empty(noise.shape), np.empty(noise.shape)
    for m in range(gamma.shape[0]):
        # In place, in the order of the plain expressions (same result, no allocations):
        # xi = max(smoothing * previous + instant, xi_min); gain = xi / (1 + xi);
        # previous = gain * gain * gamma.
        np.multiply(previous, smoothing, out=xi)
        np.add(xi, instant[m], out=xi)
        np.maximum(xi, xi_min, out=xi)
        np.add(xi, 1.0, out=den)
        np.divide(xi, den, out=gain)
        gains[m] = gain
        np.multiply(gain, gain, out=previous)
        np.multiply(previous, gamma[m], out=previous)
    return gains.transpose(1, 0, 2)
