"""Entry-point validation shared by every DSP function."""

from __future__ import annotations

import numpy as np

from core.errors import InvalidAudioError


def validate_audio(audio: np.ndarray, *, name: str = "audio") -> np.ndarray:
    """Check a signal and return it as C-contiguous float32 ``(channels, samples)``.

    A 1-D array is taken as one channel. Raises :class:`InvalidAudioError` for
    other shapes, non-numeric data, no samples, or NaN/inf values.
    """
    array = np.asarray(audio)
    if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise InvalidAudioError(f"{name} must be real numbers, got dtype {array.dtype}")
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2:
        raise InvalidAudioError(f"{name} must be shaped (channels, samples), got {array.shape}")
    if array.shape[0] < 1 or array.shape[1] < 1:
        raise InvalidAudioError(f"{name} is empty: shape {array.shape}")
    if array.shape[0] > 64:
        raise InvalidAudioError(
            f"{name} has {array.shape[0]} channels; expected (channels, samples) "
            "— is it transposed?"
        )
    array = np.ascontiguousarray(array, dtype=np.float32)
    if not np.all(np.isfinite(array)):
        raise InvalidAudioError(f"{name} contains NaN or infinite values")
    return array


def validate_rate(sr: int, *, name: str = "sr") -> int:
    """Check a sample rate in Hz and return it as ``int``."""
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or not 1000 <= sr <= 768_000:
        raise InvalidAudioError(f"{name} must be an integer sample rate in Hz, got {sr!r}")
    return int(sr)
