"""Clipping repair: rebuild flattened peaks by constrained AR interpolation.

A clipped sample only tells that the true value lay at or beyond the clip level.
:func:`declip` treats every run of clipped samples as missing and fills it by
least-squares AR interpolation (LSAR, shared with :mod:`core.dsp.declick`) under
the constraint that each rebuilt sample lies at or beyond the clip level with the
sign of the run ("consistent" declipping). The AR models are fitted per ~30 ms block
from the autocorrelation of the unclipped samples only.

Level and blocks
----------------
The rebuilt peaks lie above the clip level, so the output may exceed full scale
(``|x| > 1``). :func:`declip` does not rescale by a data-dependent gain: blocks of a
long file are processed independently and such a gain would make the level jump
between blocks. It multiplies every block, clipped or not, by the fixed
``10 ** (-headroom_db / 20)`` (``headroom_db = 0`` by default: no change), and
leaves overs to a later limiter or normalisation step of the chain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from core.audio.validate import validate_audio, validate_rate
from core.dsp.declick import interpolate_ar
from core.errors import ConfigError
from core.progress import CancelToken, ProgressCallback, check_cancel, sub_progress

_BLOCK_MS = 30.0  # one AR model per block of this length, fitted on twice that
# Samples within this fraction of the clip level count as clipped (float rounding).
_LEVEL_TOLERANCE = 1e-4
# No clip level is auto-detected below this peak: near-silent blocks are left alone.
_MIN_LEVEL = 1e-3
# Regularisation of the AR fit (ridge relative to the mean diagonal of the Gram matrix).
_WHITE_FLOOR = 1e-6
_ACTIVE_SET_ROUNDS = 8
_MAX_JOINT = 256  # most clipped samples solved in one joint system


@dataclass(frozen=True)
class DeclipConfig:
    """Settings for :func:`detect_clipping` and :func:`declip`.

    Attributes
    ----------
    threshold : clip level as a linear magnitude in (0, 1]; samples with
        ``|x| >= threshold`` are clipped. ``None`` detects it: the positive and the
        negative peak of the block each count as a clip level when at least
        ``min_runs`` runs of ``min_run`` or more consecutive samples sit on it.
    headroom_db : fixed gain reduction in dB applied to every output block (clipped
        or not), so blocks stay consistent; 0 leaves the level alone and rebuilt
        peaks may exceed full scale.
    order : AR model order of the interpolation.
    max_run_ms : longer clipped runs are left as they are (too long to rebuild).
    min_run : shortest run (samples) of equal peak values that shows clipping when
        the level is detected. One run must also be longer than ``min_run``: a
        clean periodic signal whose peak falls between two samples repeats runs of
        exactly two equal samples.
    min_runs : how many such runs a peak level needs before it counts as clipping.
    """

    threshold: float | None = None
    headroom_db: float = 0.0
    order: int = 32
    max_run_ms: float = 5.0
    min_run: int = 2
    min_runs: int = 2

    def __post_init__(self) -> None:
        if self.threshold is not None and not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"threshold must be in (0, 1] or None, got {self.threshold}")
        if not 0.0 <= self.headroom_db <= 24.0:
            raise ConfigError(f"headroom_db must be in 0..24 dB, got {self.headroom_db}")
        if not 4 <= self.order <= 128:
            raise ConfigError(f"order must be in 4..128, got {self.order}")
        if not 0.05 <= self.max_run_ms <= 50.0:
            raise ConfigError(f"max_run_ms must be in 0.05..50 ms, got {self.max_run_ms}")
        if not 1 <= self.min_run <= 64 or not 1 <= self.min_runs <= 10_000:
            raise ConfigError("min_run must be in 1..64 and min_runs in 1..10000")

    @property
    def gain(self) -> float:
        """Linear output gain ``10 ** (-headroom_db / 20)``."""
        return float(10.0 ** (-self.headroom_db / 20.0))


@dataclass(frozen=True)
class ClipReport:
    """What :func:`detect_clipping` found.

    Attributes
    ----------
    clipped_fraction : share of all samples (all channels) lying in clipped runs.
    clip_level : clip level as a linear magnitude (the larger of the positive and
        negative levels); 0.0 when no clipping was found.
    runs : number of clipped runs (all channels).
    positive_level, negative_level : the clip level of each polarity as a magnitude,
        or ``None`` when that polarity is not clipped.
    """

    clipped_fraction: float
    clip_level: float
    runs: int
    positive_level: float | None = None
    negative_level: float | None = None


def detect_clipping(
    audio: np.ndarray, *, sr: int | None = None, config: DeclipConfig = DeclipConfig()
) -> ClipReport:
    """Find runs of samples sitting on a clip level.

    Parameters
    ----------
    audio : float array ``(channels, samples)`` or ``(samples,)``
    sr : sample rate in Hz; not needed, checked when given
    config : ``threshold`` (``None`` detects the level), ``min_run`` and ``min_runs``

    Returns
    -------
    ClipReport
        Clipped share of the samples, clip level(s) and number of runs.
    """
    x = validate_audio(audio)
    if sr is not None:
        validate_rate(sr)
    pos, neg = _levels(x, config)
    masks = [_clip_masks(x[ch], pos, neg) for ch in range(x.shape[0])]
    runs = sum(len(_runs(np.logical_or(*m))) for m in masks)
    clipped = sum(int(np.count_nonzero(m[0]) + np.count_nonzero(m[1])) for m in masks)
    level = max(pos or 0.0, neg or 0.0)
    return ClipReport(
        clipped_fraction=clipped / x.size,
        clip_level=level,
        runs=runs,
        positive_level=pos,
        negative_level=neg,
    )


def declip(
    audio: np.ndarray,
    *,
    sr: int,
    config: DeclipConfig = DeclipConfig(),
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> np.ndarray:
    """Rebuild clipped peaks by AR interpolation constrained to exceed the clip level.

    Parameters
    ----------
    audio : float array ``(channels, samples)`` or ``(samples,)``
    sr : sample rate in Hz
    config : settings; the clip level is detected per call unless ``threshold`` is set
    progress, cancel : optional progress callback and cancel token

    Returns
    -------
    float32 array ``(channels, samples)``: unclipped samples unchanged, clipped runs
    rebuilt (they may exceed full scale), all multiplied by ``config.gain``. An input
    without clipping comes back unchanged (times ``config.gain``).
    """
    x = validate_audio(audio)
    sr = validate_rate(sr)
    check_cancel(cancel)
    pos, neg = _levels(x, config)
    out = x.copy()
    if pos is not None or neg is not None:
        max_run = max(1, int(round(config.max_run_ms * sr / 1000.0)))
        for ch in range(x.shape[0]):
            report = sub_progress(progress, ch / x.shape[0], (ch + 1) / x.shape[0])
            upper, lower = _clip_masks(x[ch], pos, neg)
            out[ch] = _declip_channel(
                x[ch], upper, lower, pos or 0.0, neg or 0.0, sr, config, max_run, report, cancel
            ).astype(np.float32)
    if progress is not None:
        progress(1.0, "de-clip")
    if config.headroom_db > 0.0:
        out *= np.float32(config.gain)
    return out


# --- detection ----------------------------------------------------------------------


def _levels(x: np.ndarray, config: DeclipConfig) -> tuple[float | None, float | None]:
    """Positive and negative clip levels (magnitudes), ``None`` where not clipped."""
    if config.threshold is not None:
        t = float(config.threshold)
        pos = t if np.any(x >= t * (1.0 - _LEVEL_TOLERANCE)) else None
        neg = t if np.any(x <= -t * (1.0 - _LEVEL_TOLERANCE)) else None
        return pos, neg
    peaks = (float(np.max(x)), float(-np.min(x)))
    stats = (_run_stats(x, peaks[0], config), _run_stats(-x, peaks[1], config))
    # Either polarity may show the one run longer than min_run (e.g. at low rates).
    longest = max(stats[0][1], stats[1][1])
    pos, neg = (
        peak if count >= config.min_runs and longest > config.min_run else None
        for peak, (count, _) in zip(peaks, stats, strict=True)
    )
    return pos, neg


def _run_stats(x: np.ndarray, peak: float, config: DeclipConfig) -> tuple[int, int]:
    """Number of runs of ``min_run`` or more samples on ``peak``, and the longest run."""
    if peak < _MIN_LEVEL:
        return 0, 0
    on = x >= peak * (1.0 - _LEVEL_TOLERANCE)
    count, longest = 0, 0
    for row in on:
        if row.any():
            lengths = np.diff(_runs(row), axis=1)[:, 0]
            count += int(np.count_nonzero(lengths >= config.min_run))
            longest = max(longest, int(lengths.max()))
    return count, longest


def _clip_masks(
    x: np.ndarray, pos: float | None, neg: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks of samples on the positive and on the negative clip level."""
    upper = x >= pos * (1.0 - _LEVEL_TOLERANCE) if pos is not None else np.zeros(x.shape, bool)
    lower = x <= -neg * (1.0 - _LEVEL_TOLERANCE) if neg is not None else np.zeros(x.shape, bool)
    return upper, lower


def _runs(mask: np.ndarray) -> np.ndarray:
    """``(runs, 2)`` int array of ``[start, stop)`` of the True runs of a 1-D mask."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return np.stack((np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)), axis=1)


# --- repair -------------------------------------------------------------------------


def _block_models(x: np.ndarray, known: np.ndarray, sr: int, order: int) -> tuple[np.ndarray, int]:
    """AR filters ``(blocks, order + 1)`` of ``block``-sample blocks, from unclipped samples.

    Covariance (least-squares) method over a window of two blocks centred on each
    block, using only the prediction equations whose ``order + 1`` samples are all
    unclipped: clipped samples neither count nor bias the model. Blocks without
    clipping get no model (zeros), as nothing there needs one.
    """
    n = x.shape[0]
    block = max(8 * order, int(round(_BLOCK_MS * sr / 1000.0)))
    nb = -(-n // block)
    half = block // 2
    pad = (half + order, nb * block - n + block)  # enough for an odd block
    span = 2 * block + order
    xs = sliding_window_view(np.pad(x, pad), span)[::block][:nb]
    ks = sliding_window_view(np.pad(known, pad, constant_values=False), span)[::block][:nb]
    coeffs = np.zeros((nb, order + 1))
    coeffs[:, 0] = 1.0
    needed = ~np.all(ks, axis=1)
    for b in np.flatnonzero(needed):
        lagged = sliding_window_view(xs[b], order + 1)[:, ::-1]  # [x[n], x[n-1], ...]
        valid = np.all(sliding_window_view(ks[b], order + 1), axis=1)
        rows = lagged[valid]
        if rows.shape[0] < 2 * order:
            continue
        cov = rows.T @ rows
        gram = cov[1:, 1:]
        gram[np.diag_indices_from(gram)] += _WHITE_FLOOR * np.trace(gram) / order + 1e-20
        try:
            coeffs[b, 1:] = np.linalg.solve(gram, -cov[1:, 0])
        except np.linalg.LinAlgError:
            continue
    return coeffs, block


def _declip_channel(
    x: np.ndarray,
    upper: np.ndarray,
    lower: np.ndarray,
    pos: float,
    neg: float,
    sr: int,
    config: DeclipConfig,
    max_run: int,
    report: ProgressCallback,
    cancel: CancelToken | None,
) -> np.ndarray:
    y = x.astype(np.float64)
    clipped = upper | lower
    runs = _runs(clipped)
    if runs.shape[0] == 0:
        return y
    p = config.order
    coeffs, block = _block_models(y, ~clipped, sr, p)
    # Runs closer than p samples share prediction equations: solve them together.
    breaks = np.flatnonzero(runs[1:, 0] - runs[:-1, 1] >= p) + 1
    groups = np.split(np.arange(runs.shape[0]), breaks)
    n = y.shape[0]
    # Sign of the constraint per sample: +1 must stay >= pos, -1 must stay <= -neg.
    sign = upper.astype(np.float64) - lower.astype(np.float64)
    bound = np.where(upper, pos, neg)
    for i, group in enumerate(groups):
        if i % 512 == 0:
            check_cancel(cancel)
            report(i / len(groups), "de-clip")
        if np.max(runs[group, 1] - runs[group, 0]) > max_run:
            continue
        lengths = runs[group, 1] - runs[group, 0]
        # A dense cluster would make one large dense system: solve its runs one by one
        # then (each seeing its neighbours' clip-level samples as known).
        parts = [group] if int(np.sum(lengths)) <= _MAX_JOINT else [[g] for g in group]
        for part in parts:
            first, last = int(runs[part[0], 0]), int(runs[part[-1], 1])
            lo, hi = max(0, first - p), min(n, last + p)
            a = coeffs[min((first + last) // 2 // block, coeffs.shape[0] - 1)]
            missing = np.zeros(hi - lo, dtype=bool)
            for g in part:
                missing[runs[g, 0] - lo : runs[g, 1] - lo] = True
            y[lo:hi] = _constrained_lsar(y[lo:hi], missing, a, sign[lo:hi], bound[lo:hi])
    return y


def _constrained_lsar(
    seg: np.ndarray, missing: np.ndarray, coeffs: np.ndarray, sign: np.ndarray, bound: np.ndarray
) -> np.ndarray:
    """LSAR fill of ``missing`` with ``sign * value >= bound`` (a simple active set).

    Samples whose unconstrained estimate falls short of the clip level are pinned to
    it and the rest solved again, until every estimate is consistent.
    """
    todo = missing.copy()
    out = seg.copy()
    for _ in range(_ACTIVE_SET_ROUNDS):
        out = interpolate_ar(out, todo, coeffs)
        idx = np.flatnonzero(todo)
        short = sign[idx] * out[idx] < bound[idx]
        if not np.any(short):
            break
        pinned = idx[short]
        out[pinned] = sign[pinned] * bound[pinned]
        todo[pinned] = False
        if not np.any(todo):
            break
    idx = np.flatnonzero(missing)
    # Whatever the last round left inconsistent sits on the clip level, as recorded.
    out[idx] = np.where(sign[idx] * out[idx] < bound[idx], sign[idx] * bound[idx], out[idx])
    return out
