"""True-peak metering (ITU-R BS.1770-4 Annex 2) and a look-ahead true-peak limiter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from core.audio.resample import polyphase_filter
from core.audio.validate import validate_audio, validate_rate
from core.errors import ConfigError

OVERSAMPLE = 4
# The smoothed gain may still let a residual overshoot through; it is re-limited up
# to this many times before a last, exact whole-signal scale.
_SAFETY_PASSES = 4
_TOLERANCE_DB = 0.01
# Oversampling works in blocks of this many samples with this much context each side
# (the resample_poly filter reaches 10 input samples).
_BLOCK = 1 << 16
_MARGIN = 32
# The true-peak meter checks segments of this many samples for whether they could hold
# the peak.
_PEAK_SEGMENT = 4096


def _peak_envelope(audio: np.ndarray) -> np.ndarray:
    """Per sample, the largest |value| of any channel on the 4x oversampled grid within
    one sample period either side (oversampled points ``4n-3 .. 4n+3``), float64 ``(samples,)``.

    An inter-sample peak between samples ``n`` and ``n + 1`` is charged to both. Works
    in blocks so a long recording never has its 4x copy in memory at once; the margins
    hold the interpolation filter, so the result equals oversampling the whole signal.
    """
    from scipy.signal import resample_poly

    channels, n = audio.shape
    env = np.empty(n)
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        seg = np.zeros((channels, hi - lo + 2 * _MARGIN))
        a, b = max(lo - _MARGIN, 0), min(hi + _MARGIN, n)
        seg[:, a - lo + _MARGIN : b - lo + _MARGIN] = audio[:, a:b]
        over = np.abs(
            resample_poly(seg, OVERSAMPLE, 1, axis=-1, window=polyphase_filter(OVERSAMPLE))
        ).max(axis=0)
        local = maximum_filter1d(over, size=2 * OVERSAMPLE - 1)
        env[lo:hi] = local[OVERSAMPLE * _MARGIN : OVERSAMPLE * (_MARGIN + hi - lo) : OVERSAMPLE]
    return np.maximum(env, np.abs(audio).max(axis=0))


def true_peak_dbtp(audio: np.ndarray, *, sr: int) -> float:
    """True peak of ``audio`` in dBTP (ITU-R BS.1770-4 Annex 2).

    Parameters
    ----------
    audio : float32 array ``(channels, samples)`` (1-D is taken as mono), full scale 1.0
    sr : sample rate in Hz (checked; the 4x oversampling is the same at every rate)

    Returns
    -------
    The largest absolute value over all channels of the 4x oversampled signal, in dB
    relative to full scale; ``-inf`` for digital silence.
    """
    audio = validate_audio(audio)
    validate_rate(sr)
    x = audio.astype(np.float64)
    peak = float(np.max(np.abs(x)))
    # An oversampled value is a weighted sum of nearby samples, so it cannot exceed the
    # filter's gain bound times their largest magnitude: only segments that could beat
    # the peak found so far are oversampled (the loudest first). Same value, a fraction
    # of the work on most programmes.
    bound = _interpolation_gain()
    n = x.shape[1]
    count = -(-n // _PEAK_SEGMENT)
    magnitude = np.zeros(count * _PEAK_SEGMENT)
    magnitude[:n] = np.max(np.abs(x), axis=0)
    # Largest sample each segment's filter reaches: its own and its neighbours' (the
    # margin is shorter than a segment).
    loudest = maximum_filter1d(magnitude.reshape(count, -1).max(axis=1), 3, mode="constant")
    for i in np.argsort(-loudest, kind="stable"):
        if loudest[i] * bound <= peak:
            break
        a = int(i) * _PEAK_SEGMENT
        b = min(a + _PEAK_SEGMENT, n)
        lo, hi = max(a - _MARGIN, 0), min(b + _MARGIN, n)
        peak = max(peak, float(np.max(_peak_envelope(x[:, lo:hi])[a - lo : b - lo])))
    return 20.0 * float(np.log10(peak)) if peak > 0.0 else float("-inf")


def _interpolation_gain() -> float:
    """Largest sum of |taps| over the phases of the oversampling filter: no oversampled
    value exceeds it times the largest input sample the filter reaches."""
    h = OVERSAMPLE * polyphase_filter(OVERSAMPLE)
    return float(max(np.sum(np.abs(h[k::OVERSAMPLE])) for k in range(OVERSAMPLE))) * (1 + 1e-9)


@dataclass(frozen=True)
class LimiterConfig:
    """Settings of :func:`limit`.

    Attributes
    ----------
    ceiling_dbtp : highest true peak allowed at the output, in dBTP.
    lookahead_ms : how far ahead the gain starts to fall before a peak, in ms; the gain
        ramps down smoothly over this window.
    release_ms : time constant in ms of the exponential return to unity gain.
    """

    ceiling_dbtp: float = -1.0
    lookahead_ms: float = 5.0
    release_ms: float = 50.0

    def __post_init__(self) -> None:
        if not -60.0 <= self.ceiling_dbtp <= 0.0:
            raise ConfigError(f"ceiling_dbtp must be in [-60, 0], got {self.ceiling_dbtp}")
        if not 0.0 <= self.lookahead_ms <= 100.0:
            raise ConfigError(f"lookahead_ms must be in [0, 100], got {self.lookahead_ms}")
        if not 0.0 <= self.release_ms <= 5000.0:
            raise ConfigError(f"release_ms must be in [0, 5000], got {self.release_ms}")


def _gain_curve(
    envelope: np.ndarray, *, ceiling: float, lookahead: int, release: float
) -> np.ndarray:
    """Smooth gain ``(samples,)`` with ``gain * envelope <= ceiling`` at every sample.

    ``release`` is the per-sample decay factor of the attenuation (in dB).
    """
    n = envelope.size
    required = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-30))
    if lookahead <= 1:
        held = required
        pad = 0
    else:
        # Look ahead: each sample takes the smallest gain needed in the next L samples.
        # The first L-1 samples get padding (no constraint) so the box average below
        # has history; the proof that the average stays under the requirement holds
        # because every average only mixes windows that contain the sample itself.
        pad = lookahead - 1
        padded = np.concatenate([np.ones(pad), required, np.ones(pad)])
        centred = np.asarray(minimum_filter1d(padded, size=lookahead, mode="nearest"))
        # The centred window at j + L//2 is the forward window [j, j + L - 1].
        held = centred[lookahead // 2 : lookahead // 2 + n + pad]
    # Exponential release of the attenuation in dB: instant attack, then decay by
    # ``release`` per sample. A running max in the log domain does it without a loop.
    atten = -20.0 * np.log10(held)
    if release > 0.0:
        positive = atten > 0.0
        log_att = np.full(atten.shape, -np.inf)
        log_att[positive] = np.log(atten[positive])
        step = -np.log(release)  # > 0
        ramp = step * np.arange(atten.size)
        log_att = np.maximum.accumulate(log_att + ramp) - ramp
        atten = np.where(np.isfinite(log_att), np.exp(log_att), 0.0)
        atten = np.maximum(atten, -20.0 * np.log10(held))  # guard rounding
    if lookahead > 1:
        # Box average over the look-ahead window: a smooth attack ramp (in dB).
        csum = np.concatenate([[0.0], np.cumsum(atten)])
        atten = (csum[lookahead:] - csum[:-lookahead]) / lookahead
        atten = np.maximum(atten, 0.0)
        atten = atten[:n] if atten.size >= n else np.pad(atten, (0, n - atten.size))
    gain = np.asarray(10.0 ** (-atten / 20.0))
    return np.minimum(gain[:n], 1.0)


def limit(audio: np.ndarray, *, sr: int, config: LimiterConfig = LimiterConfig()) -> np.ndarray:
    """Look-ahead brickwall limiter on the true peak, linked across channels.

    Parameters
    ----------
    audio : float32 array ``(channels, samples)`` (1-D is taken as mono)
    sr : sample rate in Hz
    config : ceiling in dBTP, look-ahead and release in ms

    Returns
    -------
    float32 array ``(channels, samples)`` time-aligned with the input (the look-ahead
    delay is compensated), with a true peak at most ``config.ceiling_dbtp`` (measured
    as by :func:`true_peak_dbtp`). Every channel gets the same gain, so the stereo
    image does not move. A signal already under the ceiling is returned unchanged.

    The whole signal is in memory, so rather than delaying the audio by the look-ahead
    and trimming that delay afterwards, the gain at each sample is computed from the
    next ``lookahead_ms`` of the peak envelope directly: the same output, no latency.
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    ceiling = 10.0 ** (config.ceiling_dbtp / 20.0)
    lookahead = max(1, int(round(config.lookahead_ms * sr / 1000.0)))
    release = float(np.exp(-1.0 / (config.release_ms * sr / 1000.0))) if config.release_ms else 0.0
    out = audio.astype(np.float64)
    for _ in range(_SAFETY_PASSES):
        envelope = _peak_envelope(out)
        if envelope.max() <= ceiling * 10.0 ** (_TOLERANCE_DB / 20.0):
            break
        gain = _gain_curve(envelope, ceiling=ceiling, lookahead=lookahead, release=release)
        out = out * gain[np.newaxis, :]
    else:
        # Last resort: an exact whole-signal scale (rarely reached; logged in tests).
        peak = 10.0 ** (true_peak_dbtp(out, sr=sr) / 20.0)
        if peak > ceiling:
            out = out * (ceiling / peak)
    return np.ascontiguousarray(out, dtype=np.float32)
