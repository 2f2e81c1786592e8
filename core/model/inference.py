"""Apply a model bundle to audio of any length, rate and channel count."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.audio.resample import resample
from core.audio.validate import validate_audio, validate_rate
from core.dsp.blockwise import array_reader, process_blocks
from core.dsp.stft import istft, stft
from core.errors import ConfigError
from core.model.bundle import ModelBundle
from core.model.spectral import log_power
from core.progress import CancelToken, ProgressCallback, check_cancel


@dataclass(frozen=True)
class EnhanceResult:
    """``restored = original - strength * residual``; both ``(channels, samples)``."""

    restored: np.ndarray
    residual: np.ndarray


class Enhancer:
    """Runs a bundle's mask estimator on blocks of audio at the caller's rate.

    ``residual(block)`` returns what the model removes from the block. The model
    works at its own rate: the block is resampled in, and only the removed part is
    resampled back, so content above the model's band passes through untouched.
    """

    def __init__(self, bundle: ModelBundle, *, floor_db: float | None = None) -> None:
        self.bundle = bundle
        self.meta = bundle.meta
        floor = self.meta.mask_floor_db if floor_db is None else floor_db
        self._floor = float(10 ** (floor / 20))

    def mask(self, features: np.ndarray) -> np.ndarray:
        """Gain mask for normalised features ``(batch, frames, bins)``."""
        return self.bundle.predict(features)

    def enhance_model_rate(self, audio: np.ndarray) -> np.ndarray:
        """Enhanced version of ``audio`` ``(channels, n)`` already at the model's rate."""
        settings = self.meta.spectral
        spec = stft(audio, config=settings.stft)
        features = self.meta.norm.apply(log_power(spec))
        gain = np.maximum(self.mask(features), self._floor)
        return istft(spec * gain, config=settings.stft, length=audio.shape[1])

    def residual(self, block: np.ndarray, *, sr: int) -> np.ndarray:
        """What the model removes from ``block`` ``(channels, n)`` at rate ``sr``."""
        model_sr = self.meta.spectral.sample_rate
        x = resample(block, orig_sr=sr, target_sr=model_sr) if sr != model_sr else block
        removed = x - self.enhance_model_rate(x)
        if sr != model_sr:
            removed = resample(removed, orig_sr=model_sr, target_sr=sr)
            n = block.shape[1]
            removed = (
                removed[:, :n]
                if removed.shape[1] >= n
                else np.pad(removed, ((0, 0), (0, n - removed.shape[1])))
            )
        return removed.astype(np.float32)


def enhance(
    audio: np.ndarray,
    *,
    sr: int,
    bundle: ModelBundle,
    strength: float = 1.0,
    block_seconds: float = 20.0,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> EnhanceResult:
    """Denoise ``audio`` with ``bundle`` in overlapping blocks.

    Parameters
    ----------
    audio : float32 ``(channels, samples)`` at ``sr`` Hz
    strength : 0 returns the input, 1 the full model output
    block_seconds : processing block length; memory grows with it, not with the file

    Returns
    -------
    :class:`EnhanceResult` with ``restored`` and ``residual`` shaped like ``audio``.
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    if not 0.0 <= strength <= 1.0:
        raise ConfigError(f"strength must be between 0 and 1, got {strength}")
    enhancer = Enhancer(bundle)
    total = audio.shape[1]
    residual = np.zeros_like(audio)
    block, margin = max(int(block_seconds * sr), 1), int(0.5 * sr)
    for start, piece in process_blocks(
        array_reader(audio),
        total,
        lambda b: enhancer.residual(b, sr=sr),
        block=block,
        margin=margin,
        crossfade=int(0.05 * sr),
    ):
        check_cancel(cancel)
        residual[:, start : start + piece.shape[1]] = piece
        if progress is not None:
            progress((start + piece.shape[1]) / total, "restoring")
    return EnhanceResult(restored=audio - strength * residual, residual=strength * residual)
