"""Short-time Fourier transform with perfect reconstruction (Hann, 75 % overlap).

Kept in plain numpy/scipy so training features and inference use the identical
transform. scipy's FFT works in single precision (numpy's computes in double and the
result is cast back), about twice as fast for the same float32 result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from core.errors import ConfigError


@dataclass(frozen=True)
class StftConfig:
    """Frame size and hop in samples; ``n_fft // 2 + 1`` frequency bins."""

    n_fft: int = 512
    hop: int = 128

    def __post_init__(self) -> None:
        if (
            self.n_fft < 16
            or self.n_fft % 2
            or not 1 <= self.hop <= self.n_fft // 2
            or self.n_fft % self.hop
        ):
            raise ConfigError(
                f"invalid STFT settings n_fft={self.n_fft} hop={self.hop}: "
                "n_fft must be even and a multiple of hop, with at least 50 % overlap"
            )

    @property
    def bins(self) -> int:
        return self.n_fft // 2 + 1


def _window(n_fft: int) -> np.ndarray:
    return np.hanning(n_fft + 1)[:-1].astype(np.float32)  # periodic Hann


def stft(audio: np.ndarray, *, config: StftConfig) -> np.ndarray:
    """Complex spectrogram of ``audio``.

    Parameters
    ----------
    audio : float32 array ``(channels, samples)``
    config : frame size and hop

    Returns
    -------
    complex64 array ``(channels, frames, bins)``. The signal is padded by
    ``n_fft // 2`` on both sides so frame ``t`` is centred on sample ``t * hop``.
    """
    count = frame_count(audio.shape[1], config=config)
    return stft_frames(audio, config=config, start=0, stop=count)


def frame_count(samples: int, *, config: StftConfig) -> int:
    """How many frames :func:`stft` gives for ``samples`` samples."""
    return 1 + (samples + 2 * (config.n_fft // 2) - config.n_fft) // config.hop + 1


def stft_frames(audio: np.ndarray, *, config: StftConfig, start: int, stop: int) -> np.ndarray:
    """Frames ``start`` to ``stop`` of :func:`stft`, computed from the samples they cover
    only: a long recording's spectrogram a stretch at a time.

    Returns complex64 ``(channels, stop - start, bins)``, equal to
    ``stft(audio, config=config)[:, start:stop]``.
    """
    from scipy import fft  # here, not at the top: the app's start-up imports this module

    pad = config.n_fft // 2
    lo = start * config.hop - pad  # the first frame's first sample (negative: padding)
    hi = (stop - 1) * config.hop - pad + config.n_fft
    x = np.zeros((audio.shape[0], max(hi - lo, config.n_fft)), dtype=np.float32)
    a, b = max(lo, 0), min(hi, audio.shape[1])
    if b > a:
        x[:, a - lo : b - lo] = audio[:, a:b]
    windowed = sliding_window_view(x, config.n_fft, axis=1)[:, :: config.hop][:, : stop - start]
    return fft.rfft(windowed * _window(config.n_fft), axis=-1).astype(np.complex64, copy=False)


def istft(spec: np.ndarray, *, config: StftConfig, length: int) -> np.ndarray:
    """Inverse of :func:`stft` by weighted overlap-add.

    Parameters
    ----------
    spec : complex array ``(channels, frames, bins)``
    length : number of samples to return

    Returns
    -------
    float32 array ``(channels, length)``
    """
    from scipy import fft

    channels, frames, _ = spec.shape
    window = _window(config.n_fft)
    pad = config.n_fft // 2
    total = config.hop * (frames - 1) + config.n_fft
    spec = spec.astype(np.complex64, copy=False)
    frames_td = fft.irfft(spec, n=config.n_fft, axis=-1).astype(np.float32, copy=False) * window
    out = np.zeros((channels, total + config.n_fft), dtype=np.float32)
    norm = np.zeros(total + config.n_fft, dtype=np.float32)
    # Frames r, r+R, r+2R... (R = n_fft / hop) do not overlap: add each set in one slice.
    ratio = config.n_fft // config.hop
    for r in range(ratio):
        group = frames_td[:, r::ratio]
        count = group.shape[1]
        start = r * config.hop
        out[:, start : start + count * config.n_fft] += group.reshape(channels, -1)
        norm[start : start + count * config.n_fft] += np.tile(window**2, count)
    out /= np.maximum(norm, 1e-8)
    result = out[:, pad : pad + length]
    if result.shape[1] < length:
        result = np.pad(result, ((0, 0), (0, length - result.shape[1])))
    return np.ascontiguousarray(result)


def frame_power(mono: np.ndarray, *, centres: np.ndarray, n_fft: int) -> np.ndarray:
    """Power spectra of the Hann frames of :func:`stft` centred on samples ``centres``
    of ``mono`` ``(samples,)`` (zero outside it), at any spacing: for pictures, where
    frames may lie further apart than a frame (a view of an hour on 2000 columns).

    Returns float32 ``(len(centres), n_fft // 2 + 1)``, scaled so a full-scale sine
    peaks within a few dB of 1 (0 dB), whatever ``n_fft``.
    """
    half = n_fft // 2
    centres = np.asarray(centres, dtype=np.int64)
    if centres.size == 0:
        return np.zeros((0, half + 1), np.float32)
    lo = int(centres.min()) - half
    hi = int(centres.max()) + half
    x = np.zeros(hi - lo, np.float32)
    a, b = max(lo, 0), min(hi, mono.size)
    if b > a:
        x[a - lo : b - lo] = mono[a:b]
    return window_power(sliding_window_view(x, n_fft)[centres - half - lo])


def window_power(frames: np.ndarray) -> np.ndarray:
    """Power spectra of ``frames`` ``(count, n_fft)`` under the Hann window, scaled as
    :func:`frame_power`'s. numpy's FFT: pictures take a few thousand frames, where
    importing scipy's (0.5 s or more) would cost more than it saves."""
    window = _window(frames.shape[-1])
    power = np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2
    return (power * (2.0 / float(np.sum(window)) ** 2)).astype(np.float32)
