"""Fine-tune the DeepFilterNet3 network on paired recordings, with its own loss.

The network sees what it sees at inference (``frontend.features`` of the noisy segment);
its outputs go through the same gains, deep filter and inverse STFT, written here in
TensorFlow so the loss reaches the weights through them. The loss is DeepFilterNet3's
multi-resolution spectral loss as its config sets it (``multiresspecloss``: STFTs of 256,
512, 1024 and 2048 points, magnitudes compressed by the power 0.3, a magnitude and a
complex term, each weighted 500).

So that fine-tuning does not forget what the network knew, a share of every batch
(:data:`GENERIC_SHARE`) is generic: the user's clean segments degraded afresh by the
simulator (``core.data.degrade``: steady noise of several colours, hum, clicks,
band-limiting), not the user's own noisy side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import Cancelled, ConfigError
from core.model.dfn3 import frontend as fe
from core.progress import CancelToken, ProgressCallback, sub_progress

if TYPE_CHECKING:
    from core.model.bundle import ModelBundle

SEGMENT_SECONDS = 3.0
"""Training segments (the length DeepFilterNet3 was trained on: max_sample_len_s = 3)."""
GENERIC_SHARE = 0.25
"""Share of each batch made of simulator pairs from the user's clean side."""
LOSS_FFT_SIZES = (256, 512, 1024, 2048)
LOSS_GAMMA = 0.3
LOSS_FACTOR = 500.0
"""multiresspecloss: factor and factor_complex of DeepFilterNet3's config."""


@dataclass
class Segments:
    """Noisy and clean segments at 48 kHz, ``(count, samples)`` float32."""

    noisy: np.ndarray
    clean: np.ndarray

    def __len__(self) -> int:
        return len(self.noisy)


def cut_segments(
    pairs: Sequence[tuple[np.ndarray, np.ndarray]], *, seconds: float = SEGMENT_SECONDS
) -> Segments:
    """Mono segments of ``seconds`` from ``(noisy, clean)`` pairs at 48 kHz (a shorter
    file gives one zero-padded segment)."""
    n = int(seconds * fe.SAMPLE_RATE)
    noisy, clean = [], []
    for x, y in pairs:
        x, y = x.mean(axis=0), y.mean(axis=0)
        length = min(len(x), len(y))
        for start in range(0, max(length - n // 2, 1), n):
            a, b = x[start : start + n], y[start : start + n]
            noisy.append(np.pad(a, (0, n - len(a))))
            clean.append(np.pad(b, (0, n - len(b))))
    if not noisy:
        raise ConfigError("the training pairs hold no audio")
    return Segments(np.asarray(noisy, np.float32), np.asarray(clean, np.float32))


def generic_pairs(clean: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """Simulator-degraded versions of ``clean`` segments ``(count, samples)``."""
    from core.data.degrade import DegradeConfig, degrade
    from core.signals import mix_at_snr

    config = DegradeConfig(p_clean=0.1, p_reverb=0.0, p_noise=0.0)
    out = np.empty_like(clean)
    for i, segment in enumerate(clean):
        x, _ = degrade(segment[None], sr=fe.SAMPLE_RATE, config=config, rng=rng)
        noise = _coloured_noise(x.shape[1], rng=rng)
        out[i] = mix_at_snr(x, noise, snr_db=float(rng.uniform(0.0, 25.0)))[0]
    return out


def _coloured_noise(samples: int, *, rng: np.random.Generator) -> np.ndarray:
    """Steady noise with a random spectral slope (-6..+2 dB per octave)."""
    slope = rng.uniform(-6.0, 2.0)
    spectrum = np.fft.rfft(rng.standard_normal(samples))
    freqs = np.maximum(np.fft.rfftfreq(samples, 1.0 / fe.SAMPLE_RATE), 20.0)
    spectrum *= (freqs / 1000.0) ** (slope / (20 * np.log10(2)))
    return np.fft.irfft(spectrum, n=samples)[None].astype(np.float32)


def network_inputs(noisy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features and the noisy spectrum (real, imaginary last) of ``noisy`` segments
    ``(count, samples)``: ``erb``, ``spec`` and ``(count, frames, BINS, 2)``."""
    frames = fe.frame_count(noisy.shape[1])
    spec = fe.analysis(noisy, frames)
    feats = fe.features(spec)
    return feats.erb, feats.spec, np.stack([spec.real, spec.imag], axis=-1).astype(np.float32)


def tf_enhance(model: Any, erb: Any, spec_feat: Any, noisy: Any, samples: int) -> Any:
    """The enhanced signal ``(batch, samples)`` as a TensorFlow tensor: the network's
    gains and deep filter applied to ``noisy`` ``(batch, frames, BINS, 2)`` and the
    inverse STFT, as :func:`~core.model.dfn3.frontend.apply` and ``synthesis`` do."""
    import tensorflow as tf

    gains, coefs, _ = model([erb, spec_feat], training=True)
    la, order = fe.LOOKAHEAD, fe.DF_ORDER
    x = tf.complex(noisy[..., 0], noisy[..., 1])  # (b, t, BINS)
    frames = tf.shape(x)[1]
    kept = frames - la
    g = tf.gather(gains[:, la:], fe.band_index(), axis=-1)  # (b, t - la, BINS)
    masked = x[:, :kept] * tf.cast(g, tf.complex64)
    c = tf.reshape(coefs[:, la:], (tf.shape(x)[0], kept, fe.NB_DF, order, 2))
    c = tf.complex(c[..., 0], c[..., 1])
    low = tf.pad(x[..., : fe.NB_DF], [[0, 0], [order - 1 - la, la], [0, 0]])
    filtered = tf.add_n([low[:, n : n + kept] * c[..., n] for n in range(order)])
    enhanced = tf.concat([filtered, masked[..., fe.NB_DF :]], axis=-1)
    enhanced = tf.pad(enhanced, [[0, 0], [0, la], [0, 0]])
    window = tf.constant(fe.window() * fe.N_FFT, tf.float32)
    chunks = tf.signal.irfft(enhanced, fft_length=[fe.N_FFT]) * window
    out = tf.signal.overlap_and_add(chunks, frame_step=fe.HOP)
    return out[:, fe.HOP : fe.HOP + samples]


def spectral_loss(enhanced: Any, clean: Any) -> Any:
    """DeepFilterNet3's multi-resolution spectral loss (see the module docstring)."""
    import tensorflow as tf

    total = tf.constant(0.0)
    for size in LOSS_FFT_SIZES:
        y = tf.signal.stft(enhanced, size, size // 4, size, window_fn=tf.signal.hann_window)
        s = tf.signal.stft(clean, size, size // 4, size, window_fn=tf.signal.hann_window)
        y_abs = tf.maximum(tf.abs(y), 1e-12)
        s_abs = tf.maximum(tf.abs(s), 1e-12)
        y_c, s_c = y_abs**LOSS_GAMMA, s_abs**LOSS_GAMMA
        total += LOSS_FACTOR * tf.reduce_mean(tf.square(y_c - s_c))
        y_cplx = y * tf.cast(y_c / y_abs, tf.complex64)
        s_cplx = s * tf.cast(s_c / s_abs, tf.complex64)
        diff = y_cplx - s_cplx
        total += (
            LOSS_FACTOR
            * tf.reduce_mean(tf.square(tf.math.real(diff)) + tf.square(tf.math.imag(diff)))
            / 2
        )
    return total


@dataclass
class FineTuneRun:
    """What a fine-tuning run produced (history per epoch, best epoch)."""

    history: dict[str, list[float]]
    best_epoch: int


def fine_tune(
    bundle: ModelBundle,
    train: Segments,
    val: Segments,
    *,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    patience: int,
    seed: int,
    generic_share: float = GENERIC_SHARE,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    on_epoch: Any = None,
) -> FineTuneRun:
    """Fine-tune ``bundle``'s network in place on ``train``, keeping the weights of the
    epoch with the lowest loss on ``val``; raises :class:`Cancelled` (weights then
    unchanged)."""
    from core.model.tf import quiet_tensorflow

    quiet_tensorflow()
    import keras
    import tensorflow as tf

    from core.training import EpochReport

    if not 0.0 <= generic_share < 1.0:
        raise ConfigError("the generic share must be at least 0 and below 1")
    model = bundle.keras_model()
    start_weights = model.get_weights()
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
    samples = train.noisy.shape[1]
    # The local-SNR head has a loss of its own upstream (not used here): it stays as it is.
    variables = [v for v in model.trainable_variables if not v.path.startswith("lsnr")]

    @tf.function(reduce_retracing=True)
    def step(erb: Any, spec: Any, noisy: Any, clean: Any) -> Any:
        with tf.GradientTape() as tape:
            loss = spectral_loss(tf_enhance(model, erb, spec, noisy, samples), clean)
        grads = tape.gradient(loss, variables)
        grads, _ = tf.clip_by_global_norm(grads, 1.0)
        optimizer.apply_gradients(zip(grads, variables, strict=True))
        return loss

    @tf.function(reduce_retracing=True)
    def evaluate(erb: Any, spec: Any, noisy: Any, clean: Any) -> Any:
        return spectral_loss(tf_enhance(model, erb, spec, noisy, samples), clean)

    val_inputs = network_inputs(val.noisy)
    val_loss0 = _mean_loss(evaluate, val_inputs, val.clean, batch_size)
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    best, best_epoch, best_weights, waited = val_loss0, 0, start_weights, 0
    generic = max(0, int(round(generic_share * batch_size))) if generic_share else 0
    own = max(1, batch_size - generic)
    steps = max(1, -(-len(train) // own))
    report = sub_progress(progress, 0.0, 1.0)
    for epoch in range(epochs):
        order = rng.permutation(len(train))
        losses = []
        for k in range(steps):
            if cancel is not None:
                _stop_if(cancel, model, start_weights)
            pick = order[(k * own) % len(train) :][:own]
            noisy, clean = train.noisy[pick], train.clean[pick]
            if generic:
                extra = rng.integers(0, len(train), generic)
                noisy = np.concatenate([noisy, generic_pairs(train.clean[extra], rng=rng)])
                clean = np.concatenate([clean, train.clean[extra]])
            erb, spec, x = network_inputs(noisy)
            losses.append(float(step(erb, spec, x, clean)))
            if report is not None:
                report(
                    (epoch + (k + 1) / steps) / epochs,
                    f"epoch {epoch + 1}/{epochs} — loss {np.mean(losses):.3f}",
                )
        val_loss = _mean_loss(evaluate, val_inputs, val.clean, batch_size)
        history["loss"].append(float(np.mean(losses)))
        history["val_loss"].append(val_loss)
        if on_epoch is not None:
            on_epoch(EpochReport(epoch + 1, epochs, history["loss"][-1], val_loss))
        if val_loss < best:
            best, best_epoch, best_weights, waited = val_loss, epoch + 1, model.get_weights(), 0
        else:
            waited += 1
            if waited >= patience:
                break
    model.set_weights(best_weights)
    history["val_loss_start"] = [val_loss0]
    return FineTuneRun(history, best_epoch)


def _stop_if(cancel: CancelToken, model: Any, weights: list[np.ndarray]) -> None:
    if cancel.cancelled:
        model.set_weights(weights)
        raise Cancelled("training cancelled; no model was saved")


def _mean_loss(
    evaluate: Any, inputs: tuple[np.ndarray, np.ndarray, np.ndarray], clean: np.ndarray, batch: int
) -> float:
    erb, spec, x = inputs
    losses = [
        float(
            evaluate(
                erb[i : i + batch], spec[i : i + batch], x[i : i + batch], clean[i : i + batch]
            )
        )
        * len(clean[i : i + batch])
        for i in range(0, len(clean), batch)
    ]
    return float(np.sum(losses) / len(clean))
