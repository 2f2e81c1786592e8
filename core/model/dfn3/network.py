"""DeepFilterNet3's network in Keras 3: encoder, ERB-gain decoder and deep-filter
decoder as one functional model.

Written from the architecture in DeepFilterNet's repository (``df/deepfilternet3.py``,
``df/modules.py``) and paper (Schröter et al. 2023, arXiv 2305.08227); its weights come
from the published ONNX export (``scripts/convert_dfn3.py``). Tensors are channels-last
``(batch, frames, freq, channels)``; every convolution is causal in time (the
look-ahead is the caller's: outputs of frame ``t`` belong to frame ``t - 2``). Batch
normalisation is folded into the convolution biases, as in the export.

Inputs ``erb`` ``(batch, frames, 32)`` and ``spec`` ``(batch, frames, 96, 2)``; outputs
``gains`` ``(batch, frames, 32)`` in [0, 1], ``coefs`` ``(batch, frames, 96, 10)``
(5 complex taps per bin, real and imaginary interleaved) and ``lsnr``
``(batch, frames, 1)``, the local SNR estimate in dB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.model.dfn3.frontend import NB_DF, NB_ERB

if TYPE_CHECKING:
    import keras

CONV_CH = 64
EMB_DIM = CONV_CH * NB_ERB // 4  # 512: the embedding the three parts share
HIDDEN = 256
LINEAR_GROUPS = 16
ENC_LINEAR_GROUPS = 32
DF_GRU_GROUPS = 8  # SqueezedGRU_S's default, kept by the DF decoder's input layer
DF_ORDER = 5
DF_PATHWAY_T = 5
LSNR_MIN, LSNR_MAX = -15.0, 35.0

_registered: dict[str, Any] = {}


def custom_objects() -> dict[str, Any]:
    """The two layers Keras lacks, registered for loading (safe mode allows them)."""
    if not _registered:
        _define_layers()
    return dict(_registered)


def _define_layers() -> None:
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="seminario")
    class GroupedLinear(keras.layers.Layer):
        """A linear map split into ``groups`` independent blocks along the last axis
        (DeepFilterNet's GroupedLinearEinsum): weight ``(groups, in/groups, out/groups)``."""

        def __init__(self, units: int, groups: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.units, self.groups = units, groups

        def build(self, input_shape: Any) -> None:
            size = int(input_shape[-1])
            if size % self.groups or self.units % self.groups:
                raise ValueError("sizes must divide into the groups")
            self.kernel = self.add_weight(
                name="kernel",
                shape=(self.groups, size // self.groups, self.units // self.groups),
                initializer="he_uniform",
            )

        def call(self, x: Any) -> Any:
            shape = ops.shape(x)
            g = ops.reshape(x, (shape[0], shape[1], self.groups, -1))
            y = ops.einsum("btgi,gih->btgh", g, self.kernel)
            return ops.reshape(y, (shape[0], shape[1], self.units))

        def compute_output_shape(self, input_shape: Any) -> Any:
            return (*input_shape[:-1], self.units)

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "units": self.units, "groups": self.groups}

    @keras.saving.register_keras_serializable(package="seminario")
    class FreqUpsample(keras.layers.Layer):
        """Depthwise transposed convolution along frequency, kernel 3, stride 2 (padding
        1, output padding 1): ``F`` bins in, ``2 F`` out. Even outputs are
        ``k1 x[p]``; odd ones ``k0 x[p + 1] + k2 x[p]``."""

        def build(self, input_shape: Any) -> None:
            self.kernel = self.add_weight(
                name="kernel", shape=(3, int(input_shape[-1])), initializer="glorot_uniform"
            )

        def call(self, x: Any) -> Any:
            k0, k1, k2 = self.kernel[0], self.kernel[1], self.kernel[2]
            nxt = ops.pad(x[:, :, 1:], ((0, 0), (0, 0), (0, 1), (0, 0)))
            even, odd = x * k1, nxt * k0 + x * k2
            shape = ops.shape(x)
            both = ops.stack([even, odd], axis=3)  # (b, t, F, 2, c)
            return ops.reshape(both, (shape[0], shape[1], shape[2] * 2, shape[3]))

        def compute_output_shape(self, input_shape: Any) -> Any:
            freq = None if input_shape[2] is None else input_shape[2] * 2
            return (input_shape[0], input_shape[1], freq, input_shape[3])

    _registered.update(GroupedLinear=GroupedLinear, FreqUpsample=FreqUpsample)


def build_dfn3(*, streaming: bool = False) -> keras.Model:
    """The network with fresh weights (``scripts/convert_dfn3.py`` fills in the published
    ones).

    With ``streaming`` the network runs a stretch of frames after the ones it ran
    before: its recurrent states and the frames its convolutions look back on are
    extra inputs (zeros at the start) and extra outputs, so a long input run stretch by
    stretch gives what one run over all of it gives. Layer names are those of the
    plain network, whose weights it takes (:func:`streaming_copy`).
    """
    import keras
    from keras import layers

    objects = custom_objects()
    GroupedLinear, FreqUpsample = objects["GroupedLinear"], objects["FreqUpsample"]
    state_in: list[Any] = []
    state_out: list[Any] = []

    def relu(name: str) -> Any:
        return layers.ReLU(name=name)

    def causal(x: Any, frames: int, freq: int, name: str) -> Any:
        if streaming and frames:
            past = keras.Input((frames, *x.shape[2:]), name=f"{name}_past")
            x = layers.Concatenate(axis=1, name=f"{name}_join")([past, x])
            state_in.append(past)
            state_out.append(x[:, -frames:])
            frames = 0
        return layers.ZeroPadding2D(((frames, 0), (freq, freq)), name=name)(x)

    def separable(x: Any, stride: int, name: str) -> Any:
        """Depthwise 1x3 along frequency (stride 1 or 2), pointwise 1x1, ReLU."""
        x = causal(x, 0, 1, f"{name}_pad")
        x = layers.DepthwiseConv2D((1, 3), strides=(1, stride), use_bias=False, name=f"{name}_dw")(
            x
        )
        x = layers.Conv2D(CONV_CH, 1, name=f"{name}_pw")(x)
        return relu(f"{name}_relu")(x)

    def squeezed_gru(x: Any, *, groups: int, layers_: int, out: int | None, name: str) -> Any:
        x = GroupedLinear(HIDDEN, groups, name=f"{name}_in")(x)
        x = relu(f"{name}_in_relu")(x)
        for i in range(layers_):
            gru = layers.GRU(
                HIDDEN,
                return_sequences=True,
                return_state=streaming,
                reset_after=True,
                name=f"{name}_gru{i}",
            )
            if streaming:
                h = keras.Input((HIDDEN,), name=f"{name}_gru{i}_state")
                x, h_out = gru(x, initial_state=[h])
                state_in.append(h)
                state_out.append(h_out)
            else:
                x = gru(x)
        if out is not None:
            x = GroupedLinear(out, groups, name=f"{name}_out")(x)
            x = relu(f"{name}_out_relu")(x)
        return x

    erb_in = keras.Input((None, NB_ERB), name="erb")
    spec_in = keras.Input((None, NB_DF, 2), name="spec")

    # Encoder
    x = layers.Reshape((-1, NB_ERB, 1), name="erb_4d")(erb_in)
    x = causal(x, 2, 1, "erb_conv0_pad")
    e0 = relu("erb_conv0_relu")(layers.Conv2D(CONV_CH, 3, name="erb_conv0")(x))
    e1 = separable(e0, 2, "erb_conv1")
    e2 = separable(e1, 2, "erb_conv2")
    e3 = separable(e2, 1, "erb_conv3")
    x = causal(spec_in, 2, 1, "df_conv0_pad")
    x = layers.DepthwiseConv2D(
        3, depth_multiplier=CONV_CH // 2, use_bias=False, name="df_conv0_dw"
    )(x)
    c0 = relu("df_conv0_relu")(layers.Conv2D(CONV_CH, 1, name="df_conv0_pw")(x))
    c1 = separable(c0, 2, "df_conv1")
    cemb = layers.Reshape((-1, CONV_CH * NB_DF // 2), name="df_flat")(c1)
    cemb = relu("df_fc_emb_relu")(GroupedLinear(EMB_DIM, ENC_LINEAR_GROUPS, name="df_fc_emb")(cemb))
    emb = layers.Reshape((-1, EMB_DIM), name="erb_flat")(e3)
    emb = layers.Add(name="combine")([emb, cemb])
    emb = squeezed_gru(emb, groups=LINEAR_GROUPS, layers_=1, out=EMB_DIM, name="enc_emb")
    lsnr = layers.Dense(1, activation="sigmoid", name="lsnr_fc")(emb)
    lsnr = layers.Rescaling(LSNR_MAX - LSNR_MIN, offset=LSNR_MIN, name="lsnr")(lsnr)

    # ERB decoder: band gains
    d = squeezed_gru(emb, groups=LINEAR_GROUPS, layers_=2, out=EMB_DIM, name="erb_dec_emb")
    d = layers.Reshape((-1, NB_ERB // 4, CONV_CH), name="erb_dec_4d")(d)

    def pathway(e: Any, name: str) -> Any:
        return relu(f"{name}_relu")(layers.DepthwiseConv2D(1, name=name)(e))

    d = separable(layers.Add(name="add3")([pathway(e3, "conv3p"), d]), 1, "convt3")

    def upsample(x: Any, name: str) -> Any:
        x = FreqUpsample(name=f"{name}_up")(x)
        return relu(f"{name}_relu")(layers.Conv2D(CONV_CH, 1, name=f"{name}_pw")(x))

    d = upsample(layers.Add(name="add2")([pathway(e2, "conv2p"), d]), "convt2")
    d = upsample(layers.Add(name="add1")([pathway(e1, "conv1p"), d]), "convt1")
    d = layers.Add(name="add0")([pathway(e0, "conv0p"), d])
    d = causal(d, 0, 1, "conv0_out_pad")
    d = layers.Conv2D(1, (1, 3), activation="sigmoid", name="conv0_out")(d)
    gains = layers.Reshape((-1, NB_ERB), name="gains")(d)

    # Deep-filter decoder: complex filter taps for the lowest bins
    c = squeezed_gru(emb, groups=DF_GRU_GROUPS, layers_=2, out=None, name="df_dec_emb")
    c = layers.Add(name="df_skip_add")(
        [c, GroupedLinear(HIDDEN, LINEAR_GROUPS, name="df_skip")(emb)]
    )
    c = GroupedLinear(NB_DF * DF_ORDER * 2, LINEAR_GROUPS, name="df_out")(c)
    c = layers.Activation("tanh", name="df_out_tanh")(c)
    c = layers.Reshape((-1, NB_DF, DF_ORDER * 2), name="df_out_4d")(c)
    p = causal(c0, DF_PATHWAY_T - 1, 0, "df_convp_pad")
    p = layers.Conv2D(DF_ORDER * 2, (DF_PATHWAY_T, 1), groups=2, use_bias=False, name="df_convp")(p)
    p = relu("df_convp_relu")(layers.Conv2D(DF_ORDER * 2, 1, name="df_convp_pw")(p))
    coefs = layers.Add(name="coefs")([c, p])

    if streaming:
        return keras.Model(
            [erb_in, spec_in, *state_in], [gains, coefs, lsnr, *state_out], name="dfn3_stream"
        )
    return keras.Model([erb_in, spec_in], [gains, coefs, lsnr], name="dfn3")


def streaming_copy(model: keras.Model) -> keras.Model:
    """The streaming form of ``model`` (:func:`build_dfn3`), with its weights."""
    stream = build_dfn3(streaming=True)
    for layer in model.layers:
        if layer.weights:
            stream.get_layer(layer.name).set_weights(layer.get_weights())
    return stream
