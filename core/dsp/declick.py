"""Click and crackle removal by autoregressive modelling (Godsill & Rayner).

Audio is locally well predicted by a linear-prediction (AR) model; a click is a
short burst the model cannot predict. :func:`detect_clicks` fits an AR model per
block of ~30 ms and takes the prediction residual. A first pass marks candidate
bursts and repairs them in a copy; the models are refitted to that copy (so a big
click no longer drags its block's model towards itself) and the forward and
backward residuals of the original are compared with a robust local scale, over
windows of 1 sample up to ``max_click_ms`` (the smooth body of a long click shows
as energy rather than as one outlier). Events that are long, that open onto a
much louder signal (a drum hit, a plucked string), or that repeat at a pitch
period with residual peaks of similar size (the glottal pulses of voiced speech)
are programme and kept.
:func:`declick` replaces every click by least-squares AR interpolation (LSAR)
from the samples around it.

The LSAR helper :func:`interpolate_ar` is shared with
:mod:`core.dsp.declip`.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import fft, linalg, ndimage

from core.audio.resample import polyphase_filter
from core.audio.validate import validate_audio, validate_rate
from core.errors import ConfigError
from core.progress import CancelToken, ProgressCallback, check_cancel, sub_progress

_BLOCK_MS = 30.0  # AR model block
_SCALE_MS = 2.5  # sub-block of the robust residual scale
_GUARD_MS = 5.0  # signal level compared before and after an event
_CONTEXT_MS = 10.0  # samples each side used to fit the interpolating model
_CHUNK_SECONDS = 10.0  # detection works through long signals in chunks this long
_ATTACK_PEAK_RATIO = 2.0  # see the attack test in _detect_span
_MAX_REPAIR_ORDER = 96  # highest AR order used to bridge a long click
_WIDEN = 2  # samples added on each side of a detected click before repair
_MAD_TO_SIGMA = 1.0 / 0.6745  # median |e| of Gaussian noise is 0.6745 sigma
# The residual scale never drops below this fraction of the local signal RMS, so a
# perfectly predictable tone does not make the detector infinitely sensitive.
_RELATIVE_FLOOR = 0.01
# ... nor below this fraction of the RMS of the whole span: events 60 dB below the
# programme (dither, codec noise in pauses) are inaudible.
_GLOBAL_FLOOR = 1e-3
# Regularisation of the AR fit (white floor relative to the signal power).
_WHITE_FLOOR = 1e-6
# Pass 1 candidates (repaired before the models of pass 2 are fitted) exceed this
# fraction of the threshold.
_CANDIDATE = 0.5
# A window of L samples is a click when its mean squared z-score exceeds
# threshold**2 * L**-_GAMMA (the smooth body of a long click is caught by energy).
_GAMMA = 0.5
# A click's height (the most its repair changes a sample) must reach the peak level
# of the programme within _ENVELOPE_MS either side times threshold / this.
_HEIGHT_PER_THRESHOLD = 8.0
_ENVELOPE_MS = 10.0
# Events this many times taller than the programme around them are clicks even
# where the pitch-pulse and attack tests would call them programme.
_TALL = 2.0
# Residual z-score (times the threshold) above which an event needs only this
# fraction of the minimum height.
_STRONG = 1.5
_STRONG_HEIGHT = 0.2
# Median residual after an event over that before it above which the event opens
# onto new, unpredictable sound (a plosive, a pick).
_NOISE_ONSET = 1.5
# Above this rate, detection also runs on the signal decimated to about half this
# rate: wide, smooth clicks fall in the band where the full-rate model, which
# spends its order on the top octave, sees them poorly.
_DECIMATE_ABOVE = 32000
_BRIDGE = 4  # flagged samples this close belong to one event
# Pitch-pulse test: periods searched, timing jitter allowed, and how much larger
# than its neighbours' residual peaks a click's must be.
_PITCH_MS = (2.5, 15.0)
_JITTER_MS = 0.25
_PULSE_RATIO = 2.0


@dataclass(frozen=True)
class DeclickConfig:
    """Settings for :func:`detect_clicks` and :func:`declick`.

    Attributes
    ----------
    threshold : a sample is part of a click when its AR prediction residual exceeds
        ``threshold`` times the robust local residual scale (a standard deviation).
        Lower finds more (crackle); higher is safer on dense music.
    max_click_ms : longest click repaired, in milliseconds; longer events are
        taken as programme (transients) and left alone.
    order : AR model order used for detection and interpolation.
    onset_ratio : an event after which the signal is this many times louder (RMS)
        than before it is an attack (drum hit, pluck), not a click.
    """

    threshold: float = 8.0
    max_click_ms: float = 2.0
    order: int = 24
    onset_ratio: float = 4.0

    def __post_init__(self) -> None:
        if not 2.0 <= self.threshold <= 100.0:
            raise ConfigError(f"threshold must be in 2..100, got {self.threshold}")
        if not 0.05 <= self.max_click_ms <= 10.0:
            raise ConfigError(f"max_click_ms must be in 0.05..10 ms, got {self.max_click_ms}")
        if not 2 <= self.order <= 64:
            raise ConfigError(f"order must be in 2..64, got {self.order}")
        if not self.onset_ratio > 1.0:
            raise ConfigError(f"onset_ratio must be above 1, got {self.onset_ratio}")

    @classmethod
    def crackle(cls) -> DeclickConfig:
        """Settings for crackle: many small clicks.

        A lower threshold and a more tolerant attack test find small clicks the
        default misses, at the price of more false repairs on dense harmonic
        material (use it where crackle is heard).
        """
        return cls(threshold=6.0, onset_ratio=5.0)


@dataclass(frozen=True)
class ClickReport:
    """What :func:`detect_clicks` found.

    Attributes
    ----------
    positions : int64 array of the first sample of each click (all channels merged).
    count : number of clicks.
    clicks_per_min : clicks per minute of audio.
    strengths : float array, each click's peak prediction residual over the local
        residual scale (the unit of :attr:`DeclickConfig.threshold`; the largest over
        channels).
    """

    positions: np.ndarray
    count: int
    clicks_per_min: float
    strengths: np.ndarray = field(default_factory=lambda: np.zeros(0))


def detect_clicks(
    audio: np.ndarray, *, sr: int, config: DeclickConfig = DeclickConfig(), workers: int = 1
) -> ClickReport:
    """Find clicks as outliers of a block-wise AR prediction residual.

    Parameters
    ----------
    audio : float array ``(channels, samples)`` or ``(samples,)``
    sr : sample rate in Hz
    config : detector settings; ``DeclickConfig()`` by default
    workers : threads the channels are searched on (the detector is mostly NumPy)

    Returns
    -------
    ClickReport
        Start sample of each click (clicks within ``max_click_ms`` of each other
        on different channels count once) and the click rate.
    """
    x = validate_audio(audio)
    sr = validate_rate(sr)

    def channel(ch: int) -> list[tuple[int, int, float]]:
        return _detect_channel(x[ch], sr, config)

    if workers > 1 and x.shape[0] > 1:
        with ThreadPoolExecutor(min(workers, x.shape[0]), thread_name_prefix="clicks") as pool:
            found = [e for events in pool.map(channel, range(x.shape[0])) for e in events]
    else:
        found = [e for ch in range(x.shape[0]) for e in channel(ch)]
    found.sort()
    positions = np.array([s for s, _, _ in found], dtype=np.int64)
    strengths = np.array([z for _, _, z in found], dtype=np.float64)
    if positions.size > 1:
        gap = max(1, int(config.max_click_ms * sr / 1000.0))
        first = np.concatenate(([True], np.diff(positions) > gap))
        # One click seen on several channels: its strength is the largest.
        strengths = np.maximum.reduceat(strengths, np.flatnonzero(first))
        positions = positions[first]
    minutes = x.shape[1] / sr / 60.0
    return ClickReport(
        positions=positions,
        count=int(positions.size),
        clicks_per_min=positions.size / minutes,
        strengths=strengths,
    )


def declick(
    audio: np.ndarray,
    *,
    sr: int,
    config: DeclickConfig = DeclickConfig(),
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> np.ndarray:
    """Detect clicks and replace them by AR interpolation from their surroundings.

    Parameters
    ----------
    audio : float array ``(channels, samples)`` or ``(samples,)``
    sr : sample rate in Hz
    config : settings; ``DeclickConfig()`` by default (``DeclickConfig.crackle()``
        for crackle)
    progress, cancel : optional progress callback and cancel token

    Returns
    -------
    float32 array ``(channels, samples)``; samples away from clicks are unchanged.
    """
    x = validate_audio(audio)
    sr = validate_rate(sr)
    check_cancel(cancel)
    out = x.copy()
    context = max(3 * config.order, int(round(_CONTEXT_MS * sr / 1000.0)))
    for ch in range(x.shape[0]):
        report = sub_progress(progress, ch / x.shape[0], (ch + 1) / x.shape[0])
        events = [
            (a, b)
            for a, b, _ in _detect_channel(x[ch], sr, config, report=sub_progress(report, 0.0, 0.5))
        ]
        y = x[ch].astype(np.float64)
        merged = _merge(events, _WIDEN, config.order, y.shape[0])
        _repair_all(
            y, merged, config.order, context, cancel=cancel, report=sub_progress(report, 0.5, 1.0)
        )
        out[ch] = y.astype(np.float32)
        report(1.0, "de-click")
    return out


# --- AR helpers shared with declip ----------------------------------------------------


def levinson(r: np.ndarray, order: int) -> np.ndarray:
    """Prediction-error filters from autocorrelations, batched over leading axes.

    Parameters
    ----------
    r : array ``(..., order + 1)`` of autocorrelations at lags ``0..order``
    order : model order

    Returns
    -------
    float64 array ``(..., order + 1)``: ``[1, a1, ..., ap]`` with the prediction
    error ``e[n] = sum_i a_i x[n - i]``.
    """
    r = np.asarray(r, dtype=np.float64)
    a = np.zeros(r.shape[:-1] + (order + 1,))
    a[..., 0] = 1.0
    err = r[..., 0].copy()
    for i in range(1, order + 1):
        acc = r[..., i] + np.sum(a[..., 1:i] * r[..., i - 1 : 0 : -1], axis=-1)
        k = np.where(err > 0, -acc / np.where(err > 0, err, 1.0), 0.0)
        prev = a[..., 1:i].copy()
        a[..., 1:i] = prev + k[..., np.newaxis] * prev[..., ::-1]
        a[..., i] = k
        err = err * (1.0 - k * k)
    return a


def fit_ar(pieces: list[np.ndarray], order: int) -> np.ndarray:
    """AR prediction-error filter ``[1, a1, ..., ap]`` fitted to the concatenated evidence.

    Each piece contributes its own autocorrelation (no product across the gaps
    between pieces). Returns ``[1, 0, ..., 0]`` when there is no signal.
    """
    r = np.zeros(order + 1)
    for piece in pieces:
        piece = np.asarray(piece, dtype=np.float64)
        if piece.size > order:
            r += _autocorrelation(piece, order)
    if r[0] <= 0:
        a = np.zeros(order + 1)
        a[0] = 1.0
        return a
    r[0] *= 1.0 + _WHITE_FLOOR
    # One system: scipy's compiled Levinson recursion is 10-30x faster than the
    # batched numpy one (it is called for every repaired or measured event).
    try:
        tail = linalg.solve_toeplitz(r[:order], -r[1 : order + 1], check_finite=False)
    except linalg.LinAlgError:
        return levinson(r, order)
    return np.concatenate(([1.0], tail))


def interpolate_ar(segment: np.ndarray, missing: np.ndarray, coeffs: np.ndarray) -> np.ndarray:
    """Least-squares AR interpolation (LSAR) of the ``missing`` samples of ``segment``.

    Minimises the energy of the AR prediction error over every equation that
    involves a missing sample. ``segment`` should hold at least ``order`` known
    samples before the first and after the last missing one.

    Parameters
    ----------
    segment : float array ``(n,)``
    missing : bool array ``(n,)``
    coeffs : prediction-error filter ``[1, a1, ..., ap]`` (see :func:`fit_ar`)

    Returns
    -------
    float64 copy of ``segment`` with the missing samples filled in.
    """
    out = np.asarray(segment, dtype=np.float64).copy()
    idx = np.flatnonzero(missing)
    if idx.size == 0:
        return out
    p = coeffs.shape[0] - 1
    ra = _autocorrelation(np.asarray(coeffs, dtype=np.float64), p)  # lags 0..p
    known = out.copy()
    known[idx] = 0.0
    kernel = np.concatenate((ra[:0:-1], ra))
    rhs = np.convolve(known, kernel, mode="same")[idx]
    lag = np.abs(idx[:, np.newaxis] - idx[np.newaxis, :])
    gram = np.where(lag <= p, ra[np.minimum(lag, p)], 0.0)
    gram[np.diag_indices_from(gram)] += 1e-9 * ra[0]
    out[idx] = np.linalg.solve(gram, -rhs)
    return out


# --- detection --------------------------------------------------------------------------


def _detect_channel(
    x: np.ndarray,
    sr: int,
    config: DeclickConfig,
    report: ProgressCallback | None = None,
) -> list[tuple[int, int, float]]:
    """Clicks of one channel as ``(start, stop, strength)``: sample ranges, stop
    exclusive, and the peak residual over the local scale (see :class:`ClickReport`)."""
    n = x.shape[0]
    chunk = int(_CHUNK_SECONDS * sr)
    margin = int(round(0.1 * sr))
    events: list[tuple[int, int, float]] = []
    for begin in range(0, n, chunk):
        lo = max(0, begin - margin)
        hi = min(n, begin + chunk + margin)
        span = x[lo:hi].astype(np.float64)
        found = _detect_span(span, sr, config)
        if sr >= _DECIMATE_ABOVE:
            found += _detect_low(span, sr, config, found)
        for start, stop, strength in found:
            if begin <= start + lo < begin + chunk:
                events.append((start + lo, stop + lo, strength))
        if report is not None:
            report(min(1.0, (begin + chunk) / n), "finding clicks")
    return events


def _detect_low(
    x: np.ndarray, sr: int, config: DeclickConfig, known: list[tuple[int, int, float]]
) -> list[tuple[int, int, float]]:
    """Clicks found at a rate near ``_DECIMATE_ABOVE / 2`` and not at the full rate."""
    q = sr // (_DECIMATE_ABOVE // 2)
    decimated = _decimate(x, q)
    low = [(a * q, b * q, z) for a, b, z in _detect_span(decimated, sr // q, config)]
    # The full rate places its clicks more precisely; the low rate (its residual
    # spread by the anti-alias filter) only adds those it alone finds, widened.
    reach = int(round(config.max_click_ms * sr / 1000.0)) + config.order * q
    out = []
    for a, b, z in low:
        if not any(a - reach < kb and ka < b + reach for ka, kb, _ in known):
            out.append((max(0, a - q), min(x.shape[0], b + q), z))
    return out


def _decimate(x: np.ndarray, q: int) -> np.ndarray:
    """Every ``q``-th sample of ``x`` ``(n,)`` after :func:`polyphase_filter`, centred:
    what ``scipy.signal.resample_poly(x, 1, q)`` gives, without importing
    ``scipy.signal`` (0.4 s) for this one use."""
    h = polyphase_filter(q)
    half = h.size // 2
    count = -(-x.shape[0] // q)
    padded = np.zeros(x.shape[0] + 2 * half + q)
    padded[half : half + x.shape[0]] = x
    frames = sliding_window_view(padded, 2 * half + 1)[::q][:count]
    return np.asarray(frames @ h[::-1])


def _detect_span(x: np.ndarray, sr: int, config: DeclickConfig) -> list[tuple[int, int, float]]:
    n = x.shape[0]
    p = config.order
    if n <= 4 * p:
        return []
    thr = config.threshold
    click = max(1, int(round(config.max_click_ms * sr / 1000.0)))
    # Pass 1: candidates against models fitted to the damaged signal. A big click
    # drags its block's model towards itself, so these are only used to clean the
    # signal the models of pass 2 are fitted to.
    e1 = _ar_residual(x, sr, p)
    e1[:p] = 0.0  # no history before the signal: the forward residual is meaningless
    s1 = _residual_scale(e1, x, sr, pooled=1)
    fit = x.copy()
    context = max(3 * p, int(round(_CONTEXT_MS * sr / 1000.0)))
    cand = _groups(np.flatnonzero(np.abs(e1) > _CANDIDATE * thr * s1), p)
    cand = [(a, b) for a, b in cand if b - a <= 2 * (click + p)]
    _repair_all(fit, _merge(cand, _WIDEN, p, n), p, context)
    models, block = _ar_models(fit, sr, p), _block_len(sr, p)
    ef = _apply_ar(x, models, block, backward=False)
    eb = _apply_ar(x, models, block, backward=True)
    # Each residual lacks history at one end of the signal: use the other there.
    ef[:p], eb[-p:] = eb[:p], ef[-p:]
    efit = _apply_ar(fit, models, block, backward=False)
    scale = _residual_scale(efit, fit, sr)
    z2 = 0.5 * (ef * ef + eb * eb) / (scale * scale)
    # The forward residual of a click lingers for p samples after it, the backward
    # one for p samples before: where both are large is the click's body.
    core = np.minimum(ef * ef, eb * eb) > (0.25 * thr * thr) * (scale * scale)
    over = np.zeros(n, dtype=bool)
    csum = np.concatenate(([0.0], np.cumsum(z2)))
    length = 1
    while length <= click:
        mean = (csum[length:] - csum[:-length]) / length
        hit = np.flatnonzero(mean > thr * thr * length ** (-_GAMMA))
        # Every window that overlaps a loud click exceeds: a run of window starts
        # i0..i1 marks the samples all its windows share, [i1, i0 + length).
        for i0, i1 in _groups(hit, 1):
            i1 -= 1
            if i1 < i0 + length:
                over[i1 : i0 + length] = True
            else:
                over[i0 : i1 + length] = True
        length *= 2
    flagged = np.flatnonzero(over)
    if flagged.size == 0:
        return []
    guard = max(4, int(round(_GUARD_MS * sr / 1000.0)))
    level = math.sqrt(float(np.mean(x * x))) + 1e-12
    # Voiced speech and bowed or blown notes excite their model with a pulse every
    # pitch period. An event with residual peaks of similar size one period before
    # and after it (or two periods on one side, at a voicing onset) is such a pulse.
    jitter = max(1, int(round(_JITTER_MS * sr / 1000.0)))
    lags = np.arange(int(_PITCH_MS[0] * sr / 1000.0), int(_PITCH_MS[1] * sr / 1000.0) + 1)
    envelope = int(round(_ENVELOPE_MS * sr / 1000.0))
    min_height = thr / _HEIGHT_PER_THRESHOLD
    events = []
    for start, stop in _groups(flagged, _BRIDGE):
        body = np.flatnonzero(core[start:stop])
        span = int(body[-1] - body[0] + 1) if body.size else stop - start
        if span > click + p // 2:
            continue
        if body.size:
            start, stop = start + int(body[0]), start + int(body[-1]) + 1
        centre = start + int(np.argmax(z2[start:stop]))
        start, stop = _extend(eb, scale, sr, config, [(start, stop)])[0]
        # A click stands out of the programme around it; a residual outlier inside
        # the waveform's own envelope (a glottal pulse, a plosive, codec noise) is
        # programme whatever its residual says.
        height = _height(x, start, stop, p, context, envelope)
        # A sharp click under loud programme is still heard: a residual far above
        # the threshold lets a lower height do.
        strong = z2[centre] >= (_STRONG * thr) ** 2 and height >= _STRONG_HEIGHT * min_height
        if height < min_height and not strong:
            continue
        if height < _TALL and _is_programme(
            x, efit, z2, jitter, lags, start, stop, centre, guard, click, p, level, config
        ):
            continue
        events.append((start, stop, math.sqrt(float(z2[centre]))))
    return events


def _is_programme(
    x: np.ndarray,
    efit: np.ndarray,
    z2: np.ndarray,
    jitter: int,
    lags: np.ndarray,
    start: int,
    stop: int,
    centre: int,
    guard: int,
    click: int,
    p: int,
    level: float,
    config: DeclickConfig,
) -> bool:
    """Whether an event is a pitch pulse or the attack of a note or syllable."""
    if _periodic(z2, centre, float(z2[centre]) / (_PULSE_RATIO**2), lags, jitter):
        return True
    n = x.shape[0]
    before = x[max(0, start - guard) : start]
    tail = max(stop, start + click)
    after = x[min(n, tail) : min(n, tail + guard)]
    rms_before = math.sqrt(float(np.mean(before * before))) if before.size else 0.0
    rms_after = math.sqrt(float(np.mean(after * after))) if after.size else 0.0
    # An attack: the event opens onto a much louder signal that is at least half
    # as loud as the event itself (a click at the start of a quiet note or
    # syllable towers over what follows it).
    peak_event = float(np.max(np.abs(x[start:stop])))
    peak_after = float(np.max(np.abs(after))) if after.size else 0.0
    if (
        rms_after > config.onset_ratio * rms_before + 1e-3 * level
        and peak_event <= _ATTACK_PEAK_RATIO * peak_after
    ):
        return True
    # A plosive or a pick opens onto noise the model cannot predict, so the
    # residual stays higher after the event; after a click it returns to its level.
    res_before = efit[max(0, start - guard) : start]
    res_after = efit[min(n, tail + p) : min(n, tail + p + guard)]
    if res_before.size == 0 or res_after.size == 0:
        return False
    ratio_after = float(np.median(np.abs(res_after)))
    return ratio_after > _NOISE_ONSET * float(np.median(np.abs(res_before))) + 1e-3 * level


def _height(x: np.ndarray, start: int, stop: int, order: int, context: int, env: int) -> float:
    """Largest change the repair of ``x[start:stop]`` makes, over the programme's
    peak level in ``env`` samples either side."""
    n = x.shape[0]
    lo, hi = max(0, start - context - 2 * order - 8), min(n, stop + context + 2 * order + 8)
    y = x[lo:hi].copy()
    a, b = max(0, start - _WIDEN) - lo, min(n, stop + _WIDEN) - lo
    _repair(y, a, b, order, context)
    change = float(np.max(np.abs(y[a:b] - x[lo + a : lo + b])))
    around = np.concatenate((x[max(0, lo + a - env) : lo + a], x[lo + b : lo + b + env]))
    level = float(np.max(np.abs(around))) if around.size else 0.0
    return change / (level + 1e-9)


def _periodic(z2: np.ndarray, centre: int, level: float, lags: np.ndarray, jitter: int) -> bool:
    """Whether the squared residual ``z2`` reaches ``level`` within ``jitter`` samples of
    one period either side of ``centre``, or two periods on one side, for some period."""
    n = z2.shape[0]
    # Peaks only within two periods: the few events tested need no more of the signal.
    reach = 2 * int(lags[-1]) + jitter
    lo, hi = max(0, centre - reach), min(n, centre + reach + 1)
    peaks = ndimage.maximum_filter1d(z2[lo:hi], 2 * jitter + 1, mode="constant")

    def at(offsets: np.ndarray) -> np.ndarray:
        idx = centre + offsets
        ok = (idx >= 0) & (idx < n)
        return ok & (peaks[np.clip(idx, 0, n - 1) - lo] >= level)

    after, before = at(lags), at(-lags)
    return bool(np.any((after & before) | (after & at(2 * lags)) | (before & at(-2 * lags))))


def _groups(flagged: np.ndarray, bridge: int) -> list[tuple[int, int]]:
    """Runs of flagged sample indices as ``(start, stop)``, bridging gaps up to ``bridge``."""
    if flagged.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(flagged) > bridge)
    starts = flagged[np.concatenate(([0], breaks + 1))]
    stops = flagged[np.concatenate((breaks, [flagged.size - 1]))] + 1
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def _extend(
    backward: np.ndarray,
    scale: np.ndarray,
    sr: int,
    config: DeclickConfig,
    events: list[tuple[int, int]],
) -> list[tuple[int, int]]:
    """Grow each event over the whole click body.

    ``backward`` is the backward prediction residual of the signal under models
    fitted with the candidate clicks repaired, so it stays large over an entire
    click and ends where the click ends; each event is extended over the samples
    above half the threshold within ``max_click_ms`` of its start.
    """
    n = backward.shape[0]
    p = config.order
    click = int(round(config.max_click_ms * sr / 1000.0))
    half = 0.5 * config.threshold
    grown = []
    for start, stop in events:
        # Only the samples within reach of the event: one comparison over the whole
        # span per event cost as much as the rest of the event's tests.
        hi = min(n, start + click)
        inside = np.flatnonzero(np.abs(backward[start:hi]) > half * scale[start:hi])
        if inside.size:
            # Stop at the first gap longer than p samples: past it lies programme.
            gaps = np.flatnonzero(np.diff(inside) > p)
            last = inside[gaps[0]] if gaps.size else inside[-1]
            stop = max(stop, start + int(last) + 1)
        grown.append((start, stop))
    return grown


def _ar_residual(x: np.ndarray, sr: int, order: int) -> np.ndarray:
    """Forward prediction error of block-wise AR models fitted to ``x`` itself."""
    return _apply_ar(x, _ar_models(x, sr, order), _block_len(sr, order), backward=False)


def _block_len(sr: int, order: int) -> int:
    return max(4 * order, int(round(_BLOCK_MS * sr / 1000.0)))


def _ar_models(x: np.ndarray, sr: int, order: int) -> np.ndarray:
    """Prediction-error filters ``(blocks, order + 1)``, one per ~30 ms block, each
    fitted on the 60 ms around its block."""
    n = x.shape[0]
    block = _block_len(sr, order)
    nb = -(-n // block)
    half = block // 2
    # The right pad covers an odd block too: the last window ends at nb * block + half.
    padded = np.pad(x, (half, nb * block - n + block))
    frames = sliding_window_view(padded, 2 * block)[::block][:nb]
    windowed = frames * np.hanning(2 * block)
    nfft = fft.next_fast_len(2 * block + order + 1, real=True)
    power = np.abs(fft.rfft(windowed, n=nfft, axis=-1)) ** 2
    r = fft.irfft(power, n=nfft, axis=-1)[:, : order + 1]
    r[:, 0] = r[:, 0] * (1.0 + _WHITE_FLOOR) + 1e-20
    return levinson(r, order)


def _apply_ar(x: np.ndarray, coeffs: np.ndarray, block: int, *, backward: bool) -> np.ndarray:
    """Forward (``sum_i a_i x[n - i]``) or backward (``sum_i a_i x[n + i]``)
    prediction error of ``x`` under the block-wise ``coeffs`` of :func:`_ar_models`."""
    n = x.shape[0]
    nb, width = coeffs.shape
    order = width - 1
    total = nb * block
    if backward:
        history = np.concatenate((x, np.zeros(total - n + order)))
        taps = coeffs
    else:
        history = np.concatenate((np.zeros(order), x, np.zeros(total - n)))
        taps = coeffs[:, ::-1]
    # Each block's samples with their ``order`` neighbours, as a strided view (no
    # copy): one einsum runs every block's FIR without per-tap temporaries.
    windows = sliding_window_view(history, width)[:total].reshape(nb, block, width)
    return np.einsum("bjk,bk->bj", windows, taps).reshape(-1)[:n]


def _residual_scale(residual: np.ndarray, x: np.ndarray, sr: int, *, pooled: int = 0) -> np.ndarray:
    """Robust local standard deviation of the residual, per sample.

    Medians over 2.5 ms sub-blocks ignore the few samples of a click; the maximum
    over the neighbouring sub-blocks lets a rising transient raise the scale just
    before it arrives. With ``pooled``, the median is taken over the ``pooled``
    sub-blocks either side together instead: the residual of a model dragged by a
    wide click fills most of one sub-block but few of the pool's samples.
    """
    n = residual.shape[0]
    sub = max(8, int(round(_SCALE_MS * sr / 1000.0)))
    count = -(-n // sub)
    mag = np.pad(np.abs(residual), (0, count * sub - n), mode="edge").reshape(count, sub)
    sig = np.pad(x, (0, count * sub - n), mode="edge").reshape(count, sub)
    if pooled:
        padded = np.pad(mag, ((pooled, pooled), (0, 0)), mode="edge")
        windows = sliding_window_view(padded, 2 * pooled + 1, axis=0)
        # The reshape copies, so the median may reorder that copy in place.
        local = np.median(windows.reshape(count, -1), axis=1, overwrite_input=True)
        local *= _MAD_TO_SIGMA
    else:
        local = np.median(mag, axis=1, overwrite_input=True) * _MAD_TO_SIGMA
    level = np.sqrt(np.mean(sig * sig, axis=1))
    floor = np.maximum(
        _RELATIVE_FLOOR * level, _GLOBAL_FLOOR * math.sqrt(float(np.mean(x * x))) + 1e-9
    )
    scale = np.maximum(local, floor)
    if not pooled:
        scale = ndimage.maximum_filter1d(scale, size=3, mode="nearest")
    return np.repeat(scale, sub)[:n]


# --- repair -----------------------------------------------------------------------------


def _merge(events: list[tuple[int, int]], widen: int, order: int, n: int) -> list[tuple[int, int]]:
    """Widen events and merge those closer than ``order`` samples (they share context)."""
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(events):
        start, stop = max(0, start - widen), min(n, stop + widen)
        if merged and start - merged[-1][1] < order:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def _repair_all(
    y: np.ndarray,
    events: list[tuple[int, int]],
    order: int,
    context: int,
    *,
    cancel: CancelToken | None = None,
    report: ProgressCallback | None = None,
) -> None:
    """:func:`_repair` of each of ``events`` (sorted and apart, as from :func:`_merge`)
    one after the other, in place, with the same result to rounding.

    Noisy programme gives thousands of candidate repairs (each a few small NumPy
    calls, once most of the click count's time). They run in waves: a repair goes in
    the wave after every earlier one whose gap lies in its context or whose context
    holds its gap, so it reads what it would read in turn; a wave runs as one batch
    per AR order. Repairs near the ends of ``y``, with short context, run alone.
    """
    n = y.shape[0]
    starts = np.array([a for a, _ in events], dtype=np.int64)
    stops = np.array([b for _, b in events], dtype=np.int64)
    orders = np.maximum(order, np.minimum(2 * (stops - starts), _MAX_REPAIR_ORDER))
    contexts = np.maximum(context, 4 * orders)
    reach = int(contexts.max()) if events else 0
    # Repair j must come after repair i when either one's context holds the other's gap.
    begin, end, ctx = starts.tolist(), stops.tolist(), contexts.tolist()
    assigned: list[int] = []
    for j in range(len(events)):
        i, wave = j - 1, 0
        while i >= 0 and end[i] + reach > begin[j]:
            if end[i] + max(ctx[i], ctx[j]) > begin[j]:
                wave = max(wave, assigned[i] + 1)
            i -= 1
        assigned.append(wave)
    waves = np.array(assigned, dtype=np.int64)
    inside = (starts - contexts >= 0) & (stops + contexts <= n)
    count = int(waves.max()) + 1 if events else 0
    for wave in range(count):
        check_cancel(cancel)
        if report is not None:
            report(wave / count, "de-click")
        members = waves == wave
        for j in np.flatnonzero(members & ~inside).tolist():
            _repair(y, begin[j], end[j], order, context)
        batched = members & inside
        # Gaps that call for the same order share a batch (most are a few samples).
        for batch_order in np.unique(orders[batched]).tolist():
            chosen = np.flatnonzero(batched & (orders == batch_order))
            gaps = stops[chosen] - starts[chosen]
            _repair_batch(y, starts[chosen], gaps, batch_order, int(contexts[chosen[0]]))


def _repair_batch(
    y: np.ndarray, starts: np.ndarray, gaps: np.ndarray, order: int, context: int
) -> None:
    """:func:`_repair` of the gaps ``[s, s + g)`` for ``s, g`` of ``starts, gaps``, all
    with full ``context`` inside ``y`` and AR ``order``, in place.

    The gaps are padded to the longest: the samples past a gap become unknowns held
    to their own value, which leaves every equation of the shorter gap as it was.
    """
    b, p, size = starts.shape[0], order, int(gaps.max())
    # The fit (fit_ar): autocorrelations of the context either side, summed.
    span = np.arange(context)
    pieces = np.stack([y[(starts - context)[:, None] + span], y[(starts + gaps)[:, None] + span]])
    r = _autocorrelation(pieces, p).sum(axis=0)  # (b, p + 1)
    silent = r[:, 0] <= 0
    r[:, 0] *= 1.0 + _WHITE_FLOOR
    toeplitz = r[:, np.abs(np.subtract.outer(np.arange(p), np.arange(p)))]
    toeplitz[silent] = np.eye(p)
    try:
        tail = np.linalg.solve(toeplitz, -r[:, 1:, None])[..., 0]
    except np.linalg.LinAlgError:
        for s, g in zip(starts.tolist(), gaps.tolist(), strict=True):
            _repair(y, s, s + g, p, context)
        return
    tail[silent] = 0.0
    ra = _autocorrelation(np.concatenate((np.ones((b, 1)), tail), axis=1), p)
    # The interpolation (interpolate_ar) over the padded gap and p samples either side.
    unknown = np.arange(p, p + size)
    known = np.concatenate((np.arange(p), np.arange(p + size, size + 2 * p)))
    values = y[(starts - p)[:, None] + known]  # (b, 2p)
    lag = np.abs(unknown[:, None] - known[None, :])
    rhs = np.einsum("bij,bj->bi", np.where(lag <= p, ra[:, np.minimum(lag, p)], 0.0), values)
    lag = np.abs(np.subtract.outer(unknown, unknown))
    gram = np.where(lag <= p, ra[:, np.minimum(lag, p)], 0.0)
    gram[:, np.arange(size), np.arange(size)] += 1e-9 * ra[:, :1]
    slots = starts[:, None] + np.arange(size)
    held = np.arange(size) >= gaps[:, None]  # (b, size): padding, not gap
    member, slot = np.nonzero(held)
    gram[member, slot, :] = 0.0
    gram[member, slot, slot] = 1.0
    rhs[held] = -y[slots[held]]
    solved = np.linalg.solve(gram, -rhs[..., None])[..., 0]
    y[slots[~held]] = solved[~held]


def _autocorrelation(x: np.ndarray, lags: int) -> np.ndarray:
    """``sum_t x[..., t] * x[..., t + k]`` for ``k = 0..lags``: ``(..., lags + 1)``."""
    padded = np.concatenate((x, np.zeros(x.shape[:-1] + (lags,))), axis=-1)
    windows = sliding_window_view(padded, lags + 1, axis=-1)[..., : x.shape[-1], :]
    return np.einsum("...t,...tk->...k", x, windows)


def _repair(y: np.ndarray, start: int, stop: int, order: int, context: int) -> None:
    """Replace ``y[start:stop]`` in place by LSAR interpolation from ``context`` samples."""
    n = y.shape[0]
    # A gap longer than about half the model order is interpolated poorly by rich
    # (many-partial) programme: raise the order with the gap, and the context with it.
    order = max(order, min(2 * (stop - start), _MAX_REPAIR_ORDER))
    context = max(context, 4 * order)
    left = y[max(0, start - context) : start]
    right = y[stop : min(n, stop + context)]
    p = min(order, max(left.size, right.size) // 3)
    if p < 2:
        # Hardly any context: draw a straight line between the neighbours.
        a = y[start - 1] if start > 0 else (y[stop] if stop < n else 0.0)
        b = y[stop] if stop < n else a
        y[start:stop] = np.linspace(a, b, stop - start + 2)[1:-1]
        return
    coeffs = fit_ar([left, right], p)
    lo, hi = max(0, start - p), min(n, stop + p)
    missing = np.zeros(hi - lo, dtype=bool)
    missing[start - lo : stop - lo] = True
    y[lo:hi] = interpolate_ar(y[lo:hi], missing, coeffs)
