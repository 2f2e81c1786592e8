"""Mains hum removal that follows the drifting mains frequency.

Hum is modelled as a sum of harmonics of one fundamental (50 or 60 Hz) whose
frequency drifts slowly. :func:`dehum` tracks that drift, demodulates every
harmonic at the tracked frequency, takes a running median of the complex
amplitude (programme partials sweeping through a hum band only leave short
bursts there), smooths it to about one hertz and subtracts the resynthesised
sinusoids. The programme is only touched inside ~1 Hz bands that move with the
hum, so nothing between the harmonics is notched out.

The estimation runs on a decimated copy of the signal (the hum lives below a few
kHz); only the final subtraction runs at the full rate. Both rate changes are
done in one FFT each, which is far cheaper than polyphase filtering here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import fft, ndimage, signal

from core.audio.validate import validate_audio, validate_rate
from core.errors import ConfigError
from core.progress import CancelToken, ProgressCallback, check_cancel, sub_progress

_CANDIDATES = (50.0, 60.0)
MIN_SECONDS = 0.5
"""Shorter signals cannot resolve a hum line from the programme: they pass unchanged."""
# A harmonic counts when its spectral peak stands this far above the local floor...
_PROMINENCE_DB = 10.0
# ...and hum is only declared when at least one harmonic stands out this much.
_PRESENCE_DB = 20.0
_DETECT_HARMONICS = 12
# Half-width (Hz) of the band searched around harmonic k: resolution plus k times the drift.
_SEARCH_BASE_HZ = 0.5
_SEARCH_PER_HARMONIC_HZ = 0.2
# How far (Hz) a peak may sit from k times the refined fundamental and still count.
_AGREE_BASE_HZ = 0.1
_AGREE_PER_HARMONIC_HZ = 0.05
# Low-pass (Hz) applied to the demodulated harmonics when tracking the drift.
_TRACK_BANDWIDTH_HZ = 2.0
# Rate (Hz) of the demodulated amplitudes fed to the running median. At one sample
# per mains period a programme tone half-way between two harmonics lands exactly on
# the Nyquist frequency, where the (non-linear) median turns it into a slow bias;
# two samples per period keep such tones well inside the band, where the median of
# an oscillation is close to zero and the final low-pass removes the rest.
_SLOW_RATE_HZ = 100.0
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
        amplitude of the hum is estimated over ``1 / bandwidth_hz`` seconds). Narrower
        touches less programme but follows changes of the hum level more slowly.
    track_drift : follow the drifting mains frequency over time; when ``False`` the
        harmonics are removed at fixed frequencies.
    """

    fundamental_hz: float | None = None
    harmonics: int = 8
    bandwidth_hz: float = 1.0
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

    out = np.empty_like(x)
    for ch in range(x.shape[0]):
        check_cancel(cancel)
        hum_low = _hum_model(low[ch], plan, scan, harmonics, config)
        hum = _to_full(hum_low, plan)
        out[ch] = (x[ch].astype(np.float64) - hum).astype(np.float32)
        report((ch + 1) / x.shape[0], "de-hum")
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
    buf = np.zeros((x.shape[0], n_full))
    buf[:, start : start + plan.length] = x
    spectrum = fft.rfft(buf, axis=-1)[:, : plan.n_low // 2 + 1]
    freqs = np.arange(plan.n_low // 2 + 1) * plan.fs / plan.n_low
    ramp = np.clip((freqs - plan.passband_hz) / (plan.fs / 2 - plan.passband_hz), 0.0, 1.0)
    taper = 0.5 * (1.0 + np.cos(np.pi * ramp))
    return np.asarray(fft.irfft(spectrum * taper / plan.factor, n=plan.n_low, axis=-1))


def _to_full(y: np.ndarray, plan: _LowRate) -> np.ndarray:
    """Interpolate a band-limited low-rate signal back to the original ``length``."""
    n_full = plan.n_low * plan.factor
    spectrum = np.zeros(n_full // 2 + 1, dtype=np.complex128)
    low_spec = fft.rfft(y)
    low_spec[-1] = 0.0  # the low-rate Nyquist bin cannot be split correctly
    spectrum[: low_spec.shape[0]] = low_spec * plan.factor
    full = fft.irfft(spectrum, n=n_full)
    start = plan.pad * plan.factor
    return np.asarray(full[start : start + plan.length])


# --- detection ----------------------------------------------------------------------


def _long_term_spectrum(low: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """Welch PSD averaged over channels, 0.25 Hz segments (coarser if the signal is short)."""
    n = low.shape[-1]
    nperseg = int(min(n, round(4.0 * fs)))
    segments = 1 + max(0, (n - nperseg) // max(1, nperseg // 2))
    freqs, psd = signal.welch(
        low,
        fs=fs,
        window="hann",
        nperseg=nperseg,
        noverlap=nperseg // 2,
        nfft=2 * nperseg,
        detrend="constant",
        # The median ignores loud programme passages that would bury the hum.
        average="median" if segments >= 3 else "mean",
        axis=-1,
    )
    return freqs, np.mean(np.atleast_2d(psd), axis=0)


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
        if math.gcd(*k.tolist()) > 2 or np.max(scan.prominence_db[scan.hum]) < _PRESENCE_DB:
            continue
        # Multiples of 300 Hz belong to both 50 and 60 Hz, so they cannot decide.
        decisive = ~np.isclose(np.mod(k * nominal, 300.0), 0.0)
        score = float(np.sum(scan.prominence_db[scan.hum][decisive]))
        if given is not None or score > best_score:
            best, best_score = scan, score
    return best


# --- estimation ---------------------------------------------------------------------


def _lowpass(z: np.ndarray, cutoff_hz: float, fs: float, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth (``2 * order`` after filtfilt) along the last axis.

    Gustafsson's initial conditions instead of padding: padding a rotating or
    interference-laden phasor puts a transient at both ends.
    """
    if z.shape[-1] < 16 or cutoff_hz >= 0.45 * fs:
        return z
    b, a = signal.butter(order, cutoff_hz, btype="low", fs=fs)
    if np.iscomplexobj(z):
        stacked = np.concatenate((z.real, z.imag), axis=0)
        out = signal.filtfilt(b, a, stacked, axis=-1, method="gust")
        half = z.shape[0]
        return np.asarray(out[:half] + 1j * out[half:])
    return np.asarray(signal.filtfilt(b, a, z, axis=-1, method="gust"))


def _boxcar2(z: np.ndarray, length: int, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Two cascaded moving averages of ``length`` samples, kept every ``step`` samples.

    With ``length`` one mains period the other hum harmonics fall in the double
    nulls, and the result is cheap to decimate. Returns the decimated rows and the
    sample index each output is centred on.
    """
    zero = np.zeros(z.shape[:-1] + (1,), dtype=z.dtype)
    c1 = np.concatenate((zero, np.cumsum(z, axis=-1)), axis=-1)
    s1 = (c1[..., length:] - c1[..., :-length]) / length
    c2 = np.concatenate((zero, np.cumsum(s1, axis=-1)), axis=-1)
    s2 = (c2[..., length:] - c2[..., :-length]) / length
    picks = np.arange(0, s2.shape[-1], step)
    return s2[..., picks], picks + (length - 1)


def _linear_extrapolate(x_new: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Linear interpolation that continues the end slopes outside ``x``."""
    out = np.interp(x_new, x, y)
    if len(x) >= 2:
        before, after = x_new < x[0], x_new > x[-1]
        out[before] = y[0] + (x_new[before] - x[0]) * (y[1] - y[0]) / (x[1] - x[0])
        out[after] = y[-1] + (x_new[after] - x[-1]) * (y[-1] - y[-2]) / (x[-1] - x[-2])
    return out


def _track_phase(seg: np.ndarray, fs: float, scan: _HarmonicScan, harmonics: int) -> np.ndarray:
    """Phase deviation (radians of the fundamental) of the hum from ``2 pi f0 t``."""
    n = seg.shape[-1]
    f0 = scan.fundamental_hz
    period = max(1, int(round(fs / f0)))
    usable = np.flatnonzero(scan.hum[:harmonics])
    if usable.size == 0 or n < 8 * period:
        return np.zeros(n)
    k = usable + 1
    # Frequency noise of harmonic k scales as 1 / (k * sqrt(SNR)): weight by k^2 * SNR.
    weights = k**2 * 10.0 ** (scan.prominence_db[usable] / 10.0)
    t = np.arange(n) / fs
    step = period
    z, centres = _boxcar2(seg * np.exp(-2j * np.pi * f0 * k[:, np.newaxis] * t), period, step)
    z = _lowpass(z, _TRACK_BANDWIDTH_HZ, fs / step)
    # Phase step per decimated sample of each harmonic, mapped to the fundamental.
    steps = np.angle(z[:, 1:] * np.conj(z[:, :-1])) / k[:, np.newaxis]
    combined = np.sum(weights[:, np.newaxis] * steps, axis=0) / np.sum(weights)
    phase = np.concatenate(([0.0], np.cumsum(combined)))
    return _linear_extrapolate(np.arange(n, dtype=np.float64), centres.astype(np.float64), phase)


def _hum_model(
    low: np.ndarray, plan: _LowRate, scan: _HarmonicScan, harmonics: int, config: DehumConfig
) -> np.ndarray:
    """Hum waveform on the padded low-rate grid (``n_low`` samples, tapered to 0 in the pads)."""
    valid = plan.valid
    seg = low[valid]
    n = seg.shape[0]
    fs = plan.fs
    f0 = scan.fundamental_hz
    deviation = _track_phase(seg, fs, scan, harmonics) if config.track_drift else np.zeros(n)
    theta = 2 * np.pi * f0 * np.arange(n) / fs + deviation
    grid = np.arange(plan.n_low, dtype=np.float64) - plan.pad
    theta_all = _linear_extrapolate(grid, np.arange(n, dtype=np.float64), theta)
    k = np.arange(1, harmonics + 1)[:, np.newaxis]
    carriers = np.exp(1j * k * theta_all)
    mixed = seg * np.conj(carriers[:, valid])

    period = max(1, int(round(fs / f0)))
    if n < 8 * period:
        # Too short to follow anything: one least-squares amplitude per harmonic.
        amplitude = np.broadcast_to(2.0 * np.mean(mixed, axis=1, keepdims=True), carriers.shape)
    else:
        step = max(1, int(round(fs / _SLOW_RATE_HZ)))
        slow, centres = _boxcar2(mixed, period, step)
        fs_slow = fs / step
        width = max(1, int(round(fs_slow / config.bandwidth_hz))) | 1
        med = ndimage.median_filter(slow.real, size=(1, width), mode="reflect") + 1j * (
            ndimage.median_filter(slow.imag, size=(1, width), mode="reflect")
        )
        med = 2.0 * _lowpass(med, config.bandwidth_hz, fs_slow)
        positions = centres.astype(np.float64)
        amplitude = np.stack(
            [
                np.interp(grid, positions, m.real) + 1j * np.interp(grid, positions, m.imag)
                for m in med
            ]
        )
    hum = np.sum((amplitude * carriers).real, axis=0)
    return hum * _pad_taper(plan)


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
