"""Training: progress, cancel, checkpoint, fine-tuning, and the pairing errors it reports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.errors import Cancelled, ConfigError, PairingError
from core.model.bundle import load_bundle
from core.progress import CancelToken
from core.training import NORM_SAMPLE_PAIRS, EpochReport, TrainConfig, train, train_stream
from tests.conftest import make_pairs


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_pairs(tmp_path_factory.mktemp("pairs"), count=5, seconds=2.0)


def small(**kw: object) -> TrainConfig:
    base = dict(
        arch="dense",
        epochs=2,
        batch_size=8,
        n_fft=256,
        hop=64,
        segment_frames=32,
        arch_params={"hidden": 32, "context": 3, "layers": 2},
    )
    base.update(kw)
    return TrainConfig(**base)  # type: ignore[arg-type]


def test_train_reports_progress_and_epochs_and_saves_a_loadable_bundle(
    pairs: tuple[Path, Path], tmp_path: Path
) -> None:
    fractions: list[float] = []
    epochs: list[EpochReport] = []
    result = train(
        *pairs,
        tmp_path / "m.keras",
        config=small(),
        progress=lambda f, m="": fractions.append(f),
        on_epoch=epochs.append,
    )
    assert [e.epoch for e in epochs] == [1, 2]
    assert all(e.loss > 0 and e.val_loss > 0 for e in epochs)
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert result.train_files + result.val_files == 5 and result.val_files >= 1
    bundle = load_bundle(result.model_path)
    assert bundle.meta.history["loss"] == pytest.approx([e.loss for e in epochs], rel=1e-5)
    assert bundle.meta.training["val_files"] == result.val_files
    assert bundle.meta.spectral.stft.n_fft == 256


def test_cancel_stops_training_and_writes_nothing(pairs: tuple[Path, Path], tmp_path: Path) -> None:
    token = CancelToken()

    def progress(fraction: float, message: str = "") -> None:
        if message.startswith("epoch"):
            token.cancel()

    with pytest.raises(Cancelled):
        train(
            *pairs, tmp_path / "m.keras", config=small(epochs=50), progress=progress, cancel=token
        )
    assert list(tmp_path.iterdir()) == []


def test_fine_tuning_keeps_the_base_models_input_transform(
    pairs: tuple[Path, Path], tmp_path: Path
) -> None:
    base = train(*pairs, tmp_path / "base.keras", config=small(epochs=1)).model_path
    # The architecture asked for is ignored: fine-tuning continues the base model.
    config = small(epochs=1, init=str(base), arch="crnn")
    tuned = train(*pairs, tmp_path / "tuned.keras", config=config)
    a, b = load_bundle(base), load_bundle(tuned.model_path)
    assert (a.meta.norm.mean == b.meta.norm.mean).all()
    assert a.meta.spectral == b.meta.spectral
    assert b.meta.training["config"]["init"] == str(base)
    assert b.meta.architecture == a.meta.architecture == b.meta.training["config"]["arch"]
    assert b.meta.mask_floor_db == a.meta.mask_floor_db


def test_bad_configs_and_folders_are_refused(pairs: tuple[Path, Path], tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="architecture"):
        train(*pairs, tmp_path / "m.keras", config=small(arch="nope"))
    with pytest.raises(ConfigError, match="split"):
        train(*pairs, tmp_path / "m.keras", config=small(val_split=1.0))
    with pytest.raises(ConfigError, match=".keras"):
        train(*pairs, tmp_path / "m.h5", config=small())
    with pytest.raises(ConfigError, match="schedule"):
        train(*pairs, tmp_path / "m.keras", config=small(lr_schedule="step"))
    empty = tmp_path / "empty"
    (empty / "noisy").mkdir(parents=True)
    (empty / "clean").mkdir()
    with pytest.raises(PairingError):
        train(empty / "noisy", empty / "clean", tmp_path / "m.keras", config=small())


def test_cosine_schedule_decays_the_learning_rate_over_the_planned_steps(
    pairs: tuple[Path, Path], tmp_path: Path
) -> None:
    import json
    import zipfile

    result = train(*pairs, tmp_path / "m.keras", config=small(lr_schedule="cosine"))
    with zipfile.ZipFile(result.model_path) as z:
        compiled = json.loads(z.read("config.json"))["compile_config"]
    rate = compiled["optimizer"]["config"]["learning_rate"]
    assert rate["class_name"] == "CosineDecay"
    assert rate["config"]["initial_learning_rate"] == pytest.approx(1e-3)
    assert rate["config"]["alpha"] == pytest.approx(0.05)
    assert load_bundle(result.model_path).meta.training["config"]["lr_schedule"] == "cosine"


def _stream_pairs(count: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    t = np.arange(8000) / 16000
    out = []
    for _ in range(count):
        clean = (0.3 * np.sin(2 * np.pi * rng.uniform(200, 2000) * t)).astype(np.float32)[None]
        out.append(((clean + 0.05 * rng.standard_normal(clean.shape)).astype(np.float32), clean))
    return out


def test_streamed_training_draws_fresh_pairs_every_epoch_and_saves(tmp_path: Path) -> None:
    drawn: list[int] = []

    def draw(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        drawn.append(1)
        return _stream_pairs(1, int(rng.integers(1 << 30)))[0]

    epochs: list[EpochReport] = []
    result = train_stream(
        draw,
        _stream_pairs(3, 99),
        tmp_path / "s.keras",
        config=small(epochs=2, batch_size=4),
        steps_per_epoch=3,
        on_epoch=epochs.append,
    )
    assert [e.epoch for e in epochs] == [1, 2]
    # The normalisation sample, then at least 2 epochs x 3 batches x 4 new pairs.
    assert len(drawn) >= NORM_SAMPLE_PAIRS + 2 * 3 * 4
    bundle = load_bundle(result.model_path)
    assert bundle.meta.training["steps_per_epoch"] == 3
    assert result.val_files == 3 and np.isfinite(result.val_si_sdr_after)


def test_streamed_training_cancels_and_refuses_bad_settings(tmp_path: Path) -> None:
    token = CancelToken()

    def progress(fraction: float, message: str = "") -> None:
        if message.startswith("epoch"):
            token.cancel()

    def draw(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return _stream_pairs(1, int(rng.integers(1 << 30)))[0]

    val = _stream_pairs(2, 1)
    with pytest.raises(Cancelled):
        train_stream(
            draw,
            val,
            tmp_path / "s.keras",
            config=small(epochs=50),
            steps_per_epoch=5,
            progress=progress,
            cancel=token,
        )
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ConfigError):
        train_stream(draw, val, tmp_path / "s.keras", config=small(), steps_per_epoch=0)
    with pytest.raises(ConfigError):
        train_stream(draw, [], tmp_path / "s.keras", config=small(), steps_per_epoch=2)
