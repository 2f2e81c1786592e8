"""The model's view of audio: log-power STFT features and magnitude targets.

Shared by training (``core.data.dataset``) and inference (``core.model.inference``)
so both see exactly the same transform.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.dsp.stft import StftConfig

LOG_FLOOR = 1e-10


def log_power(spec: np.ndarray) -> np.ndarray:
    """``log10(|spec|^2)`` with a floor; any shape, float32."""
    return np.log10(np.abs(spec) ** 2 + LOG_FLOOR).astype(np.float32)


@dataclass(frozen=True)
class FeatureNorm:
    """Per-bin mean and standard deviation of log-power features, from training data."""

    mean: np.ndarray  # (bins,)
    std: np.ndarray  # (bins,)

    @classmethod
    def fit(cls, features: list[np.ndarray]) -> FeatureNorm:
        """Statistics of a list of ``(frames, bins)`` feature arrays."""
        stacked = np.concatenate([f.reshape(-1, f.shape[-1]) for f in features], axis=0)
        mean = stacked.mean(axis=0)
        std = np.maximum(stacked.std(axis=0), 1e-3)
        return cls(mean.astype(np.float32), std.astype(np.float32))

    def apply(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.std).astype(np.float32)

    def to_dict(self) -> dict[str, list[float]]:
        return {"mean": [float(v) for v in self.mean], "std": [float(v) for v in self.std]}

    @classmethod
    def from_dict(cls, data: dict[str, list[float]]) -> FeatureNorm:
        mean, std = np.asarray(data["mean"], np.float32), np.asarray(data["std"], np.float32)
        if not (np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()):
            raise ValueError("its normalisation holds NaN, infinite or non-positive values")
        return cls(mean, std)


@dataclass(frozen=True)
class SpectralSettings:
    """Everything that fixes the model's input: rate and STFT."""

    sample_rate: int = 16000
    stft: StftConfig = StftConfig(n_fft=512, hop=128)

    @property
    def bins(self) -> int:
        return self.stft.bins
