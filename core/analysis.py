"""One report per recording: format, the founding document's features, loudness, and
what the repair assistant finds (hum, clicks, clipping, bandwidth) and proposes."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from core.audio.io import info, load
from core.output import check_output
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
    flatness), integrated loudness and true peak of ``(channels, samples)`` audio, plus
    the repair assistant's measurements (``hum_hz``, ``hum_level_db``,
    ``clicks_per_min``, ``clipped_fraction``, ``bandwidth_hz``, ``model_removal_db``), its
    ``findings`` and the ``proposed_chain``."""
    from core.assistant import diagnose, propose_chain
    from core.dsp.limiter import true_peak_dbtp
    from core.dsp.loudness import integrated_loudness
    from core.features import summarize
    from core.progress import sub_progress

    summary = summarize(audio, sr=sr, progress=sub_progress(progress, 0.0, 0.4)).to_dict()
    check_cancel(cancel)
    if progress is not None:
        progress(0.4, "measuring loudness")
    summary["lufs"] = _finite(integrated_loudness(audio, sr=sr))
    summary["true_peak_dbtp"] = _finite(true_peak_dbtp(audio, sr=sr))
    diagnosis = diagnose(audio, sr=sr, progress=sub_progress(progress, 0.5, 1.0), cancel=cancel)
    found = diagnosis.to_dict()
    for key in ("hum_hz", "hum_level_db", "clicks_per_min", "clipped_fraction"):
        summary[key] = found[key]
    summary["bandwidth_hz"] = found["bandwidth_hz"]
    summary["model_removal_db"] = found["model_removal_db"]
    summary["findings"] = found["findings"]
    summary["proposed_chain"] = propose_chain(diagnosis).to_dict()
    if progress is not None:
        progress(1.0, "done")
    return summary


def analyze_file(
    path: str | os.PathLike[str],
    *,
    frames_csv: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """:func:`analyze_audio` of a file, with its format; optionally per-frame CSV (checked
    before the analysis: never the input, an existing file only with ``overwrite``)."""
    from core.features import frame_features

    if frames_csv is not None:
        check_output(frames_csv, inputs=[path], overwrite=overwrite)
    file_info = info(path)
    audio, sr = load(path)
    report: dict[str, Any] = {"file": file_info.to_dict()}
    report.update(analyze_audio(audio, sr=sr, progress=progress, cancel=cancel))
    if frames_csv is not None:
        frame_features(audio, sr=sr).to_csv(frames_csv, inputs=[path], overwrite=overwrite)
    return report
