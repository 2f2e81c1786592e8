"""Lazy, quiet TensorFlow start-up (importing it costs seconds, so only on demand)."""

from __future__ import annotations

import os


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ start-up logs; call before the first ``import keras``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
