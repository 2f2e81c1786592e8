"""Noise reduction from a noise profile, full band at the recording's own rate.

What restoration engineers use on music (RX's spectral de-noise, Audacity's noise
reduction): the spectrum of the steady noise is learned once, from a stretch the user
marks as noise only (:func:`learn_noise_profile`) or from the floor the whole recording
keeps under its programme (:func:`estimate_noise_profile`), and every bin is then
attenuated by a Wiener gain from its signal-to-noise ratio
(:func:`reduce_profile_noise`). The gains are computed from power smoothed over
neighbouring frames and bins, held above a floor, and smoothed again, so no isolated
bin flickers ("musical noise").

Every step has a finite reach in time (about 0.1 s) and the frame grid is tied to whole
hundredths of a second, so a recording processed in blocks (with that much context,
starting on the grid) gives the same output as one processed whole: nothing is decided
per block. The profile is a :class:`NoiseProfile` on a fixed grid of frequencies, so it
travels in a chain's parameters as text and applies at any rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.audio.validate import validate_audio, validate_rate
from core.dsp.stft import StftConfig, frame_count, istft, stft, stft_frames
from core.errors import ConfigError

# The profile's frequency grid: 1/24 octave from 20 Hz (finer than any noise spectrum's
# shape needs, coarse enough to carry as text: 243 values up to 22 kHz).
GRID_START_HZ = 20.0
GRID_STEPS_PER_OCTAVE = 24
GRID_TOP_HZ = 48000.0  # covers 96 kHz material
# Frames every hundredth of a second where the rate allows (block edges, which the
# pipeline places on whole tenths of a second, then fall on the frame grid); 4 hops long.
FRAMES_PER_SECOND = (100, 50, 25)
# Floors below this power density (per Hz) are digital silence or a codec's empty band,
# not noise (white noise at -107 dBFS, under 16-bit dither, at 44.1 kHz).
SILENT_DB = -150.0

# Estimating the floor: power smoothed over 5 frames and 3 bins, its minimum in each
# window of WINDOW_S, the median of those minima. For steady noise that median is a
# fixed share of the mean power, MIN_BIAS_DB (white noise, 20 s, one channel: -5.23,
# -5.26 and -5.28 dB at 44.1, 48 and 16 kHz).
WINDOW_S = 1.0
MIN_BIAS_DB = -5.25
# A band holds steady noise where those minima hold still: the 20th to 80th percentile
# of its windows' minima within STEADY_SPREAD_DB. White noise, 15 s at 44.1 kHz: 0.1-0.6
# dB above 600 Hz (up to 1.8 below, where a band has few bins, and where music covers
# hiss anyway). 15-s excerpts of 16 training-side Wesnoth tracks, clean: the four
# steadiest bands of each 0.8-23 dB; a steady pad of electronic music or strings keeps
# some bands' floors within 0.8-1.2 dB, which a looser limit took for noise.
STEADY_SPREAD_DB = 0.6
# ... and the recording holds steady noise only where at least this many third-octave
# bands above 200 Hz do (a held note can keep one band's floor still).
STEADY_MIN_BANDS = 2
STEADY_FROM_HZ = 200.0


@dataclass(frozen=True)
class NoiseProfile:
    """A noise power spectrum on the fixed grid (:func:`grid_hz`): power density in dB
    (full scale squared per Hz; :func:`_density`), any rate, any frame size."""

    levels_db: tuple[float, ...]

    def to_text(self) -> str:
        """Comma-separated dB values, one decimal: what a chain's step parameter holds."""
        return ",".join(f"{v:.1f}" for v in self.levels_db)

    @classmethod
    def from_text(cls, text: str) -> NoiseProfile:
        try:
            values = tuple(float(v) for v in text.split(","))
        except ValueError:
            raise ConfigError(
                "a noise profile is a list of dB values separated by commas"
            ) from None
        if len(values) < 2 or not all(math.isfinite(v) for v in values):
            raise ConfigError("a noise profile needs at least two finite dB values")
        return cls(values)

    def power_at(self, freqs: np.ndarray) -> np.ndarray:
        """Power density per Hz (:func:`_density`) at ``freqs``, flat past the grid's ends."""
        grid = grid_hz()[: len(self.levels_db)]
        where = np.log2(np.maximum(freqs, GRID_START_HZ) / GRID_START_HZ)
        levels = np.interp(where, np.log2(grid / GRID_START_HZ), np.asarray(self.levels_db))
        return 10.0 ** (levels / 10.0)

    def level_db(self, *, sr: int) -> float:
        """The profile's total power over the band a rate of ``sr`` carries, in dB (as
        the mean square of a signal: comparable with a programme's)."""
        freqs = np.linspace(0.0, sr / 2, 2049)
        density = self.power_at(freqs)
        return 10.0 * math.log10(max(float(np.mean(density)) * sr / 2, 1e-30))


def grid_hz() -> np.ndarray:
    """The profile's frequencies: 1/24 octave from 20 Hz up to 48 kHz."""
    count = int(math.log2(GRID_TOP_HZ / GRID_START_HZ) * GRID_STEPS_PER_OCTAVE) + 1
    return GRID_START_HZ * 2.0 ** (np.arange(count) / GRID_STEPS_PER_OCTAVE)


def stft_config(sr: int) -> StftConfig:
    """Frames of the profile step at ``sr``: hops of 1/100 s (1/50, 1/25 where the rate
    has no whole hundredths), four hops long."""
    sr = validate_rate(sr)
    for rate in FRAMES_PER_SECOND:
        if sr % rate == 0 and sr // rate >= 8:
            hop = sr // rate
            return StftConfig(n_fft=4 * hop, hop=hop)
    hop = 1 << max(3, round(math.log2(sr / 100)))
    return StftConfig(n_fft=4 * hop, hop=hop)


@dataclass(frozen=True)
class ProfileConfig:
    """Tuning of :func:`reduce_profile_noise`.

    Attributes
    ----------
    reduction_db : the deepest cut, where a bin holds only noise.
    oversubtract : the noise profile is taken this many times over (1: as measured);
        more removes more of the noise's own fluctuations and more quiet programme.
    high_oversubtract : the same from :data:`HIGH_FROM_HZ` up, ramping in log-frequency
        from :data:`LOW_TO_HZ`: music's energy falls with frequency, so up there most
        bins hold noise alone and a harder decision pays.
    """

    reduction_db: float = 20.0
    oversubtract: float = 1.0
    high_oversubtract: float = 1.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.reduction_db <= 60.0:
            raise ConfigError(f"reduction_db must be in [0, 60], got {self.reduction_db}")
        for name in ("oversubtract", "high_oversubtract"):
            if not 0.5 <= getattr(self, name) <= 4.0:
                raise ConfigError(f"{name} must be in [0.5, 4], got {getattr(self, name)}")

    def oversubtraction(self, freqs: np.ndarray) -> np.ndarray:
        """The factor at each of ``freqs`` (Hz)."""
        span = math.log2(HIGH_FROM_HZ / LOW_TO_HZ)
        share = np.clip(np.log2(np.maximum(freqs, 1.0) / LOW_TO_HZ) / span, 0.0, 1.0)
        return self.oversubtract + share * (self.high_oversubtract - self.oversubtract)


# The harder decision above HIGH_FROM_HZ (ProfileConfig.high_oversubtract): on 6
# training-side Wesnoth excerpts with white hiss at 10 dB SNR, 1.5 there moved SI-SDR
# 18.7 -> 19.1 dB and the log-spectral distance above 8 kHz 14.3 -> 9.0 dB (below 8
# kHz 10.6 -> 12.0); at 30 dB SNR 34.4 -> 34.1 dB, 5.3 -> 5.5 dB. 2.0: 19.1 / 8.2 at 10
# dB, but 33.7 at 30.
LOW_TO_HZ = 2000.0
HIGH_FROM_HZ = 8000.0
# Smoothing of the power before the gain (frames, bins) and of the gain after it: enough
# to keep single bins from flickering, short enough to follow a note's onset.
POWER_SMOOTHING = (5, 3)
GAIN_SMOOTHING = (3, 5)
MARGIN_S = 0.5
"""Context a block needs either side for its output to equal the whole recording's."""


def reduce_profile_noise(
    audio: np.ndarray,
    *,
    sr: int,
    profile: NoiseProfile,
    config: ProfileConfig | None = None,
) -> np.ndarray:
    """Attenuate the noise whose spectrum ``profile`` gives.

    Parameters
    ----------
    audio : float32 ``(channels, samples)``; the channels share one gain (the stereo
        image stays where it was).
    sr : sample rate in Hz, any: the whole band is treated at this rate.
    profile : from :func:`learn_noise_profile` or :func:`estimate_noise_profile`.
    config : :class:`ProfileConfig`; defaults if ``None``.

    Returns
    -------
    float32 ``(channels, samples)``.
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    config = config or ProfileConfig()
    frames = stft_config(sr)
    if audio.shape[1] < frames.n_fft or config.reduction_db == 0.0:
        return audio.copy()
    # Stretch by stretch, each with the frames its gains and overlap-add reach: the
    # frames share the whole recording's grid, so the stretches join seamlessly.
    stretch = int(STRETCH_S * sr) // frames.hop * frames.hop
    margin = STRETCH_MARGIN_FRAMES * frames.hop
    out = np.empty_like(audio)
    for start in range(0, audio.shape[1], stretch):
        lo, hi = max(start - margin, 0), min(start + stretch + margin, audio.shape[1])
        reduced = _reduce(audio[:, lo:hi], sr=sr, profile=profile, config=config, frames=frames)
        out[:, start : start + stretch] = reduced[:, start - lo :][:, :stretch]
    return out


# Reduced a few seconds at a time: the spectrogram of a 36-s block of 48 kHz stereo and
# what is made from it took 250 MB, and the pipeline runs two blocks at once.
STRETCH_S = 4.0
# Context each side: frames reach 3 frames' smoothing (power, then gain) and 4 frames'
# overlap; 16 leaves room and costs under a tenth more.
STRETCH_MARGIN_FRAMES = 16


def _reduce(
    audio: np.ndarray,
    *,
    sr: int,
    profile: NoiseProfile,
    config: ProfileConfig,
    frames: StftConfig,
) -> np.ndarray:
    from scipy.ndimage import uniform_filter

    if audio.shape[1] < frames.n_fft:
        return audio.copy()
    spec = stft(audio, config=frames)
    power = _density(np.mean(spec.real**2 + spec.imag**2, axis=0), frames, sr)
    freqs = np.fft.rfftfreq(frames.n_fft, 1.0 / sr)
    noise = (config.oversubtraction(freqs) * profile.power_at(freqs))[None, :]
    smooth = uniform_filter(power, size=POWER_SMOOTHING, mode="nearest")
    xi = np.maximum(smooth / noise - 1.0, 0.0)
    floor = 10.0 ** (-config.reduction_db / 20.0)
    gain = np.maximum(xi / (1.0 + xi), floor)
    gain = uniform_filter(gain, size=GAIN_SMOOTHING, mode="nearest").astype(np.float32)
    return istft(spec * gain[None], config=frames, length=audio.shape[1]).astype(np.float32)


def _density(power: np.ndarray, frames: StftConfig, sr: int) -> np.ndarray:
    """``|STFT|²`` per frame and bin as a power density per Hz, independent of the frame
    size and the rate: white noise of variance σ² reads σ² / (sr / 2) in every bin."""
    window = np.hanning(frames.n_fft + 1)[:-1]
    return power / (float(np.sum(window**2)) * sr / 2)


def learn_noise_profile(audio: np.ndarray, *, sr: int) -> NoiseProfile:
    """The profile of a stretch that holds noise only (a selection the user marks): its
    mean power spectrum, channels averaged.

    Raises
    ------
    ConfigError : shorter than a tenth of a second, or digital silence.
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    frames = stft_config(sr)
    if audio.shape[1] < max(frames.n_fft, sr // 10):
        raise ConfigError("the noise selection is too short: mark at least 0.1 s of noise")
    spec = stft(audio, config=frames)
    power = _density(np.mean(spec.real**2 + spec.imag**2, axis=0), frames, sr)
    # Frames touching the zero padding at either end read low: left out.
    edge = frames.n_fft // frames.hop
    inner = power[edge:-edge] if power.shape[0] > 2 * edge + 1 else power
    mean = inner.mean(axis=0)
    if float(np.max(mean)) <= 0.0:
        raise ConfigError("the noise selection is digital silence: there is no noise to learn")
    return _on_grid(mean, sr=sr, frames=frames)


def _on_grid(density: np.ndarray, *, sr: int, frames: StftConfig) -> NoiseProfile:
    """``density`` per bin as a :class:`NoiseProfile`: averaged (in dB) over the bins
    within a twelfth of an octave of each grid point, at least five (DC left out)."""
    freqs = np.fft.rfftfreq(frames.n_fft, 1.0 / sr)
    grid = grid_hz()
    grid = grid[grid <= sr / 2]
    db = 10.0 * np.log10(np.maximum(density, 1e-30))
    csum = np.concatenate([[0.0], np.cumsum(db)])
    centre = np.searchsorted(freqs, grid)
    lo = np.maximum(np.minimum(np.searchsorted(freqs, grid * 2 ** (-1 / 24)), centre - 2), 1)
    hi = np.minimum(
        np.maximum(np.searchsorted(freqs, grid * 2 ** (1 / 24)), centre + 3), freqs.size
    )
    levels = (csum[hi] - csum[lo]) / (hi - lo)
    return NoiseProfile(tuple(float(max(v, SILENT_DB - 30.0)) for v in levels))


@dataclass(frozen=True)
class FloorEstimate:
    """What :func:`estimate_noise_profile` found.

    Attributes
    ----------
    profile : the steady noise, or ``None`` where the recording keeps no steady floor
    steady_bands : third-octave bands above :data:`STEADY_FROM_HZ` whose floor holds still
    snr_db : programme power over the profile's (infinite without a profile)
    """

    profile: NoiseProfile | None
    steady_bands: int
    snr_db: float


def estimate_noise_profile(audio: np.ndarray, *, sr: int) -> FloorEstimate:
    """The steady noise under a recording, learned from the whole of ``audio``
    ``(channels, samples)`` at once: in each bin, the floor the power keeps in every
    second (minimum statistics: the median over windows of :data:`WINDOW_S` of the
    smoothed power's minimum, :data:`MIN_BIAS_DB` corrected).

    Noise holds its floor still from one second to the next; music's floor moves with
    the music. Bands whose floor spreads by more than :data:`STEADY_SPREAD_DB` keep no
    steady noise of their own: there the profile follows its steady neighbours (in
    log-frequency), but never rises above the band's own floor. Where too few bands
    hold still (:data:`STEADY_MIN_BANDS`), stereo is listened to once more in half the
    channels' difference (hiss independent in each channel, half its power there); where
    that does not hold still either, the recording has no steady noise to remove.
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    frames = stft_config(sr)
    window = max(2, int(round(WINDOW_S * sr / frames.hop)))
    first, stop = 0, frame_count(audio.shape[1], config=frames)
    edge = frames.n_fft // frames.hop
    if stop > 2 * edge + 2 * window:  # frames touching the zero padding read low
        first, stop = edge, stop - edge
    if stop - first < 2 * window:
        return FloorEstimate(None, 0, math.inf)
    freqs = np.fft.rfftfreq(frames.n_fft, 1.0 / sr)
    span = (first, stop)
    minima = _window_minima(audio, frames=frames, sr=sr, window=window, span=span)
    bias = 10 ** (MIN_BIAS_DB / 10)
    floor = np.median(minima, axis=0) / bias
    steady, held = _steady_bands(minima, freqs=freqs, sr=sr)
    known = floor
    if held < STEADY_MIN_BANDS and audio.shape[0] == 2:
        # Hiss runs apart in the two channels, most music in both: half their
        # difference holds half the hiss's power under less of the music.
        side = _window_minima(audio, frames=frames, sr=sr, window=window, span=span, side=True)
        side_steady, side_held = _steady_bands(side, freqs=freqs, sr=sr)
        if side_held >= STEADY_MIN_BANDS:
            steady, held = side_steady, side_held
            known = np.minimum(2 * np.median(side, axis=0) / bias, floor)
    if held < STEADY_MIN_BANDS:
        return FloorEstimate(None, held, math.inf)
    # Where the floor moves, the noise follows its steady neighbours, capped by that floor.
    log_f = np.log2(np.maximum(freqs, 1.0))
    known_db = 10 * np.log10(np.maximum(known, 1e-30))
    filled = np.interp(log_f, log_f[steady], known_db[steady])
    density = np.where(steady, known, np.minimum(10 ** (filled / 10), floor))
    profile = _on_grid(density, sr=sr, frames=frames)
    programme = float(np.mean(audio.astype(np.float64) ** 2))
    snr = 10 * math.log10(max(programme, 1e-30)) - profile.level_db(sr=sr)
    return FloorEstimate(profile, held, snr)


# Windows of the floor's minima computed together: bounds memory whatever the length
# (a minute of 48 kHz stereo at once took 320 MB).
MINIMA_CHUNK_WINDOWS = 8


def _window_minima(
    audio: np.ndarray,
    *,
    frames: StftConfig,
    sr: int,
    window: int,
    span: tuple[int, int],
    side: bool = False,
) -> np.ndarray:
    """``(windows, bins)``: each channel's smoothed power's minimum in each window of
    ``window`` frames (the bias is a mono signal's), then their mean, over the frames
    ``span`` of ``audio``'s :func:`stft` (with ``side``, of half the two channels'
    difference instead). Computed :data:`MINIMA_CHUNK_WINDOWS` at a time, each with the
    frames the smoothing reaches beyond it: the result is the whole span's at once."""
    from scipy.ndimage import uniform_filter

    first, stop = span
    count = (stop - first) // window
    reach = POWER_SMOOTHING[0] // 2
    minima = []
    for w0 in range(0, count, MINIMA_CHUNK_WINDOWS):
        w1 = min(w0 + MINIMA_CHUNK_WINDOWS, count)
        lo = max(first + w0 * window - reach, first)
        hi = min(first + w1 * window + reach, stop)
        spec = stft_frames(audio, config=frames, start=lo, stop=hi)
        if side:
            spec = (spec[:1] - spec[1:]) / 2
        power = _density(spec.real**2 + spec.imag**2, frames, sr)
        smooth = uniform_filter(
            power.astype(np.float64), size=(1, *POWER_SMOOTHING), mode="nearest"
        )
        inner = smooth[:, first + w0 * window - lo :][:, : (w1 - w0) * window]
        windows = inner.reshape(inner.shape[0], w1 - w0, window, -1)
        minima.append(windows.min(axis=2).mean(axis=0))
    return np.concatenate(minima)


def _steady_bands(minima: np.ndarray, *, freqs: np.ndarray, sr: int) -> tuple[np.ndarray, int]:
    """Which bins lie in a third-octave band whose floor holds still, and how many such
    bands lie above :data:`STEADY_FROM_HZ`."""
    centres = 1000.0 * 2.0 ** (np.arange(-17, 15) / 3)
    centres = centres[(centres * 2 ** (1 / 6) <= sr / 2) & (centres >= 25.0)]
    steady = np.zeros(freqs.size, dtype=bool)
    held = 0
    for centre in centres:
        band = (freqs >= centre * 2 ** (-1 / 6)) & (freqs < centre * 2 ** (1 / 6))
        if not band.any():
            continue
        levels = 10 * np.log10(np.maximum(minima[:, band].mean(axis=1), 1e-30))
        still = float(np.percentile(levels, 80) - np.percentile(levels, 20)) <= STEADY_SPREAD_DB
        still = still and float(np.median(levels)) > SILENT_DB
        steady[band] = still
        held += int(still and centre >= STEADY_FROM_HZ)
    return steady, held
