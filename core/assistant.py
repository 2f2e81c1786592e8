"""Repair assistant: measure what is wrong with a recording and propose a chain.

:func:`diagnose` runs the detectors (hum, clicks, clipping, noise, bandwidth) and
returns a :class:`Diagnosis`; where the steady-noise estimate finds the recording clean,
it asks the built-in model how much it would take out (noise that comes and goes).
:func:`propose_chain` turns the diagnosis into a :class:`~core.chain.ChainConfig`.
The ``auto`` preset is a chain marked ``adaptive``: the pipeline diagnoses each input
and runs the proposed chain.

Long files are judged from evenly spaced excerpts (:data:`EXCERPT_SECONDS` each,
at most :data:`MAX_ANALYSED_SECONDS` in all), so memory stays bounded. Clicks, the
costliest measurement, are counted on the middle of each excerpt, at most
:data:`CLICK_ANALYSED_SECONDS` in all, and only until the count is clearly on one
side of the thresholds that decide a repair.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

import numpy as np

from core.audio.io import AudioReader
from core.audio.resample import resample
from core.audio.validate import validate_audio, validate_rate
from core.chain import ChainConfig, StepSpec
from core.dsp.declick import DeclickConfig, detect_clicks
from core.dsp.declip import ClipReport, declip, detect_clipping
from core.dsp.dehum import detect_hum
from core.dsp.stft import StftConfig, stft
from core.features import FeatureConfig, estimate_snr_db, mean_power_spectrum
from core.model.bundle import DEFAULT_MODEL, DFN3_MODEL, MASK_FLOOR_DB, resolve_model_path
from core.model.dfn3.runner import Dfn3Runner
from core.model.inference import Enhancer, speech_rhythm
from core.progress import CancelToken, ProgressCallback, check_cancel, sub_progress
from core.steps import BuildContext
from core.workers import default_workers, single_threaded_blas

# Where each threshold came from, with the measurements: docs/assistant.md.
EXCERPT_SECONDS = 20.0  # long files are judged from excerpts this long ...
MAX_ANALYSED_SECONDS = 120.0  # ... at most this much in all
CLICK_ANALYSED_SECONDS = 30.0  # the click detector is the costliest; a quarter judges a rate
CLICK_PIECE_SECONDS = 2.5  # clicks are counted in pieces, and the count stops early ...
CLICK_SETTLED_CHANCE = 0.01  # ... once a Poisson count at a threshold is this unlikely ...
CLICK_MIN_ANALYSED_SECONDS = 7.5  # ... but not before this much is heard

# Thresholds above which a problem is reported and repaired.
HUM_MIN_DBFS = -75.0  # quieter hum is inaudible under any programme
CLICKS_MIN_PER_MIN = 40.0  # the detector finds tens per minute in some clean speech
CRACKLE_MIN_PER_MIN = 600.0  # so many small clicks that it is crackle
CLEAR_CLICK_STRENGTH = 1.5  # clicks this far over the threshold count; speech's own seldom do
CLIPPED_MIN_FRACTION = 2e-4  # share of samples at the clipping level
NOISY_BELOW_SNR_DB = 35.0  # blind SNR below which steady noise is repaired
UNSTEADY_NOISE_DB = -25.0  # the model would take this much from a "clean" floor: unsteady noise
BANDWIDTH_DROP_DB = 50.0  # the band ends where the long-term spectrum falls this far
EDGE_INSIDE_DB = 9.0  # a band edge: loud frames stand this far out just inside it ...
EDGE_OUTSIDE_DB = 1.0  # ... and under this a third of an octave above it ...
EDGE_STEADY_DB = 5.0  # ... where the loudest 1 % of frames stand at most this over the median
LOWPASS_MARGIN = 1.1  # the low-pass sits this far above the edge
HISS_STEP_MIN_SNR_DB = 24.0  # hiss this light above an edge: the hiss step, not the pre-clean
MODEL_FLOOR_DB = MASK_FLOOR_DB  # the mask model's floor on speech in noise
MODEL_PRE_CLEAN_DB = 12.0  # a gentle steady-noise cut before the model; deeper gained less

# Speech or music: the gap between what the mask model and DeepFilterNet3 keep.
PROGRAMME_GAP_SURE_DB = 3.0  # below it, speech
PROGRAMME_GAP_DB = 7.0  # from it, music; between, speech's rhythm (see docs/assistant.md)
PROGRAMME_PAUSE_SHARE = 0.2  # speech in noise 0.23..0.64 mostly; music 0.00..0.18
PROGRAMME_RHYTHM_SHARE = 0.3  # speech 0.31..0.59 (core.model.inference.speech_rhythm)
PROGRAMME_LISTEN_SECONDS = 30.0  # of the analysed audio DeepFilterNet3 listens to
MUSIC_NOISE_PARAMS = {"reduction_db": 30.0}  # music's steady noise: the profile step, this deep
LIGHT_NOISE_SNR_DB = 25.0  # speech this clean gets DeepFilterNet3 with a limit ...
LIGHT_NOISE_LIMIT_DB = 20.0  # ... of this much reduction


@dataclass(frozen=True)
class Finding:
    """One problem, in words; ``severity`` is ``"mild"`` or ``"strong"``."""

    kind: str
    severity: str
    message: str


@dataclass(frozen=True)
class Diagnosis:
    """Measurements of one recording (``None``/NaN where a measure does not apply).

    Attributes
    ----------
    hum_hz : mains fundamental found, or ``None``
    hum_level_db : hum level in dBFS (``-inf`` when none)
    clicks_per_min : impulsive disturbances per minute
    clear_clicks_per_min : those of them that stand out clearly
        (:data:`CLEAR_CLICK_STRENGTH`), which decide the de-click step (NaN: not
        counted, all do)
    clipped_fraction : share of samples in clipped runs (0..1)
    snr_db : blind signal-to-noise estimate; on music, the programme over the steady
        floor it keeps (infinite where it keeps none: music's quiet passages are no noise)
    bandwidth_hz : highest frequency with programme content
    noise_above_hz : where the programme ends with only noise above it, or ``None``
    analysed_seconds : how much of the file the figures come from
    model_removal_db : share of the energy the built-in model would take out (dB),
        measured only where ``snr_db`` finds the recording clean, else ``None``
    programme : ``"speech"`` or ``"music"`` (:func:`hear_programme`)
    """

    sr: int
    channels: int
    duration_s: float
    hum_hz: float | None
    hum_level_db: float
    clicks_per_min: float
    clipped_fraction: float
    snr_db: float
    bandwidth_hz: float
    analysed_seconds: float
    noise_above_hz: float | None = None
    model_removal_db: float | None = None
    clear_clicks_per_min: float = math.nan
    programme: str = "unknown"
    """``"speech"`` or ``"music"`` (anything that is not speech), from
    :func:`hear_programme`; ``"unknown"`` where it was not judged."""
    noise_profile: str | None = None
    """On music, the steady noise under it (:class:`~core.dsp.noise_profile.NoiseProfile`
    as text), learned from all the analysed audio at once; ``None`` where it keeps no
    steady floor, and on speech."""

    def findings(self) -> list[Finding]:
        """The problems worth repairing, most damaging first."""
        out: list[Finding] = []
        if self.clipped_fraction >= CLIPPED_MIN_FRACTION:
            pct = 100 * self.clipped_fraction
            out.append(
                Finding(
                    "clipping",
                    "strong" if pct >= 0.5 else "mild",
                    f"{pct:.2f} % of the samples are clipped",
                )
            )
        crackle = self.clicks_per_min >= CRACKLE_MIN_PER_MIN
        clear = self.clear_clicks_per_min
        if crackle or (self.clicks_per_min if math.isnan(clear) else clear) >= CLICKS_MIN_PER_MIN:
            out.append(
                Finding(
                    "crackle" if crackle else "clicks",
                    "strong" if self.clicks_per_min >= 60 else "mild",
                    f"about {self.clicks_per_min:.0f} clicks per minute",
                )
            )
        if self.hum_hz is not None and self.hum_level_db >= HUM_MIN_DBFS:
            out.append(
                Finding(
                    "hum",
                    "strong" if self.hum_level_db >= -50 else "mild",
                    f"mains hum at {self.hum_hz:.1f} Hz, {self.hum_level_db:.0f} dBFS",
                )
            )
        if math.isfinite(self.snr_db) and self.snr_db < NOISY_BELOW_SNR_DB:
            out.append(
                Finding(
                    "noise",
                    "strong" if self.snr_db < 15 else "mild",
                    f"background noise: signal-to-noise about {self.snr_db:.0f} dB",
                )
            )
        elif self.model_removal_db is not None and self.model_removal_db >= UNSTEADY_NOISE_DB:
            share = 100 * 10 ** (self.model_removal_db / 10)
            out.append(
                Finding(
                    "noise",
                    "strong" if self.model_removal_db >= -10 else "mild",
                    f"noise that comes and goes: the model would take out about "
                    f"{share:.{0 if share >= 1 else 1}f} % of the energy",
                )
            )
        if self.bandwidth_hz < 0.8 * (self.sr / 2) and self.bandwidth_hz < 12000:
            out.append(
                Finding(
                    "bandwidth",
                    "mild",
                    f"band-limited: little content above {self.bandwidth_hz / 1000:.1f} kHz",
                )
            )
        if self.noise_above_hz is not None:
            out.append(
                Finding(
                    "noise_above_band",
                    "mild",
                    f"only noise above {self.noise_above_hz / 1000:.1f} kHz",
                )
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        def clean(v: Any) -> Any:
            if isinstance(v, float):
                return round(v, 4) if math.isfinite(v) else None
            return v

        data = {k: clean(v) for k, v in asdict(self).items()}
        data["findings"] = [asdict(f) for f in self.findings()]
        return data


def diagnose(
    audio: np.ndarray,
    *,
    sr: int,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    context: BuildContext | None = None,
) -> Diagnosis:
    """Measure ``audio`` ``(channels, samples)``; long signals are judged from excerpts.

    ``context`` holds loaded models to reuse: the built-in model is loaded from it (or
    from a fresh one) only when the steady-noise estimate finds the recording clean.

    Raises
    ------
    InvalidAudioError : bad shape, empty, NaN/inf or bad rate
    Cancelled : ``cancel`` was set
    """
    x = validate_audio(audio)
    sr = validate_rate(sr)
    return _diagnose(
        x, sr=sr, duration_s=x.shape[1] / sr, progress=progress, cancel=cancel, context=context
    )


def diagnose_file(
    path: str | os.PathLike[str],
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    context: BuildContext | None = None,
) -> Diagnosis:
    """:func:`diagnose` of a file, reading only the excerpts it needs."""
    x, sr, total = read_excerpts(path)
    return _diagnose(
        x,
        sr=sr,
        duration_s=total / sr,
        progress=progress,
        cancel=cancel,
        context=context,
        already_excerpted=True,
    )


def hear(audio: np.ndarray, *, sr: int, context: BuildContext | None = None) -> str:
    """:func:`hear_programme` of what :func:`diagnose` would analyse, and nothing else
    measured: what a chain that only chooses its model needs."""
    x = validate_audio(audio)
    return hear_programme(excerpted(x, validate_rate(sr)), sr=sr, context=context)


def hear_file(path: str | os.PathLike[str], *, context: BuildContext | None = None) -> str:
    """:func:`hear` of a file, reading only the excerpts it needs."""
    x, sr, _ = read_excerpts(path)
    return hear_programme(x, sr=sr, context=context)


def read_excerpts(path: str | os.PathLike[str]) -> tuple[np.ndarray, int, int]:
    """The excerpts of a file that the measurements read, joined; its rate and length."""

    with AudioReader(path) as reader:
        sr, total = reader.info.samplerate, reader.info.frames
        pieces = [reader.read(start, length) for start, length in _excerpt_spans(total, sr)]
    return np.concatenate(pieces, axis=1), sr, total


def excerpted(x: np.ndarray, sr: int) -> np.ndarray:
    """``x`` ``(channels, samples)`` as the measurements read it: evenly spaced excerpts
    joined (a short signal as it is, not copied)."""
    spans = _excerpt_spans(x.shape[1], sr)
    if len(spans) > 1:
        return np.concatenate([x[:, s : s + n] for s, n in spans], axis=1)
    return x


def _excerpt_spans(total: int, sr: int) -> list[tuple[int, int]]:
    """``(start, length)`` of evenly spaced excerpts covering at most the analysed budget."""
    budget = int(MAX_ANALYSED_SECONDS * sr)
    if total <= budget:
        return [(0, total)]
    length = int(EXCERPT_SECONDS * sr)
    count = budget // length
    starts = np.linspace(0, total - length, count).astype(int)
    return [(int(s), length) for s in starts]


def _click_pieces(total: int, sr: int) -> list[tuple[int, int]]:
    """``(start, length)`` of the pieces clicks are counted on in ``total`` samples, in
    the order to count them: spread over all of it first, so that a count stopped early
    (:func:`_click_rate`) still samples the whole file.

    The samples are excerpts of :data:`EXCERPT_SECONDS` end to end; each gives its
    middle, so that a join between excerpts never counts as a click, at most
    :data:`CLICK_ANALYSED_SECONDS` in all, cut into pieces of about
    :data:`CLICK_PIECE_SECONDS`.
    """
    budget = CLICK_ANALYSED_SECONDS * sr
    spans = [(0, total)]
    if total > budget:
        length, share = int(EXCERPT_SECONDS * sr), budget / total
        spans = []
        for start in range(0, total, length):
            n = min(length, total - start)
            m = int(n * share)
            if m >= sr // 10:  # not a sliver at the end: too short to judge
                spans.append((start + (n - m) // 2, m))
    piece = int(CLICK_PIECE_SECONDS * sr)
    cut: list[tuple[int, int]] = []
    for start, n in spans:
        count = max(1, round(n / piece))
        edges = np.linspace(start, start + n, count + 1).astype(int)
        cut.extend((int(a), int(b - a)) for a, b in zip(edges[:-1], edges[1:], strict=True))
    # The first and the last, then each next piece farthest from those already taken.
    order = [0, len(cut) - 1] if len(cut) > 1 else [0]
    gap = np.abs(np.arange(len(cut))[:, None] - np.array(order)[None, :]).min(axis=1)
    while len(order) < len(cut):
        order.append(int(np.argmax(gap)))
        gap = np.minimum(gap, np.abs(np.arange(len(cut)) - order[-1]))
    return [cut[i] for i in order]


def _settled(count: int, seconds: float, threshold_per_min: float) -> bool:
    """Whether ``count`` events in ``seconds`` place the rate clearly on one side of
    ``threshold_per_min``: a Poisson count at that rate would fall this low, or this
    high, with a chance under :data:`CLICK_SETTLED_CHANCE`."""
    from scipy.special import pdtr, pdtrc

    expected = threshold_per_min * seconds / 60.0
    below = pdtr(count, expected)  # P(X <= count)
    above = pdtrc(count - 1, expected) if count > 0 else 1.0  # P(X >= count)
    return bool(min(below, above) < CLICK_SETTLED_CHANCE)


def _click_rate(
    x: np.ndarray,
    *,
    sr: int,
    workers: int = 1,
    prepare: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[float, float]:
    """Clicks per minute in ``x`` (excerpts of :data:`EXCERPT_SECONDS` end to end), all
    and those that stand out clearly (:data:`CLEAR_CLICK_STRENGTH`).

    The pieces of :func:`_click_pieces` are counted apart, in their order, until the
    counts settle both decisions (:data:`CLICKS_MIN_PER_MIN` for the clear clicks,
    :data:`CRACKLE_MIN_PER_MIN` for all) after at least
    :data:`CLICK_MIN_ANALYSED_SECONDS`, or the pieces run out. ``workers``: threads
    the channels are searched on; ``prepare``: applied to each piece first (the repairs
    the chain makes before the de-click step).
    """

    clear = CLEAR_CLICK_STRENGTH * DeclickConfig().threshold
    count, clear_count, seconds = 0, 0, 0.0
    for a, m in _click_pieces(x.shape[1], sr):
        piece = x[:, a : a + m]
        if prepare is not None:
            piece = prepare(piece)
        report = detect_clicks(piece, sr=sr, workers=workers)
        count += report.count
        clear_count += int(np.count_nonzero(report.strengths >= clear))
        seconds += m / sr
        if (
            seconds >= CLICK_MIN_ANALYSED_SECONDS
            and _settled(clear_count, seconds, CLICKS_MIN_PER_MIN)
            and _settled(count, seconds, CRACKLE_MIN_PER_MIN)
        ):
            break
    return count / (seconds / 60.0), clear_count / (seconds / 60.0)


def _diagnose(
    x: np.ndarray,
    *,
    sr: int,
    duration_s: float,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    context: BuildContext | None = None,
    already_excerpted: bool = False,
) -> Diagnosis:

    if not already_excerpted:
        x = excerpted(x, sr)
    report = sub_progress(progress, 0.0, 1.0)
    band_config = FeatureConfig()

    # The click count (the costliest measurement) and the clipping check run beside the
    # rest, which takes about as long (on 1 min of 48 kHz stereo 0.27 and 0.29 s alone):
    # large NumPy operations, most of which free the GIL. Those threads are the
    # parallelism: BLAS's own would contend with them, and so would the click count's
    # per channel where that leaves no core free (on 2 cores it cost 5-10 % more
    # processor time and wall time). (Loudness and true peak are not measured here: no
    # repair depends on them, and a report measures the whole file.)
    workers = default_workers()

    def clicks_and_clipping() -> tuple[tuple[float, float], ClipReport]:
        clipping = detect_clipping(x)
        # Clicks are counted on what the de-click step will meet: where the chain
        # de-clips first, the corners of the flat tops (which the click search reads as
        # clicks) are gone by then.
        prepare = None
        if clipping.clipped_fraction >= CLIPPED_MIN_FRACTION:
            prepare = partial(declip, sr=sr)
        return _click_rate(x, sr=sr, workers=max(1, workers - 1), prepare=prepare), clipping

    with (
        single_threaded_blas(),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="seminario-assistant") as pool,
    ):
        beside = pool.submit(clicks_and_clipping) if workers > 1 else None
        snr = estimate_snr_db(x, sr=sr, cancel=cancel)
        report(0.2, "estimating noise")
        spectrum = mean_power_spectrum(x, config=band_config, cancel=cancel)
        report(0.35, "measuring the band")
        edge = programme_edge_hz(x, sr=sr)
        check_cancel(cancel)
        report(0.45, "looking for hum")
        hum = detect_hum(x, sr=sr)
        check_cancel(cancel)
        report(0.6, "looking for clicks")
        (clicks_per_min, clear_per_min), clipping = (
            beside.result() if beside is not None else clicks_and_clipping()
        )
    removal = None
    if math.isfinite(snr) and snr >= NOISY_BELOW_SNR_DB:
        check_cancel(cancel)
        report(0.8, "listening for unsteady noise")
        removal = model_removal_db(x, sr=sr, context=context)
    check_cancel(cancel)
    report(0.9, "listening for speech")
    programme = hear_programme(x, sr=sr, context=context)
    profile = None
    if programme == "music":
        from core.dsp.noise_profile import estimate_noise_profile

        floor = estimate_noise_profile(x, sr=sr)
        snr, removal = floor.snr_db, None
        profile = floor.profile.to_text() if floor.profile is not None else None
    report(1.0, "done")
    return Diagnosis(
        sr=sr,
        channels=int(x.shape[0]),
        duration_s=float(duration_s),
        hum_hz=hum.fundamental_hz,
        hum_level_db=float(hum.level_db),
        clicks_per_min=clicks_per_min,
        clear_clicks_per_min=clear_per_min,
        clipped_fraction=float(clipping.clipped_fraction),
        snr_db=float(snr),
        bandwidth_hz=bandwidth_hz(spectrum, sr=sr, n_fft=band_config.n_fft),
        analysed_seconds=x.shape[1] / sr,
        noise_above_hz=edge,
        model_removal_db=removal,
        programme=programme,
        noise_profile=profile,
    )


def model_removal_db(audio: np.ndarray, *, sr: int, context: BuildContext | None = None) -> float:
    """:meth:`~core.model.inference.Enhancer.removal_db` of the built-in model, at the
    floor the proposed model step uses, for ``audio`` ``(channels, samples)``."""

    bundle = (context or BuildContext()).bundle(DEFAULT_MODEL)
    return Enhancer(bundle, floor_db=MODEL_FLOOR_DB).removal_db(audio, sr=sr)


def hear_programme(audio: np.ndarray, *, sr: int, context: BuildContext | None = None) -> str:
    """``"speech"`` or ``"music"`` (anything that is not speech goes the music-safe way)
    for ``audio`` ``(channels, samples)``: how much less DeepFilterNet3 keeps of its first
    :data:`PROGRAMME_LISTEN_SECONDS` than the mask model does, and where that leaves
    doubt, speech's pauses and rhythm, in the audio or in what DeepFilterNet3 kept of it
    (heavy noise fills the audio's pauses; the speech it keeps still has them)."""
    x = audio.mean(axis=0, keepdims=True)
    x = resample(x, orig_sr=sr, target_sr=_CUE_RATE) if sr != _CUE_RATE else x
    x = x[:, : int(PROGRAMME_LISTEN_SECONDS * _CUE_RATE)]

    listened = _listen(x, sr=_CUE_RATE, context=context)
    if listened is not None and listened.gap_db < PROGRAMME_GAP_SURE_DB:
        return "speech"
    if listened is not None and listened.gap_db >= PROGRAMME_GAP_DB:
        return "music"
    # Between the two, or without the models: speech's pauses and rhythm decide.
    heard = [x] if listened is None else [x, listened.speech_kept]
    return "speech" if any(_has_speech_rhythm(y) for y in heard) else "music"


def _has_speech_rhythm(x: np.ndarray) -> bool:
    pauses, rhythm = speech_rhythm(stft(x, config=_CUE_STFT), sr=_CUE_RATE, hop=_CUE_STFT.hop)
    return pauses >= PROGRAMME_PAUSE_SHARE and rhythm >= PROGRAMME_RHYTHM_SHARE


_CUE_RATE = 16000
_CUE_STFT = StftConfig(n_fft=512, hop=128)  # 8 ms hops: the cues want 100 frames a second


@dataclass(frozen=True)
class _Listened:
    gap_db: float  # how much less of the energy DeepFilterNet3 keeps than the mask model
    speech_kept: np.ndarray  # (1, samples): what DeepFilterNet3 kept


def _listen(audio: np.ndarray, *, sr: int, context: BuildContext | None) -> _Listened | None:
    if not all(resolve_model_path(m).exists() for m in (DFN3_MODEL, DEFAULT_MODEL)):
        return None
    context = context or BuildContext()
    total = float(np.sum(audio.astype(np.float64) ** 2))
    if total <= 0.0:
        return None

    def kept_db(kept: np.ndarray) -> float:
        return 10.0 * math.log10(max(float(np.sum(kept.astype(np.float64) ** 2)) / total, 1e-12))

    runners = (
        Dfn3Runner(context.bundle(DFN3_MODEL)),
        Enhancer(context.bundle(DEFAULT_MODEL), floor_db=MODEL_FLOOR_DB),
    )
    # The two models side by side where a core is free: their runtimes free the GIL.
    with ThreadPoolExecutor(max_workers=min(2, default_workers())) as pool:
        speech, general = (audio - r for r in pool.map(lambda m: m.residual(audio, sr=sr), runners))
    return _Listened(kept_db(general) - kept_db(speech), speech)


def programme_gap_db(
    audio: np.ndarray, *, sr: int, context: BuildContext | None = None
) -> float | None:
    """How much less of the energy of ``audio`` ``(1, samples)`` DeepFilterNet3 keeps than
    the mask model at its floor (:data:`MODEL_FLOOR_DB`), in dB; ``None`` where either is
    not installed or the audio is silent."""
    listened = _listen(audio, sr=sr, context=context)
    return None if listened is None else listened.gap_db


def bandwidth_hz(mean_power: np.ndarray, *, sr: int, n_fft: int) -> float:
    """Highest frequency whose (1/6-octave smoothed) long-term power lies within
    :data:`BANDWIDTH_DROP_DB` of the spectrum's strongest region; Nyquist if all does.

    ``mean_power`` : ``(n_fft // 2 + 1,)`` average power per bin.
    """
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    db = 10 * np.log10(np.maximum(mean_power, 1e-30))
    # Smooth over a sixth of an octave so single partials do not set the band edge.
    csum = np.concatenate([[0.0], np.cumsum(db)])
    idx = np.arange(freqs.size)
    half = np.maximum(1, (idx * (2 ** (1 / 12) - 1)).astype(int))
    lo, hi = np.maximum(idx - half, 0), np.minimum(idx + half + 1, freqs.size)
    smooth = (csum[hi] - csum[lo]) / (hi - lo)
    usable = freqs >= 100.0
    if not usable.any() or not np.isfinite(smooth[usable]).any():
        return sr / 2
    reference = float(np.max(smooth[usable]))
    if reference <= -250:  # digital silence
        return 0.0
    above = np.nonzero(usable & (smooth > reference - BANDWIDTH_DROP_DB))[0]
    if above.size == 0:
        return sr / 2
    edge = float(freqs[above[-1]])
    return sr / 2 if edge >= 0.95 * (sr / 2) else edge


def programme_edge_hz(audio: np.ndarray, *, sr: int, n_fft: int = 1024) -> float | None:
    """Where a band-limited programme ends with only noise above it, else ``None``: a
    :func:`band_cliff` with steady noise above it (:data:`EDGE_STEADY_DB`).

    ``audio`` : ``(channels, samples)``, analysed as the channel mean.
    """
    cliff = band_cliff(audio, sr=sr, n_fft=n_fft)
    if cliff is None or cliff[1] > EDGE_STEADY_DB:
        return None
    return cliff[0]


def band_cliff(audio: np.ndarray, *, sr: int, n_fft: int = 1024) -> tuple[float, float] | None:
    """``(edge_hz, spread_db)`` where the loud frames' spectrum falls onto the floor, else
    ``None``.

    Compares the average spectrum of the loudest 30 % of frames with that of the
    quietest 20 % (the noise floor), smoothed over a third of an octave: the edge is
    the highest frequency where the programme stands 6 dB out of the floor, and it
    counts only as a cliff (see :data:`EDGE_INSIDE_DB`) below 80 % of Nyquist.
    ``spread_db``: in the octave above (from a third of an octave past the edge), how
    far the loudest 1 % of frames stand above the median frame (infinite where that
    octave holds under two bins: steadiness cannot be told there).

    ``audio`` : ``(channels, samples)``, analysed as the channel mean.
    """
    mono = audio.mean(axis=0)
    hop = n_fft // 2
    count = (mono.size - n_fft) // hop
    if count < 20:
        return None
    index = np.arange(count)[:, None] * hop + np.arange(n_fft)
    power = np.abs(np.fft.rfft(mono[index] * np.hanning(n_fft), axis=1)) ** 2
    energy = power.sum(axis=1)
    loud = power[energy >= np.percentile(energy, 70)].mean(axis=0)
    quiet = power[energy <= np.percentile(energy, 20)].mean(axis=0)
    excess = 10 * np.log10(np.maximum(loud, 1e-30) / np.maximum(quiet, 1e-30))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    idx = np.arange(freqs.size)
    half = np.maximum(1, (idx * (2 ** (1 / 6) - 1)).astype(int))
    csum = np.concatenate([[0.0], np.cumsum(excess)])
    lo, hi = np.maximum(idx - half, 0), np.minimum(idx + half + 1, freqs.size)
    smooth = (csum[hi] - csum[lo]) / (hi - lo)
    inside = np.nonzero((freqs >= 200.0) & (smooth > 6.0))[0]
    if inside.size == 0:
        return None
    edge = float(freqs[inside[-1]])
    if edge > 0.8 * (sr / 2):
        return None
    below = float(np.interp(0.8 * edge, freqs, smooth))
    above = float(np.interp(min(1.25 * edge, sr / 2), freqs, smooth))
    if below < EDGE_INSIDE_DB or above > EDGE_OUTSIDE_DB:
        return None
    octave = (freqs >= 1.25 * edge) & (freqs <= min(2.0 * edge, 0.95 * sr / 2))
    if np.count_nonzero(octave) < 2:
        return edge, math.inf
    band = power[:, octave].sum(axis=1)
    spread = float(np.percentile(band, 99)) / max(float(np.median(band)), 1e-30)
    return edge, 10 * float(np.log10(max(spread, 1e-30)))


AUTO_CHOICE = "auto"
"""The built-in choice of model: DeepFilterNet3 for speech, the mask model for the rest."""
DFN3_CHOICE = "dfn3"
MASK_CHOICE = "default"


def model_for(programme: str, model: str) -> str:
    """The model a step asking for ``model`` runs on a ``programme`` (``"speech"`` or
    ``"music"``): :data:`AUTO_CHOICE` becomes DeepFilterNet3 for speech and the mask
    model otherwise; any other name or path is taken as given."""
    if model != AUTO_CHOICE:
        return model
    return DFN3_CHOICE if programme == "speech" else MASK_CHOICE


def resolve_model_steps(chain: ChainConfig, programme: str) -> ChainConfig:
    """``chain`` with each ``{"model": "auto"}`` step made concrete for ``programme``. A
    reduction limit of -100 dB (none, the step's default) becomes the mask model's
    tested floor (:data:`MODEL_FLOOR_DB`) where the mask model runs."""

    steps = []
    for step in chain.steps:
        if step.type == "model" and step.params.get("model") == AUTO_CHOICE:
            chosen = model_for(programme, AUTO_CHOICE)
            params = {**step.params, "model": chosen}
            if chosen == MASK_CHOICE and float(params.get("floor_db", -100.0)) <= -100.0:
                params["floor_db"] = MODEL_FLOOR_DB
            step = StepSpec(step.type, params, step.bypass)
        steps.append(step)
    return ChainConfig(steps, chain.name, chain.description, adaptive=chain.adaptive)


def propose_chain(diagnosis: Diagnosis, *, model: str = AUTO_CHOICE) -> ChainConfig:
    """The chain that repairs what ``diagnosis`` found, in the order that works best:
    clipping first, on the samples as they came (any filter, even the DC removal,
    bends the flat tops the de-clipper rebuilds), then DC, then clicks (clipping and
    clicks break the noise models), then hum, then noise
    (light steady hiss first when it lies above a band-limited programme, then the model),
    then a low-pass when only noise lies above the programme's band. The noise step runs
    ``model`` (:func:`model_for`: by default DeepFilterNet3 on speech, the mask model on
    music).
    A limiter closes the chain when de-clipping may push peaks past full scale.
    Clean input gets only DC removal, so it passes essentially untouched.

    Returns
    -------
    :class:`~core.chain.ChainConfig` named ``auto``.
    """

    kinds = {f.kind: f for f in diagnosis.findings()}
    steps = []
    params: dict[str, Any]
    if "clipping" in kinds:
        # Before the DC removal: its drift filter leaves no two clipped samples equal,
        # and the de-clipper finds clipping as runs of equal peaks (on the quality
        # benchmark's clipped speech it rebuilt next to nothing after it).
        steps.append(StepSpec("declip", {"headroom_db": 1.0}))
    steps.append(StepSpec("dc"))
    if "crackle" in kinds:
        steps.append(StepSpec("declick", {"mode": "crackle", "threshold": 6.0}))
    elif "clicks" in kinds:
        steps.append(StepSpec("declick", {"mode": "clicks", "threshold": 8.0}))
    if "hum" in kinds:
        mains = "50" if diagnosis.hum_hz is not None and diagnosis.hum_hz < 55 else "60"
        steps.append(StepSpec("dehum", {"mains": mains, "harmonics": 12}))
    profiled = "noise" in kinds and diagnosis.noise_profile is not None and model == AUTO_CHOICE
    if profiled:
        # Music: its steady noise, full band at its own rate, from one profile for the
        # whole recording (docs/benchmarks.md, "Music, full band"); above the music's
        # band too, so no low-pass cuts what the music has there.
        steps.append(
            StepSpec("profile", {"profile": diagnosis.noise_profile, **MUSIC_NOISE_PARAMS})
        )
    elif "noise" in kinds:
        chosen = model_for(diagnosis.programme, model)
        if chosen == DFN3_CHOICE:
            # Speech: DeepFilterNet3 alone, at its own defaults; it takes any noise,
            # steady or not, above a band edge or not; light noise only down to a limit.
            params = {"model": chosen}
            if not diagnosis.snr_db < LIGHT_NOISE_SNR_DB:  # NaN (silence) too
                params["floor_db"] = -LIGHT_NOISE_LIMIT_DB
            steps.append(StepSpec("model", params))
        else:
            params = {"model": chosen, "floor_db": MODEL_FLOOR_DB}
            if "noise_above_band" in kinds and diagnosis.snr_db >= HISS_STEP_MIN_SNR_DB:
                # Noise above a band-limited programme came after the band limit: channel
                # hiss (tape, transmission), steady, so a noise profile removes it better
                # than the model, weakest on band-limited input (old broadcast PESQ 2.5 ->
                # 3.0).
                steps.append(StepSpec("hiss"))
            else:
                # The model takes out steady noise first where it vouches for the noise
                # profile, or the audio has speech's pauses and rhythm and reads noisy
                # (not music): see core.model.inference.Enhancer.
                params["pre_clean_db"] = MODEL_PRE_CLEAN_DB
                if chosen == "default":
                    # Where that cut runs, the built-in speech-in-noise model gives the mask.
                    params["speech_model"] = "built-in"
            steps.append(StepSpec("model", params))
    if "noise_above_band" in kinds and diagnosis.noise_above_hz is not None and not profiled:
        cutoff = min(LOWPASS_MARGIN * diagnosis.noise_above_hz, 0.95 * diagnosis.sr / 2)
        steps.append(StepSpec("lowpass", {"cutoff_hz": round(cutoff, 1)}))
    if "clipping" in kinds:
        steps.append(StepSpec("limiter", {"ceiling_dbtp": -0.5, "release_ms": 50.0}))
    words = ", ".join(kinds) if kinds else "nothing to repair"
    heard = f" for {diagnosis.programme}" if diagnosis.programme in ("speech", "music") else ""
    return ChainConfig.from_dict(
        {
            "name": "auto",
            "description": f"Proposed by the repair assistant{heard}: {words}.",
            "steps": [s.to_dict() for s in steps],
        }
    )


def adapt_chain(
    chain: ChainConfig,
    diagnose: Callable[[], Any],
    hear: Callable[[], str] | None = None,
) -> ChainConfig:
    """``chain`` itself; for an adaptive chain the assistant's proposal for the input that
    ``diagnose()`` measures; for a chain with ``{"model": "auto"}`` steps, those steps made
    concrete for the programme ``hear()`` (by default the diagnosis) hears. Each is called
    only when needed."""
    if chain.adaptive:
        return propose_chain(diagnose(), model=chain.model)
    if chain.chooses_model:
        programme = hear() if hear is not None else diagnose().programme
        return resolve_model_steps(chain, programme)
    return chain
