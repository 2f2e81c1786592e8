"""Zero-phase Butterworth filters for preprocessing (DC/rumble removal, band-limiting).

All filters run forwards and backwards (``sosfiltfilt``), so they add no phase
shift or delay: restored audio stays sample-aligned with the input.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from scipy.signal import butter, sosfiltfilt

from core.audio.validate import validate_audio, validate_rate
from core.errors import ConfigError

#: Cut-off of :func:`remove_dc` in Hz: below any musical content, above slow drift.
DC_CUTOFF_HZ = 5.0


def _check_order(order: int) -> int:
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or not 1 <= order <= 24:
        raise ConfigError(f"filter order must be an integer from 1 to 24, got {order!r}")
    return int(order)


def _check_cutoff(cutoff_hz: float, sr: int) -> float:
    try:
        cutoff = float(cutoff_hz)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"cutoff_hz must be a number, got {cutoff_hz!r}") from exc
    if not (math.isfinite(cutoff) and 0.0 < cutoff < sr / 2):
        raise ConfigError(
            f"cutoff_hz must be between 0 and the Nyquist frequency {sr / 2:g} Hz "
            f"(exclusive), got {cutoff_hz!r}"
        )
    return cutoff


def _zero_phase(
    audio: np.ndarray,
    *,
    sr: int,
    cutoff_hz: float,
    order: int,
    btype: Literal["highpass", "lowpass"],
) -> np.ndarray:
    """Butterworth ``btype`` run forwards and backwards on validated ``(channels, n)`` audio."""
    sos = butter(order, cutoff_hz, btype=btype, fs=sr, output="sos")
    n = audio.shape[1]
    # scipy's default pad (a few samples) leaves edge transients for low cut-offs; pad
    # about one period of the cut-off instead, but never more than the signal allows.
    default_pad = 3 * (2 * len(sos) + 1)
    padlen = min(n - 1, max(default_pad, int(sr / cutoff_hz)))
    # Odd padding mirrors around the end sample, adding a DC step of 2 * x[-1] that a
    # high-pass rings on (an audible thump at the edges); a plain mirror adds none.
    padtype = "even" if btype == "highpass" else "odd"
    out = sosfiltfilt(sos, audio.astype(np.float64), axis=-1, padtype=padtype, padlen=padlen)
    return np.ascontiguousarray(out, dtype=np.float32)


def highpass(audio: np.ndarray, *, sr: int, cutoff_hz: float = 40.0, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth high-pass (removes rumble, handling noise, hum fundamentals).

    Parameters
    ----------
    audio : np.ndarray
        float ``(channels, samples)``; a 1-D array is taken as mono.
    sr : int
        Sample rate in Hz.
    cutoff_hz : float
        -3 dB point of the single pass in Hz, ``0 < cutoff_hz < sr / 2``.
        Running forwards and backwards doubles the slope and puts the cut-off at -6 dB.
    order : int
        Butterworth order of one pass (1-24).

    Returns
    -------
    np.ndarray
        float32 ``(channels, samples)``, same length as the input.

    Raises
    ------
    ConfigError
        ``cutoff_hz`` or ``order`` out of range.
    InvalidAudioError
        ``audio`` or ``sr`` not usable.
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    cutoff = _check_cutoff(cutoff_hz, sr)
    return _zero_phase(audio, sr=sr, cutoff_hz=cutoff, order=_check_order(order), btype="highpass")


def lowpass(audio: np.ndarray, *, sr: int, cutoff_hz: float, order: int = 8) -> np.ndarray:
    """Zero-phase Butterworth low-pass for band-limiting (e.g. before downsampling or to hide hiss).

    Parameters
    ----------
    audio : np.ndarray
        float ``(channels, samples)``; a 1-D array is taken as mono.
    sr : int
        Sample rate in Hz.
    cutoff_hz : float
        -3 dB point of the single pass in Hz, ``0 < cutoff_hz < sr / 2``.
    order : int
        Butterworth order of one pass (1-24).

    Returns
    -------
    np.ndarray
        float32 ``(channels, samples)``, same length as the input.

    Raises
    ------
    ConfigError
        ``cutoff_hz`` or ``order`` out of range.
    InvalidAudioError
        ``audio`` or ``sr`` not usable.
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    cutoff = _check_cutoff(cutoff_hz, sr)
    return _zero_phase(audio, sr=sr, cutoff_hz=cutoff, order=_check_order(order), btype="lowpass")


def remove_dc(audio: np.ndarray, *, sr: int) -> np.ndarray:
    """Remove DC offset and slow drift.

    Subtracts each channel's mean (exact DC), then applies a zero-phase 2nd-order
    Butterworth high-pass at :data:`DC_CUTOFF_HZ` (5 Hz) so a wandering offset
    (e.g. from a failing preamp or tape) goes too, not just the average.

    Parameters
    ----------
    audio : np.ndarray
        float ``(channels, samples)``; a 1-D array is taken as mono.
    sr : int
        Sample rate in Hz.

    Returns
    -------
    np.ndarray
        float32 ``(channels, samples)`` with zero mean per channel (to float precision).
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    centred = audio.astype(np.float64) - audio.mean(axis=1, keepdims=True, dtype=np.float64)
    out = _zero_phase(centred, sr=sr, cutoff_hz=DC_CUTOFF_HZ, order=2, btype="highpass")
    # The filter's edge transients can leave a tiny residual mean; take it out again.
    out -= out.mean(axis=1, keepdims=True, dtype=np.float64).astype(np.float32)
    return out
