"""DeepFilterNet3's signal path around the network, in numpy: its STFT, the ERB and
complex features with their exponential normalisations, the ERB gains and the deep
filter that apply the network's outputs, and the inverse STFT.

Written from DeepFilterNet's description (libDF ``DFState``, ``df.modules.Mask``,
``df.multiframe.DF``; Schröter et al., arXiv 2305.08227) and checked against its
reference runtime (``tests/core/test_dfn3.py``). Shapes are ``(channels, frames,
bins)``; a frame ``k`` covers the input samples ``[(k - 1) * HOP, (k + 1) * HOP)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SAMPLE_RATE = 48000
N_FFT = 960
HOP = 480
BINS = N_FFT // 2 + 1
NB_ERB = 32
NB_DF = 96
"""The lowest bins (up to 4.8 kHz) get the deep filter; the rest ERB gains only."""
DF_ORDER = 5
LOOKAHEAD = 2
"""Frames the network and the deep filter look ahead (config: conv_lookahead = df_lookahead = 2)."""
MIN_ERB_BINS = 2
NORM_ALPHA = 0.99
"""exp(-hop / sr / tau) for tau = 1 s, rounded to 3 decimals as libDF does."""
MEAN_NORM_INIT_DB = (-60.0, -90.0)
UNIT_NORM_INIT = (0.001, 0.0001)
ERB_LOG_FLOOR = 1e-10
ERB_SCALE_DB = 40.0
CHUNK_FRAMES = 128
"""Frames the STFT, its inverse, the features' power and the gains work on at a time:
their temporaries stay a few MB however long the block (a 36-s stereo block's analysis
alone peaked 170 MB above its input when done in one go); each frame's result is the
same."""
DELAY = HOP + LOOKAHEAD * HOP
"""Samples by which a frame-by-frame (real-time) run lags its input: the STFT's overlap
plus the look-ahead."""


def _freq2erb(f: float) -> float:
    return 9.265 * math.log1p(f / (24.7 * 9.265))


def _erb2freq(e: float) -> float:
    return 24.7 * 9.265 * (math.exp(e / 9.265) - 1.0)


@lru_cache(maxsize=1)
def erb_widths() -> tuple[int, ...]:
    """Bins in each of the :data:`NB_ERB` bands (equal steps on the ERB scale, at least
    :data:`MIN_ERB_BINS` bins each, summing to :data:`BINS`), as libDF's ``erb_fb``."""
    step = (_freq2erb(SAMPLE_RATE / 2) - _freq2erb(0.0)) / NB_ERB
    width = SAMPLE_RATE / N_FFT
    widths, prev, over = [], 0, 0
    for i in range(1, NB_ERB + 1):
        edge = int(np.round(np.float32(_erb2freq(i * step) / width)))
        count = edge - prev - over
        if count < MIN_ERB_BINS:
            over, count = MIN_ERB_BINS - count, MIN_ERB_BINS
        else:
            over = 0
        widths.append(count)
        prev = edge
    widths[-1] += BINS - sum(widths)  # the last band takes the Nyquist bin
    return tuple(widths)


@lru_cache(maxsize=1)
def band_index() -> np.ndarray:
    """Band of each bin, ``(BINS,)`` int."""
    return np.repeat(np.arange(NB_ERB), erb_widths())


@lru_cache(maxsize=1)
def erb_matrix() -> np.ndarray:
    """``(BINS, NB_ERB)``: each column averages the bins of one band."""
    fb = np.zeros((BINS, NB_ERB), np.float32)
    fb[np.arange(BINS), band_index()] = 1.0
    return fb / fb.sum(axis=0, keepdims=True)


@lru_cache(maxsize=1)
def window() -> np.ndarray:
    """The Vorbis window, ``sin(pi/2 sin^2(pi (n + 1/2) / N))``: its squares overlap-add
    to one at half overlap."""
    n = np.arange(N_FFT, dtype=np.float64)
    return np.sin(0.5 * np.pi * np.sin(np.pi * (n + 0.5) / N_FFT) ** 2).astype(np.float32)


def frame_count(samples: int) -> int:
    """Frames that reproduce ``samples`` samples with the look-ahead's frames after them."""
    return -(-samples // HOP) + LOOKAHEAD + 1


def analysis(audio: np.ndarray, frames: int) -> np.ndarray:
    """STFT ``(channels, frames, BINS)`` complex64 of ``audio`` ``(channels, samples)``,
    zero-padded at both ends; scaled by ``2 HOP / N_FFT**2`` as libDF does."""
    channels, n = audio.shape
    spec = np.empty((channels, frames, BINS), np.complex64)
    for lo in range(0, frames, CHUNK_FRAMES):
        hi = min(lo + CHUNK_FRAMES, frames)
        # Frames lo..hi cover samples (lo - 1) HOP .. hi HOP, zero outside the input.
        padded = np.zeros((channels, (hi - lo + 1) * HOP), np.float32)
        first, last = max((lo - 1) * HOP, 0), min(hi * HOP, n)
        if last > first:
            padded[:, first - (lo - 1) * HOP : last - (lo - 1) * HOP] = audio[:, first:last]
        chunks = np.lib.stride_tricks.sliding_window_view(padded, N_FFT, axis=1)[:, ::HOP]
        spec[:, lo:hi] = np.fft.rfft(chunks * window(), axis=-1) * (2 * HOP / N_FFT**2)
    return spec


def synthesis(spec: np.ndarray, samples: int) -> np.ndarray:
    """Inverse of :func:`analysis` without its delay: ``(channels, samples)`` float32."""
    channels, frames, _ = spec.shape
    out = np.zeros((channels, (frames + 1) * HOP), np.float32)
    for lo in range(0, frames, CHUNK_FRAMES):
        hi = min(lo + CHUNK_FRAMES, frames)
        chunks = np.fft.irfft(spec[:, lo:hi], n=N_FFT, axis=-1).astype(np.float32)
        chunks *= N_FFT * window()
        # Overlap-add: each sample is the sum of two halves, in either order alike.
        out[:, lo * HOP : hi * HOP] += chunks[..., :HOP].reshape(channels, -1)
        out[:, (lo + 1) * HOP : (hi + 1) * HOP] += chunks[..., HOP:].reshape(channels, -1)
    # Frame k's first half holds samples (k - 1) * HOP onwards.
    return out[:, HOP : HOP + samples]


def _exp_smooth(x: np.ndarray, init: np.ndarray) -> np.ndarray:
    """``s[t] = (1 - a) x[t] + a s[t - 1]`` along axis 1 from ``s[-1] = init``, float64.

    :data:`SMOOTH_BLOCK` frames at a time: within a block each output is a weighted sum
    of its inputs (one matrix product for all blocks) plus the state the block starts
    from, decayed; only that state is carried from block to block.
    """
    a, length = NORM_ALPHA, SMOOTH_BLOCK
    channels, frames, bins = x.shape
    blocks = -(-frames // length)
    padded = np.zeros((channels, blocks * length, bins))
    padded[:, :frames] = x
    lag = np.arange(length)[:, None] - np.arange(length)[None, :]
    weights = np.where(lag >= 0, (1 - a) * a ** np.maximum(lag, 0), 0.0)
    out = (weights @ padded.reshape(channels, blocks, length, bins)).reshape(padded.shape)
    decay = a ** np.arange(1, length + 1)[:, None]  # how much of the state frame t keeps
    state = np.broadcast_to(np.asarray(init, np.float64), (channels, bins))
    for lo in range(0, blocks * length, length):
        out[:, lo : lo + length] += decay * state[:, None, :]
        state = out[:, lo + length - 1]
    return out[:, :frames]


SMOOTH_BLOCK = 32  # frames: a's powers stay above 0.7 within a block, well conditioned


@dataclass(frozen=True)
class Features:
    """The network's inputs: ``erb`` ``(channels, frames, NB_ERB)`` and ``spec``
    ``(channels, frames, NB_DF, 2)`` (real, imaginary), both float32."""

    erb: np.ndarray
    spec: np.ndarray


def features(spec: np.ndarray) -> Features:
    """Normalised features of ``spec`` ``(channels, frames, BINS)``: band power in dB
    minus its exponential mean, over 40; the lowest bins over the square root of their
    exponential mean magnitude. Both start from libDF's initial states."""
    power = np.square(spec.real, dtype=np.float32)
    for lo in range(0, spec.shape[1], CHUNK_FRAMES):  # no second whole-size array
        power[:, lo : lo + CHUNK_FRAMES] += np.square(
            spec.imag[:, lo : lo + CHUNK_FRAMES], dtype=np.float32
        )
    db = 10.0 * np.log10(power @ erb_matrix() + ERB_LOG_FLOOR)
    mean = _exp_smooth(db, np.linspace(*MEAN_NORM_INIT_DB, NB_ERB))
    erb = ((db - mean) / ERB_SCALE_DB).astype(np.float32)
    low = spec[..., :NB_DF]
    unit = _exp_smooth(np.abs(low), np.linspace(*UNIT_NORM_INIT, NB_DF))
    scaled = low / np.sqrt(unit).astype(np.float32)
    cplx = np.stack([scaled.real, scaled.imag], axis=-1).astype(np.float32)
    return Features(erb=erb, spec=cplx)


def apply(
    spec: np.ndarray, gains: np.ndarray, coefs: np.ndarray, *, floor: float = 0.0
) -> np.ndarray:
    """The enhanced spectrum ``(channels, frames, BINS)``.

    ``gains`` ``(channels, frames, NB_ERB)`` and ``coefs`` ``(channels, frames, NB_DF,
    2 * DF_ORDER)`` are the network's outputs for the same frames as ``spec``; the ones
    of frame ``t`` belong to frame ``t - LOOKAHEAD``. Bins above :data:`NB_DF` get the
    band gains; the lowest the deep filter, a complex filter over frames
    ``t - 2 .. t + 2`` of the noisy spectrum. ``floor`` above 0 mixes that share of the
    noisy spectrum back (DeepFilterNet's attenuation limit).
    """
    channels, frames, _ = spec.shape
    out = np.zeros_like(spec)
    kept = frames - LOOKAHEAD  # the last frames have no outputs yet: zero
    before = DF_ORDER - 1 - LOOKAHEAD  # frames the deep filter reaches back
    for lo in range(0, kept, CHUNK_FRAMES):
        hi = min(lo + CHUNK_FRAMES, kept)
        g = gains[:, lo + LOOKAHEAD : hi + LOOKAHEAD, band_index()]
        out[:, lo:hi] = spec[:, lo:hi] * g
        c = coefs[:, lo + LOOKAHEAD : hi + LOOKAHEAD].reshape(channels, hi - lo, NB_DF, DF_ORDER, 2)
        c = c[..., 0] + 1j * c[..., 1]
        # Frames lo - before .. hi + LOOKAHEAD of the noisy spectrum, zero outside it.
        first, last = max(lo - before, 0), min(hi + LOOKAHEAD, frames)
        low = np.pad(
            spec[:, first:last, :NB_DF],
            ((0, 0), (first - (lo - before), hi + LOOKAHEAD - last), (0, 0)),
        )
        filtered = np.zeros((channels, hi - lo, NB_DF), np.complex64)
        for n in range(DF_ORDER):
            filtered += low[:, n : n + hi - lo] * c[..., n]
        out[:, lo:hi, :NB_DF] = filtered
    if floor > 0.0:
        for lo in range(0, frames, CHUNK_FRAMES):
            part = out[:, lo : lo + CHUNK_FRAMES]
            part[...] = (1.0 - floor) * part + floor * spec[:, lo : lo + CHUNK_FRAMES]
    return out
