"""One report per recording: format, the founding document's features, loudness, and
what the repair assistant finds (hum, clicks, clipping, bandwidth) and proposes; and
the lighter before/after comparison the app's Analysis panel draws
(:func:`compare_audio`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.audio.io import info, load
from core.output import check_output
from core.progress import CancelToken, ProgressCallback, check_cancel, sub_progress

#: Points of the level envelope :func:`measure_audio` keeps: about one per pixel column
#: of a wide panel, whatever the length of the recording.
ENVELOPE_POINTS = 2000
_ENVELOPE_FLOOR_DB = -120.0  # silent frames (-inf dB) drawn at the bottom


def _finite(value: float, digits: int = 2) -> float | None:
    return round(float(value), digits) if np.isfinite(value) else None


def _loudness_fields(audio: np.ndarray, *, sr: int) -> dict[str, float | None]:
    """``lufs`` (integrated loudness) and ``true_peak_dbtp``, ``None`` where not finite."""
    from core.dsp.limiter import true_peak_dbtp
    from core.dsp.loudness import integrated_loudness

    return {
        "lufs": _finite(integrated_loudness(audio, sr=sr)),
        "true_peak_dbtp": _finite(true_peak_dbtp(audio, sr=sr)),
    }


@dataclass(frozen=True)
class Measures:
    """What :func:`measure_audio` found in one signal."""

    summary: dict[str, Any]  # FeatureSummary.to_dict() plus lufs, true_peak_dbtp
    envelope_t: np.ndarray  # seconds, at most ENVELOPE_POINTS
    envelope_db: np.ndarray  # frame level in dB, silence at -120


def measure_audio(
    audio: np.ndarray,
    *,
    sr: int,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Measures:
    """The founding document's features, loudness, true peak and a level envelope of
    ``(channels, samples)`` audio: fast (no assistant diagnosis), for a before/after view.
    The feature hop grows with the length so an hour is measured in seconds."""
    from core.features import FeatureConfig, frame_features, summarize

    report = progress or (lambda f, m="": None)
    hop = int(min(2048, max(512, audio.shape[1] // 50_000)))
    config = FeatureConfig(hop=hop)
    frames = frame_features(
        audio, sr=sr, config=config, progress=sub_progress(report, 0, 0.7), cancel=cancel
    )
    summary = summarize(audio, sr=sr, config=config, frames=frames, cancel=cancel).to_dict()
    check_cancel(cancel)
    report(0.8, "measuring loudness")
    summary.update(_loudness_fields(audio, sr=sr))
    step = max(1, frames.n_frames // ENVELOPE_POINTS)
    envelope = frames.envelope_db[::step].astype(np.float64)
    envelope[~np.isfinite(envelope)] = _ENVELOPE_FLOOR_DB
    return Measures(summary, frames.times_s[::step], envelope)


def compare_audio(
    original: np.ndarray,
    restored: np.ndarray | None,
    *,
    sr: int,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> tuple[Measures, Measures | None]:
    """:func:`measure_audio` of the original and (if given) of the restored signal."""
    report = progress or (lambda f, m="": None)
    split = 0.5 if restored is not None else 1.0
    before = measure_audio(
        original, sr=sr, progress=sub_progress(report, 0.0, split), cancel=cancel
    )
    after = None
    if restored is not None:
        after = measure_audio(
            restored, sr=sr, progress=sub_progress(report, split, 1.0), cancel=cancel
        )
    report(1.0, "analysis done")
    return before, after


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
    from core.features import summarize

    summary = summarize(audio, sr=sr, progress=sub_progress(progress, 0.0, 0.4)).to_dict()
    check_cancel(cancel)
    if progress is not None:
        progress(0.4, "measuring loudness")
    summary.update(_loudness_fields(audio, sr=sr))
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
