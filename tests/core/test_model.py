"""Architectures registry, model bundles on disk, and inference."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.errors import ConfigError, InvalidAudioError, ModelFormatError
from core.model.architectures import ARCHITECTURES, build_model
from core.model.bundle import FORMAT_VERSION, load_bundle, load_meta, meta_path
from core.model.inference import Enhancer, enhance
from core.signals import speech_like, tone, white_noise
from core.strength import removal_share


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_every_architecture_maps_frames_to_a_mask_of_any_length(name: str) -> None:
    model = build_model(name, bins=33)
    for frames in (5, 17):
        x = np.random.default_rng(0).standard_normal((2, frames, 33)).astype(np.float32)
        mask = np.asarray(model(x))
        assert mask.shape == (2, frames, 33)
        assert mask.min() >= 0.0 and mask.max() <= 1.0


def test_unknown_architecture_and_bad_params_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unknown architecture"):
        build_model("transformer9000", bins=33)
    with pytest.raises(ConfigError, match="bad parameters"):
        build_model("dense", bins=33, colour="blue")


def test_bundle_round_trip_keeps_weights_and_metadata(tiny_bundle_path: Path) -> None:
    bundle = load_bundle(tiny_bundle_path)
    meta = bundle.meta
    assert meta.spectral.sample_rate == 16000
    assert meta.spectral.stft.n_fft == 256
    assert meta.format_version == FORMAT_VERSION
    assert meta.norm.mean.shape == (129,)
    assert bundle.runtime == "litert" and bundle.model is None
    again = load_bundle(tiny_bundle_path, runtime="keras")
    x = np.random.default_rng(1).standard_normal((1, 40, 129)).astype(np.float32)
    np.testing.assert_allclose(
        np.asarray(bundle.keras_model()(x)), np.asarray(again.model(x)), atol=1e-7
    )
    np.testing.assert_allclose(bundle.predict(x), again.predict(x), atol=1e-6)


@pytest.mark.parametrize("runtime", ["keras", "litert"])
def test_predict_serves_any_batch_and_length_and_threads(
    tiny_bundle_path: Path, runtime: str
) -> None:
    """Keras traces once for every shape; LiteRT gives each thread its interpreter."""
    from concurrent.futures import ThreadPoolExecutor

    bundle = load_bundle(tiny_bundle_path, runtime=runtime)
    model = load_bundle(tiny_bundle_path, runtime="keras").model
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((b, f, 129)) for b, f in [(1, 7), (3, 50), (2, 13), (5, 50)]]
    alone = [np.asarray(model(x.astype(np.float32), training=False)) for x in inputs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        masks = list(pool.map(bundle.predict, inputs))  # float64 in: converted
    for mask, expected in zip(masks, alone, strict=True):
        assert mask.dtype == np.float32
        np.testing.assert_allclose(mask, expected, rtol=1e-5, atol=1e-6)
    if runtime == "keras":
        assert bundle._predict.experimental_get_tracing_count() == 1


def _copy_bundle(src: Path, dst_dir: Path) -> Path:
    dst = dst_dir / src.name
    shutil.copy(src, dst)
    shutil.copy(meta_path(src), meta_path(dst))
    return dst


def test_missing_description_corrupt_file_and_future_version_are_refused(
    tiny_bundle_path: Path, tmp_path: Path
) -> None:
    copy = _copy_bundle(tiny_bundle_path, tmp_path)
    meta_path(copy).unlink()
    with pytest.raises(ModelFormatError, match="description missing"):
        load_bundle(copy)

    copy = _copy_bundle(tiny_bundle_path, tmp_path)
    data = json.loads(meta_path(copy).read_text())
    data["format_version"] = FORMAT_VERSION + 1
    meta_path(copy).write_text(json.dumps(data))
    with pytest.raises(ModelFormatError, match="not supported"):
        load_meta(copy)

    copy = _copy_bundle(tiny_bundle_path, tmp_path)
    copy.write_bytes(b"not a zip at all")
    with pytest.raises(ModelFormatError, match="is not a Keras model file"):
        load_bundle(copy)

    with pytest.raises(ModelFormatError, match="not found"):
        load_bundle(tmp_path / "nope.keras")


def test_safe_mode_refuses_a_model_with_a_lambda_layer(
    tiny_bundle_path: Path, tmp_path: Path
) -> None:
    import keras

    inputs = keras.Input(shape=(None, 129))
    outputs = keras.layers.Lambda(lambda t: t * 0 + 0.5)(inputs)
    unsafe = tmp_path / "unsafe.keras"
    keras.Model(inputs, outputs).save(unsafe)
    shutil.copy(meta_path(tiny_bundle_path), meta_path(unsafe))
    assert zipfile.is_zipfile(unsafe)
    with pytest.raises(ModelFormatError):
        load_bundle(unsafe)


def test_enhance_shapes_strength_and_residual(tiny_bundle_path: Path) -> None:
    bundle = load_bundle(tiny_bundle_path)
    sr = 16000
    x = np.concatenate([speech_like(sr=sr, seconds=2.0), white_noise(sr=sr, seconds=2.0)])
    full = enhance(x, sr=sr, bundle=bundle)
    assert full.restored.shape == x.shape and full.restored.dtype == np.float32
    np.testing.assert_allclose(full.restored + full.residual, x, atol=1e-5)
    assert np.abs(full.residual).max() > 1e-3  # the (untrained) mask does remove something
    none = enhance(x, sr=sr, bundle=bundle, strength=0.0)
    np.testing.assert_allclose(none.restored, x, atol=1e-6)
    half = enhance(x, sr=sr, bundle=bundle, strength=0.5)
    np.testing.assert_allclose(half.residual, removal_share(0.5) * full.residual, atol=1e-5)
    with pytest.raises(ConfigError):
        enhance(x, sr=sr, bundle=bundle, strength=1.5)
    with pytest.raises(InvalidAudioError):
        enhance(np.full((1, 100), np.nan, np.float32), sr=sr, bundle=bundle)


def test_block_processing_is_seamless(tiny_bundle_path: Path) -> None:
    """Small blocks give the same result as one big block, apart from tiny crossfade differences."""
    bundle = load_bundle(tiny_bundle_path)
    sr = 16000
    x = speech_like(sr=sr, seconds=6.0) + white_noise(sr=sr, seconds=6.0, amplitude=0.05)
    whole = enhance(x, sr=sr, bundle=bundle, block_seconds=10.0).restored
    blocked = enhance(x, sr=sr, bundle=bundle, block_seconds=1.3).restored
    err = np.sqrt(np.mean((whole - blocked) ** 2)) / np.sqrt(np.mean(whole**2))
    assert err < 0.01


def test_other_rates_can_keep_content_above_the_model_band(tiny_bundle_path: Path) -> None:
    """With ``extend_highs=False`` only what the 16 kHz model sees is touched at 44.1 kHz."""
    bundle = load_bundle(tiny_bundle_path)
    sr = 44100
    t = np.arange(sr) / sr
    high = (0.3 * np.sin(2 * np.pi * 15000 * t)).astype(np.float32)[None]
    removed = Enhancer(bundle, extend_highs=False).residual(high, sr=sr)
    assert removed.shape == high.shape
    assert np.sqrt(np.mean(removed[:, 2000:-2000] ** 2)) < 1e-3


@pytest.mark.parametrize(("gain", "sr"), [(0.1, 48000), (1.0, 48000), (0.1, 44100)])
def test_high_band_follows_the_models_top_band(tiny_bundle_path: Path, gain, sr) -> None:
    """Above the model's band, hiss is scaled by the gain the model gives its top band."""
    bundle = load_bundle(tiny_bundle_path)
    bundle._predict = lambda features: np.full(features.shape, gain, np.float32)
    noise = white_noise(sr=sr, seconds=2.0, amplitude=0.1)
    out = noise - Enhancer(bundle, floor_db=-80.0).residual(noise, sr=sr)

    def band_db(x: np.ndarray, lo: float, hi: float) -> float:
        power = np.abs(np.fft.rfft(x[0, sr // 4 : -sr // 4])) ** 2
        freqs = np.fft.rfftfreq(power.size * 2 - 2, 1 / sr)[: power.size]
        return 10 * np.log10(power[(freqs > lo) & (freqs < hi)].sum())

    expected = 20 * np.log10(gain)
    for lo, hi in ((1000, 6000), (10000, 20000)):  # below and above the model's band
        assert band_db(out, lo, hi) - band_db(noise, lo, hi) == pytest.approx(expected, abs=1.0)


@pytest.mark.parametrize("sr", [44100, 48000])
def test_the_band_above_the_model_joins_its_band_without_a_seam(
    tiny_bundle_path: Path, sr: int
) -> None:
    """With one gain everywhere the output is the input times that gain, also across the
    model's Nyquist (8 kHz), where the resampled band hands over to the band above."""
    bundle = load_bundle(tiny_bundle_path)
    bundle._predict = lambda features: np.full(features.shape, 0.5, np.float32)
    noise = white_noise(sr=sr, seconds=2.0, amplitude=0.1)
    out = noise - Enhancer(bundle, floor_db=-80.0).residual(noise, sr=sr)
    inner = slice(sr // 4, -sr // 4)
    spectrum = np.abs(np.fft.rfft(out[0, inner] - 0.5 * noise[0, inner]))
    reference = np.abs(np.fft.rfft(0.5 * noise[0, inner]))
    freqs = np.fft.rfftfreq(noise[0, inner].size, 1 / sr)
    seam = (freqs > 7000) & (freqs < 8500)
    error_db = 10 * np.log10(np.sum(spectrum[seam] ** 2) / np.sum(reference[seam] ** 2))
    assert error_db < -40.0


@pytest.mark.parametrize("sr", [16000, 48000])
def test_linked_channels_share_one_mask(tiny_bundle_path: Path, sr: int) -> None:
    """Linked, a quieter copy in the right channel loses exactly the same share."""
    bundle = load_bundle(tiny_bundle_path)
    left = speech_like(sr=sr, seconds=2.0) + white_noise(sr=sr, seconds=2.0, amplitude=0.05)
    stereo = np.concatenate([left, 0.25 * left])
    linked = Enhancer(bundle).residual(stereo, sr=sr)
    assert np.max(np.abs(linked[0])) > 1e-3
    np.testing.assert_allclose(linked[1], 0.25 * linked[0], atol=1e-6)
    # Independent channels see a 12 dB quieter input and get a mask of their own.
    independent = Enhancer(bundle, linked=False).residual(stereo, sr=sr)
    mono = Enhancer(bundle).residual(stereo[:1], sr=sr)
    np.testing.assert_allclose(independent[0], mono[0], atol=1e-6)
    assert np.max(np.abs(independent[1] - 0.25 * independent[0])) > 1e-4


def test_long_inputs_are_masked_in_chunks_that_join_seamlessly(tiny_bundle_path: Path) -> None:
    """A model with a short receptive field gets the same mask chunked as whole."""
    from core.model.inference import MASK_CHUNK_FRAMES, MASK_CONTEXT_FRAMES

    bundle = load_bundle(tiny_bundle_path)
    frames = 3 * MASK_CHUNK_FRAMES + 2 * MASK_CONTEXT_FRAMES + 17  # a ragged last chunk
    features = np.random.default_rng(1).standard_normal((2, frames, 129)).astype(np.float32)
    chunked = Enhancer(bundle).mask(features)
    assert chunked.shape == features.shape
    np.testing.assert_allclose(chunked, bundle.predict(features), atol=1e-5)


def sustained(*, sr: int, seconds: float) -> np.ndarray:
    """A held chord: music's continuity, without speech's pauses and syllables."""
    return sum(tone(freq=f, sr=sr, seconds=seconds, amplitude=0.1) for f in (220.0, 277.0, 330.0))


@pytest.mark.parametrize("kept_db", [0.0, -20.0])
def test_the_speech_model_gives_the_mask_only_where_the_pre_clean_runs(
    tiny_bundle_path: Path, kept_db: float
) -> None:
    """Music and clean input (the model keeps their quiet frames) never reach it."""
    bundle, speech = load_bundle(tiny_bundle_path), load_bundle(tiny_bundle_path)
    gain = np.float32(10 ** (kept_db / 20))
    bundle._predict = lambda features: np.full(features.shape, gain, np.float32)
    calls: list[int] = []

    def speech_mask(features: np.ndarray) -> np.ndarray:
        calls.append(features.shape[1])
        return np.full(features.shape, 0.5, np.float32)

    speech._predict = speech_mask
    noisy = sustained(sr=16000, seconds=3.0) + white_noise(sr=16000, seconds=3.0, amplitude=0.02)
    alone = Enhancer(bundle, floor_db=-80.0, pre_clean_db=12.0).residual(noisy, sr=16000)
    enhancer = Enhancer(bundle, floor_db=-80.0, pre_clean_db=12.0, speech_bundle=speech)
    removed = enhancer.residual(noisy, sr=16000)
    if kept_db == 0.0:
        assert enhancer.last_pre_clean_db == 0.0 and not calls
        np.testing.assert_array_equal(removed, alone)
    else:
        assert enhancer.last_pre_clean_db == pytest.approx(12.0) and calls
        assert np.mean((removed - alone) ** 2) > 1e-3 * np.mean(alone**2)


def test_the_speech_model_must_share_the_models_spectral_settings(tiny_bundle_path: Path) -> None:
    import dataclasses

    from core.dsp.stft import StftConfig
    from core.model.spectral import SpectralSettings

    bundle, other = load_bundle(tiny_bundle_path), load_bundle(tiny_bundle_path)
    other.meta = dataclasses.replace(
        other.meta, spectral=SpectralSettings(sample_rate=8000, stft=StftConfig(n_fft=256, hop=64))
    )
    with pytest.raises(ConfigError):
        Enhancer(bundle, speech_bundle=other)


def test_the_built_in_speech_model_matches_the_default_model() -> None:
    from core.model.bundle import resolve_model_path

    default, speech = resolve_model_path("default"), resolve_model_path("speech")
    assert speech.name == "speech.keras" and speech.parent == default.parent
    assert load_meta(speech).spectral == load_meta(default).spectral
    assert speech.stat().st_size < 10e6


@pytest.mark.parametrize(
    ("kept_db", "depth"), [(0.0, 0.0), (-3.0, 0.0), (-5.0, 3.0), (-20.0, 12.0)]
)
def test_pre_clean_depth_follows_how_much_of_the_quiet_frames_the_model_removes(
    tiny_bundle_path: Path, kept_db: float, depth: float
) -> None:
    """The steady-noise pre-clean runs only as deep as the model vouches for its profile."""
    from core.model.inference import PRE_CLEAN_RAMP_DB, PRE_CLEAN_TRUST_DB

    assert (PRE_CLEAN_TRUST_DB, PRE_CLEAN_RAMP_DB) == (-4.0, 4.0)  # the ramp the cases assume
    bundle = load_bundle(tiny_bundle_path)
    gain = 10 ** (kept_db / 20)  # a constant mask keeps gain**2 of every frame's power
    bundle._predict = lambda features: np.full(features.shape, gain, np.float32)
    noisy = sustained(sr=16000, seconds=3.0) + white_noise(sr=16000, seconds=3.0, amplitude=0.02)
    plain = Enhancer(bundle, floor_db=-80.0).residual(noisy, sr=16000)
    enhancer = Enhancer(bundle, floor_db=-80.0, pre_clean_db=12.0)
    removed = enhancer.residual(noisy, sr=16000)
    assert enhancer.last_pre_clean_db == pytest.approx(depth, abs=0.01)
    if depth == 0.0:
        np.testing.assert_array_equal(removed, plain)
    else:  # the Wiener filter took hiss out before the mask: more is removed
        assert np.mean(removed**2) > 1.01 * np.mean(plain**2)


def test_speech_rhythm_hears_pauses_and_syllables_not_held_notes() -> None:
    from core.dsp.stft import StftConfig, stft
    from core.model.inference import SPEECH_LOW_ENERGY_SHARE, SPEECH_MODULATION_SHARE, speech_rhythm

    config = StftConfig(n_fft=512, hop=128)

    def rhythm(x: np.ndarray) -> tuple[float, float]:
        return speech_rhythm(stft(x, config=config), sr=16000, hop=128)

    low, modulation = rhythm(speech_like(sr=16000, seconds=6.0))
    assert low >= SPEECH_LOW_ENERGY_SHARE and modulation >= SPEECH_MODULATION_SHARE
    low, modulation = rhythm(sustained(sr=16000, seconds=6.0))
    assert low < SPEECH_LOW_ENERGY_SHARE and modulation < SPEECH_MODULATION_SHARE
    assert rhythm(speech_like(sr=16000, seconds=1.5)) == (0.0, 0.0)  # too short to tell


@pytest.mark.parametrize(
    ("make", "noise", "runs"),
    [("speech", 0.02, True), ("speech", 0.0, False), ("sustained", 0.02, False)],
)
def test_speech_in_noise_gets_the_pre_clean_where_the_model_keeps_its_pauses(
    tiny_bundle_path: Path, make: str, noise: float, runs: bool
) -> None:
    """Some everyday noises in speech pauses the model keeps, as it keeps quiet music;
    speech's pauses and syllables, with a noisy floor, tell them apart. Speech in noise
    is heard first: the model's own mask, which the pre-clean replaces, is not computed."""
    bundle = load_bundle(tiny_bundle_path)
    masks: list[int] = []

    def keeps_all(features: np.ndarray) -> np.ndarray:
        masks.append(features.shape[1])
        return np.ones(features.shape, np.float32)

    bundle._predict = keeps_all
    source = speech_like if make == "speech" else sustained
    x = source(sr=16000, seconds=6.0)
    if noise:
        x = x + white_noise(sr=16000, seconds=6.0, amplitude=noise)
    enhancer = Enhancer(bundle, floor_db=-80.0, pre_clean_db=12.0)
    enhancer.residual(x, sr=16000)
    assert enhancer.last_pre_clean_db == (12.0 if runs else 0.0)
    assert len(masks) == 1  # after the pre-clean (no speech model here), or instead of it
    model_alone = Enhancer(bundle, floor_db=-80.0, pre_clean_db=12.0, hear_speech=False)
    model_alone.residual(x, sr=16000)
    assert model_alone.last_pre_clean_db == 0.0


@pytest.mark.parametrize(("kept_db", "floor_db"), [(-10.0, -80.0), (-60.0, -30.0)])
def test_removal_is_the_share_of_the_energy_the_floored_mask_takes_out(
    tiny_bundle_path: Path, kept_db: float, floor_db: float
) -> None:
    """What the assistant asks the model: how much of a recording it would take out."""
    from core.audio.resample import resample

    bundle = load_bundle(tiny_bundle_path)
    assert bundle.meta.spectral.sample_rate == 16000
    gain = 10 ** (kept_db / 20)  # a constant mask leaves (1 - gain)**2 of the power removed
    bundle._predict = lambda features: np.full(features.shape, gain, np.float32)
    enhancer = Enhancer(bundle, floor_db=floor_db)
    expected = 20 * np.log10(1 - max(gain, 10 ** (floor_db / 20)))
    x = speech_like(sr=16000, seconds=3.0)
    assert enhancer.removal_db(x, sr=16000) == pytest.approx(expected, abs=0.01)
    stereo = resample(np.concatenate([x, 0.5 * x]), orig_sr=16000, target_sr=48000)
    assert enhancer.removal_db(stereo, sr=48000) == pytest.approx(expected, abs=0.01)
    assert enhancer.removal_db(np.zeros((2, 16000), np.float32), sr=16000) == float("-inf")


def test_training_says_tensorflow_is_missing_where_it_is(monkeypatch, tmp_path) -> None:
    """The app built without training has no TensorFlow: training, fine-tuning and
    converting then stop with a typed error that says so, before any work."""
    import importlib.util

    from core.errors import TensorFlowMissingError
    from core.model.bundle import convert_bundle
    from core.training import TrainConfig, train

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "tensorflow" else real(name, *a),
    )
    with pytest.raises(TensorFlowMissingError, match="TensorFlow"):
        train(tmp_path / "noisy", tmp_path / "clean", tmp_path / "m.keras", config=TrainConfig())
    with pytest.raises(TensorFlowMissingError):
        convert_bundle("default")
    assert not (tmp_path / "m.keras").exists()
