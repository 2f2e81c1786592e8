"""Mains hum removal that follows the drifting mains frequency.

Hum is modelled as a sum of harmonics of one fundamental (50 or 60 Hz) whose
frequency drifts slowly; all harmonics share that drift (the phase of harmonic k
is k times the phase of the fundamental). :func:`dehum` fits that model: the
harmonics are demodulated and averaged over short frames, the common phase track
is estimated jointly from all harmonics and channels from coarse to fine time
scales, keeping each finer correction only as far as it stands out of its own
noise, and the amplitude of every harmonic is a weighted average over several
seconds in which frames with much programme near the harmonic count little. The
resynthesised sinusoids are subtracted, so nothing between the harmonics is
touched.

The estimation runs on a decimated copy of the signal (the hum lives below a few
kHz); only the final subtraction runs at the full rate. Both rate changes are
done in one FFT each, which is far cheaper than polyphase filtering here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import fft, ndimage

from core.audio.validate import validate_audio, validate_rate
from core.errors import ConfigError
from core.progress import CancelToken, ProgressCallback, check_cancel, sub_progress

_CANDIDATES = (50.0, 60.0)
MIN_SECONDS = 0.5
"""Shorter signals cannot resolve a hum line from the programme: they pass unchanged."""
# A harmonic counts when its spectral peak stands this far above the local floor...
_PROMINENCE_DB = 10.0
# ...and hum is only declared when at least one harmonic stands out this much, or
# when this many harmonics on the series add up to this much prominence (hum under
# dense music: no single line stands 20 dB out).
_PRESENCE_DB = 20.0
_SERIES_COUNT = 4
_SERIES_SUM_DB = 50.0
# Hum holds its level; a note on the series comes and goes. Hum is declared only where
# a loud harmonic's level, second by second, spreads (10th to 90th percentile) by at
# most this much. 32 training-side Wesnoth excerpts: drifting mains hum added 25-35 dB
# under the music held 0.3-1.7 dB; the notes 4 clean ones read as hum, 19-40 dB.
_STEADY_SPREAD_DB = 6.0
_STEADY_MIN_SECONDS = 3.0  # fewer seconds cannot show a spread: the check is left out
_DETECT_HARMONICS = 12
# Half-width (Hz) of the band searched around harmonic k: resolution plus k times the drift.
_SEARCH_BASE_HZ = 0.5
_SEARCH_PER_HARMONIC_HZ = 0.2
# How far (Hz) a peak may sit from k times the refined fundamental and still count.
_AGREE_BASE_HZ = 0.1
_AGREE_PER_HARMONIC_HZ = 0.05
# Frames of this many mains periods: their double nulls fall on the other harmonics
# and on the neighbouring bands (multiples of f0 / _FRAME_PERIODS away) that measure
# how much programme surrounds each harmonic in the frame.
_FRAME_PERIODS = 8
_NEIGHBOURS = (-3, -2, -1, 1, 2, 3)
# Search half-range (Hz) of the constant frequency correction; the spectral estimate
# of the fundamental is good to a few hundredths of a hertz.
_OFFSET_HZ = 0.1
_OFFSET_STEPS = 41
# Time scales (seconds, coarse to fine) of the phase track, passes per scale, and
# rounds of tracking with the frames re-taken at the refined phase in between.
_TRACK_SCALES = (4.0, 2.0, 1.0, 0.5, 0.25)
_TRACK_PASSES = 2
_TRACK_ROUNDS = 2
# Low-pass (Hz) of the quick tracker that gives the refinement a second start, for
# drifts too large to pick up from a constant frequency, and the smoothing (Hz) of
# its phase: a faster wobble would mostly follow programme.
_QUICK_TRACK_HZ = 2.0
_QUICK_SMOOTH_HZ = 0.25
# Reweighting passes of the amplitude estimate.
_AMPLITUDE_PASSES = 5
# Spectral floors: no peak counts against a floor below this absolute density
# (power per Hz, mean-square full-scale units; about -110 dBFS of white noise over
# 20 kHz), nor below this fraction of the signal's mean density. Without them the
# float32 rounding pattern of a pure synthetic tone reads as a "prominent" line.
_ABSOLUTE_FLOOR_PSD = 1e-15
_RELATIVE_FLOOR = 1e-7
# Seconds of zero padding around the signal for the FFT rate changes.
_PAD_SECONDS = 0.1


@dataclass(frozen=True)
class DehumConfig:
    """Settings for :func:`dehum`.

    Attributes
    ----------
    fundamental_hz : mains frequency in Hz, or ``None`` to detect 50/60 Hz. A given
        value is still refined by up to ±0.5 Hz from the spectrum.
    harmonics : number of harmonics removed, the fundamental included.
    bandwidth_hz : width in Hz of each removal band that follows a harmonic (the
        amplitude of the hum is estimated over about ``1 / bandwidth_hz`` seconds).
        Narrower touches less programme but follows changes of the hum level more
        slowly.
    track_drift : follow the drifting mains frequency over time; when ``False`` the
        harmonics are removed at fixed frequencies.
    """

    fundamental_hz: float | None = None
    harmonics: int = 8
    bandwidth_hz: float = 0.1
    track_drift: bool = True

    def __post_init__(self) -> None:
        if self.fundamental_hz is not None and not 20.0 <= self.fundamental_hz <= 1000.0:
            raise ConfigError(f"fundamental_hz must be in 20..1000 Hz, got {self.fundamental_hz}")
        if not 1 <= self.harmonics <= 200:
            raise ConfigError(f"harmonics must be in 1..200, got {self.harmonics}")
        if not 0.1 <= self.bandwidth_hz <= 5.0:
            raise ConfigError(f"bandwidth_hz must be in 0.1..5 Hz, got {self.bandwidth_hz}")


@dataclass(frozen=True)
class HumReport:
    """What :func:`detect_hum` found.

    Attributes
    ----------
    fundamental_hz : refined mains frequency in Hz, or ``None`` when there is no hum.
    level_db : hum level in dBFS: mean-square power of the clearly visible harmonics
        (channels averaged), with a full-scale square wave at 0 dBFS as in
        :mod:`core.features`; ``-inf`` when there is no hum.
    relative_db : hum power relative to the total signal power in dB (``-inf`` when
        there is no hum).
    harmonics : highest harmonic number that stands out of the spectrum (0 when none);
        a sensible ``DehumConfig.harmonics``.
    """

    fundamental_hz: float | None
    level_db: float
    relative_db: float = float("-inf")
    harmonics: int = 0


@dataclass(frozen=True)
class _HarmonicScan:
    fundamental_hz: float
    prominence_db: np.ndarray  # (harmonics,) peak over local floor
    peak_hz: np.ndarray  # (harmonics,) interpolated peak frequency
    power: np.ndarray  # (harmonics,) power above the floor, signal units squared
    hum: np.ndarray  # (harmonics,) bool: prominent and on the harmonic series


@dataclass(frozen=True)
class _LowRate:
    """FFT resampling plan: ``factor`` times fewer samples, ``pad`` low-rate samples each side."""

    factor: int
    pad: int
    n_low: int
    length: int
    fs: float
    passband_hz: float

    @property
    def valid(self) -> slice:
        return slice(self.pad, self.pad + -(-self.length // self.factor))


def detect_hum(audio: np.ndarray, *, sr: int) -> HumReport:
    """Find mains hum (50 or 60 Hz and harmonics) in a long-term spectrum.

    A Welch spectrum with 0.25 Hz resolution is searched around the harmonics of
    50 and 60 Hz. Hum is declared when the prominent peaks lie on one harmonic
    series (which pins down the fundamental to a few hundredths of a hertz even
    with ±0.2 Hz of drift) and one of them stands at least 20 dB out of its
    neighbourhood.

    Parameters
    ----------
    audio : float array ``(channels, samples)`` or ``(samples,)``
    sr : sample rate in Hz

    Returns
    -------
    HumReport
        The refined fundamental in Hz, the hum level relative to the total power in
        dB and the highest prominent harmonic.
    """
    x = validate_audio(audio)
    sr = validate_rate(sr)
    if x.shape[1] < MIN_SECONDS * sr:
        return HumReport(fundamental_hz=None, level_db=float("-inf"))
    plan = _plan(x.shape[1], sr, _detection_passband(sr))
    low = _to_low(x, plan)[:, plan.valid]
    freqs, psd = _long_term_spectrum(low, plan.fs)
    total_power = float(np.mean(x.astype(np.float64) ** 2))
    scan = _choose_fundamental(freqs, psd, None)
    if scan is None or total_power <= 0.0:
        return HumReport(fundamental_hz=None, level_db=float("-inf"))
    # Only clearly visible harmonics count towards the level: a weak "harmonic" may
    # be a programme partial that happens to sit on the series.
    loud = scan.hum & (scan.prominence_db >= _PRESENCE_DB)
    if not _holds_level(low, plan.fs, scan.fundamental_hz, np.flatnonzero(loud) + 1):
        return HumReport(fundamental_hz=None, level_db=float("-inf"))
    hum_power = max(float(np.sum(scan.power[loud])), 1e-30)
    return HumReport(
        fundamental_hz=scan.fundamental_hz,
        level_db=10.0 * math.log10(hum_power),
        relative_db=10.0 * math.log10(hum_power / total_power),
        harmonics=int(np.flatnonzero(scan.hum)[-1]) + 1,
    )


def dehum(
    audio: np.ndarray,
    *,
    sr: int,
    config: DehumConfig = DehumConfig(),
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> np.ndarray:
    """Remove mains hum and its harmonics, following the mains frequency drift.

    Parameters
    ----------
    audio : float array ``(channels, samples)`` or ``(samples,)``
    sr : sample rate in Hz
    config : settings; ``DehumConfig()`` (detect 50/60 Hz, 8 harmonics) by default
    progress, cancel : optional progress callback and cancel token

    Returns
    -------
    float32 array ``(channels, samples)``. When no fundamental is given and no hum
    is found, or the signal is shorter than :data:`MIN_SECONDS`, the input comes back
    unchanged.
    """
    x = validate_audio(audio)
    sr = validate_rate(sr)
    if x.shape[1] < MIN_SECONDS * sr:
        return x.copy()
    report = sub_progress(progress, 0.0, 1.0)
    nominal = config.fundamental_hz or max(_CANDIDATES)
    harmonics = max(1, min(config.harmonics, int((0.4 * sr - 20.0) // (nominal + 0.5))))
    passband = max(_detection_passband(sr), harmonics * (nominal + 0.5) + 20.0)
    plan = _plan(x.shape[1], sr, passband)
    low = _to_low(x, plan)
    check_cancel(cancel)

    freqs, psd = _long_term_spectrum(low[:, plan.valid], plan.fs)
    scan = _choose_fundamental(freqs, psd, config.fundamental_hz)
    if scan is None:
        if config.fundamental_hz is None:
            return x.copy()
        # Removal was asked for at a given frequency: no spectral evidence, no tracking.
        empty = np.zeros(0)
        scan = _HarmonicScan(config.fundamental_hz, empty, empty, empty, empty.astype(bool))
    harmonics = max(1, min(harmonics, int(plan.passband_hz // scan.fundamental_hz)))

    seg = low[:, plan.valid]
    n = seg.shape[1]
    theta = 2 * np.pi * scan.fundamental_hz * np.arange(n) / plan.fs
    besides: list[np.ndarray] | None = None
    if config.track_drift and np.any(scan.hum):
        deviation, besides = _track_phase(seg, plan.fs, scan, harmonics, 1.0 / config.bandwidth_hz)
        theta = theta + deviation
    check_cancel(cancel)
    report(0.5, "de-hum")
    grid = np.arange(plan.n_low, dtype=np.float64) - plan.pad
    theta_all = _linear_extrapolate(grid, np.arange(n, dtype=np.float64), theta)
    carriers = _harmonic_carriers(theta_all, harmonics)  # shared by every channel

    out = np.empty_like(x)
    for ch in range(x.shape[0]):
        check_cancel(cancel)
        beside = None if besides is None else besides[ch]
        hum_low = _hum_model(seg[ch], carriers, plan, scan.fundamental_hz, config, beside)
        hum = _to_full(hum_low, plan)
        out[ch] = x[ch] - hum
        report(0.5 + 0.5 * (ch + 1) / x.shape[0], "de-hum")
    return out


# --- rate changes -------------------------------------------------------------------


def _detection_passband(sr: int) -> float:
    # Room for 12 harmonics of 60 Hz plus the search and floor bands around them.
    return min(_DETECT_HARMONICS * max(_CANDIDATES) + 40.0, 0.2 * sr)


def _plan(length: int, sr: int, passband_hz: float) -> _LowRate:
    """Pick a 5-smooth decimation factor leaving ``fs >= 4 * passband_hz``."""
    limit = max(1, int(sr // (4.0 * passband_hz)))
    factor = max(f for f in range(1, limit + 1) if _is_5_smooth(f))
    fs = sr / factor
    pad = int(math.ceil(_PAD_SECONDS * fs))
    n_low = fft.next_fast_len(-(-length // factor) + 2 * pad, real=True)
    return _LowRate(factor, pad, n_low, length, fs, min(passband_hz, 0.25 * fs))


def _is_5_smooth(n: int) -> bool:
    for p in (2, 3, 5):
        while n % p == 0:
            n //= p
    return n == 1


def _to_low(x: np.ndarray, plan: _LowRate) -> np.ndarray:
    """Band-limit and decimate ``(channels, samples)`` to ``(channels, n_low)`` (float64).

    The band edge is a raised cosine from ``passband_hz`` to ``fs / 2``, so nothing in
    the hum band is touched and the kernel is short (no long ringing at the ends).
    """
    n_full = plan.n_low * plan.factor
    start = plan.pad * plan.factor
    # Single precision at the full rate (twice as fast; its rounding lies ~140 dB down),
    # double from the low rate on, where the hum is estimated.
    buf = np.zeros((x.shape[0], n_full), dtype=np.float32)
    buf[:, start : start + plan.length] = x
    spectrum = fft.rfft(buf, axis=-1)[:, : plan.n_low // 2 + 1].astype(np.complex128)
    freqs = np.arange(plan.n_low // 2 + 1) * plan.fs / plan.n_low
    ramp = np.clip((freqs - plan.passband_hz) / (plan.fs / 2 - plan.passband_hz), 0.0, 1.0)
    taper = 0.5 * (1.0 + np.cos(np.pi * ramp))
    return np.asarray(fft.irfft(spectrum * taper / plan.factor, n=plan.n_low, axis=-1))


def _to_full(y: np.ndarray, plan: _LowRate) -> np.ndarray:
    """Interpolate a band-limited low-rate signal back to the original ``length``."""
    n_full = plan.n_low * plan.factor
    spectrum = np.zeros(n_full // 2 + 1, dtype=np.complex64)
    low_spec = fft.rfft(y)
    low_spec[-1] = 0.0  # the low-rate Nyquist bin cannot be split correctly
    spectrum[: low_spec.shape[0]] = low_spec * plan.factor
    full = fft.irfft(spectrum, n=n_full)
    start = plan.pad * plan.factor
    return np.asarray(full[start : start + plan.length])


# --- detection ----------------------------------------------------------------------


def _holds_level(low: np.ndarray, fs: float, f0: float, harmonics: np.ndarray) -> bool:
    """Whether any of ``harmonics`` (numbers, 1 = ``f0``) of ``low`` ``(channels, n)``
    keeps its level second by second (:data:`_STEADY_SPREAD_DB`)."""
    second = int(fs) // 2 * 2
    count = low.shape[-1] // second
    if count < _STEADY_MIN_SECONDS or harmonics.size == 0:
        return True
    frames = low.mean(axis=0)[: count * second].reshape(count, second)
    power = np.abs(fft.rfft(frames * np.hanning(second), axis=-1)) ** 2  # 1 Hz bins
    freqs = np.fft.rfftfreq(second, 1.0 / fs)
    for k in harmonics:
        near = np.abs(freqs - k * f0) <= _SEARCH_BASE_HZ + 1.0 + k * _SEARCH_PER_HARMONIC_HZ
        if not near.any():
            continue
        level = 10 * np.log10(np.maximum(power[:, near].max(axis=1), 1e-30))
        if float(np.percentile(level, 90) - np.percentile(level, 10)) <= _STEADY_SPREAD_DB:
            return True
    return False


def _long_term_spectrum(low: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """Welch PSD averaged over channels, 0.25 Hz segments (coarser if the signal is short).

    As ``scipy.signal.welch`` with a periodic Hann window, half-overlapping segments,
    each segment's mean removed, zero-padded to twice its length, one-sided density:
    computed here so that finding hum does not import ``scipy.signal`` (0.4 s).
    """
    n = low.shape[-1]
    size = int(min(n, round(4.0 * fs)))
    step = size - size // 2
    count = 1 + (n - size) // step
    window = np.hanning(size + 1)[:-1]
    segments = np.lib.stride_tricks.sliding_window_view(low, size, axis=-1)[..., ::step, :]
    segments = segments[..., :count, :]
    centred = segments - segments.mean(axis=-1, keepdims=True)
    psd = np.abs(fft.rfft(centred * window, n=2 * size, axis=-1)) ** 2
    psd /= fs * float(np.sum(window**2))
    psd[..., 1:-1] *= 2.0  # one-sided: the negative frequencies' share (an even length)
    if count >= 3:
        # The median ignores loud programme passages that would bury the hum; divided by
        # its bias for an exponential variable (scipy's, from its series).
        terms = 2.0 * np.arange(1, (count - 1) // 2 + 1)
        bias = 1.0 + float(np.sum(1.0 / (terms + 1.0) - 1.0 / terms))
        average = np.median(psd, axis=-2) / bias
    else:
        average = psd.mean(axis=-2)
    freqs = np.fft.rfftfreq(2 * size, 1.0 / fs)
    return freqs, np.mean(np.atleast_2d(average), axis=0)


def _scan(freqs: np.ndarray, psd: np.ndarray, f0: float) -> _HarmonicScan:
    """Peak prominence, position and power around harmonics of ``f0``."""
    df = float(freqs[1] - freqs[0])
    least = max(_ABSOLUTE_FLOOR_PSD, _RELATIVE_FLOOR * float(np.mean(psd)))
    count = _DETECT_HARMONICS
    prominence = np.full(count, -np.inf)
    peak_hz = np.zeros(count)
    power = np.zeros(count)
    for k in range(1, count + 1):
        centre = k * f0
        half = min(_SEARCH_BASE_HZ + _SEARCH_PER_HARMONIC_HZ * k, f0 / 4)
        if centre + half + 12.0 >= freqs[-1]:
            break
        dist = np.abs(freqs - centre)
        idx = np.flatnonzero(dist <= half)
        ring = (dist >= half + 1.5) & (dist <= half + 12.0)
        floor = max(float(np.median(psd[ring])), least)
        peak = int(idx[np.argmax(psd[idx])])
        prominence[k - 1] = 10.0 * math.log10((psd[peak] + 1e-30) / floor)
        # Centroid of the part within 10 dB of the peak: a drifting line has two
        # horns at its extremes, and the parabola would pick one of them.
        main = idx[psd[idx] >= 0.1 * psd[peak]]
        excess = np.maximum(psd[main] - floor, 0.0)
        total = float(np.sum(excess))
        peak_hz[k - 1] = float(np.sum(freqs[main] * excess) / total) if total > 0 else centre
        power[k - 1] = max(0.0, float(np.sum(psd[idx] - floor)) * df)
    return _HarmonicScan(f0, prominence, peak_hz, power, prominence >= _PROMINENCE_DB)


def _refine(scan: _HarmonicScan) -> _HarmonicScan | None:
    """Keep the prominent peaks that lie on one harmonic series and refine its fundamental."""
    k = np.arange(1, len(scan.prominence_db) + 1)
    member = scan.prominence_db >= _PROMINENCE_DB
    f0 = scan.fundamental_hz
    for _ in range(3):
        if not np.any(member):
            return None
        # Higher harmonics pin the fundamental down more precisely: weight by k.
        weights = k[member] * (scan.prominence_db[member] - _PROMINENCE_DB + 1.0)
        f0 = float(np.sum(weights * scan.peak_hz[member] / k[member]) / np.sum(weights))
        f0 = float(np.clip(f0, scan.fundamental_hz - 0.5, scan.fundamental_hz + 0.5))
        tolerance = _AGREE_BASE_HZ + _AGREE_PER_HARMONIC_HZ * k
        member = (scan.prominence_db >= _PROMINENCE_DB) & (
            np.abs(scan.peak_hz - k * f0) <= tolerance
        )
    if not np.any(member):
        return None
    return _HarmonicScan(f0, scan.prominence_db, scan.peak_hz, scan.power, member)


def _choose_fundamental(
    freqs: np.ndarray, psd: np.ndarray, given: float | None
) -> _HarmonicScan | None:
    """Pick 50 or 60 Hz (or check ``given``) and refine it; ``None`` when no hum."""
    candidates = (given,) if given is not None else _CANDIDATES
    best: _HarmonicScan | None = None
    best_score = 0.0
    for nominal in candidates:
        scan = _refine(_scan(freqs, psd, nominal))
        if scan is None:
            continue
        k = np.arange(1, len(scan.hum) + 1)[scan.hum]
        # Peaks only at every 3rd (4th...) harmonic are a programme tone at 150 Hz
        # (200 Hz...), not mains; rectifier buzz (even harmonics only) is allowed.
        prominence = scan.prominence_db[scan.hum]
        present = np.max(prominence) >= _PRESENCE_DB or (
            k.size >= _SERIES_COUNT and float(np.sum(prominence)) >= _SERIES_SUM_DB
        )
        if math.gcd(*k.tolist()) > 2 or not present:
            continue
        # Multiples of 300 Hz belong to both 50 and 60 Hz, so they cannot decide.
        decisive = ~np.isclose(np.mod(k * nominal, 300.0), 0.0)
        score = float(np.sum(scan.prominence_db[scan.hum][decisive]))
        if given is not None or score > best_score:
            best, best_score = scan, score
    return best


# --- estimation ---------------------------------------------------------------------


def _boxcar2(z: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Two cascaded moving averages of ``length`` (even) samples, every ``length / 2``.

    With ``length`` a whole number of mains periods the other hum harmonics fall in
    the double nulls. The triangular kernel is linear within each half-length block,
    so block sums of ``z`` and of ``z`` times the position in the block give it
    exactly in two passes. Returns the rows and the sample index each output is
    centred on.
    """
    step = length // 2
    ramp = np.stack([np.ones(step), np.arange(step, dtype=np.float64)], axis=-1)
    sums, count = _half_block_sums(z, length, ramp)
    out = _triangle(sums[..., 0], sums[..., 1], count, length)
    return out, np.arange(count) * step + (length - 1)


def _boxcar2_beside(z: np.ndarray, length: int, shifts: tuple[int, ...]) -> np.ndarray:
    """:func:`_boxcar2` of ``z`` shifted down by ``j / length`` cycles per sample, for
    each ``j`` of ``shifts``: ``(len(shifts),) + rows shape + (frames,)``.

    The shift of sample ``q * length / 2 + e`` is ``(-1)^(j q)`` times that of ``e``,
    so the shifted block sums are one matrix product of the blocks with the shifts
    of one block, instead of a shifted copy of ``z`` per ``j``.
    """
    step = length // 2
    e = np.arange(step, dtype=np.float64)
    j = np.asarray(shifts, dtype=np.float64)
    w = np.exp(-2j * np.pi * np.outer(e, j) / length)  # (step, shifts)
    sums, count = _half_block_sums(z, length, np.concatenate([w, e[:, np.newaxis] * w], axis=1))
    sums = np.moveaxis(sums, -1, 0)  # (2 * shifts, ..., blocks)
    sign = np.where((np.outer(j, np.arange(sums.shape[-1])) % 2) == 0, 1.0, -1.0)
    sign = sign.reshape((len(shifts),) + (1,) * (z.ndim - 1) + (-1,))
    b0, b1 = sums[: len(shifts)] * sign, sums[len(shifts) :] * sign
    return _triangle(b0, b1, count, length)


def _half_block_sums(z: np.ndarray, length: int, weights: np.ndarray) -> tuple[np.ndarray, int]:
    """Sums over the blocks of ``length / 2`` samples of complex ``z`` (zero past its end)
    weighted by each column of ``weights`` ``(length / 2, m)``: ``(..., blocks, m)``, and
    how many outputs :func:`_triangle` makes of them.

    The whole blocks are a view of ``z`` (no padded copy); only the last, partial one
    is copied.
    """
    step = length // 2
    n = z.shape[-1]
    count = max(0, -(-(n - 2 * length + 2) // step))
    blocks = count + 3
    used = min(n, blocks * step)
    whole = used // step
    dtype = np.result_type(z.dtype, weights.dtype)
    out = np.zeros(z.shape[:-1] + (blocks, weights.shape[1]), dtype=dtype)
    z = np.ascontiguousarray(z)
    out[..., :whole, :] = _weighted_sums(
        z[..., : whole * step].reshape(z.shape[:-1] + (whole, step)), weights
    )
    if used > whole * step:
        tail = np.zeros(z.shape[:-1] + (1, step), dtype=z.dtype)
        tail[..., 0, : used - whole * step] = z[..., whole * step : used]
        out[..., whole : whole + 1, :] = _weighted_sums(tail, weights)
    return out, count


def _weighted_sums(shaped: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``shaped @ weights`` for complex ``shaped``; with real ``weights`` as a float
    product on the real and imaginary parts (complex @ float is slow)."""
    if np.iscomplexobj(weights):
        return np.asarray(shaped @ weights)
    pairs = np.swapaxes(shaped.view(np.float64).reshape(shaped.shape + (2,)), -1, -2)
    product = pairs @ weights  # (..., blocks, 2, m): real and imaginary rows
    return np.asarray(product[..., 0, :] + 1j * product[..., 1, :])


def _triangle(b0: np.ndarray, b1: np.ndarray, count: int, length: int) -> np.ndarray:
    """Triangular-kernel outputs from half-length block sums ``b0`` and position-weighted
    sums ``b1`` (last axis: blocks)."""
    step = length // 2
    # Weight of sample e of block q of a window: q*step + 1 + e rising, then falling.
    out = b0[..., :count] + b1[..., :count]
    out = out + (step + 1) * b0[..., 1 : count + 1] + b1[..., 1 : count + 1]
    out = out + (2 * length - 1 - 2 * step) * b0[..., 2 : count + 2] - b1[..., 2 : count + 2]
    out = out + (2 * length - 1 - 3 * step) * b0[..., 3 : count + 3] - b1[..., 3 : count + 3]
    return out / float(length) ** 2


def _linear_extrapolate(x_new: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Linear interpolation that continues the end slopes outside ``x``."""
    out = np.interp(x_new, x, y)
    if len(x) >= 2:
        before, after = x_new < x[0], x_new > x[-1]
        out[before] = y[0] + (x_new[before] - x[0]) * (y[1] - y[0]) / (x[1] - x[0])
        out[after] = y[-1] + (x_new[after] - x[-1]) * (y[-1] - y[-2]) / (x[-1] - x[-2])
    return out


def _frame_length(fs: float, f0: float) -> int:
    return 2 * max(1, int(round(_FRAME_PERIODS * fs / f0 / 2)))


def _frames(
    mixed: np.ndarray, length: int, beside: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frame averages of demodulated harmonics, the programme power beside them, centres.

    The programme power in the same frame just beside the harmonic (bands centred on
    the neighbouring nulls, where the hum itself is nulled) estimates how much
    programme leaks into the frame's average. A given ``beside`` is reused: it
    hardly depends on the exact phase of the hum.
    """
    z, centres = _boxcar2(mixed, length)
    if beside is not None:
        return z, beside, centres.astype(np.float64)
    shifted = _boxcar2_beside(mixed, length, _NEIGHBOURS)
    beside = np.sum(shifted.real**2 + shifted.imag**2, axis=0)
    beside = ndimage.uniform_filter1d(beside / len(_NEIGHBOURS), 3, axis=-1, mode="nearest")
    return z, beside, centres.astype(np.float64)


def _window(seconds: float, fs: float, length: int, frames: int) -> np.ndarray:
    """Hann window over ``2 * seconds`` (about ``seconds`` of effective width) in frames."""
    from scipy import signal  # here, not at the top: finding hum needs none of it

    size = max(3, int(round(2.0 * seconds * fs / max(1, length // 2))))
    size = min(size, 2 * frames + 1) | 1  # odd: centred alike by ndimage and scipy.signal
    return np.asarray(signal.windows.hann(size + 2)[1:-1])


def _smooth(z: np.ndarray, window: np.ndarray) -> np.ndarray:
    from scipy import signal  # here, not at the top: finding hum needs none of it

    if np.iscomplexobj(z):
        return _smooth(z.real, window) + 1j * _smooth(z.imag, window)
    if len(window) > 64:  # long windows over long files: FFT convolution
        return np.asarray(
            signal.oaconvolve(z, window[(np.newaxis,) * (z.ndim - 1)], "same", axes=-1)
        )
    return np.asarray(ndimage.convolve1d(z, window, axis=-1, mode="constant"))


def _weighted_average(z: np.ndarray, weights: np.ndarray, window: np.ndarray) -> np.ndarray:
    weighted = weights * z
    # One smoothing call for all three (it is called a hundred times per block).
    re, im, total = _smooth(np.stack([weighted.real, weighted.imag, weights]), window)
    return (re + 1j * im) / np.maximum(total, 1e-300)


def _local_quadratic(y: np.ndarray, v: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Weighted local quadratic regression of ``y`` (weights ``v``) under ``window``.

    Unlike a local mean it follows a steady frequency change without lag or bias.
    """
    centre = len(window) // 2
    # convolve1d pairs kernel index i with the frame (centre - i) away.
    offset = (centre - np.arange(len(window))) / len(window)
    moments = [ndimage.convolve1d(v, window * offset**i, mode="constant") for i in range(5)]
    sums = [ndimage.convolve1d(v * y, window * offset**i, mode="constant") for i in range(3)]
    a = np.stack([np.stack(moments[i : i + 3], axis=-1) for i in range(3)], axis=-2)
    a += (1e-12 * float(np.max(moments[0])) + 1e-300) * np.eye(3)
    b = np.stack(sums, axis=-1)
    return np.asarray(np.linalg.solve(a, b[..., np.newaxis])[:, 0, 0])


def _overlap_factor(length: int) -> float:
    """Variance inflation of a sum over frames hopped by a quarter of their span."""
    kernel = np.convolve(np.ones(length), np.ones(length))
    ac = np.correlate(kernel, kernel, mode="full")[kernel.size - 1 :: max(1, length // 2)]
    return float(1.0 + 2.0 * np.sum(ac[1:]) / ac[0])


def _lowpass(z: np.ndarray, cutoff_hz: float, fs: float) -> np.ndarray:
    """Zero-phase 4th-order Butterworth along the last axis.

    Gustafsson's initial conditions instead of padding: padding a rotating or
    interference-laden phasor puts a transient at both ends.
    """
    from scipy import signal  # here, not at the top: finding hum needs none of it

    if z.shape[-1] < 16 or cutoff_hz >= 0.45 * fs:
        return z
    b, a = signal.butter(2, cutoff_hz, btype="low", fs=fs)
    stacked = np.concatenate((z.real, z.imag), axis=0)
    out = signal.filtfilt(b, a, stacked, axis=-1, method="gust")
    return np.asarray(out[: z.shape[0]] + 1j * out[z.shape[0] :])


def _quick_track(seg: np.ndarray, fs: float, scan: _HarmonicScan, harmonics: int) -> np.ndarray:
    """Phase deviation from ``2 pi f0 t`` followed period by period (fast but noisy)."""
    n = seg.shape[-1]
    f0 = scan.fundamental_hz
    usable = np.flatnonzero(scan.hum[:harmonics])
    if usable.size == 0:
        return np.zeros(n)
    k = usable + 1
    # Frequency noise of harmonic k scales as 1 / (k * sqrt(SNR)): weight by k^2 * SNR.
    weights = k**2 * 10.0 ** (scan.prominence_db[usable] / 10.0)
    t = np.arange(n) / fs
    length = 2 * max(1, int(round(fs / f0 / 2)))
    mono = np.mean(seg, axis=0)
    z, centres = _boxcar2(mono * np.exp(-2j * np.pi * f0 * k[:, np.newaxis] * t), length)
    z = _lowpass(z, _QUICK_TRACK_HZ, fs / (length // 2))
    # Phase step per frame of each harmonic, mapped to the fundamental.
    steps = np.angle(z[:, 1:] * np.conj(z[:, :-1])) / k[:, np.newaxis]
    combined = np.sum(weights[:, np.newaxis] * steps, axis=0) / np.sum(weights)
    phase = np.concatenate(([0.0], np.cumsum(combined)))
    phase = _smooth_phase(phase, _QUICK_SMOOTH_HZ, fs / (length // 2))
    return _linear_extrapolate(np.arange(n, dtype=np.float64), centres.astype(np.float64), phase)


def _smooth_phase(phase: np.ndarray, cutoff_hz: float, fs: float) -> np.ndarray:
    """Zero-phase 4th-order Butterworth low-pass of a real track."""
    from scipy import signal  # here, not at the top: finding hum needs none of it

    if phase.size < 16 or cutoff_hz >= 0.45 * fs:
        return phase
    b, a = signal.butter(2, cutoff_hz, btype="low", fs=fs)
    return np.asarray(signal.filtfilt(b, a, phase, method="gust"))


def _track_phase(
    seg: np.ndarray, fs: float, scan: _HarmonicScan, harmonics: int, seconds: float
) -> tuple[np.ndarray, list[np.ndarray] | None]:
    """Phase deviation (radians of the fundamental) of the hum from ``2 pi f0 t``.

    One track for all harmonics and channels, refined from two starts: a constant
    frequency (which adds no noise; enough for mains drift over several seconds)
    and the quick tracker (which can follow a large drift); the track explaining
    more hum wins. Also returns the programme power beside each harmonic (per
    channel, see :func:`_frames`).
    """
    n = seg.shape[-1]
    f0 = scan.fundamental_hz
    length = _frame_length(fs, f0)
    if n < 4 * length:
        return np.zeros(n), None
    k = np.arange(1, harmonics + 1, dtype=np.float64)
    rows = np.tile(k, seg.shape[0])[:, np.newaxis]
    t = np.arange(n) / fs
    besides: list[np.ndarray | None] = [None] * seg.shape[0]
    best: tuple[float, np.ndarray] | None = None
    for start in (np.zeros(n), _quick_track(seg, fs, scan, harmonics)):
        deviation = start
        for rounds in range(_TRACK_ROUNDS):
            # Frames re-taken at the refined phase: a frame averages over a span in
            # which a large deviation would rotate a harmonic and shrink it.
            carriers = _harmonic_carriers(-(2 * np.pi * f0 * t + deviation), harmonics)
            framed = [
                _frames(row * carriers, length, b) for row, b in zip(seg, besides, strict=True)
            ]
            besides = [f[1] for f in framed]
            z = np.concatenate([f[0] for f in framed])
            beside = np.concatenate([f[1] for f in framed])
            step, score = _refine_phase(
                z, beside, rows, framed[0][2], fs, length, seconds, search=rounds == 0
            )
            deviation = deviation + _linear_extrapolate(
                np.arange(n, dtype=np.float64), framed[0][2], step
            )
        if best is None or score > best[0]:
            best = (score, deviation)
    assert best is not None
    return best[1], [b for b in besides if b is not None]


def _refine_phase(
    z: np.ndarray,
    beside: np.ndarray,
    k: np.ndarray,
    positions: np.ndarray,
    fs: float,
    length: int,
    seconds: float,
    *,
    search: bool,
) -> tuple[np.ndarray, float]:
    """Common phase error (radians of the fundamental) of the frames ``z``, one per frame.

    ``z`` holds one row per harmonic and channel, ``k`` the harmonic number of each;
    the hum amplitudes are averaged over ``seconds``. Also returns the hum power
    the corrected frames hold (weighted mean of the fitted amplitudes squared).
    """
    floor = 1e-12 * float(np.mean(beside)) + 1e-30
    frames = z.shape[-1]
    t = (positions - np.mean(positions)) / fs
    total = np.zeros(frames)
    if search:
        # Constant frequency error first: weighted harmonic-sum periodogram, zoomed in.
        weights = 1.0 / (beside + floor)
        wz = weights * z / np.sum(weights, axis=-1, keepdims=True)
        # Rows of one harmonic (one per channel) share their rotations: one table per
        # harmonic, applied by a matrix product. The offsets are evenly spaced, so each
        # table is a running product of one rotation step (not an exponential per entry).
        harmonic, row_of = np.unique(k[:, 0], return_inverse=True)
        best, span = 0.0, _OFFSET_HZ
        for _ in range(3):
            offsets = best + np.linspace(-span, span, _OFFSET_STEPS)
            periodogram = np.zeros(_OFFSET_STEPS)
            for i, kk in enumerate(harmonic):
                rot = np.empty((frames, _OFFSET_STEPS), dtype=np.complex128)
                rot[:, 0] = np.exp(-2j * np.pi * kk * offsets[0] * t)
                rot[:, 1:] = np.exp(-2j * np.pi * kk * (offsets[1] - offsets[0]) * t)[:, None]
                sums = wz[row_of == i] @ np.cumprod(rot, axis=1)  # (channels, offsets)
                periodogram += np.sum(sums.real**2 + sums.imag**2, axis=0)
            best = float(offsets[int(np.argmax(periodogram))])
            span *= 4.0 / (_OFFSET_STEPS - 1)
        total = 2 * np.pi * best * t
        z = z * np.exp(-1j * k * total)
    slow = _window(seconds, fs, length, frames)
    inflation = _overlap_factor(length)
    residual = np.zeros(z.shape)
    for scale in _TRACK_SCALES:
        window = _window(scale, fs, length, frames)
        for _ in range(_TRACK_PASSES):
            # Frames with programme near the harmonic (beside) or off the fit count less.
            weights = 1.0 / (beside + residual + floor)
            amp = _weighted_average(z, weights, slow)
            v = np.sum(weights * (k * np.abs(amp)) ** 2, axis=0)
            angle = np.angle(np.conj(amp) * z) / k
            y = np.sum(weights * (k * np.abs(amp)) ** 2 * angle, axis=0) / np.maximum(v, 1e-300)
            delta = _local_quadratic(y, v, window)
            # Keep the correction only as far as it stands out of its noise. The weights
            # count the programme power about twice (var(y) ~ 1 / 4v); the quadratic
            # fit about doubles the variance of a local mean.
            den = _smooth(v, window)
            var = _smooth(v, window * window) / np.maximum(2.0 * den * den, 1e-300)
            noise = inflation * float(np.mean(var))
            power = float(np.mean((delta - np.mean(delta)) ** 2))
            delta = max(0.0, 1.0 - noise / max(power, 1e-300)) * delta
            z = z * np.exp(-1j * k * delta)
            total = total + delta
            # Only the part of the misfit a phase error cannot cause (twice the radial
            # part): a frame off the track must keep its weight to pull the track back.
            residual = 2.0 * (np.abs(z) - np.abs(amp)) ** 2
    weights = 1.0 / (beside + residual + floor)
    amp = _weighted_average(z, weights, slow)
    score = float(np.sum(np.sum(weights * np.abs(amp) ** 2, axis=-1) / np.sum(weights, axis=-1)))
    return total, score


def _hum_model(
    seg: np.ndarray,
    carriers: np.ndarray,
    plan: _LowRate,
    f0: float,
    config: DehumConfig,
    beside: np.ndarray | None,
) -> np.ndarray:
    """Hum waveform of one channel on the padded low-rate grid (tapered to 0 in the pads),
    from its harmonic ``carriers`` ``(harmonics, n_low)``."""
    n = seg.shape[0]
    fs = plan.fs
    mixed = np.conj(carriers[:, plan.valid])
    mixed *= seg  # in place: one copy of the carriers, not two (21 MB a 36-s block at 48 kHz)
    length = _frame_length(fs, f0)
    if n < 4 * length:
        # Too short to follow anything: one least-squares amplitude per harmonic.
        amplitude = np.broadcast_to(2.0 * np.mean(mixed, axis=1, keepdims=True), carriers.shape)
        hum = np.sum((amplitude * carriers).real, axis=0)
    else:
        z, beside, positions = _frames(mixed, length, beside)
        window = _window(1.0 / config.bandwidth_hz, fs, length, z.shape[-1])
        floor = 1e-12 * float(np.mean(beside)) + 1e-30
        amp = _weighted_average(z, 1.0 / (beside + floor), window)
        for _ in range(_AMPLITUDE_PASSES):
            # Iteratively reweighted: frames far off the fit carry programme.
            weights = 1.0 / (beside + np.abs(z - amp) ** 2 + floor)
            amp = _weighted_average(z, weights, window)
        start = int(positions[0]) + plan.pad  # the first frame's centre on the padded grid
        hum = _synthesise(2.0 * amp, carriers, start=start, step=length // 2)
    return hum * _pad_taper(plan)


def _synthesise(amp: np.ndarray, carriers: np.ndarray, *, start: int, step: int) -> np.ndarray:
    """``sum_k Re(a_k(t) * carriers_k(t))`` ``(n,)``, with ``a_k`` interpolated linearly
    between the frame values ``amp`` ``(harmonics, frames)``, centred on samples
    ``start``, ``start + step``, ... (all inside the ``n`` carrier samples), and held
    at the end values outside them.

    Between two frame centres each amplitude is a value plus a slope times the
    position, so the sum over the harmonics is two weighted sums of the carriers per
    span: no per-sample amplitudes (a sixth of the time of interpolating them).
    """
    harmonics, frames = amp.shape
    last = start + (frames - 1) * step
    out = np.empty(carriers.shape[1])

    def real_part(a: np.ndarray, c: np.ndarray, pattern: str) -> np.ndarray:
        return np.asarray(np.einsum(pattern, a.real, c.real) - np.einsum(pattern, a.imag, c.imag))

    out[:start] = real_part(amp[:, 0], carriers[:, :start], "k,kn->n")
    out[last:] = real_part(amp[:, -1], carriers[:, last:], "k,kn->n")
    spans = carriers[:, start:last].reshape(harmonics, frames - 1, step)
    base = real_part(amp[:, :-1], spans, "kj,kje->je")
    slope = real_part(np.diff(amp, axis=1), spans, "kj,kje->je")
    out[start:last] = (base + slope * (np.arange(step) / step)).reshape(-1)
    return out


def _harmonic_carriers(phase: np.ndarray, harmonics: int) -> np.ndarray:
    """``exp(1j * k * phase)`` for ``k = 1..harmonics``, ``(harmonics, n)``.

    Powers of the fundamental's phasor: a complex multiply per harmonic instead of a
    sine and a cosine (the exponentials took a fifth of de-hum's time).
    """
    out = np.empty((harmonics, phase.shape[-1]), dtype=np.complex128)
    out[0] = np.exp(1j * phase)
    for i in range(1, harmonics):
        np.multiply(out[i - 1], out[0], out=out[i])
    return out


def _pad_taper(plan: _LowRate) -> np.ndarray:
    """1 over the signal, raised-cosine fades to 0 across the padding on both sides."""
    valid = plan.valid
    taper = np.zeros(plan.n_low)
    taper[valid] = 1.0
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(plan.pad) / max(plan.pad, 1))
    taper[: plan.pad] = ramp
    end = valid.stop
    tail = min(plan.pad, plan.n_low - end)
    taper[end : end + tail] = ramp[::-1][:tail]
    return taper
