"""DeepFilterNet3 (Schröter et al. 2023; MIT / Apache-2.0) written anew in Keras: the
built-in speech denoiser. ``frontend`` is its signal path, ``network`` the network,
``runner`` runs both on audio; ``scripts/convert_dfn3.py`` brings the published weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.errors import ModelFormatError
from core.model.dfn3 import frontend as fe

if TYPE_CHECKING:
    import keras

    from core.model.bundle import ModelBundle

ARCHITECTURE = "dfn3"


def new_bundle(*, training: dict[str, Any] | None = None) -> ModelBundle:
    """A ``dfn3`` bundle around a network with fresh weights."""
    from core.dsp.stft import StftConfig
    from core.model.bundle import DFN3_FAMILY, NO_FLOOR_DB, BundleMeta, ModelBundle
    from core.model.dfn3.network import build_dfn3
    from core.model.spectral import SpectralSettings
    from core.model.tf import quiet_tensorflow

    quiet_tensorflow()
    meta = BundleMeta(
        architecture=ARCHITECTURE,
        spectral=SpectralSettings(fe.SAMPLE_RATE, StftConfig(n_fft=fe.N_FFT, hop=fe.HOP)),
        norm=None,
        mask_floor_db=NO_FLOOR_DB,
        training=dict(training or {}),
        family=DFN3_FAMILY,
    )
    return ModelBundle(model=build_dfn3(), meta=meta)


def check_network(model: keras.Model, name: str) -> None:
    """Refuse a ``dfn3`` file whose network does not take and give DeepFilterNet3's shapes."""
    inputs = [tuple(t.shape[2:]) for t in model.inputs]
    outputs = [tuple(t.shape[2:]) for t in model.outputs]
    if inputs != [(fe.NB_ERB,), (fe.NB_DF, 2)] or outputs[:2] != [
        (fe.NB_ERB,),
        (fe.NB_DF, 2 * fe.DF_ORDER),
    ]:
        raise ModelFormatError(f"{name} is not a DeepFilterNet3 network: inputs {inputs}")
