"""Train or fine-tune a restoration model on paired noisy/clean folders."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.data.dataset import (
    audio_examples,
    load_pair_audio,
    make_dataset,
    segment_arrays,
    spectral_examples,
    stream_batches,
)
from core.data.pairs import Pair, match_pairs, require_usable, split_pairs
from core.dsp.stft import StftConfig
from core.errors import Cancelled, ConfigError
from core.metrics import si_sdr
from core.model.architectures import ARCHITECTURES, build_model, compressed_magnitude_loss
from core.model.bundle import (
    BundleMeta,
    ModelBundle,
    load_bundle,
    meta_path,
    resolve_model_path,
    save_bundle,
)
from core.model.spectral import FeatureNorm, SpectralSettings
from core.output import check_outputs
from core.progress import CancelToken, ProgressCallback, check_cancel, sub_progress

OPTIMIZERS = ("adam", "adamw", "rmsprop", "sgd")
DFN3_ARCH = "dfn3"
"""DeepFilterNet3 (core.model.dfn3): fine-tuned with its own loss and data path."""
# "cosine" decays the rate to 5 % of its start over the planned epochs: the last
# epochs then settle into a minimum instead of hopping around it.
LR_SCHEDULES = ("constant", "cosine")


@dataclass
class TrainConfig:
    """How to train; ``init`` fine-tunes an existing bundle (``"default"`` or a path)."""

    arch: str = "dense"
    epochs: int = 20
    batch_size: int = 16
    learning_rate: float = 1e-3
    optimizer: str = "adam"
    lr_schedule: str = "constant"
    val_split: float = 0.2
    patience: int = 5
    seed: int = 0
    sample_rate: int = 16000
    n_fft: int = 512
    hop: int = 128
    segment_frames: int = 100
    init: str | None = None
    arch_params: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        if self.init is None and self.arch not in (*ARCHITECTURES, DFN3_ARCH):
            raise ConfigError(
                f"unknown architecture {self.arch!r}; choose one of: "
                f"{', '.join((*ARCHITECTURES, DFN3_ARCH))}"
            )
        if self.epochs < 1 or self.batch_size < 1 or self.segment_frames < 8:
            raise ConfigError("epochs and batch size must be at least 1")
        if not 0.0 < self.val_split < 1.0:
            raise ConfigError("the validation split must be between 0 and 1 (exclusive)")
        if not self.learning_rate > 0:
            raise ConfigError("the learning rate must be positive")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ConfigError(
                f"unknown learning-rate schedule {self.lr_schedule!r}; "
                f"choose one of: {', '.join(LR_SCHEDULES)}"
            )
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(
                f"unknown optimizer {self.optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}"
            )


@dataclass(frozen=True)
class EpochReport:
    epoch: int
    epochs: int
    loss: float
    val_loss: float


@dataclass
class TrainResult:
    """What training produced and how much it helps on the validation files."""

    model_path: Path
    history: dict[str, list[float]]
    epochs_run: int
    best_epoch: int
    train_files: int
    val_files: int
    val_si_sdr_before: float
    val_si_sdr_after: float
    val_clean_si_sdr: float
    seconds: float

    @property
    def improvement_db(self) -> float:
        return self.val_si_sdr_after - self.val_si_sdr_before

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: NaN (no such validation files) becomes ``None``."""
        data = {k: _json_number(v) for k, v in asdict(self).items()}
        data["model_path"] = str(self.model_path)
        data["improvement_db"] = _json_number(self.improvement_db)
        return data


def _json_number(value: Any) -> Any:
    return None if isinstance(value, float) and not np.isfinite(value) else value


def _keras_callback(
    steps_per_epoch: int,
    epochs: int,
    progress: ProgressCallback,
    cancel: CancelToken | None,
    on_epoch: Any,
) -> Any:
    """Reports per batch and epoch; stops via ``model.stop_training`` when cancelled.

    It also keeps the weights of the best validation epoch (the checkpoint).
    """
    import keras

    class ProgressAndCancel(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.epoch = 0
            self.best_loss = np.inf
            self.best_epoch = 0
            self.best_weights: list[np.ndarray] | None = None
            self.cancelled = False

        def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            self.epoch = epoch

        def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
            done = (self.epoch + (batch + 1) / steps_per_epoch) / epochs
            loss = (logs or {}).get("loss", float("nan"))
            progress(done, f"epoch {self.epoch + 1}/{epochs} — loss {loss:.4f}")
            if cancel is not None and cancel.cancelled:
                self.cancelled = True
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
            logs = logs or {}
            val = float(logs.get("val_loss", logs.get("loss", np.inf)))
            if val < self.best_loss:
                self.best_loss, self.best_epoch = val, epoch + 1
                self.best_weights = self.model.get_weights()
            if on_epoch is not None:
                on_epoch(EpochReport(epoch + 1, epochs, float(logs.get("loss", np.nan)), val))

    return ProgressAndCancel()


CLEAN_PAIR_SI_SDR_DB = 50.0
"""A pair whose noisy file scores above this against its clean file counts as clean input."""


def mean_si_sdr(pairs: list[Pair], bundle: ModelBundle) -> tuple[float, float, float]:
    """SI-SDR against clean, in dB: mean over the degraded pairs of the inputs and of the
    model's outputs, and the mean output score over clean-input pairs (NaN if none).

    Clean-input pairs are kept apart because their input score is unbounded (identical
    signals) and would swamp the mean.
    """
    sr = bundle.meta.spectral.sample_rate
    return mean_si_sdr_audio((load_pair_audio(p, sr=sr) for p in pairs), bundle)


def mean_si_sdr_audio(
    pairs: Iterable[tuple[np.ndarray, np.ndarray]], bundle: ModelBundle
) -> tuple[float, float, float]:
    """:func:`mean_si_sdr` for in-memory ``(noisy, clean)`` pairs at the model's rate."""
    from core.model.inference import enhance

    sr = bundle.meta.spectral.sample_rate
    before, after, clean_after = [], [], []
    for noisy, clean in pairs:
        score_in = si_sdr(noisy, clean)
        score_out = si_sdr(enhance(noisy, sr=sr, bundle=bundle).restored, clean)
        if score_in > CLEAN_PAIR_SI_SDR_DB:
            clean_after.append(score_out)
        else:
            before.append(score_in)
            after.append(score_out)

    def mean(values: list[float]) -> float:
        return float(np.mean(values)) if values else float("nan")

    return mean(before), mean(after), mean(clean_after)


def train(
    noisy_dir: str | os.PathLike[str],
    clean_dir: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    config: TrainConfig,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    on_epoch: Any = None,
    overwrite: bool = False,
) -> TrainResult:
    """Train (or fine-tune) a model on paired folders and save the best bundle.

    ``on_epoch(EpochReport)`` is called after each epoch (for live loss curves).
    The model file and its ``.json`` are checked before training starts, and replace
    existing files only with ``overwrite``.
    Raises :class:`PairingError` if no usable pairs, :class:`Cancelled` if cancelled
    (nothing is written then).
    """
    from core.model.tf import require_tensorflow

    require_tensorflow()
    config.validate()
    output = _model_output(output, config, overwrite)
    run = _Run(config, progress, cancel, on_epoch, overwrite)
    report = match_pairs(
        noisy_dir, clean_dir, progress=sub_progress(progress, 0, 0.03), cancel=cancel
    )
    pairs = require_usable(report)
    train_pairs, val_pairs = split_pairs(pairs, val_fraction=config.val_split, seed=config.seed)
    if not val_pairs:
        raise ConfigError("need at least 2 usable pairs so one can be kept for validation")
    if _is_dfn3(config):
        return _train_dfn3(
            run,
            output,
            train_pairs,
            val_pairs,
            sources={"noisy_dir": str(noisy_dir), "clean_dir": str(clean_dir)},
        )

    start = _Start.of(config)
    load_progress = sub_progress(progress, 0.03, 0.15)
    train_ex = spectral_examples(
        train_pairs,
        settings=start.settings,
        progress=sub_progress(load_progress, 0, 0.8),
        cancel=cancel,
    )
    val_ex = spectral_examples(
        val_pairs,
        settings=start.settings,
        progress=sub_progress(load_progress, 0.8, 1),
        cancel=cancel,
    )
    if start.norm is None:
        start.norm = FeatureNorm.fit([e.features for e in train_ex])
    x_train, y_train = segment_arrays(
        train_ex, norm=start.norm, segment_frames=config.segment_frames
    )
    x_val, y_val = segment_arrays(val_ex, norm=start.norm, segment_frames=config.segment_frames)
    train_ds = make_dataset(
        x_train, y_train, batch_size=config.batch_size, shuffle=True, seed=config.seed
    )
    val_ds = make_dataset(x_val, y_val, batch_size=config.batch_size, shuffle=False)
    steps = int(np.ceil(len(x_train) / config.batch_size))
    _fit(start, run, train_ds, val_ds, steps=steps)
    sr = start.settings.sample_rate
    return _save(
        start,
        run,
        output,
        sources={"noisy_dir": str(noisy_dir), "clean_dir": str(clean_dir)},
        train_count=len(train_pairs),
        val_audio=[load_pair_audio(p, sr=sr) for p in val_pairs],
    )


def train_stream(
    draw: Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]],
    val_pairs: Sequence[tuple[np.ndarray, np.ndarray]],
    output: str | os.PathLike[str],
    *,
    config: TrainConfig,
    steps_per_epoch: int,
    source: str = "mixed on the fly",
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    on_epoch: Any = None,
    overwrite: bool = False,
) -> TrainResult:
    """Train on pairs drawn fresh for every batch (e.g. :class:`core.data.mixing.MixStream`).

    ``draw(rng)`` returns a mono ``(noisy, clean)`` pair ``(1, samples)`` at
    ``config.sample_rate``; ``val_pairs`` are fixed pairs of the same kind, used for the
    validation loss, the best-epoch checkpoint and the SI-SDR figures. An epoch is
    ``steps_per_epoch`` batches. Otherwise as :func:`train`.
    """
    config.validate()
    if steps_per_epoch < 1:
        raise ConfigError("an epoch needs at least one batch")
    if not val_pairs:
        raise ConfigError("need validation pairs")
    output = _model_output(output, config, overwrite)
    run = _Run(config, progress, cancel, on_epoch, overwrite)
    start = _Start.of(config)
    rng = np.random.default_rng(config.seed)
    val_ex = [
        ex
        for i, (noisy, clean) in enumerate(val_pairs)
        for ex in audio_examples(f"val{i}", noisy, clean, settings=start.settings)
    ]
    if start.norm is None:
        sample = [draw(rng) for _ in range(NORM_SAMPLE_PAIRS)]
        start.norm = FeatureNorm.fit(
            [
                ex.features
                for n, c in sample
                for ex in audio_examples("", n, c, settings=start.settings)
            ]
        )
    norm = start.norm
    x_val, y_val = segment_arrays(val_ex, norm=norm, segment_frames=config.segment_frames)
    val_ds = make_dataset(x_val, y_val, batch_size=config.batch_size, shuffle=False)

    import tensorflow as tf

    frames, bins = config.segment_frames, start.settings.bins
    batches = stream_batches(
        draw,
        settings=start.settings,
        norm=norm,
        batch_size=config.batch_size,
        segment_frames=frames,
        rng=rng,
    )
    train_ds = tf.data.Dataset.from_generator(
        # One generator state for the whole run: every epoch continues the draws.
        lambda: batches,
        output_signature=(
            tf.TensorSpec((None, frames, bins), tf.float32),
            tf.TensorSpec((None, frames, 2 * bins), tf.float32),
        ),
    ).prefetch(2)
    _fit(start, run, train_ds, val_ds, steps=steps_per_epoch)
    return _save(
        start,
        run,
        output,
        sources={"source": source, "steps_per_epoch": steps_per_epoch},
        train_count=steps_per_epoch * config.batch_size * len(run.history.get("loss", [])),
        val_audio=val_pairs,
    )


NORM_SAMPLE_PAIRS = 256
"""Pairs drawn to fit the feature normalisation of a streamed training run."""


def _is_dfn3(config: TrainConfig) -> bool:
    """Whether ``config`` trains the DeepFilterNet3 family (by name, or by its base)."""
    if config.init is not None:
        from core.model.bundle import DFN3_FAMILY, load_meta

        return load_meta(config.init).family == DFN3_FAMILY
    return config.arch == DFN3_ARCH


def _train_dfn3(
    run: _Run,
    output: Path,
    train_pairs: list[Pair],
    val_pairs: list[Pair],
    *,
    sources: dict[str, Any],
) -> TrainResult:
    """Fine-tune (or, without ``init``, train afresh) DeepFilterNet3: see
    :mod:`core.finetune`."""
    from core.finetune import cut_segments, fine_tune
    from core.model.dfn3 import frontend, new_bundle

    config, progress, cancel = run.config, run.progress, run.cancel
    sr = frontend.SAMPLE_RATE
    base = load_bundle(config.init, runtime="keras") if config.init is not None else new_bundle()
    loading = sub_progress(progress, 0.03, 0.1)
    train_audio = []
    for i, pair in enumerate(train_pairs):
        check_cancel(cancel)
        train_audio.append(load_pair_audio(pair, sr=sr))
        if loading is not None:
            loading((i + 1) / len(train_pairs), "reading the pairs")
    val_audio = [load_pair_audio(p, sr=sr) for p in val_pairs]
    fitted = fine_tune(
        base,
        cut_segments(train_audio),
        cut_segments(val_audio),
        epochs=config.epochs,
        batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        patience=config.patience,
        seed=config.seed,
        progress=sub_progress(progress, 0.1, 0.9),
        cancel=cancel,
        on_epoch=run.on_epoch,
    )
    meta = BundleMeta(
        architecture=DFN3_ARCH,
        spectral=base.meta.spectral,
        norm=None,
        mask_floor_db=base.meta.mask_floor_db,
        history=fitted.history,
        training={
            "config": asdict(config),
            "base": config.init,
            "base_training": base.meta.training,
            **sources,
            "train_files": len(train_pairs),
            "val_files": len(val_pairs),
            "best_epoch": fitted.best_epoch,
        },
        family=base.meta.family,
    )
    run.history, run.best_epoch = fitted.history, fitted.best_epoch
    return _measure_and_save(ModelBundle(model=base.model, meta=meta), run, output, val_audio)


def _model_output(output: str | os.PathLike[str], config: TrainConfig, overwrite: bool) -> Path:
    """Check the model file and its description before any work (the base model of a
    fine-tuning is an input)."""
    path = Path(output)
    if path.suffix != ".keras":
        raise ConfigError(f"the model file must end in .keras, got {path.name}")
    inputs = []
    if config.init is not None:
        base = resolve_model_path(config.init)
        inputs = [base, meta_path(base)]
    check_outputs([path, meta_path(path)], inputs=inputs, overwrite=overwrite)
    return path


@dataclass
class _Start:
    """The model a run starts from: new, or the bundle it fine-tunes (with its transform)."""

    model: Any
    arch: str
    arch_params: dict[str, Any]
    settings: SpectralSettings
    norm: FeatureNorm | None  # None: fit on the training data
    mask_floor_db: float

    @classmethod
    def of(cls, config: TrainConfig) -> _Start:
        from core.model.tf import quiet_tensorflow

        quiet_tensorflow()
        import keras

        keras.utils.set_random_seed(config.seed)
        if config.init is not None:
            base = load_bundle(config.init, runtime="keras")
            return cls(
                base.model,
                base.meta.architecture,
                base.meta.arch_params,
                base.meta.spectral,  # keep the base's input transform
                base.meta.norm,
                base.meta.mask_floor_db,
            )
        settings = SpectralSettings(config.sample_rate, StftConfig(config.n_fft, config.hop))
        model = build_model(config.arch, bins=settings.bins, **config.arch_params)
        return cls(
            model, config.arch, dict(config.arch_params), settings, None, BundleMeta.mask_floor_db
        )


@dataclass
class _Run:
    """What every stage of one training run reports to."""

    config: TrainConfig
    progress: ProgressCallback | None
    cancel: CancelToken | None
    on_epoch: Any
    overwrite: bool = False
    started: float = field(default_factory=time.perf_counter)
    history: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int = 0


def _fit(start: _Start, run: _Run, train_ds: Any, val_ds: Any, *, steps: int) -> None:
    """Compile and fit; keeps the best validation epoch's weights and records the history
    and the best epoch in ``run``; raises :class:`Cancelled` if cancelled."""
    import keras

    config, cancel = run.config, run.cancel

    rate: Any = config.learning_rate
    if config.lr_schedule == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(
            config.learning_rate, decay_steps=steps * config.epochs, alpha=0.05
        )
    optimizer = keras.optimizers.get(
        {"class_name": config.optimizer, "config": {"learning_rate": rate}}
    )
    model = start.model
    model.compile(optimizer=optimizer, loss=compressed_magnitude_loss())
    callback = _keras_callback(
        steps, config.epochs, sub_progress(run.progress, 0.15, 0.9), cancel, run.on_epoch
    )
    early = keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience)
    fit = model.fit(
        train_ds,
        validation_data=val_ds,
        epochs=config.epochs,
        steps_per_epoch=steps,
        callbacks=[callback, early],
        verbose=0,
        shuffle=False,
    )
    if callback.cancelled:
        raise Cancelled("training cancelled; no model was saved")
    check_cancel(cancel)
    if callback.best_weights is not None:
        model.set_weights(callback.best_weights)
    run.history = {k: [float(v) for v in vals] for k, vals in fit.history.items()}
    run.best_epoch = callback.best_epoch


def _save(
    start: _Start,
    run: _Run,
    output: Path,
    *,
    sources: dict[str, Any],
    train_count: int,
    val_audio: Sequence[tuple[np.ndarray, np.ndarray]],
) -> TrainResult:
    """Measure the trained model on the validation pairs and save the bundle."""
    config = run.config
    history, best_epoch = run.history, run.best_epoch
    assert start.norm is not None
    meta = BundleMeta(
        architecture=start.arch,
        spectral=start.settings,
        norm=start.norm,
        arch_params=start.arch_params,
        mask_floor_db=start.mask_floor_db,
        history=history,
        training={
            "config": {**asdict(config), "arch": start.arch},  # fine-tuning keeps the base's
            **sources,
            "train_files": train_count,
            "val_files": len(val_audio),
            "best_epoch": best_epoch,
        },
    )
    return _measure_and_save(ModelBundle(model=start.model, meta=meta), run, output, val_audio)


def _measure_and_save(
    bundle: ModelBundle,
    run: _Run,
    output: Path,
    val_audio: Sequence[tuple[np.ndarray, np.ndarray]],
) -> TrainResult:
    """Score ``bundle`` on the validation pairs, record that in it and save it."""
    progress, cancel, meta = run.progress, run.cancel, bundle.meta
    if progress is not None:
        progress(0.9, "measuring on the validation files")
    before, after, clean_after = mean_si_sdr_audio(val_audio, bundle)
    meta.training.update(
        {
            "val_si_sdr_before": _json_number(before),
            "val_si_sdr_after": _json_number(after),
            "val_clean_si_sdr": _json_number(clean_after),
        }
    )
    check_cancel(cancel)
    path = save_bundle(bundle, output, overwrite=run.overwrite)
    if progress is not None:
        progress(1.0, "saved")
    return TrainResult(
        model_path=path,
        history=run.history,
        epochs_run=len(run.history.get("loss", [])),
        best_epoch=run.best_epoch,
        train_files=meta.training["train_files"],
        val_files=len(val_audio),
        val_si_sdr_before=before,
        val_si_sdr_after=after,
        val_clean_si_sdr=clean_after,
        seconds=time.perf_counter() - run.started,
    )
