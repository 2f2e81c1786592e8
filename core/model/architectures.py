"""Registry of named Keras architectures that map noisy features to a gain mask.

Every model takes normalised log-power frames ``(batch, frames, bins)`` and returns
a time-frequency gain mask in ``[0, 1]`` of the same shape. Any number of frames
is accepted, so one model serves training segments and whole recordings.
Only stock Keras layers are used: bundles then load in Keras safe mode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError

if TYPE_CHECKING:
    import keras


def _dense(bins: int, *, hidden: int = 256, context: int = 7, layers: int = 3) -> keras.Model:
    """The founding document's network: dense layers over a window of ``context`` frames.

    The first layer is a Conv1D whose kernel spans the window: exactly a dense
    layer applied to the stacked context frames, at every frame.
    """
    import keras

    inputs = keras.Input(shape=(None, bins), name="features")
    x = keras.layers.Conv1D(hidden, context, padding="same", activation="relu", name="context")(
        inputs
    )
    for i in range(layers - 1):
        x = keras.layers.Dense(hidden, activation="relu", name=f"dense_{i + 1}")(x)
    mask = keras.layers.Dense(bins, activation="sigmoid", name="mask")(x)
    return keras.Model(inputs, mask, name="dense")


def _crnn(bins: int, *, hidden: int = 128, conv: int = 128) -> keras.Model:
    """Convolutional-recurrent mask estimator: local spectral context, then a
    bidirectional GRU over time (restoration is offline, so it may look ahead)."""
    import keras

    inputs = keras.Input(shape=(None, bins), name="features")
    x = keras.layers.Conv1D(conv, 3, padding="same", activation="relu", name="conv_1")(inputs)
    x = keras.layers.Conv1D(conv, 3, padding="same", activation="relu", name="conv_2")(x)
    x = keras.layers.Bidirectional(
        keras.layers.GRU(hidden, return_sequences=True), merge_mode="concat", name="bigru"
    )(x)
    x = keras.layers.Dense(hidden * 2, activation="relu", name="dense")(x)
    mask = keras.layers.Dense(bins, activation="sigmoid", name="mask")(x)
    return keras.Model(inputs, mask, name="crnn")


ARCHITECTURES: dict[str, Callable[..., Any]] = {"dense": _dense, "crnn": _crnn}


def build_model(name: str, *, bins: int, **params: Any) -> keras.Model:
    """Build architecture ``name`` for ``bins`` frequency bins; ``params`` tune its size."""
    try:
        builder = ARCHITECTURES[name]
    except KeyError:
        raise ConfigError(
            f"unknown architecture {name!r}; choose one of: {', '.join(ARCHITECTURES)}"
        ) from None
    try:
        return builder(bins, **params)
    except TypeError as exc:
        raise ConfigError(f"bad parameters for architecture {name!r}: {exc}") from exc


def compressed_magnitude_loss(power: float = 0.3) -> Callable[[Any, Any], Any]:
    """Loss on power-compressed magnitudes of the masked spectrum.

    ``y_true`` packs ``[|clean|, |noisy|]`` along the last axis (``2 * bins``);
    ``y_pred`` is the mask. Compression keeps quiet bins relevant, as in
    DeepFilterNet and many speech-enhancement losses.
    """
    from keras import ops

    def loss(y_true: Any, y_pred: Any) -> Any:
        clean, noisy = ops.split(y_true, 2, axis=-1)
        estimate = (y_pred * noisy + 1e-8) ** power
        target = (clean + 1e-8) ** power
        return ops.mean(ops.square(estimate - target), axis=-1)

    loss.__name__ = "compressed_magnitude"
    return loss
