"""Channel-count conversion (downmix to mono, upmix mono to N)."""

from __future__ import annotations

import numpy as np

from core.audio.validate import validate_audio
from core.errors import ConfigError, InvalidAudioError


def to_mono(audio: np.ndarray) -> np.ndarray:
    """Average all channels.

    Parameters
    ----------
    audio : np.ndarray
        float ``(channels, samples)``; a 1-D array is taken as mono.

    Returns
    -------
    np.ndarray
        float32 ``(1, samples)``.
    """
    audio = validate_audio(audio)
    if audio.shape[0] == 1:
        return audio
    return np.ascontiguousarray(audio.mean(axis=0, keepdims=True, dtype=np.float64), np.float32)


def match_channels(audio: np.ndarray, *, channels: int) -> np.ndarray:
    """Convert ``audio`` to ``channels`` channels.

    Mono is duplicated to any count, any count is averaged down to mono, and a
    signal that already has ``channels`` channels is returned as is.

    Parameters
    ----------
    audio : np.ndarray
        float ``(channels, samples)``; a 1-D array is taken as mono.
    channels : int
        Wanted number of channels (1-64).

    Returns
    -------
    np.ndarray
        float32 ``(channels, samples)``.

    Raises
    ------
    InvalidAudioError
        Any other conversion (e.g. stereo to 5 channels), which has no single right answer.
    ConfigError
        ``channels`` is not an integer from 1 to 64.
    """
    audio = validate_audio(audio)
    if (
        isinstance(channels, bool)
        or not isinstance(channels, (int, np.integer))
        or not 1 <= channels <= 64
    ):
        raise ConfigError(f"channels must be an integer from 1 to 64, got {channels!r}")
    have = audio.shape[0]
    if have == channels:
        return audio
    if channels == 1:
        return to_mono(audio)
    if have == 1:
        return np.ascontiguousarray(np.repeat(audio, channels, axis=0))
    raise InvalidAudioError(
        f"cannot convert {have} channels to {channels}: only mono to N channels "
        "and N channels to mono are supported"
    )
