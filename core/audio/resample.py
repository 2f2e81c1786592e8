"""Sample-rate conversion with soxr (very high quality unless asked otherwise)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import soxr

from core.audio.validate import validate_audio, validate_rate


def resample(
    audio: np.ndarray,
    *,
    orig_sr: int,
    target_sr: int,
    quality: Literal["VHQ", "HQ"] = "VHQ",
) -> np.ndarray:
    """Resample ``audio`` from ``orig_sr`` to ``target_sr`` Hz.

    Parameters
    ----------
    audio : float32 ``(channels, samples)``
    quality : soxr's ``"VHQ"`` (28-bit) or ``"HQ"`` (20-bit: images and aliases about
        120 dB down, a slightly wider transition band, about 40 % faster)

    Returns
    -------
    float32 ``(channels, round(samples * target_sr / orig_sr))``, at least one sample
    """
    audio = validate_audio(audio)
    orig_sr, target_sr = validate_rate(orig_sr, name="orig_sr"), validate_rate(target_sr)
    if orig_sr == target_sr:
        return audio
    if audio.shape[1] * target_sr < orig_sr:
        # Shorter than one output sample: pad, so there is a sample to return (an empty
        # signal would stop every step after this one).
        pad = -(-orig_sr // target_sr) - audio.shape[1]
        audio = np.pad(audio, ((0, 0), (0, pad)))
    out = soxr.resample(audio.T, orig_sr, target_sr, quality=quality)
    return np.ascontiguousarray(np.asarray(out, dtype=np.float32).T.reshape(audio.shape[0], -1))


def polyphase_filter(factor: int) -> np.ndarray:
    """The low-pass ``scipy.signal.resample_poly`` designs for a rate change by an integer
    ``factor`` (up or down): a Kaiser-windowed (β 5) sinc of ``20 * factor + 1`` taps
    cut at ``1 / factor`` of Nyquist, unit gain at DC. NumPy only, so the steps that use
    it need not import ``scipy.signal`` (0.4 s) to design it.

    Returns float64 ``(20 * factor + 1,)``.
    """
    half = 10 * factor
    h = np.sinc(np.arange(-half, half + 1) / factor) * np.kaiser(2 * half + 1, 5.0)
    return np.asarray(h / h.sum())
