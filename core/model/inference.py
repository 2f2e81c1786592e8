"""Apply a model bundle to audio of any length, rate and channel count."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.audio.resample import resample
from core.audio.validate import validate_audio, validate_rate
from core.dsp.blockwise import array_reader, process_blocks
from core.dsp.stft import istft, stft
from core.dsp.wiener import WienerConfig, quietest_frames, reduce_steady_noise
from core.errors import ConfigError
from core.features import estimate_snr_db
from core.model.bundle import DFN3_FAMILY, NO_FLOOR_DB, ModelBundle
from core.model.dfn3.runner import Dfn3Runner
from core.model.spectral import LOG_FLOOR, log_power
from core.progress import CancelToken, ProgressCallback, check_cancel
from core.strength import check_strength, mix
from core.workers import default_workers


@dataclass(frozen=True)
class EnhanceResult:
    """``restored = original - residual``, ``residual`` what ``strength`` took out; both
    ``(channels, samples)``."""

    restored: np.ndarray
    residual: np.ndarray


class Enhancer:
    """Runs a bundle's mask estimator on blocks of audio at the caller's rate.

    ``residual(block)`` returns what the model removes from the block. The model
    works at its own rate: the block is resampled in, and only the removed part is
    resampled back, so content above the model's band passes through untouched.

    With ``linked`` (the default) the channels of a multichannel block share one
    mask, estimated from their mean power: the stereo image cannot wander, and the
    model runs once per block instead of once per channel.

    With ``pre_clean_db`` above 0, steady noise is first taken out by
    :func:`~core.dsp.wiener.reduce_steady_noise` (at most that deep), and the model
    runs again on the result — but only as far as the model vouches for the Wiener
    filter's noise profile, the quietest frames: the depth ramps from nothing where
    the model keeps :data:`PRE_CLEAN_TRUST_DB` of those frames' power to the full
    ``pre_clean_db`` :data:`PRE_CLEAN_RAMP_DB` lower. In speech the quietest frames
    are pauses full of noise, which the model removes; in music they are quiet music,
    which it keeps, and a noise profile taken from them would take the music away. Some
    everyday noises (a cafe, dishes) the model keeps in speech's pauses as well: where a
    block has speech's pauses and syllable rhythm and reads noisy, the pre-clean runs in
    full (:func:`speech_rhythm`, :data:`SPEECH_NOISY_BELOW_SNR_DB`; ``hear_speech=False``
    leaves the judgement to the model alone, for comparison).

    With a ``speech_bundle`` (same spectral settings), the mask on the pre-cleaned audio
    comes from it instead: a model trained harder on speech in noise, better there than
    the bundle and worse on music and clean speech, which the pre-clean's judgement
    keeps away from it. Without the pre-clean it is never used.
    """

    def __init__(
        self,
        bundle: ModelBundle,
        *,
        floor_db: float | None = None,
        extend_highs: bool = True,
        linked: bool = True,
        pre_clean_db: float = 0.0,
        speech_bundle: ModelBundle | None = None,
        hear_speech: bool = True,
    ) -> None:
        if speech_bundle is not None and speech_bundle.meta.spectral != bundle.meta.spectral:
            raise ConfigError("the speech model must work at the same rate and frames as the model")
        self.bundle = bundle
        self.margin_s = 0.5  # context either side of a block: the mask's STFT and chunks
        self.speech_bundle = speech_bundle
        self.extend_highs = extend_highs
        self.linked = linked
        self.pre_clean_db = pre_clean_db
        self.hear_speech = hear_speech
        # Depth used on the last block, for reports and tests (with blocks on several
        # threads, on whichever finished last).
        self.last_pre_clean_db = 0.0
        self.meta = bundle.meta
        floor = self.meta.mask_floor_db if floor_db is None else floor_db
        self._floor = float(10 ** (floor / 20))

    def mask(self, features: np.ndarray, bundle: ModelBundle | None = None) -> np.ndarray:
        """Gain mask of ``bundle`` (by default the enhancer's) for normalised features
        ``(batch, frames, bins)``.

        Long inputs are cut into overlapping chunks run as one batch: a recurrent
        layer then takes a few hundred steps on a wide batch instead of thousands
        on one row (several times faster on a CPU). Each chunk sees
        :data:`MASK_CONTEXT_FRAMES` beyond the part of it that is kept, more than
        the 100-frame segments the models are trained on.
        """
        bundle = bundle or self.bundle
        batch, frames, bins = features.shape
        core, ctx = MASK_CHUNK_FRAMES, MASK_CONTEXT_FRAMES
        if frames <= core + 2 * ctx:
            return bundle.predict(features)
        count = -(-frames // core)
        padded = np.pad(features, ((0, 0), (ctx, count * core - frames + ctx), (0, 0)))
        chunks = np.lib.stride_tricks.sliding_window_view(padded, core + 2 * ctx, axis=1)
        chunks = chunks[:, ::core][:, :count]  # (batch, count, bins, core + 2 ctx)
        stacked = np.ascontiguousarray(chunks.transpose(0, 1, 3, 2)).reshape(
            batch * count, core + 2 * ctx, bins
        )
        masks = bundle.predict(stacked)[:, ctx : ctx + core]
        return masks.reshape(batch, count * core, bins)[:, :frames]

    def _gain(self, audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """STFT ``(channels, frames, bins)`` of the model-rate signal the gain applies to
        (``audio``, or ``audio`` after the pre-clean) and the floored mask
        (``(1, frames, bins)`` when linked, broadcasting over the channels)."""
        spec = stft(audio, config=self.meta.spectral.stft)
        mask = None
        self.last_pre_clean_db = 0.0
        if self.pre_clean_db > 0:
            sr, hop = self.meta.spectral.sample_rate, self.meta.spectral.stft.hop
            # Speech in noise gets the full depth whatever the model keeps of its quiet
            # frames, so it is heard first: the model's mask would only be thrown away
            # (one of the step's two model passes).
            if self.hear_speech and _speech_in_noise(audio, spec, sr=sr, hop=hop):
                trust = 1.0
            else:
                mask = self._spectrum_mask(spec)
                trust = _trust(spec, mask)
            depth = self.pre_clean_db * trust
            if depth >= 1.0:
                # The filter's frames are the model's (32 ms, hop 8 ms): reuse the STFT.
                same = WienerConfig().stft_config(sr) == self.meta.spectral.stft
                audio = pre_clean(audio, sr=sr, depth_db=depth, spec=spec if same else None)
                spec = stft(audio, config=self.meta.spectral.stft)
                mask = self._spectrum_mask(spec, self.speech_bundle)
                self.last_pre_clean_db = depth
        if mask is None:
            mask = self._spectrum_mask(spec)
        return spec, np.maximum(mask, self._floor)

    def _spectrum_mask(self, spec: np.ndarray, bundle: ModelBundle | None = None) -> np.ndarray:
        """Mask of ``bundle`` (by default the enhancer's) for ``spec`` ``(channels, frames,
        bins)``: one for all channels from their mean power when linked."""
        bundle = bundle or self.bundle
        norm = bundle.meta.feature_norm
        if self.linked and spec.shape[0] > 1:
            power = np.mean(np.abs(spec) ** 2, axis=0, keepdims=True)
            features = norm.apply(np.log10(power + LOG_FLOOR).astype(np.float32))
        else:
            features = norm.apply(log_power(spec))
        return self.mask(features, bundle)

    def removal_db(self, audio: np.ndarray, *, sr: int) -> float:
        """Share of the energy of ``audio`` ``(channels, samples)`` at ``sr`` that the mask
        takes out (in the model's band, without the pre-clean), in dB; ``-inf`` for
        silence. Near -60 dB on clean studio speech; above -25 dB the model hears noise.
        """
        model_sr = self.meta.spectral.sample_rate
        x = audio if sr == model_sr else resample(audio, orig_sr=sr, target_sr=model_sr)
        spec = stft(x, config=self.meta.spectral.stft)
        mask = self._spectrum_mask(spec)
        power = spec.real**2 + spec.imag**2
        total = float(power.sum(dtype=np.float64))
        if total <= 0.0:
            return float("-inf")
        removed = float(
            np.sum(power * (1.0 - np.maximum(mask, self._floor)) ** 2, dtype=np.float64)
        )
        return 10.0 * float(np.log10(max(removed, total * 1e-30) / total))

    def enhance_model_rate(self, audio: np.ndarray) -> np.ndarray:
        """Enhanced version of ``audio`` ``(channels, n)`` already at the model's rate."""
        spec, gain = self._gain(audio)
        return istft(spec * gain, config=self.meta.spectral.stft, length=audio.shape[1])

    def residual(self, block: np.ndarray, *, sr: int) -> np.ndarray:
        """What the model removes from ``block`` ``(channels, n)`` at rate ``sr``.

        Above the model's band (at higher input rates) there is no prediction. With
        ``extend_highs`` the gain of the model's top band (:data:`HIGH_BAND_REFERENCE_HZ`)
        is applied there per frame, so hiss is reduced across the whole spectrum while
        highs that come with the programme (where the top band is kept) pass; without
        it everything above the model's band passes untouched.
        """
        settings = self.meta.spectral
        model_sr = settings.sample_rate
        if sr == model_sr:
            return (block - self.enhance_model_rate(block)).astype(np.float32)
        n, channels = block.shape[1], block.shape[0]
        x = resample(block, orig_sr=sr, target_sr=model_sr)
        spec, gain = self._gain(x)
        removed_low = x - istft(spec * gain, config=settings.stft, length=x.shape[1])
        # Back at soxr's 20-bit quality (images about 120 dB down, far below what the
        # mask changes): about 40 % faster than 28-bit.
        if not (sr > model_sr and self.extend_highs):
            back = resample(removed_low, orig_sr=model_sr, target_sr=sr, quality="HQ")
            return _fit_length(back, n)
        # The band above the model's is what the round trip to its rate loses: exactly
        # complementary to the resampled path, and one resampling of two more channels
        # costs a third of an FFT pair over the whole block.
        both = np.concatenate([removed_low, x])
        back = resample(both, orig_sr=model_sr, target_sr=sr, quality="HQ")
        removed = _fit_length(back[:channels], n)
        high = block - _fit_length(back[channels:], n)
        return removed + high * self._high_band_removal(gain, sr=sr, length=n)

    def _high_band_removal(self, gain: np.ndarray, *, sr: int, length: int) -> np.ndarray:
        """Share of the band above the model's to remove at each of ``length`` samples at
        ``sr``: one minus the model's top-band gain, interpolated from its frames;
        ``(channels or 1, length)`` float32."""
        settings = self.meta.spectral
        model_sr, hop = settings.sample_rate, settings.stft.hop
        freqs = np.fft.rfftfreq(settings.stft.n_fft, 1.0 / model_sr)
        top = (freqs >= HIGH_BAND_REFERENCE_HZ[0] * model_sr) & (
            freqs <= HIGH_BAND_REFERENCE_HZ[1] * model_sr
        )
        # Power-domain mean: the share of the top band's energy the model keeps.
        frame_gain = np.sqrt(np.mean(gain[:, :, top] ** 2, axis=-1))  # (channels, frames)
        frame_samples = np.arange(frame_gain.shape[1]) * (hop * sr / model_sr)
        samples = np.arange(length, dtype=np.float64)
        g = np.stack([np.interp(samples, frame_samples, fg) for fg in frame_gain])
        return (1.0 - g).astype(np.float32)


def pre_clean(
    audio: np.ndarray, *, sr: int, depth_db: float, spec: np.ndarray | None = None
) -> np.ndarray:
    """``audio`` ``(channels, samples)`` after the model step's steady-noise cut at
    ``depth_db`` (what the speech-in-noise model then sees; training mixes it the same
    way, :class:`core.data.mixing.PreCleanedStream`). ``spec`` as for
    :func:`~core.dsp.wiener.reduce_steady_noise`."""
    return reduce_steady_noise(audio, sr=sr, config=WienerConfig(reduction_db=depth_db), spec=spec)


PRE_CLEAN_TRUST_DB = -4.0
"""Share of the quietest frames' power the model keeps (dB) above which the pre-clean is
off. Measured with the built-in model: clean music -0.1..-0.6 dB and music in noise
-0.6..-2.0 on the quality benchmark's files, speech in real noise -1.3..-22 (33 of 41
files below -3); over 71 other music excerpts, clean and in real noise at 10 and 20 dB,
4 of 213 pass this mark, none clean (bench/pre_clean.py)."""
PRE_CLEAN_RAMP_DB = 4.0
"""How far below :data:`PRE_CLEAN_TRUST_DB` the pre-clean reaches its full depth."""


def _trust(spec: np.ndarray, mask: np.ndarray) -> float:
    """0..1: how far the model removes the frames the Wiener filter would learn its noise
    profile from, in ``spec`` ``(c, frames, bins)`` with ``mask`` (before the floor),
    mapped through the pre-clean ramp."""
    power = np.mean(spec.real**2 + spec.imag**2, axis=0)  # (frames, bins)
    kept = np.mean(np.broadcast_to(mask, spec.shape) ** 2, axis=0) * power
    energy = power.sum(axis=1)
    quiet = quietest_frames(energy, WienerConfig().quiet_fraction)
    if quiet is None:
        return 0.0
    kept_db = 10 * np.log10(max(float(kept[quiet].sum()), 1e-30) / float(energy[quiet].sum()))
    return float(np.clip((PRE_CLEAN_TRUST_DB - kept_db) / PRE_CLEAN_RAMP_DB, 0.0, 1.0))


SPEECH_LOW_ENERGY_SHARE = 0.3
"""Share of frames below half their second's mean level (the low short-time energy
ratio of Lu, Zhang & Jiang 2002) from which a block has speech's pauses. Measured on
10-s clips at 16 kHz (``docs/benchmarks.md``): training-side speech in real noise at
0-15 dB whose quietest frames the model keeps 0.29-0.56, clean speech 0.33-0.59, music
clean and in noise 0.00-0.37 (95 % below 0.19)."""
SPEECH_MODULATION_SHARE = 0.35
"""Share of the band envelopes' modulation (0.5-32 Hz) at the syllable rate (2.5-8 Hz,
Scheirer & Slaney 1997) from which a block has speech's rhythm. Same clips: speech in
noise 0.35-0.63, music 0.16-0.51 (95 % below 0.47); no music excerpt passed both."""
SPEECH_NOISY_BELOW_SNR_DB = 30.0
"""Blind SNR (:func:`~core.features.estimate_snr_db`) below which speech-like audio is
taken as speech in noise: the pre-clean runs in full however much the model keeps of
its quietest frames. Clean training-side speech read 12-56 dB (12 of 58 clips below)."""
_SPEECH_BANDS_HZ = (300.0, 600.0, 1200.0, 2400.0, 4000.0)


def _speech_in_noise(audio: np.ndarray, spec: np.ndarray, *, sr: int, hop: int) -> bool:
    """Whether ``audio`` ``(channels, n)`` at ``sr`` (``spec`` its STFT, ``(channels,
    frames, bins)``, hop ``hop``) has the pauses and syllable rhythm of speech
    (:data:`SPEECH_LOW_ENERGY_SHARE`, :data:`SPEECH_MODULATION_SHARE`) and reads noisy
    (:data:`SPEECH_NOISY_BELOW_SNR_DB`).

    The model keeps the quietest frames of speech in some everyday noises (a cafe,
    dishes, friction), which it cannot tell from quiet music; there the pre-clean with
    the speech model gained 0.3 PESQ on training-side clips. Music lacks the pauses.
    """
    low_share, modulation_share = speech_rhythm(spec, sr=sr, hop=hop)
    if low_share < SPEECH_LOW_ENERGY_SHARE or modulation_share < SPEECH_MODULATION_SHARE:
        return False
    return estimate_snr_db(audio, sr=sr) < SPEECH_NOISY_BELOW_SNR_DB


def speech_rhythm(spec: np.ndarray, *, sr: int, hop: int) -> tuple[float, float]:
    """Two classic speech/music cues of ``spec`` ``(channels, frames, bins)`` (STFT at
    ``sr``, hop ``hop``, a frame rate near 100 Hz or more), from the power in four bands
    of 300-4000 Hz (octaves, the last 2.4-4 kHz): the share of frames below half the
    mean level of their second (speech pauses), and the median share of the band
    envelopes' modulation at 2.5-8 Hz over 2-s windows (syllables). ``(0.0, 0.0)``
    under 2 s."""
    frame_rate = sr / hop
    freqs = np.linspace(0.0, sr / 2, spec.shape[-1])
    power = np.mean(spec.real**2 + spec.imag**2, axis=0)  # (frames, bins)
    bands = np.stack(
        [
            power[:, (freqs >= lo) & (freqs < hi)].sum(axis=1)
            for lo, hi in zip(_SPEECH_BANDS_HZ[:-1], _SPEECH_BANDS_HZ[1:], strict=True)
        ]
    )  # (4, frames)
    window = int(round(2.0 * frame_rate))
    if bands.shape[1] < window:
        return 0.0, 0.0
    level = np.sqrt(bands.sum(axis=0))
    second = window // 2
    seconds = level[: level.size // second * second].reshape(-1, second)
    low_share = float(np.mean(seconds < 0.5 * seconds.mean(axis=1, keepdims=True)))
    starts = np.arange(0, bands.shape[1] - window + 1, second)
    envelopes = np.sqrt(bands)[:, starts[:, None] + np.arange(window)]  # (4, windows, window)
    envelopes = envelopes / (envelopes.mean(axis=-1, keepdims=True) + 1e-12) - 1.0
    spectrum = np.abs(np.fft.rfft(envelopes * np.hanning(window), axis=-1)) ** 2
    fm = np.fft.rfftfreq(window, 1.0 / frame_rate)
    syllables = spectrum[..., (fm >= 2.5) & (fm <= 8.0)].sum(axis=-1)
    total = spectrum[..., (fm >= 0.5) & (fm <= 32.0)].sum(axis=-1)
    return low_share, float(np.median(syllables / (total + 1e-20)))


MASK_CHUNK_FRAMES = 400
"""Frames of mask kept from each chunk the model runs on (3.2 s at 16 kHz, hop 128)."""
MASK_CONTEXT_FRAMES = 64
"""Frames of context either side of each chunk, computed and dropped."""

HIGH_BAND_REFERENCE_HZ = (0.34, 0.47)
"""Band of the model's spectrum (fractions of its rate: 5.4–7.5 kHz at 16 kHz) whose gain
extends above the model's band."""


def _fit_length(x: np.ndarray, n: int) -> np.ndarray:
    if x.shape[1] >= n:
        return x[:, :n]
    return np.pad(x, ((0, 0), (0, n - x.shape[1])))


def enhance(
    audio: np.ndarray,
    *,
    sr: int,
    bundle: ModelBundle,
    strength: float = 1.0,
    block_seconds: float = 20.0,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> EnhanceResult:
    """Denoise ``audio`` with ``bundle`` in overlapping blocks.

    Parameters
    ----------
    audio : float32 ``(channels, samples)`` at ``sr`` Hz
    strength : 0 returns the input, 1 the full model output
    block_seconds : processing block length; memory grows with it, not with the file

    Returns
    -------
    :class:`EnhanceResult` with ``restored`` and ``residual`` shaped like ``audio``.
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    check_strength(strength)
    enhancer = remover(bundle)
    total = audio.shape[1]
    residual = np.zeros_like(audio)
    block, margin = max(int(block_seconds * sr), 1), int(enhancer.margin_s * sr)
    for start, piece in process_blocks(
        array_reader(audio),
        total,
        lambda b: enhancer.residual(b, sr=sr),
        block=block,
        margin=margin,
        crossfade=int(0.05 * sr),
        workers=default_workers(),
    ):
        check_cancel(cancel)
        residual[:, start : start + piece.shape[1]] = piece
        if progress is not None:
            progress((start + piece.shape[1]) / total, "restoring")
    restored, removed = mix(audio - residual, residual, strength=strength)
    return EnhanceResult(restored=restored, residual=removed)


def remover(bundle: ModelBundle, *, floor_db: float | None = None) -> Enhancer | Dfn3Runner:
    """What runs ``bundle``'s family on audio: anything with ``residual(block, sr=)`` and
    the context ``margin_s`` (seconds) a block needs either side. ``floor_db`` limits the
    reduction (``None``: the model's own default)."""
    if bundle.meta.family == DFN3_FAMILY:
        limit = None if floor_db is None or floor_db <= NO_FLOOR_DB else -floor_db
        return Dfn3Runner(bundle, limit_db=limit)
    return Enhancer(bundle, floor_db=floor_db)
