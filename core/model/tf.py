"""Lazy, quiet TensorFlow start-up (importing it costs seconds, so only on demand)."""

from __future__ import annotations

import importlib.util
import os

from core.errors import TensorFlowMissingError
from core.progress import CancelToken, ProgressCallback, check_cancel


def require_tensorflow() -> None:
    """Raise :class:`TensorFlowMissingError` where TensorFlow is not installed (the app
    built without training, ``SEMINARIO_BUILD_TRAINING=0``): restoring needs only
    LiteRT; training, fine-tuning and converting need TensorFlow."""
    if importlib.util.find_spec("tensorflow") is None:
        raise TensorFlowMissingError(
            "training, fine-tuning and converting a model need TensorFlow, which this "
            "installation of SeminarioIA leaves out (it restores with the models' LiteRT "
            "forms); use the full installation for them"
        )


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ start-up logs; call before the first ``import keras``
    (raises :class:`TensorFlowMissingError` where TensorFlow is not installed)."""
    require_tensorflow()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def preload(*, progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> None:
    """Import TensorFlow and Keras now (seconds), so the first restore or training
    does not. The app runs this in the background right after its window appears:
    importing holds Python's GIL in long stretches (loading the C++ libraries), which
    is better spent while the user looks at the window than after a click."""
    quiet_tensorflow()
    check_cancel(cancel)
    import keras  # noqa: F401
    import tensorflow  # noqa: F401

    if progress is not None:
        progress(1.0, "TensorFlow ready")
