"""A bundle's light form: its network converted to LiteRT (``NAME.tflite`` beside
``NAME.keras``), which restores run without importing TensorFlow.

Importing TensorFlow costs about 10 s and 700 MB; LiteRT's interpreter 0.2 s and 40 MB.
Only converting (:func:`convert`, at save time or with ``seminario model convert``) needs
TensorFlow. The converted network takes one row at a time (Keras' GRU converts only with
a fixed batch; :class:`LiteNetwork` runs a batch row by row) and any number of frames;
a ``dfn3`` network converts in its streaming form, its state explicit inputs and outputs
(:func:`~core.model.dfn3.network.build_dfn3`).
"""

from __future__ import annotations

import importlib.util
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ModelFormatError

if TYPE_CHECKING:
    import keras

    from core.model.bundle import ModelBundle

RUNTIME = "litert"
"""The light form's runtime, as the bundle's description names it."""
SUFFIX = ".tflite"
RUNTIME_ENV = "SEMINARIO_MODEL_RUNTIME"
"""``keras`` runs every model through TensorFlow (for before/after benchmarks); unset or
``litert``, models with a light form run through LiteRT."""
MIN_AGREEMENT_DB = 60.0
"""SI-SDR of the light form's outputs against Keras' below which a conversion is refused
(the built-ins agree to 117-130 dB)."""
PROBE_FRAMES = 300
"""Frames of the probe a conversion is checked on: past every convolution's reach and
long enough for the recurrent state to matter."""


def lite_path(model_path: Path) -> Path:
    return model_path.with_suffix(SUFFIX)


def wanted_runtime() -> str:
    """``litert`` or ``keras``, from :data:`RUNTIME_ENV`; ``keras`` where LiteRT is not
    installed (it has no Windows wheels)."""
    value = os.environ.get(RUNTIME_ENV, RUNTIME).strip().lower() or RUNTIME
    if value not in (RUNTIME, "keras"):
        raise ModelFormatError(f"{RUNTIME_ENV} must be {RUNTIME} or keras, not {value!r}")
    if value == RUNTIME and importlib.util.find_spec("ai_edge_litert") is None:
        return "keras"
    return value


class LiteNetwork:
    """A converted network: call it with its inputs (batch first) to get its outputs.

    Every thread gets its own interpreter over the same model bytes (an interpreter runs
    one call at a time), so blocks on several threads run at once, as with Keras.
    """

    def __init__(self, content: bytes, *, name: str = "model") -> None:
        self.content = content
        self.name = name
        self._local = threading.local()
        self.input_shapes = [tuple(int(s) for s in d["shape_signature"]) for d in self._state().ins]

    @classmethod
    def load(cls, path: Path) -> LiteNetwork:
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise ModelFormatError(f"cannot read {path.name}: {exc}") from exc
        try:
            return cls(content, name=path.name)
        except (ValueError, RuntimeError) as exc:
            raise ModelFormatError(f"{path.name} is not a LiteRT model: {exc}") from exc

    def _state(self) -> _Interpreter:
        state = getattr(self._local, "state", None)
        if state is None:
            state = self._local.state = _Interpreter(self.content)
        return state

    def __call__(self, *inputs: np.ndarray) -> list[np.ndarray]:
        """Outputs for ``inputs``, each ``(batch, ...)``; rows run one after another."""
        state = self._state()
        rows = [
            state.run([np.asarray(x[i : i + 1], np.float32) for x in inputs])
            for i in range(inputs[0].shape[0])
        ]
        return [np.concatenate(parts) for parts in zip(*rows, strict=True)]


class _Interpreter:
    """One LiteRT interpreter, resized only when the input shapes change."""

    def __init__(self, content: bytes) -> None:
        from ai_edge_litert.interpreter import Interpreter

        # One thread each: the app and the pipeline run blocks on several threads.
        self.interpreter = Interpreter(model_content=content, num_threads=1)
        self.ins = self.interpreter.get_input_details()
        # Outputs in the converted function's order: Identity, Identity_1, ...
        self.outs = sorted(self.interpreter.get_output_details(), key=_output_rank)
        self.shapes: list[tuple[int, ...]] = []

    def run(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        it = self.interpreter
        shapes = [x.shape for x in inputs]
        if shapes != self.shapes:
            for detail, shape in zip(self.ins, shapes, strict=True):
                it.resize_tensor_input(detail["index"], shape, strict=True)
            it.allocate_tensors()
            self.shapes = shapes
        for detail, x in zip(self.ins, inputs, strict=True):
            it.set_tensor(detail["index"], np.ascontiguousarray(x))
        it.invoke()
        return [it.get_tensor(d["index"]) for d in self.outs]


def _output_rank(detail: dict[str, Any]) -> int:
    found = re.search(r"_(\d+)$", str(detail["name"]))
    return int(found.group(1)) if found else 0


def convert(bundle: ModelBundle) -> bytes:
    """``bundle``'s network in LiteRT's format, checked against Keras on a probe
    (:data:`MIN_AGREEMENT_DB`); imports TensorFlow. Raises :class:`ModelFormatError`."""
    from core.model.tf import quiet_tensorflow

    quiet_tensorflow()
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    model = _inference_model(bundle)
    specs = [
        tf.TensorSpec((1, *t.shape[1:]), tf.float32, name=str(t.name).split(":")[0])
        for t in model.inputs
    ]
    function = tf.function(
        lambda *xs: model(list(xs) if len(xs) > 1 else xs[0], training=False),
        input_signature=specs,
        autograph=False,
    )
    frozen = convert_variables_to_constants_v2(function.get_concrete_function())
    converter = tf.lite.TFLiteConverter.from_concrete_functions([frozen])
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    try:
        content = bytes(converter.convert())
    except Exception as exc:  # the converter raises its own error types
        raise ModelFormatError(f"cannot convert the model to LiteRT: {exc}") from exc
    check_agreement(model, LiteNetwork(content))
    return content


def _inference_model(bundle: ModelBundle) -> keras.Model:
    from core.model.bundle import DFN3_FAMILY

    if bundle.meta.family == DFN3_FAMILY:
        from core.model.dfn3.network import streaming_copy

        return streaming_copy(bundle.keras_model())
    return bundle.keras_model()


def check_agreement(model: keras.Model, lite: LiteNetwork) -> float:
    """Lowest SI-SDR (dB) of ``lite``'s outputs against ``model``'s on a random probe of
    :data:`PROBE_FRAMES` frames (state inputs random too); raises
    :class:`ModelFormatError` below :data:`MIN_AGREEMENT_DB`."""
    rng = np.random.default_rng(0)
    probe = [
        rng.standard_normal((2, *(PROBE_FRAMES if s is None else s for s in t.shape[1:]))).astype(
            np.float32
        )
        for t in model.inputs
    ]
    expected = model(probe if len(probe) > 1 else probe[0], training=False)
    expected = expected if isinstance(expected, list | tuple) else [expected]
    got = lite(*probe)
    from core.metrics import si_sdr

    worst = min(si_sdr(g, np.asarray(e)) for e, g in zip(expected, got, strict=True))
    if not worst >= MIN_AGREEMENT_DB:
        raise ModelFormatError(
            f"the LiteRT form differs from the Keras model ({worst:.1f} dB SI-SDR, "
            f"at least {MIN_AGREEMENT_DB:.0f} needed)"
        )
    return worst
