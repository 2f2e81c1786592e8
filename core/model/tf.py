"""Lazy, quiet TensorFlow start-up (importing it costs seconds, so only on demand)."""

from __future__ import annotations

import os

from core.progress import CancelToken, ProgressCallback, check_cancel


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ start-up logs; call before the first ``import keras``."""
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
