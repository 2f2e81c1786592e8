"""From matched pairs to model inputs/targets, as numpy arrays and a ``tf.data`` pipeline.

Inputs are normalised log-power frames ``(frames, bins)``; targets pack the clean
and noisy magnitudes ``(frames, 2 * bins)`` for the compressed-magnitude loss.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.audio.io import load
from core.audio.resample import resample
from core.data.pairs import Pair
from core.dsp.stft import stft
from core.model.spectral import FeatureNorm, SpectralSettings, log_power
from core.progress import CancelToken, ProgressCallback, check_cancel

if TYPE_CHECKING:
    import tensorflow as tf


@dataclass
class SpectralExample:
    """One channel of one pair, in the model's STFT domain (``(frames, bins)`` each)."""

    key: str
    noisy_mag: np.ndarray
    clean_mag: np.ndarray
    features: np.ndarray  # log power of the noisy input, not yet normalised


def load_pair_audio(pair: Pair, *, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """Noisy and clean audio of ``pair`` at ``sr``, same channels and length.

    Channel counts that differ are mixed to mono; lengths are cut to the shorter.
    Returns two float32 ``(channels, samples)`` arrays.
    """
    noisy, noisy_sr = load(pair.noisy)
    clean, clean_sr = load(pair.clean)
    if noisy.shape[0] != clean.shape[0]:
        noisy, clean = noisy.mean(axis=0, keepdims=True), clean.mean(axis=0, keepdims=True)
    noisy = resample(noisy, orig_sr=noisy_sr, target_sr=sr)
    clean = resample(clean, orig_sr=clean_sr, target_sr=sr)
    n = min(noisy.shape[1], clean.shape[1])
    return noisy[:, :n], clean[:, :n]


def spectral_examples(
    pairs: Sequence[Pair],
    *,
    settings: SpectralSettings,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[SpectralExample]:
    """Transform every channel of every pair into the model's STFT domain."""
    examples: list[SpectralExample] = []
    for i, pair in enumerate(pairs):
        check_cancel(cancel)
        noisy, clean = load_pair_audio(pair, sr=settings.sample_rate)
        examples += audio_examples(pair.key, noisy, clean, settings=settings)
        if progress is not None:
            progress((i + 1) / len(pairs), f"reading {pair.key}")
    return examples


def audio_examples(
    key: str, noisy: np.ndarray, clean: np.ndarray, *, settings: SpectralSettings
) -> list[SpectralExample]:
    """One example per channel of a pair of ``(channels, samples)`` arrays at the model's rate."""
    noisy_spec = stft(noisy, config=settings.stft)
    clean_spec = stft(clean, config=settings.stft)
    return [
        SpectralExample(
            key=f"{key}#{ch}",
            noisy_mag=np.abs(noisy_spec[ch]),
            clean_mag=np.abs(clean_spec[ch]),
            features=log_power(noisy_spec[ch]),
        )
        for ch in range(noisy.shape[0])
    ]


def stream_batches(
    draw: Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]],
    *,
    settings: SpectralSettings,
    norm: FeatureNorm,
    batch_size: int,
    segment_frames: int,
    rng: np.random.Generator,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless batches of freshly drawn pairs, shaped like :func:`segment_arrays`' output.

    ``draw(rng)`` returns a mono ``(noisy, clean)`` pair ``(1, samples)`` at the model's
    rate; a random window of ``segment_frames`` frames of it is kept (zero-padded if short).
    """
    while True:
        inputs, targets = [], []
        for _ in range(batch_size):
            noisy, clean = draw(rng)
            (ex,) = audio_examples("stream", noisy[:1], clean[:1], settings=settings)
            x = norm.apply(ex.features)
            y = np.concatenate([ex.clean_mag, ex.noisy_mag], axis=-1)
            extra = x.shape[0] - segment_frames
            if extra < 0:
                x = np.pad(x, ((0, -extra), (0, 0)))
                y = np.pad(y, ((0, -extra), (0, 0)))
            else:
                start = int(rng.integers(extra + 1))
                x, y = x[start : start + segment_frames], y[start : start + segment_frames]
            inputs.append(x)
            targets.append(y)
        yield np.stack(inputs).astype(np.float32), np.stack(targets).astype(np.float32)


def segment_arrays(
    examples: Sequence[SpectralExample], *, norm: FeatureNorm, segment_frames: int
) -> tuple[np.ndarray, np.ndarray]:
    """Cut examples into half-overlapping segments of ``segment_frames``.

    Returns ``inputs (n, segment_frames, bins)`` and ``targets (n, segment_frames,
    2 * bins)``; the tail of each example is zero-padded into a last segment.
    """
    if segment_frames < 1:
        raise ValueError("segment_frames must be positive")
    inputs, targets = [], []
    step = max(segment_frames // 2, 1)
    for ex in examples:
        x = norm.apply(ex.features)
        y = np.concatenate([ex.clean_mag, ex.noisy_mag], axis=-1)
        frames = x.shape[0]
        starts = list(range(0, max(frames - segment_frames, 0) + 1, step))
        if starts[-1] + segment_frames < frames:
            starts.append(frames - segment_frames)
        for s in starts:
            xs, ys = x[s : s + segment_frames], y[s : s + segment_frames]
            if xs.shape[0] < segment_frames:  # example shorter than a segment
                pad = segment_frames - xs.shape[0]
                xs = np.pad(xs, ((0, pad), (0, 0)))
                ys = np.pad(ys, ((0, pad), (0, 0)))
            inputs.append(xs)
            targets.append(ys)
    return np.stack(inputs).astype(np.float32), np.stack(targets).astype(np.float32)


def make_dataset(
    inputs: np.ndarray,
    targets: np.ndarray,
    *,
    batch_size: int,
    shuffle: bool,
    seed: int = 0,
) -> tf.data.Dataset:
    """A batched, prefetched ``tf.data.Dataset`` of ``(inputs, targets)``."""
    from core.model.tf import quiet_tensorflow

    quiet_tensorflow()
    import tensorflow as tf

    # Shuffle and batch indices, then gather: the arrays exist once in memory
    # (a shuffle buffer over the examples themselves would copy them all).
    x, y = tf.constant(inputs), tf.constant(targets)
    ds = tf.data.Dataset.range(len(inputs))
    if shuffle:
        ds = ds.shuffle(len(inputs), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size).map(
        lambda idx: (tf.gather(x, idx), tf.gather(y, idx)), num_parallel_calls=tf.data.AUTOTUNE
    )
    return ds.prefetch(tf.data.AUTOTUNE)
