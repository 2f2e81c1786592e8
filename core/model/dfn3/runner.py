"""Run the DeepFilterNet3 network on audio of any rate, length and channel count."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from core.audio.resample import resample
from core.model.dfn3 import frontend as fe

if TYPE_CHECKING:
    from core.model.bundle import ModelBundle

STRETCH_FRAMES = 64
"""Frames the network runs at a time (0.64 s), carrying its state from one stretch to the
next: memory stays bounded and the result is that of one run over the whole input.
(Overlapping chunks with warm-up do not work for this network: its recurrent state
keeps a long memory, and gains still differed by 0.05 after 20 s of warm-up.) LiteRT
plans its memory for the whole stretch, and short stretches stay in the processor's
caches: one row took 20.6 ms of processor time per 100 frames at 50-64 frames, 34 at
250 and 74 at 1000 (the result is the same)."""


def attenuation_share(limit_db: float | None) -> float:
    """Share of the noisy spectrum DeepFilterNet mixes back under an attenuation limit of
    ``limit_db`` dB (``None`` or 100 and above: none)."""
    if limit_db is None or limit_db >= 100.0:
        return 0.0
    return float(10.0 ** (-abs(limit_db) / 20.0))


class Dfn3Runner:
    """The network of a ``dfn3`` bundle with its signal path around it.

    ``enhance`` works at 48 kHz; ``residual`` at any rate (soxr to 48 kHz and back, what
    the model removes; the band the round trip loses follows the band below it). Channels run
    independently, as DeepFilterNet does. ``limit_db`` is DeepFilterNet's attenuation
    limit (``None``: none).
    """

    def __init__(self, bundle: ModelBundle, *, limit_db: float | None = None) -> None:
        self.bundle = bundle
        self.floor = attenuation_share(limit_db)
        self.margin_s = 3.0  # the features' normalisation forgets a block's start in ~3 s

    @staticmethod
    def warm(bundle: ModelBundle) -> None:
        """Build ``bundle``'s inference graph on a few frames."""
        Dfn3Runner(bundle).enhance(np.zeros((1, 4 * fe.HOP), np.float32))

    def _stream(self) -> tuple[Callable[..., Sequence[Any]], list[tuple[int, ...]]]:
        """The streaming network (:func:`~core.model.dfn3.network.build_dfn3`) and the
        shapes of its state (without the batch): the bundle's LiteRT form, or its Keras
        network compiled once and kept on the bundle (one trace for every runner, batch
        and length)."""
        bundle = self.bundle
        if bundle.lite is not None:
            return bundle.lite, [shape[1:] for shape in bundle.lite.input_shapes[2:]]
        network = bundle.keras_model()
        with bundle._lock:
            if bundle._predict is None:
                import tensorflow as tf

                from core.model.dfn3.network import streaming_copy

                model = streaming_copy(network)
                signature = [tf.TensorSpec((None, *t.shape[1:]), tf.float32) for t in model.inputs]
                bundle._predict = tf.function(
                    lambda *xs: model(list(xs), training=False),
                    input_signature=signature,
                    autograph=False,
                )
            stream = bundle._predict
        return stream, [tuple(spec.shape[1:]) for spec in stream.input_signature[2:]]

    def _stretches(self, feats: fe.Features) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """Network outputs for ``feats`` stretch by stretch, the state carried: ``(hi,
        gains, coefs)`` for the frames from the previous ``hi`` up to this one."""
        stream, state_shapes = self._stream()
        channels, frames, _ = feats.erb.shape
        state = [np.zeros((channels, *shape), np.float32) for shape in state_shapes]
        for lo in range(0, frames, STRETCH_FRAMES):
            hi = min(lo + STRETCH_FRAMES, frames)
            g, c, _, *state = stream(feats.erb[:, lo:hi], feats.spec[:, lo:hi], *state)
            yield hi, np.asarray(g, np.float32), np.asarray(c, np.float32)

    def outputs(self, feats: fe.Features) -> tuple[np.ndarray, np.ndarray]:
        """Network outputs for ``feats`` of any length: gains ``(channels, frames, 32)``,
        coefs ``(channels, frames, 96, 10)``."""
        parts = list(self._stretches(feats))
        return np.concatenate([g for _, g, _ in parts], axis=1), np.concatenate(
            [c for _, _, c in parts], axis=1
        )

    def enhance(self, audio: np.ndarray) -> np.ndarray:
        """Enhanced ``audio`` ``(channels, samples)`` at 48 kHz, aligned with the input."""
        return self._run(audio)[0]

    def _run(
        self, audio: np.ndarray, band_hz: tuple[float, float] | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Enhanced ``audio`` (48 kHz) and, with ``band_hz``, the share of that band's
        amplitude kept in each frame (:func:`_band_keep`, ``(channels, frames)``).

        The outputs of each stretch are applied as soon as the look-ahead allows, into
        the noisy spectrum itself (the few frames the deep filter still needs kept
        aside): the network's outputs and the enhanced spectrum never exist whole
        (a 36-s stereo block held 80 MB more when they did). Each frame's result is
        :func:`~core.model.dfn3.frontend.apply`'s on the whole input.
        """
        n = audio.shape[1]
        frames = fe.frame_count(n)
        spec = fe.analysis(audio, frames)  # becomes the enhanced spectrum, frame by frame
        feats = fe.features(spec)
        keep = None if band_hz is None else np.empty(spec.shape[:2], np.float32)
        reach = fe.DF_ORDER - 1 - fe.LOOKAHEAD  # frames the deep filter reaches back
        done = 0  # frames of spec enhanced so far
        noisy = spec[:, :0].copy()  # noisy values of the enhanced frames still reached
        gains, coefs = (
            np.zeros((spec.shape[0], 0, *shape), np.float32)
            for shape in ((fe.NB_ERB,), (fe.NB_DF, 2 * fe.DF_ORDER))
        )  # outputs of frames start..
        start = 0  # first frame of the window: what the next frames to enhance reach
        for hi, g, c in self._stretches(feats):
            last = frames if hi == frames else max(hi - fe.LOOKAHEAD, done)
            window = np.concatenate([noisy, spec[:, done:hi]], axis=1)  # frames start..hi
            gains = np.concatenate([gains, g], axis=1)
            coefs = np.concatenate([coefs, c], axis=1)
            out = fe.apply(window, gains, coefs, floor=self.floor)[:, done - start : last - start]
            if keep is not None and band_hz is not None:
                lo_hz, hi_hz = band_hz
                noisy_part = window[:, done - start : last - start]
                keep[:, done:last] = _band_keep(noisy_part, out, lo_hz=lo_hz, hi_hz=hi_hz)
            nxt = max(last - reach, 0)
            noisy = window[:, nxt - start : last - start]
            gains, coefs = gains[:, nxt - start :], coefs[:, nxt - start :]
            spec[:, done:last] = out
            start, done = nxt, last
        del feats, noisy, gains, coefs
        return fe.synthesis(spec, n), keep

    def residual(self, block: np.ndarray, *, sr: int) -> np.ndarray:
        """What the model removes from ``block`` ``(channels, n)`` at rate ``sr``.

        At other rates the block goes to 48 kHz and back; the sliver the round trip
        loses (above the resampler's pass band near the input's Nyquist, or above 24 kHz
        at higher rates) is taken out as much as the model takes out just below it
        (:data:`EDGE_BAND`), frame by frame, so noise there goes with the rest.
        """
        if sr == fe.SAMPLE_RATE:
            return (block - self.enhance(block)).astype(np.float32)
        n, channels = block.shape[1], block.shape[0]
        x = resample(block, orig_sr=sr, target_sr=fe.SAMPLE_RATE)
        top = min(sr, fe.SAMPLE_RATE) / 2
        enhanced, keep = self._run(x, band_hz=(EDGE_BAND[0] * top, EDGE_BAND[1] * top))
        assert keep is not None
        both = np.concatenate([x - enhanced, x])
        back = _fit(resample(both, orig_sr=fe.SAMPLE_RATE, target_sr=sr), n)
        removed, kept_band = back[:channels], back[channels:]
        frame_at = np.arange(keep.shape[1]) * (fe.HOP * sr / fe.SAMPLE_RATE)
        samples = np.arange(n, dtype=np.float64)
        share = np.stack([1.0 - np.interp(samples, frame_at, k) for k in keep])
        return (removed + (block - kept_band) * share.astype(np.float32)).astype(np.float32)


EDGE_BAND = (0.8, 0.9)
"""Fractions of the shared Nyquist frequency whose kept share the band above follows."""


def _band_keep(spec: np.ndarray, enhanced: np.ndarray, *, lo_hz: float, hi_hz: float) -> np.ndarray:
    """Per frame, the share of the amplitude between ``lo_hz`` and ``hi_hz`` that the
    model keeps (0..1), ``(channels, frames)``; the look-ahead's last frames keep all."""
    freqs = np.fft.rfftfreq(fe.N_FFT, 1.0 / fe.SAMPLE_RATE)
    band = (freqs >= lo_hz) & (freqs <= hi_hz)
    before = np.sum(np.abs(spec[..., band]) ** 2, axis=-1)
    after = np.sum(np.abs(enhanced[..., band]) ** 2, axis=-1)
    keep = np.sqrt(after / np.maximum(before, 1e-20))
    keep[before <= 1e-20] = 1.0
    return np.clip(keep, 0.0, 1.0)


def _fit(x: np.ndarray, n: int) -> np.ndarray:
    if x.shape[1] >= n:
        return x[:, :n]
    return np.pad(x, ((0, 0), (0, n - x.shape[1])))
