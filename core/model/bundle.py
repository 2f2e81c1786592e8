"""A model bundle: ``NAME.keras`` (weights and graph) plus ``NAME.json`` (everything
needed to use it: rate, STFT, feature normalisation, architecture, history) and, since
the light runtime, ``NAME.tflite``: the same network converted to LiteRT
(:mod:`core.model.lite`), which restores run without importing TensorFlow.

Bundles load with Keras safe mode, so a model file cannot run arbitrary code; a LiteRT
file holds operators only, no code.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import warnings
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core import __version__
from core.dsp.stft import StftConfig
from core.errors import ModelFormatError
from core.model.lite import RUNTIME, LiteNetwork, lite_path, wanted_runtime
from core.model.spectral import FeatureNorm, SpectralSettings
from core.output import PendingFile, check_outputs, publish_all, write_error

if TYPE_CHECKING:
    import keras

FORMAT_VERSION = 2
"""2 added ``family``; version 1 bundles (all mask estimators) still load."""
READABLE_VERSIONS = (1, 2)
MASK_FAMILY = "mask"
"""A mask estimator on normalised log-power frames (core.model.architectures)."""
DFN3_FAMILY = "dfn3"
"""DeepFilterNet3's network with its own 48 kHz signal path (core.model.dfn3)."""
FAMILIES = (MASK_FAMILY, DFN3_FAMILY)
DEFAULT_MODEL = "default"
SPEECH_MODEL = "speech"
"""The built-in speech-in-noise model: the model step's companion where it finds speech in
noise (see :class:`core.model.inference.Enhancer`), not offered as a model of its own."""
DFN3_MODEL = "dfn3"
"""The built-in speech denoiser: DeepFilterNet3's published weights in Keras."""
MASK_FLOOR_DB = -30.0
"""A mask model's default floor: deeper than -20 dB, where steady hiss stayed audible
(docs/assistant.md, "The model's settings")."""
NO_FLOOR_DB = -100.0
"""A floor that means "no limit" (DeepFilterNet's convention for its attenuation limit)."""
BUILTIN_MODELS = {
    DEFAULT_MODEL: "default.keras",
    SPEECH_MODEL: "speech.keras",
    DFN3_MODEL: "dfn3.keras",
}


@dataclass
class BundleMeta:
    """The JSON half of a bundle."""

    architecture: str
    spectral: SpectralSettings
    norm: FeatureNorm | None
    """Feature statistics of a mask estimator; ``None`` for families that bring their own."""
    arch_params: dict[str, Any] = field(default_factory=dict)
    mask_floor_db: float = MASK_FLOOR_DB
    history: dict[str, list[float]] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    created: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    app_version: str = __version__
    format_version: int = FORMAT_VERSION
    family: str = MASK_FAMILY
    light_form: str | None = None
    """File name the LiteRT form was saved under (it is found as ``NAME.tflite`` beside
    ``NAME.keras``, like the description); ``None`` for bundles saved before it (they run
    through Keras)."""

    @property
    def feature_norm(self) -> FeatureNorm:
        if self.norm is None:
            raise ModelFormatError(f"a {self.family} model has no feature normalisation")
        return self.norm

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "family": self.family,
            "app_version": self.app_version,
            "created": self.created,
            "architecture": self.architecture,
            "arch_params": self.arch_params,
            "sample_rate": self.spectral.sample_rate,
            "stft": asdict(self.spectral.stft),
            "mask_floor_db": self.mask_floor_db,
            "norm": None if self.norm is None else self.norm.to_dict(),
            "history": self.history,
            "training": self.training,
            **(
                {"light_form": {"runtime": RUNTIME, "file": self.light_form}}
                if self.light_form
                else {}
            ),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BundleMeta:
        version = data.get("format_version")
        if version not in READABLE_VERSIONS:
            raise ModelFormatError(
                f"model format version {version!r} is not supported (this version reads "
                f"{', '.join(map(str, READABLE_VERSIONS))}); update SeminarioIA or retrain "
                "the model"
            )
        family = str(data.get("family", MASK_FAMILY))
        if family not in FAMILIES:
            raise ModelFormatError(
                f"unknown model family {family!r}; this version reads {', '.join(FAMILIES)}"
            )
        try:
            stft = StftConfig(**data["stft"])
            spectral = SpectralSettings(sample_rate=int(data["sample_rate"]), stft=stft)
            norm = None
            if family == MASK_FAMILY:
                norm = FeatureNorm.from_dict(data["norm"])
                if norm.mean.shape != (stft.bins,) or norm.std.shape != (stft.bins,):
                    raise ValueError("normalisation does not match the STFT size")
            return cls(
                family=family,
                architecture=str(data["architecture"]),
                spectral=spectral,
                norm=norm,
                arch_params=dict(data.get("arch_params", {})),
                mask_floor_db=float(data.get("mask_floor_db", MASK_FLOOR_DB)),
                history={k: [float(x) for x in v] for k, v in data.get("history", {}).items()},
                training=dict(data.get("training", {})),
                created=str(data.get("created", "")),
                app_version=str(data.get("app_version", "")),
                light_form=_light_form(data.get("light_form")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFormatError(f"model description is incomplete or invalid: {exc}") from exc


def _light_form(entry: Any) -> str | None:
    if entry is None:
        return None
    if not isinstance(entry, dict) or entry.get("runtime") != RUNTIME:
        raise ValueError(f"light_form must name a {RUNTIME} file")
    name = str(entry["file"])
    if Path(name).name != name or not name.endswith(".tflite"):
        raise ValueError(f"light_form file {name!r} must be a .tflite name beside the model")
    return name


@dataclass
class ModelBundle:
    """A loaded bundle. ``lite`` runs it where it has a light form (and the runtime was
    not set to Keras); ``model``, the Keras network, is then loaded only when asked for
    (:meth:`keras_model`: training, converting)."""

    model: keras.Model | None
    meta: BundleMeta
    path: Path | None = None
    lite: LiteNetwork | None = None
    _predict: Any = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def runtime(self) -> str:
        """``litert`` or ``keras``: what restores run it through."""
        return RUNTIME if self.lite is not None else "keras"

    def keras_model(self) -> keras.Model:
        """The Keras network, loaded now if the bundle runs through LiteRT (imports
        TensorFlow)."""
        with self._lock:
            if self.model is None:
                if self.path is None:
                    raise ModelFormatError("this model has no Keras network to load")
                self.model = _load_keras(self.path, self.meta)
            return self.model

    def warm(self) -> None:
        """Build the inference graph on a few frames, so the first real run does not
        (through Keras; a LiteRT interpreter is ready once loaded, and each thread that
        runs the model makes its own)."""
        if self.lite is not None:
            return
        if self.meta.family == DFN3_FAMILY:
            from core.model.dfn3.runner import Dfn3Runner

            Dfn3Runner.warm(self)
        else:
            self.predict(np.zeros((1, 8, self.meta.spectral.bins), dtype=np.float32))

    def predict(self, features: np.ndarray) -> np.ndarray:
        """The model's output for ``features`` ``(batch, frames, bins)``, in inference mode.

        Through LiteRT each thread has its interpreter; through Keras the compiled graph
        is kept on the bundle, so every caller shares one trace. Callers on several
        threads may use it at once.
        """
        lite = self.lite
        if lite is not None:
            with self._lock:
                if self._predict is None:
                    self._predict = lambda x: lite(x)[0]
                predict = self._predict
            return np.asarray(predict(np.asarray(features, dtype=np.float32)), np.float32)
        model = self.keras_model()
        with self._lock:
            if self._predict is None:
                import tensorflow as tf

                # One trace for every batch and length (each new shape cost ~0.4 s).
                # No AutoGraph: a plain model call needs none, and in the frozen app the
                # lambda has no source for AutoGraph to parse (it warned on every start).
                spec = tf.TensorSpec((None, None, features.shape[-1]), tf.float32)
                self._predict = tf.function(
                    lambda x: model(x, training=False), input_signature=[spec], autograph=False
                )
            predict = self._predict
        return np.asarray(predict(np.asarray(features, dtype=np.float32)), dtype=np.float32)


def meta_path(model_path: Path) -> Path:
    return model_path.with_suffix(".json")


def resolve_model_path(spec: str | os.PathLike[str]) -> Path:
    """``"default"`` (or ``"speech"``) means a built-in model; anything else is a ``.keras``
    path."""
    if str(spec) in BUILTIN_MODELS:
        from core.resources import resources_root

        return resources_root() / "models" / BUILTIN_MODELS[str(spec)]
    return Path(spec)


def save_bundle(
    bundle: ModelBundle, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write ``path`` (``.keras``), its LiteRT form (``.tflite``, converted now, so the
    user never waits for it later) and its ``.json`` atomically; returns ``path``.
    None replaces an existing file unless ``overwrite``. Imports TensorFlow."""
    from core.model.lite import convert

    path = Path(path)
    if path.suffix != ".keras":
        raise ModelFormatError(f"model files must end in .keras, got {path.name}")
    light = lite_path(path)
    check_outputs([path, meta_path(path), light], overwrite=overwrite)
    content = convert(bundle)
    bundle.meta.light_form = light.name
    text = json.dumps(bundle.meta.to_dict(), indent=1)
    model = PendingFile(path, overwrite=overwrite, suffix=".keras")
    with (
        model,
        PendingFile(light, overwrite=overwrite) as lite,
        PendingFile(meta_path(path), overwrite=overwrite) as meta,
    ):
        try:
            bundle.keras_model().save(model.tmp)
            lite.tmp.write_bytes(content)
            meta.tmp.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise write_error(exc, path) from exc
        publish_all([meta, lite, model])
    bundle.path = path
    return path


def convert_bundle(path: str | os.PathLike[str]) -> Path:
    """Give the bundle at ``path`` its LiteRT form (``seminario model convert``): writes
    the ``.tflite`` file and rewrites the description to name it; the ``.keras`` file is
    not touched. Returns the ``.tflite`` path. Imports TensorFlow."""
    from core.model.lite import convert

    path = resolve_model_path(path)
    bundle = load_bundle(path, runtime="keras")
    light = lite_path(path)
    content = convert(bundle)
    data = json.loads(meta_path(path).read_text(encoding="utf-8"))
    data["light_form"] = {"runtime": RUNTIME, "file": light.name}
    text = json.dumps(data, indent=1)
    overwrite = bundle.meta.light_form is not None  # its own, from an earlier convert
    check_outputs([light], overwrite=overwrite)
    with (
        PendingFile(light, overwrite=overwrite) as lite,
        PendingFile(meta_path(path), overwrite=True) as meta,
    ):
        try:
            lite.tmp.write_bytes(content)
            meta.tmp.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise write_error(exc, light) from exc
        publish_all([lite, meta])
    return light


def load_meta(path: str | os.PathLike[str]) -> BundleMeta:
    """Read only the JSON half (fast; no TensorFlow)."""
    path = resolve_model_path(path)
    description = meta_path(path)
    if not path.exists():
        raise ModelFormatError(f"model not found: {path}")
    if not description.exists():
        raise ModelFormatError(
            f"model description missing: {description.name} must sit beside {path.name}"
        )
    try:
        data = json.loads(description.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFormatError(f"cannot read {description.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelFormatError(f"{description.name} is not a model description")
    try:
        return BundleMeta.from_dict(data)
    except ModelFormatError as exc:
        raise ModelFormatError(f"{description.name}: {exc}") from exc


class KerasFallbackWarning(UserWarning):
    """A model without a light form runs through Keras (slower to start)."""


_told: set[Path] = set()


def load_bundle(path: str | os.PathLike[str], *, runtime: str | None = None) -> ModelBundle:
    """Load a bundle; raises :class:`ModelFormatError`.

    ``runtime`` ``litert`` (the default, unless :data:`~core.model.lite.RUNTIME_ENV` says
    ``keras``) runs it through its LiteRT form without importing TensorFlow; a bundle
    without one (saved before it, or copied without its ``.tflite`` file) runs through
    Keras and says once, as a :class:`KerasFallbackWarning`, how to convert it.
    ``keras`` loads the Keras network (safe mode) and runs through it.
    """
    path = resolve_model_path(path)
    meta = load_meta(path)
    runtime = runtime or wanted_runtime()
    if runtime == RUNTIME:
        # Found beside the .keras file by its name, as the description is: a bundle
        # renamed as a whole still finds it.
        light = None if meta.light_form is None else lite_path(path)
        if light is not None and light.exists():
            lite = LiteNetwork.load(light)
            _check_lite(lite, meta, light.name)
            return ModelBundle(model=None, meta=meta, path=path, lite=lite)
        if path not in _told:
            _told.add(path)
            missing = "" if light is None else f" ({light.name} is missing)"
            warnings.warn(
                f"{path.name} has no light form{missing}, so it runs through TensorFlow "
                "(seconds to start); to start in a second, convert it once: "
                f"seminario model convert {path}",
                KerasFallbackWarning,
                stacklevel=2,
            )
    return ModelBundle(model=_load_keras(path, meta), meta=meta, path=path)


def _check_lite(lite: LiteNetwork, meta: BundleMeta, name: str) -> None:
    from core.model.dfn3 import frontend as fe

    first = lite.input_shapes[0]
    if meta.family == DFN3_FAMILY:
        expected = [(1, -1, fe.NB_ERB), (1, -1, fe.NB_DF, 2)]
        if lite.input_shapes[:2] != expected:
            raise ModelFormatError(f"{name} is not a DeepFilterNet3 network: inputs {first}")
    elif len(lite.input_shapes) != 1 or first[-1] != meta.spectral.bins:
        raise ModelFormatError(
            f"{name} expects inputs {first} but its description says "
            f"{meta.spectral.bins} frequency bins"
        )


def _load_keras(path: Path, meta: BundleMeta) -> keras.Model:
    """The Keras network of the bundle at ``path``, loaded in safe mode."""
    from core.model.tf import quiet_tensorflow

    if not zipfile.is_zipfile(path):  # Keras would say "file not found" of it
        raise ModelFormatError(
            f"{path.name} is not a Keras model file (a .keras file is a zip archive); "
            "choose the .keras file that training wrote"
        )
    quiet_tensorflow()
    import keras

    custom = {}
    if meta.family == DFN3_FAMILY:
        from core.model.dfn3.network import custom_objects

        custom = custom_objects()
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True, custom_objects=custom)
    except Exception as exc:  # Keras raises many types for corrupt or unsafe files
        raise ModelFormatError(f"cannot load model {path.name}: {exc}") from exc
    if meta.family == DFN3_FAMILY:
        from core.model.dfn3 import check_network

        check_network(model, path.name)
        return model
    bins = model.input_shape[-1]
    if bins != meta.spectral.bins:
        raise ModelFormatError(
            f"{path.name} expects {bins} frequency bins "
            f"but its description says {meta.spectral.bins}"
        )
    return model
