"""A model bundle: ``NAME.keras`` (weights and graph) plus ``NAME.json`` (everything
needed to use it: rate, STFT, feature normalisation, architecture, history).

Bundles load with Keras safe mode, so a model file cannot run arbitrary code.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core import __version__
from core.dsp.stft import StftConfig
from core.errors import ModelFormatError
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
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFormatError(f"model description is incomplete or invalid: {exc}") from exc


@dataclass
class ModelBundle:
    model: keras.Model
    meta: BundleMeta
    path: Path | None = None
    _predict: Any = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def warm(self) -> None:
        """Build the inference graph on a few frames, so the first real run does not."""
        if self.meta.family == DFN3_FAMILY:
            from core.model.dfn3.runner import Dfn3Runner

            Dfn3Runner.warm(self)
        else:
            self.predict(np.zeros((1, 8, self.meta.spectral.bins), dtype=np.float32))

    def predict(self, features: np.ndarray) -> np.ndarray:
        """The model's output for ``features`` ``(batch, frames, bins)``, in inference mode.

        The compiled graph is kept on the bundle, so every caller shares one trace;
        callers on several threads may use it at once.
        """
        with self._lock:
            if self._predict is None:
                import tensorflow as tf

                model = self.model
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
    """Write ``path`` (``.keras``) and its ``.json`` atomically; returns ``path``.
    Neither replaces an existing file unless ``overwrite``."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ModelFormatError(f"model files must end in .keras, got {path.name}")
    check_outputs([path, meta_path(path)], overwrite=overwrite)
    text = json.dumps(bundle.meta.to_dict(), indent=1)
    model = PendingFile(path, overwrite=overwrite, suffix=".keras")
    with model, PendingFile(meta_path(path), overwrite=overwrite) as meta:
        try:
            bundle.model.save(model.tmp)
            meta.tmp.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise write_error(exc, path) from exc
        publish_all([meta, model])
    bundle.path = path
    return path


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


def load_bundle(path: str | os.PathLike[str]) -> ModelBundle:
    """Load a bundle in Keras safe mode; raises :class:`ModelFormatError`."""
    from core.model.tf import quiet_tensorflow

    path = resolve_model_path(path)
    meta = load_meta(path)
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
        return ModelBundle(model=model, meta=meta, path=path)
    bins = model.input_shape[-1]
    if bins != meta.spectral.bins:
        raise ModelFormatError(
            f"{path.name} expects {bins} frequency bins "
            f"but its description says {meta.spectral.bins}"
        )
    return ModelBundle(model=model, meta=meta, path=path)
