"""One report per recording: format, the founding document's features, and loudness."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from core.audio.io import info, load
from core.progress import CancelToken, ProgressCallback, check_cancel


def _finite(value: float, digits: int = 2) -> float | None:
    return round(float(value), digits) if np.isfinite(value) else None


def analyze_audio(
    audio: np.ndarray,
    *,
    sr: int,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """Features (spectral energy, dominant frequencies, envelope, SNR, centroid,
    flatness) plus integrated loudness and true peak of ``(channels, samples)`` audio."""
    from core.dsp.limiter import true_peak_dbtp
    from core.dsp.loudness import integrated_loudness
    from core.features import summarize

    summary = summarize(audio, sr=sr).to_dict()
    check_cancel(cancel)
    if progress is not None:
        progress(0.6, "measuring loudness")
    summary["lufs"] = _finite(integrated_loudness(audio, sr=sr))
    summary["true_peak_dbtp"] = _finite(true_peak_dbtp(audio, sr=sr))
    if progress is not None:
        progress(1.0, "done")
    return summary


def analyze_file(
    path: str | os.PathLike[str],
    *,
    frames_csv: str | os.PathLike[str] | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """:func:`analyze_audio` of a file, with its format; optionally per-frame CSV."""
    from core.features import frame_features

    file_info = info(path)
    audio, sr = load(path)
    report: dict[str, Any] = {"file": file_info.to_dict()}
    report.update(analyze_audio(audio, sr=sr, progress=progress, cancel=cancel))
    if frames_csv is not None:
        frame_features(audio, sr=sr).to_csv(Path(frames_csv))
    return report
