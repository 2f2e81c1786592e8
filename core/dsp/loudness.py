"""Level measurement (peak, RMS, ITU-R BS.1770-4 loudness) and normalisation gains.

:class:`LoudnessMeter` is streaming: it takes consecutive blocks of any size and
keeps only the K-weighting filter state plus one number per 100 ms, so a
two-hour file can be measured block by block without loading it. Its results
agree with ``pyloudnorm`` (it uses pyloudnorm's K-weighting coefficients).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pyloudnorm

from core.audio.io import AudioReader
from core.audio.validate import validate_audio, validate_rate
from core.errors import ConfigError, InvalidAudioError
from core.progress import CancelToken, ProgressCallback, check_cancel

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
MAX_GAIN_DB = 40.0
"""Largest gain normalising applies by default (dB): near-silent input stays near-silent."""
#: Largest correction :func:`match_gain` makes, in dB: enough for any restoration's level
#: change, small enough that a near-silent buffer is not lifted into a blast.
MAX_MATCH_GAIN_DB = 12.0
_COMPARISON_EXCERPT_S = 5.0
_COMPARISON_EXCERPTS = 12  # at most 60 s of audio is measured per buffer
_HOPS_PER_SECOND = 10  # 100 ms hops
_HOPS_PER_BLOCK = 4  # 400 ms gating blocks, 75 % overlap


def peak_dbfs(audio: np.ndarray) -> float:
    """Sample peak over all channels in dBFS (full scale = 1.0); ``-inf`` for silence.

    Parameters
    ----------
    audio : np.ndarray
        float ``(channels, samples)``; a 1-D array is taken as mono.
    """
    audio = validate_audio(audio)
    peak = float(np.max(np.abs(audio)))
    return 20.0 * math.log10(peak) if peak > 0.0 else -math.inf


def rms_dbfs(audio: np.ndarray) -> float:
    """RMS over all channels and samples in dBFS; ``-inf`` for silence.

    A full-scale sine measures -3.01 dBFS (no +3 dB "AES" correction).

    Parameters
    ----------
    audio : np.ndarray
        float ``(channels, samples)``; a 1-D array is taken as mono.
    """
    audio = validate_audio(audio)
    mean_square = float(np.mean(np.square(audio, dtype=np.float64)))
    return 10.0 * math.log10(mean_square) if mean_square > 0.0 else -math.inf


def _default_weights(channels: int) -> list[float]:
    """BS.1770 channel weights for the usual channel orders.

    1-4 channels: all 1.0. 5 channels (L R C Ls Rs, pyloudnorm's order): surrounds
    1.41. 6 or more (SMPTE L R C LFE Ls Rs ...): LFE excluded, the rest surrounds 1.41.
    """
    if channels <= 4:
        return [1.0] * channels
    if channels == 5:
        return [1.0, 1.0, 1.0, 1.41, 1.41]
    return [1.0, 1.0, 1.0, 0.0] + [1.41] * (channels - 4)


def _k_weighting_sos(sr: int) -> np.ndarray:
    """pyloudnorm's two K-weighting biquads (high shelf, then high pass) as SOS rows."""
    filters = pyloudnorm.Meter(sr)._filters
    rows = []
    for name in ("high_shelf", "high_pass"):
        stage = filters[name]
        b, a = np.asarray(stage.b, dtype=np.float64), np.asarray(stage.a, dtype=np.float64)
        rows.append(np.concatenate([b / a[0], a / a[0]]))
    return np.array(rows)


class LoudnessMeter:
    """Streaming ITU-R BS.1770-4 integrated loudness (LUFS).

    Feed consecutive blocks with :meth:`update`, then read :meth:`integrated`
    (it can be read at any time and updating may continue afterwards).

    Parameters
    ----------
    sr : int
        Sample rate in Hz.
    channels : int
        Number of channels every block has.
    weights : sequence of float, optional
        Per-channel weights; by default 1.0 for up to 4 channels, L R C Ls Rs =
        1, 1, 1, 1.41, 1.41 for 5 and the LFE (4th channel) excluded for 6 or more.

    Notes
    -----
    Gating blocks are 400 ms long every 100 ms; hop ``k`` spans samples
    ``[k * sr // 10, (k + 1) * sr // 10)``. Only complete blocks are measured, so
    a signal shorter than 400 ms measures ``-inf``.
    """

    def __init__(self, *, sr: int, channels: int, weights: Sequence[float] | None = None) -> None:
        self.sr = validate_rate(sr)
        if isinstance(channels, bool) or not isinstance(channels, (int, np.integer)):
            raise ConfigError(f"channels must be an integer, got {channels!r}")
        if not 1 <= channels <= 64:
            raise ConfigError(f"channels must be from 1 to 64, got {channels}")
        self.channels = int(channels)
        w = _default_weights(self.channels) if weights is None else [float(g) for g in weights]
        if len(w) != self.channels or not all(math.isfinite(g) and g >= 0.0 for g in w):
            raise ConfigError(
                f"weights must be {self.channels} non-negative numbers, got {weights!r}"
            )
        self._weights = np.asarray(w, dtype=np.float64)
        self._sos = _k_weighting_sos(self.sr)
        self.reset()

    def reset(self) -> None:
        """Forget everything measured so far."""
        self._zi = np.zeros((self._sos.shape[0], self.channels, 2), dtype=np.float64)
        self._samples = 0  # samples consumed
        self._hops_done = 0  # completed 100 ms hops
        self._partial = 0.0  # weighted energy of the hop in progress
        # Energies and lengths of the last (up to) 3 completed hops, to start the next block.
        self._recent_energy = np.zeros(0, dtype=np.float64)
        self._recent_length = np.zeros(0, dtype=np.float64)
        # Channel-weighted mean square of every gating block (one float per 100 ms).
        self._blocks: list[float] = []

    @property
    def samples(self) -> int:
        """Samples per channel fed so far."""
        return self._samples

    def _boundary(self, k: np.ndarray | int) -> np.ndarray:
        return np.asarray(k, dtype=np.int64) * self.sr // _HOPS_PER_SECOND

    def update(self, block: np.ndarray) -> None:
        """Add the next ``block``, float ``(channels, n)`` (1-D for mono); ``n`` may be 0."""
        from scipy.signal import sosfilt  # here: a restore without a loudness step needs none

        if np.ndim(block) in (1, 2) and np.shape(block)[-1] == 0:
            return
        block = validate_audio(block, name="block")
        if block.shape[0] != self.channels:
            raise InvalidAudioError(
                f"block has {block.shape[0]} channels; this meter measures {self.channels}"
            )
        n = block.shape[1]
        filtered, self._zi = sosfilt(self._sos, block.astype(np.float64), axis=-1, zi=self._zi)
        power = self._weights @ np.square(filtered)  # (n,)

        start, end = self._samples, self._samples + n
        # Hop boundaries that fall in (start, end].
        most = n // (self.sr // _HOPS_PER_SECOND) + 2  # hops are at least sr // 10 long
        ks = np.arange(self._hops_done + 1, self._hops_done + 1 + most)
        bounds = self._boundary(ks)
        bounds = bounds[bounds <= end]
        rel = bounds - start
        cuts = rel[rel < n]
        sums = np.add.reduceat(power, np.concatenate(([0], cuts)))
        m = len(rel)
        if m == 0:
            self._partial += float(sums[0])
        else:
            completed = sums[:m].copy()
            completed[0] += self._partial
            self._partial = float(sums[m]) if len(sums) > m else 0.0
            lengths = np.diff(self._boundary(np.arange(self._hops_done, self._hops_done + m + 1)))
            self._hops_done += m
            self._add_hops(completed, lengths.astype(np.float64))
        self._samples = end

    def _add_hops(self, energy: np.ndarray, length: np.ndarray) -> None:
        energy = np.concatenate((self._recent_energy, energy))
        length = np.concatenate((self._recent_length, length))
        if len(energy) >= _HOPS_PER_BLOCK:
            window = np.lib.stride_tricks.sliding_window_view
            e = window(energy, _HOPS_PER_BLOCK).sum(axis=1)
            n = window(length, _HOPS_PER_BLOCK).sum(axis=1)
            self._blocks.extend((e / n).tolist())
        keep = _HOPS_PER_BLOCK - 1
        self._recent_energy, self._recent_length = energy[-keep:], length[-keep:]

    def block_loudness(self) -> np.ndarray:
        """Ungated loudness of every 400 ms block so far in LUFS (``-inf`` for silence)."""
        z = np.asarray(self._blocks, dtype=np.float64)
        with np.errstate(divide="ignore"):
            return -0.691 + 10.0 * np.log10(z)

    def level_db(self) -> float:
        """:meth:`integrated`, as the other level meters name their reading."""
        return self.integrated()

    def integrated(self) -> float:
        """Gated integrated loudness in LUFS; ``-inf`` if no block passes the gates."""
        if not self._blocks:
            return -math.inf
        z = np.asarray(self._blocks, dtype=np.float64)
        loudness = self.block_loudness()
        above_absolute = loudness >= ABSOLUTE_GATE_LUFS
        if not np.any(above_absolute):
            return -math.inf
        relative = -0.691 + 10.0 * math.log10(float(np.mean(z[above_absolute])))
        relative += RELATIVE_GATE_LU
        gated = (loudness > relative) & (loudness > ABSOLUTE_GATE_LUFS)
        if not np.any(gated):
            return -math.inf
        return -0.691 + 10.0 * math.log10(float(np.mean(z[gated])))


def integrated_loudness(audio: np.ndarray, *, sr: int) -> float:
    """BS.1770-4 integrated loudness of an in-memory signal in LUFS.

    Parameters
    ----------
    audio : np.ndarray
        float ``(channels, samples)``; a 1-D array is taken as mono.
    sr : int
        Sample rate in Hz.

    Returns
    -------
    float
        LUFS, or ``-inf`` for silence or signals shorter than 400 ms.
    """
    audio = validate_audio(audio)
    meter = LoudnessMeter(sr=sr, channels=audio.shape[0])
    meter.update(audio)
    return meter.integrated()


def file_loudness(
    path: str | os.PathLike[str],
    *,
    block_seconds: float = 10.0,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> float:
    """Integrated loudness of an audio file in LUFS, read block by block.

    Memory use is independent of the file's length.

    Raises
    ------
    AudioFormatError
        The file cannot be read.
    Cancelled
        ``cancel`` was set.
    """
    if not (math.isfinite(block_seconds) and block_seconds > 0):
        raise ConfigError(f"block_seconds must be positive, got {block_seconds!r}")
    with AudioReader(path) as reader:
        total, rate = reader.info.frames, reader.info.samplerate
        meter = LoudnessMeter(sr=rate, channels=reader.info.channels)
        step = max(1, int(block_seconds * rate))
        for start in range(0, total, step):
            check_cancel(cancel)
            meter.update(reader.read(start, min(step, total - start)))
            if progress is not None:
                progress(min(start + step, total) / total, "measuring loudness")
    return meter.integrated()


def _db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def level_gain(level_db: float, target_db: float, *, max_gain_db: float = math.inf) -> float:
    """Linear gain that brings ``level_db`` to ``target_db``, amplifying by at most
    ``max_gain_db``; 1.0 when the level is ``-inf`` (silence, or loudness below the gates).
    The one normalisation rule: :func:`normalize` and the chain's normalize step use it."""
    if level_db == -math.inf:
        return 1.0
    return min(_db_to_gain(target_db - level_db), _db_to_gain(max_gain_db))


class PeakMeter:
    """Streaming sample peak in dBFS over consecutive ``(channels, samples)`` blocks."""

    def __init__(self) -> None:
        self.peak = 0.0

    def update(self, block: np.ndarray) -> None:
        self.peak = max(self.peak, float(np.max(np.abs(block))) if block.size else 0.0)

    def level_db(self) -> float:
        return 20.0 * math.log10(self.peak) if self.peak > 0.0 else -math.inf


class RmsMeter:
    """Streaming RMS in dBFS over consecutive blocks (all channels and samples)."""

    def __init__(self) -> None:
        self.energy, self.count = 0.0, 0

    def update(self, block: np.ndarray) -> None:
        self.energy += float(np.sum(np.square(block, dtype=np.float64)))
        self.count += block.size

    def level_db(self) -> float:
        return 10.0 * math.log10(self.energy / self.count) if self.energy > 0.0 else -math.inf


NormalizeMode = Literal["peak", "rms", "lufs"]


def level_meter(mode: str, *, sr: int, channels: int) -> PeakMeter | RmsMeter | LoudnessMeter:
    """A streaming meter of what ``mode`` normalises: peak or RMS (dBFS), loudness (LUFS)."""
    if mode == "peak":
        return PeakMeter()
    if mode == "rms":
        return RmsMeter()
    if mode == "lufs":
        return LoudnessMeter(sr=sr, channels=channels)
    raise ConfigError(f"normalize mode must be 'peak', 'rms' or 'lufs', got {mode!r}")


def normalize(
    audio: np.ndarray,
    *,
    sr: int,
    mode: NormalizeMode,
    target: float,
    max_gain_db: float = MAX_GAIN_DB,
) -> np.ndarray:
    """Scale ``audio`` so its peak (dBFS), RMS (dBFS) or loudness (LUFS) is ``target``.

    Parameters
    ----------
    audio : np.ndarray
        float ``(channels, samples)``; a 1-D array is taken as mono.
    sr : int
        Sample rate in Hz (used by ``mode='lufs'``).
    mode : {'peak', 'rms', 'lufs'}
        What ``target`` refers to.
    target : float
        Target level in dBFS (peak, rms) or LUFS (lufs).
    max_gain_db : float
        Amplification is capped at this many dB (default +40 dB) so near-silent
        input (noise floor, room tone) is not blown up into loud noise; the
        result is then quieter than ``target``. Attenuation is never capped.

    Returns
    -------
    np.ndarray
        float32 ``(channels, samples)``. Silence (or, for ``'lufs'``, anything that
        measures ``-inf``) is returned unchanged. The result is not clipped: an
        RMS or loudness target can push peaks above 0 dBFS.

    Raises
    ------
    ConfigError
        Unknown ``mode`` or non-finite ``target``/``max_gain_db``.
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    if not (math.isfinite(target) and math.isfinite(max_gain_db)):
        raise ConfigError(f"target and max_gain_db must be finite, got {target}, {max_gain_db}")
    meter = level_meter(mode, sr=sr, channels=audio.shape[0])
    meter.update(audio)
    gain = level_gain(meter.level_db(), target, max_gain_db=max_gain_db)
    if gain == 1.0:
        return audio
    return np.ascontiguousarray(audio * np.float32(gain), dtype=np.float32)


def comparison_loudness(audio: np.ndarray, *, sr: int) -> float:
    """Loudness of ``audio`` for matching two versions of a recording before listening.

    K-weighted integrated loudness (LUFS) of the whole signal, or of evenly spaced
    excerpts of it when it is long (fast to measure); RMS dBFS when it is too short or
    quiet for BS.1770 gating.

    Parameters
    ----------
    audio : np.ndarray
        float ``(channels, samples)``; a 1-D array is taken as mono.
    sr : int
        Sample rate in Hz.
    """
    # An array-like that slices [:, a:b] (core.display.FileFrames) has only the
    # excerpts read; validated (excerpt only, fast) by integrated_loudness.
    if getattr(audio, "ndim", 0) != 2:
        audio = np.atleast_2d(audio)
    length = int(_COMPARISON_EXCERPT_S * sr)
    n = audio.shape[1]
    if n > length * _COMPARISON_EXCERPTS:
        starts = np.linspace(0, n - length, _COMPARISON_EXCERPTS).astype(np.int64)
        audio = np.concatenate([audio[:, s : s + length] for s in starts], axis=1)
    else:
        audio = np.asarray(audio[:, :n])
    loudness = integrated_loudness(audio, sr=sr)
    return loudness if math.isfinite(loudness) else rms_dbfs(audio)


def match_gain(
    reference_db: float, source_db: float, *, max_db: float = MAX_MATCH_GAIN_DB
) -> float:
    """Linear gain that brings a source measured at ``source_db`` to ``reference_db``
    (both from :func:`comparison_loudness`), limited to ±``max_db``; 1.0 when either
    is not finite (silence)."""
    if not (math.isfinite(reference_db) and math.isfinite(source_db)):
        return 1.0
    db = min(max(reference_db - source_db, -max_db), max_db)
    return _db_to_gain(db)
