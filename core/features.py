"""Descriptive features of a recording: what the analysis view and reports show.

Per-frame tracks (:func:`frame_features`) and a whole-file summary (:func:`summarize`):
energy per frequency band, dominant frequencies, amplitude envelope, spectral centroid,
spectral flatness and a blind signal-to-noise estimate (:func:`estimate_snr_db`).

Levels are in dB relative to full scale (dBFS) with a full-scale square wave at 0 dBFS,
so the RMS level of a full-scale sine is -3.01 dBFS. Every spectral feature is computed
on the channel-averaged power spectrum, scaled so that the band powers of a frame add up
to the frame's (Hann-weighted) mean square. Long signals are analysed in chunks of frames,
so memory stays bounded whatever the duration.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import scipy.fft
import scipy.special

from core.audio.validate import validate_audio, validate_rate
from core.errors import ConfigError
from core.output import write_text
from core.progress import CancelToken, ProgressCallback, check_cancel, sub_progress

DEFAULT_BANDS_HZ: tuple[float, ...] = (
    0.0,
    63.0,
    125.0,
    250.0,
    500.0,
    1000.0,
    2000.0,
    4000.0,
    8000.0,
    16000.0,
    math.inf,
)
"""Octave-ish band edges in Hz; edges above Nyquist are clipped, empty bands dropped."""

SNR_RANGE_DB = (-20.0, 80.0)
""":func:`estimate_snr_db` clamps to this range."""

_CHUNK_FRAMES = 1024  # frames per FFT batch: ~8 MB per channel at n_fft=2048
_SNR_MAX_FRAMES = 12_000  # longer inputs are sampled with a larger hop
_SNR_PERCENTILE = 0.1
_FLATNESS_FLOOR = 1e-20  # power floor (-200 dBFS) so log() of empty bins stays finite
_TINY = 1e-30


@dataclass(frozen=True)
class FeatureConfig:
    """Analysis settings shared by :func:`frame_features` and :func:`summarize`.

    Attributes
    ----------
    n_fft : frame length in samples (even, >= 16); Hann window
    hop : frame step in samples, ``1 <= hop <= n_fft``
    bands_hz : increasing band edges in Hz for the energy per band; the last may be
        ``inf``. Edges above Nyquist are clipped to it and bands starting at or above
        Nyquist are dropped.
    n_dominant : how many spectral peaks to report per frame and for the whole file
    min_peak_hz : peaks below this frequency are ignored (DC, rumble)
    peak_range_db : peaks more than this many dB below the strongest one are ignored
    silence_dbfs : frames whose RMS is below this level count as silent: their centroid,
        flatness and dominant frequencies are NaN and they are left out of the averages
    """

    n_fft: int = 2048
    hop: int = 512
    bands_hz: tuple[float, ...] = DEFAULT_BANDS_HZ
    n_dominant: int = 5
    min_peak_hz: float = 20.0
    peak_range_db: float = 60.0
    silence_dbfs: float = -90.0

    def __post_init__(self) -> None:
        if isinstance(self.n_fft, bool) or not isinstance(self.n_fft, int):
            raise ConfigError(f"n_fft must be an integer, got {self.n_fft!r}")
        if self.n_fft < 16 or self.n_fft % 2:
            raise ConfigError(f"n_fft must be even and at least 16, got {self.n_fft}")
        if isinstance(self.hop, bool) or not isinstance(self.hop, int):
            raise ConfigError(f"hop must be an integer, got {self.hop!r}")
        if not 1 <= self.hop <= self.n_fft:
            raise ConfigError(f"hop must be between 1 and n_fft={self.n_fft}, got {self.hop}")
        edges = tuple(float(e) for e in self.bands_hz)
        if (
            len(edges) < 2
            or any(math.isnan(e) for e in edges)
            or edges[0] < 0
            or any(not math.isfinite(e) for e in edges[:-1])
            or any(b <= a for a, b in zip(edges, edges[1:], strict=False))
        ):
            raise ConfigError(
                f"bands_hz must be at least two increasing edges >= 0 Hz, got {self.bands_hz}"
            )
        if isinstance(self.n_dominant, bool) or not isinstance(self.n_dominant, int):
            raise ConfigError(f"n_dominant must be an integer, got {self.n_dominant!r}")
        if not 1 <= self.n_dominant <= 100:
            raise ConfigError(f"n_dominant must be between 1 and 100, got {self.n_dominant}")
        if not (math.isfinite(self.min_peak_hz) and self.min_peak_hz >= 0):
            raise ConfigError(f"min_peak_hz must be >= 0, got {self.min_peak_hz}")
        if not (math.isfinite(self.peak_range_db) and self.peak_range_db > 0):
            raise ConfigError(f"peak_range_db must be > 0, got {self.peak_range_db}")
        if not math.isfinite(self.silence_dbfs):
            raise ConfigError(f"silence_dbfs must be finite, got {self.silence_dbfs}")

    def band_edges(self, sr: int) -> np.ndarray:
        """Band edges in Hz for rate ``sr``: clipped to Nyquist; shape ``(bands + 1,)``."""
        nyquist = sr / 2
        edges = [e for e in self.bands_hz if e < nyquist]
        if not edges:
            raise ConfigError(f"no band of {self.bands_hz} lies below Nyquist ({nyquist:g} Hz)")
        upper = next((e for e in self.bands_hz if e >= nyquist), None)
        if upper is not None:
            edges.append(nyquist)
        elif len(edges) < 2:
            raise ConfigError(f"bands_hz {self.bands_hz} has no complete band")
        return np.asarray(edges, dtype=np.float64)


def band_labels(edges_hz: np.ndarray) -> list[str]:
    """``"lo_hi"`` labels (Hz, shortest form) for the bands between ``edges_hz``."""
    return [f"{lo:g}_{hi:g}" for lo, hi in zip(edges_hz[:-1], edges_hz[1:], strict=True)]


@dataclass
class FrameFeatures:
    """Per-frame feature tracks; frame ``t`` is centred on sample ``t * hop``.

    Attributes
    ----------
    times_s : float64 ``(frames,)``, frame centres in seconds
    band_energy_db : float32 ``(frames, bands)``, mean-square power per band in dBFS
    band_edges_hz : float64 ``(bands + 1,)``
    dominant_hz : float32 ``(frames, n_dominant)``, strongest peaks first; NaN where a
        frame has fewer peaks or is silent
    envelope_db : float32 ``(frames,)``, Hann-weighted RMS per frame in dBFS
        (``-inf`` for digital silence)
    centroid_hz : float32 ``(frames,)``, NaN for silent frames
    flatness : float32 ``(frames,)``, geometric over arithmetic mean of the power
        spectrum, 0 (tonal) to 1 (white); NaN for silent frames
    sr : sample rate in Hz
    n_fft, hop : analysis settings in samples
    mean_power : float64 ``(n_fft // 2 + 1,)``, long-term average power spectrum
        (mean square per bin); :func:`summarize` reads its peaks and band energies
    """

    times_s: np.ndarray
    band_energy_db: np.ndarray
    band_edges_hz: np.ndarray
    dominant_hz: np.ndarray
    envelope_db: np.ndarray
    centroid_hz: np.ndarray
    flatness: np.ndarray
    sr: int
    n_fft: int
    hop: int
    mean_power: np.ndarray

    @property
    def n_frames(self) -> int:
        return int(self.times_s.shape[0])

    def columns(self) -> list[str]:
        """CSV column names, in order."""
        bands = [f"band_{label}_db" for label in band_labels(self.band_edges_hz)]
        dominant = [f"dominant_{i + 1}_hz" for i in range(self.dominant_hz.shape[1])]
        return ["time_s", "envelope_db", "centroid_hz", "flatness", *bands, *dominant]

    def to_csv(
        self,
        path: str | os.PathLike[str],
        *,
        inputs: Sequence[str | os.PathLike[str]] = (),
        overwrite: bool = False,
    ) -> Path:
        """Write one row per frame, with a header, atomically; returns the path.

        NaN and infinite values are written as empty cells. Refuses to write over
        ``inputs``, and over an existing file unless ``overwrite``.
        """
        columns: list[tuple[np.ndarray, str]] = [
            (self.times_s, "{:.6f}"),
            (self.envelope_db, "{:.3f}"),
            (self.centroid_hz, "{:.2f}"),
            (self.flatness, "{:.6g}"),
        ]
        columns += [
            (self.band_energy_db[:, b], "{:.3f}") for b in range(self.band_energy_db.shape[1])
        ]
        columns += [(self.dominant_hz[:, d], "{:.2f}") for d in range(self.dominant_hz.shape[1])]
        text_columns = [_format_column(values, fmt) for values, fmt in columns]

        def write(f: IO[str]) -> None:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(self.columns())
            writer.writerows(zip(*text_columns, strict=True))

        return _atomic_write(Path(path), write, inputs=inputs, overwrite=overwrite)


@dataclass
class FeatureSummary:
    """Whole-file description; :meth:`to_dict` gives the JSON form.

    Attributes
    ----------
    sr, channels, duration_s : format of the analysed signal
    band_edges_hz : ``bands + 1`` edges in Hz
    band_energy_db : mean-square power per band over the whole file, dBFS
    dominant_hz : up to ``n_dominant`` strongest peaks of the long-term average spectrum,
        strongest first, refined by parabolic interpolation
    peak_dbfs : sample peak (all channels)
    rms_dbfs : RMS over all channels and samples
    crest_db : ``peak_dbfs - rms_dbfs``
    envelope_p10_db, envelope_p50_db, envelope_p90_db : percentiles of the frame envelope
    snr_db : blind SNR estimate (:func:`estimate_snr_db`)
    centroid_hz : mean spectral centroid over non-silent frames (NaN if none)
    flatness : mean spectral flatness over non-silent frames (NaN if none)
    """

    sr: int
    channels: int
    duration_s: float
    band_edges_hz: list[float]
    band_energy_db: list[float]
    dominant_hz: list[float]
    peak_dbfs: float
    rms_dbfs: float
    crest_db: float
    envelope_p10_db: float
    envelope_p50_db: float
    envelope_p90_db: float
    snr_db: float
    centroid_hz: float
    flatness: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: floats rounded, ``-inf``/NaN as ``None``."""
        return {
            "sr": self.sr,
            "channels": self.channels,
            "duration_s": _json_float(self.duration_s, 6),
            "band_edges_hz": [_json_float(e, 2) for e in self.band_edges_hz],
            "band_labels": band_labels(np.asarray(self.band_edges_hz)),
            "band_energy_db": [_json_float(v, 2) for v in self.band_energy_db],
            "dominant_hz": [_json_float(v, 2) for v in self.dominant_hz],
            "peak_dbfs": _json_float(self.peak_dbfs, 2),
            "rms_dbfs": _json_float(self.rms_dbfs, 2),
            "crest_db": _json_float(self.crest_db, 2),
            "envelope_p10_db": _json_float(self.envelope_p10_db, 2),
            "envelope_p50_db": _json_float(self.envelope_p50_db, 2),
            "envelope_p90_db": _json_float(self.envelope_p90_db, 2),
            "snr_db": _json_float(self.snr_db, 2),
            "centroid_hz": _json_float(self.centroid_hz, 1),
            "flatness": _json_float(self.flatness, 4, significant=True),
        }

    def to_json(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write :meth:`to_dict` as indented JSON, atomically; returns the path."""
        text = json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"
        return _atomic_write(Path(path), lambda f: f.write(text), overwrite=overwrite)


def frame_features(
    audio: np.ndarray,
    *,
    sr: int,
    config: FeatureConfig = FeatureConfig(),  # noqa: B008 - frozen, so sharing is safe
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> FrameFeatures:
    """Per-frame band energy, dominant frequencies, envelope, centroid and flatness.

    Parameters
    ----------
    audio : float array ``(channels, samples)`` or ``(samples,)``, full scale +-1
    sr : sample rate in Hz
    config : analysis settings
    progress, cancel : optional progress report and cancel token

    Returns
    -------
    FrameFeatures with ``1 + samples // hop`` frames (centred, zero-padded at the ends).

    Raises
    ------
    InvalidAudioError : bad shape, empty, NaN/inf or bad rate
    ConfigError : no band lies below Nyquist
    Cancelled : ``cancel`` was set
    """
    x = validate_audio(audio)
    sr = validate_rate(sr)
    report = sub_progress(progress, 0.0, 1.0)
    n_fft, hop = config.n_fft, config.hop
    edges = config.band_edges(sr)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    bands = _band_matrix(freqs, edges)
    n_frames = 1 + x.shape[1] // hop
    n_dom = config.n_dominant

    power_sum = np.empty(n_frames, dtype=np.float64)
    band_power = np.empty((n_frames, bands.shape[1]), dtype=np.float64)
    centroid = np.empty(n_frames, dtype=np.float32)
    flatness = np.empty(n_frames, dtype=np.float32)
    dominant = np.empty((n_frames, n_dom), dtype=np.float32)
    mean_power = np.zeros(freqs.shape[0], dtype=np.float64)
    freqs32 = freqs.astype(np.float32)

    for start, power in _power_chunks(x, n_fft=n_fft, hop=hop, cancel=cancel):
        stop = start + power.shape[0]
        total = power.sum(axis=1, dtype=np.float64)
        power_sum[start:stop] = total
        band_power[start:stop] = power @ bands
        with np.errstate(divide="ignore", invalid="ignore"):
            centroid[start:stop] = (power @ freqs32) / total
        floored = power + np.float32(_FLATNESS_FLOOR)
        flatness[start:stop] = np.exp(np.log(floored).mean(axis=1)) / floored.mean(axis=1)
        dominant[start:stop] = _spectral_peaks(
            power,
            sr=sr,
            n_fft=n_fft,
            count=n_dom,
            min_hz=config.min_peak_hz,
            range_db=config.peak_range_db,
        )
        mean_power += power.sum(axis=0, dtype=np.float64)
        report(stop / n_frames, "Measuring features")

    envelope_db = _db(power_sum)
    silent = envelope_db < config.silence_dbfs
    centroid[silent] = np.nan
    flatness[silent] = np.nan
    dominant[silent] = np.nan
    return FrameFeatures(
        times_s=np.arange(n_frames, dtype=np.float64) * hop / sr,
        band_energy_db=_db(band_power).astype(np.float32),
        band_edges_hz=edges,
        dominant_hz=dominant,
        envelope_db=envelope_db.astype(np.float32),
        centroid_hz=centroid,
        flatness=np.clip(flatness, 0.0, 1.0),
        sr=sr,
        n_fft=n_fft,
        hop=hop,
        mean_power=mean_power / n_frames,
    )


def summarize(
    audio: np.ndarray,
    *,
    sr: int,
    config: FeatureConfig = FeatureConfig(),  # noqa: B008 - frozen, so sharing is safe
    frames: FrameFeatures | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> FeatureSummary:
    """Whole-file features of ``audio``.

    Parameters
    ----------
    audio : float array ``(channels, samples)`` or ``(samples,)``
    sr : sample rate in Hz
    config : analysis settings
    frames : tracks already computed by :func:`frame_features` for this audio and
        ``config``; saves the spectral pass when given
    progress, cancel : optional progress report and cancel token

    Returns
    -------
    FeatureSummary

    Raises
    ------
    InvalidAudioError : bad shape, empty, NaN/inf or bad rate
    ConfigError : ``frames`` do not match ``audio``, ``sr`` or ``config``
    Cancelled : ``cancel`` was set
    """
    x = validate_audio(audio)
    sr = validate_rate(sr)
    n_frames = 1 + x.shape[1] // config.hop
    if frames is None:
        frames = frame_features(
            x, sr=sr, config=config, progress=sub_progress(progress, 0.0, 0.8), cancel=cancel
        )
    elif (
        frames.sr != sr
        or frames.n_fft != config.n_fft
        or frames.hop != config.hop
        or frames.n_frames != n_frames
        or frames.dominant_hz.shape[1] != config.n_dominant
        or not np.array_equal(frames.band_edges_hz, config.band_edges(sr))
    ):
        raise ConfigError("frames were computed from another signal, rate or config")

    peak, mean_square = _peak_and_mean_square(x)
    peak_dbfs = float(_db(np.float64(peak) ** 2))
    rms_dbfs = float(_db(np.float64(mean_square)))
    crest_db = peak_dbfs - rms_dbfs if np.isfinite(rms_dbfs) else math.nan

    bands = _band_matrix(np.fft.rfftfreq(config.n_fft, 1.0 / sr), frames.band_edges_hz)
    band_energy = _db(frames.mean_power @ bands)
    peaks = _spectral_peaks(
        frames.mean_power[np.newaxis, :],
        sr=sr,
        n_fft=config.n_fft,
        count=config.n_dominant,
        min_hz=config.min_peak_hz,
        range_db=config.peak_range_db,
    )[0]
    if not np.isfinite(rms_dbfs) or rms_dbfs < config.silence_dbfs:
        peaks[:] = np.nan
    p10, p50, p90 = _percentiles_db(frames.envelope_db, (10.0, 50.0, 90.0))
    snr = estimate_snr_db(x, sr=sr, progress=sub_progress(progress, 0.8, 1.0), cancel=cancel)
    return FeatureSummary(
        sr=sr,
        channels=int(x.shape[0]),
        duration_s=x.shape[1] / sr,
        band_edges_hz=[float(e) for e in frames.band_edges_hz],
        band_energy_db=[float(v) for v in band_energy],
        dominant_hz=[float(v) for v in peaks if np.isfinite(v)],
        peak_dbfs=peak_dbfs,
        rms_dbfs=rms_dbfs,
        crest_db=crest_db,
        envelope_p10_db=p10,
        envelope_p50_db=p50,
        envelope_p90_db=p90,
        snr_db=snr,
        centroid_hz=_nanmean(frames.centroid_hz),
        flatness=_nanmean(frames.flatness),
    )


def estimate_snr_db(
    audio: np.ndarray,
    *,
    sr: int,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> float:
    """Blind signal-to-noise ratio in dB: no clean reference needed.

    The noise is whatever is stationary: its power spectrum is measured in the
    frames that look like noise only (pauses), with minimum statistics as a fallback
    for bins where no such frame exists. Steps, on ~20 ms Hann frames:

    1. a first noise spectrum per bin from the 10th percentile of its power over time,
       bias-corrected for the percentile of exponentially distributed power;
    2. each frame's mean power relative to that spectrum; frames within the spread
       expected for pure noise of the quietest ones are taken as noise-only, and the
       noise spectrum becomes their mean (done twice, the second time relative to the
       refined spectrum);
    3. bins where the percentile estimate is clearly lower (signal never pauses there,
       e.g. a sweep) use the percentile estimate.

    SNR = (mean power - noise power) / noise power. Stationary tones such as hum count
    as noise. Parameters: ``audio`` float ``(channels, samples)`` or ``(samples,)``;
    ``sr`` in Hz. Returns dB clamped to :data:`SNR_RANGE_DB`: the lower bound for pure
    noise and for digital silence (no signal), the upper bound for noiseless signals.
    Raises :class:`InvalidAudioError` for bad input.
    """
    x = validate_audio(audio)
    sr = validate_rate(sr)
    lowest, highest = SNR_RANGE_DB
    report = sub_progress(progress, 0.0, 1.0)
    n_fft = max(64, 1 << int(round(math.log2(sr * 0.02))))
    # Long inputs: sample frames with a larger hop; the statistics need only a few thousand.
    hop = max(n_fft // 2, math.ceil(x.shape[1] / _SNR_MAX_FRAMES))
    n_frames = 1 + x.shape[1] // hop
    chunks = []
    for start, power in _power_chunks(x, n_fft=n_fft, hop=hop, cancel=cancel):
        chunks.append(power)
        report((start + power.shape[0]) / n_frames, "Estimating noise")
    power = np.concatenate(chunks, axis=0)
    del chunks
    total = float(power.sum(axis=1, dtype=np.float64).mean())
    if total <= _TINY:
        return lowest

    bins = power.shape[1]
    p = _SNR_PERCENTILE
    # Mean-1 quantile of the power: exponential in complex bins, chi-square(1) at DC/Nyquist.
    quantile_of_mean = np.full(bins, -math.log1p(-p))
    quantile_of_mean[[0, -1]] = 2.0 * float(scipy.special.gammaincinv(0.5, p))
    by_percentile = np.quantile(power, p, axis=0).astype(np.float64) / quantile_of_mean
    floor = max(float(by_percentile.max()) * 1e-12, _TINY)
    noise = np.maximum(by_percentile, floor)
    # Relative spread of a noise-only frame's whitened mean power: Hann makes neighbouring
    # bins correlated, so the sum of M bin powers has the variance of ~M / 1.94 independent ones.
    spread = math.sqrt(1.94 / bins)
    for step in range(2):
        check_cancel(cancel)
        ratio = (power / noise.astype(np.float32)).mean(axis=1, dtype=np.float64)
        if step == 0:
            threshold = float(np.quantile(ratio, 0.05)) * (1.0 + 3.0 * spread)
        else:
            threshold = 1.0 + 2.5 * spread
        selected = ratio <= threshold
        if not selected.any():
            break
        noise = np.maximum(power[selected].mean(axis=0, dtype=np.float64), floor)
    # The percentile estimate's relative error; frames overlap, so count half of them.
    effective = max(power.shape[0] / 2, 1.0)
    rel_error = math.sqrt(p / ((1 - p) * effective)) / -math.log1p(-p)
    interior = np.zeros(bins, dtype=bool)
    interior[1:-1] = True
    use_percentile = interior & (noise > (1.0 + 4.0 * rel_error) * by_percentile)
    noise = np.where(use_percentile, by_percentile, noise)
    noise_power = float(noise.sum())
    signal_power = total - noise_power
    if signal_power <= total * 1e-10:
        return lowest
    if noise_power <= total * 1e-10:
        return highest
    return float(np.clip(10.0 * math.log10(signal_power / noise_power), lowest, highest))


# --------------------------------------------------------------------------- helpers


def _hann(n: int) -> np.ndarray:
    return np.hanning(n + 1)[:-1].astype(np.float32)  # periodic, as in core.dsp.stft


def mean_power_spectrum(
    audio: np.ndarray,
    *,
    config: FeatureConfig = FeatureConfig(),  # noqa: B008 - frozen, so sharing is safe
    cancel: CancelToken | None = None,
) -> np.ndarray:
    """Long-term power per bin of ``audio`` (float ``(channels, samples)`` or
    ``(samples,)``), float64 ``(config.n_fft // 2 + 1,)``: the ``mean_power`` of
    :func:`frame_features` without the per-frame features."""
    x = validate_audio(audio)
    n_frames = 1 + x.shape[1] // config.hop
    total = np.zeros(config.n_fft // 2 + 1, dtype=np.float64)
    for _, power in _power_chunks(x, n_fft=config.n_fft, hop=config.hop, cancel=cancel):
        total += power.sum(axis=0, dtype=np.float64)
    return total / n_frames


def _power_chunks(
    x: np.ndarray, *, n_fft: int, hop: int, cancel: CancelToken | None
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(first_frame, power)``, power float32 ``(frames, n_fft // 2 + 1)``.

    Channel-averaged one-sided power, scaled to mean square per bin; frames centred on
    ``t * hop`` with zeros outside the signal (``1 + samples // hop`` frames in all).
    """
    channels, length = x.shape
    n_frames = 1 + length // hop
    pad = n_fft // 2
    window = _hann(n_fft)
    scale = np.full(n_fft // 2 + 1, 2.0 / (n_fft * float(np.sum(window.astype(np.float64) ** 2))))
    scale[[0, -1]] /= 2  # DC and Nyquist have no mirror image
    scale32 = scale.astype(np.float32)
    for first in range(0, n_frames, _CHUNK_FRAMES):
        check_cancel(cancel)
        count = min(_CHUNK_FRAMES, n_frames - first)
        start = first * hop - pad
        span = (count - 1) * hop + n_fft
        segment = np.zeros((channels, span), dtype=np.float32)
        lo, hi = max(start, 0), min(start + span, length)
        if hi > lo:
            segment[:, lo - start : hi - start] = x[:, lo:hi]
        framed = np.lib.stride_tricks.sliding_window_view(segment, n_fft, axis=1)[:, ::hop]
        spectrum = scipy.fft.rfft(framed * window, axis=-1)
        power = spectrum.real**2 + spectrum.imag**2
        power = power.mean(axis=0) if channels > 1 else power[0]
        yield first, power * scale32


def _band_matrix(freqs: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """0/1 float32 ``(bins, bands)``: bin in ``[lo, hi)``; the top band includes ``hi``."""
    index = np.searchsorted(edges, freqs, side="right") - 1
    bands = edges.shape[0] - 1
    index[freqs == edges[-1]] = bands - 1
    matrix = np.zeros((freqs.shape[0], bands), dtype=np.float32)
    inside = (index >= 0) & (index < bands)
    matrix[np.nonzero(inside)[0], index[inside]] = 1.0
    return matrix


def _spectral_peaks(
    power: np.ndarray, *, sr: int, n_fft: int, count: int, min_hz: float, range_db: float
) -> np.ndarray:
    """Frequencies of the ``count`` strongest local maxima per row of ``power``.

    ``power`` is ``(rows, bins)``; returns float32 ``(rows, count)`` in Hz, strongest
    first, NaN-padded. Each peak is refined by a parabola through the log power of the
    peak bin and its neighbours; peaks that land below ``min_hz`` are dropped.
    """
    rows, bins = power.shape
    out = np.full((rows, count), np.nan, dtype=np.float32)
    if bins < 3:
        return out
    centre = power[:, 1:-1]
    is_peak = centre > power[:, :-2]
    is_peak &= centre >= power[:, 2:]
    min_bin = int(math.ceil(min_hz * n_fft / sr))
    is_peak[:, : max(min_bin - 1, 0)] = False  # column j is bin j + 1
    candidates = centre * is_peak
    # A spare candidate or two replaces peaks that refinement moves below min_hz.
    k = min(count + 2, bins - 2)
    # k rounds of argmax beat argpartition/sort by far for the few peaks wanted.
    row = np.arange(rows)
    peak_bin = np.empty((rows, k), dtype=np.intp)
    values = np.empty((rows, k), dtype=np.float64)
    for i in range(k):
        j = np.argmax(candidates, axis=1)
        peak_bin[:, i] = j + 1
        values[:, i] = candidates[row, j]
        candidates[row, j] = -1.0
    valid = (values > 0) & (values >= values[:, :1] * 10.0 ** (-range_db / 10.0))

    def log_at(offset: int) -> np.ndarray:
        gathered = np.take_along_axis(power, peak_bin + offset, axis=1).astype(np.float64)
        return np.log(np.maximum(gathered, _TINY))

    a, b, c = log_at(-1), log_at(0), log_at(1)
    curvature = a - 2.0 * b + c
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(curvature < 0, 0.5 * (a - c) / curvature, 0.0)
    hz = (peak_bin + np.clip(delta, -0.5, 0.5)) * (sr / n_fft)
    valid &= hz >= min_hz
    # Move the valid peaks to the front of each row, keeping their order.
    rank = np.argsort(~valid, axis=1, kind="stable")
    hz = np.where(
        np.take_along_axis(valid, rank, axis=1), np.take_along_axis(hz, rank, axis=1), np.nan
    )
    keep = min(count, k)
    out[:, :keep] = hz[:, :keep]
    return out


def _db(power: np.ndarray | np.floating[Any]) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.asarray(10.0 * np.log10(power))


def _peak_and_mean_square(x: np.ndarray) -> tuple[float, float]:
    """Sample peak and mean square over all channels, in float64 blocks."""
    peak = 0.0
    acc = 0.0
    block = 1 << 20
    for lo in range(0, x.shape[1], block):
        piece = x[:, lo : lo + block].astype(np.float64)
        peak = max(peak, float(np.max(np.abs(piece))))
        acc += float(np.sum(piece * piece))
    return peak, acc / x.size


def _percentiles_db(values_db: np.ndarray, qs: tuple[float, ...]) -> tuple[float, ...]:
    """Percentiles that tolerate ``-inf`` (digital silence) without NaN."""
    finite = np.isfinite(values_db)
    if not finite.any():
        return tuple(-math.inf for _ in qs)
    lowest = float(values_db[finite].min())
    # Interpolating towards -inf would give NaN: use a stand-in, and call anything below
    # the quietest real frame silent.
    filled = np.where(finite, values_db, lowest - 1000.0).astype(np.float64)
    result = np.percentile(filled, qs)
    return tuple(float(r) if r >= lowest else -math.inf for r in result)


def _nanmean(values: np.ndarray) -> float:
    good = values[np.isfinite(values)]
    return float(np.mean(good, dtype=np.float64)) if good.size else math.nan


def _format_column(values: np.ndarray, fmt: str) -> list[str]:
    return [fmt.format(v) if math.isfinite(v) else "" for v in values.tolist()]


def _json_float(value: float, digits: int, *, significant: bool = False) -> float | None:
    if not math.isfinite(value):
        return None
    if significant:
        return float(f"{value:.{digits}g}")
    return round(float(value), digits)


def _atomic_write(
    path: Path,
    write: Callable[[IO[str]], object],
    *,
    inputs: Sequence[str | os.PathLike[str]] = (),
    overwrite: bool = False,
) -> Path:
    """Render text with ``write`` and store it at ``path`` through the output guard."""
    buffer = io.StringIO(newline="")
    write(buffer)
    return write_text(path, buffer.getvalue(), inputs=inputs, overwrite=overwrite)
