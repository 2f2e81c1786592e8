"""Shared fixtures; everything is generated, nothing is downloaded."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def make_pairs(
    root: Path, *, count: int, sr: int = 16000, seconds: float = 3.0, seed: int = 0
) -> tuple[Path, Path]:
    """``root/noisy`` and ``root/clean`` with ``count`` speech-like files in noise at 0-10 dB."""
    from core.audio.io import save
    from core.signals import mix_at_snr, pink_noise, speech_like, white_noise

    noisy, clean = root / "noisy", root / "clean"
    noisy.mkdir(parents=True)
    clean.mkdir(parents=True)
    for i in range(count):
        c = speech_like(sr=sr, seconds=seconds, seed=seed + i)
        gen = white_noise if i % 2 else pink_noise
        n = gen(sr=sr, seconds=seconds, seed=seed + 1000 + i)
        save(noisy / f"take_{i:02d}.wav", mix_at_snr(c, n, snr_db=(0, 5, 10)[i % 3]), sr)
        save(clean / f"take_{i:02d}.wav", c, sr)
    return noisy, clean


@pytest.fixture(scope="session")
def tiny_bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained but valid ``dense`` bundle at 16 kHz (fast to build and run)."""
    from core.dsp.stft import StftConfig
    from core.model.architectures import build_model
    from core.model.bundle import BundleMeta, ModelBundle, save_bundle
    from core.model.spectral import FeatureNorm, SpectralSettings

    settings = SpectralSettings(16000, StftConfig(256, 64))
    model = build_model("dense", bins=settings.bins, hidden=32, context=3, layers=2)
    norm = FeatureNorm(
        np.full(settings.bins, -4.0, np.float32), np.full(settings.bins, 2.0, np.float32)
    )
    meta = BundleMeta(
        architecture="dense",
        spectral=settings,
        norm=norm,
        arch_params={"hidden": 32, "context": 3, "layers": 2},
    )
    path = tmp_path_factory.mktemp("model") / "tiny.keras"
    return save_bundle(ModelBundle(model, meta), path)
