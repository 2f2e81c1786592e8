"""The founding document's pipeline, stage by stage, with the ``core`` API.

    load → preprocess → features → split by file → dense network → compile → train
    → save the model → apply it to a new recording → save the WAV

Run from the repository root::

    .venv/bin/python examples/seed_pipeline.py PAIRS RECORDING OUTPUT
    .venv/bin/python examples/seed_pipeline.py --demo OUTPUT

``PAIRS`` holds ``noisy/`` and ``clean/`` (files matched by name, as for ``seminario
train``); ``RECORDING`` is a recording the network has not seen; ``OUTPUT`` receives the
model (``seed_model.keras`` + ``.json``) and ``RECORDING_restored.wav``. ``--demo`` first
writes a few seconds of generated pairs and a new recording into ``OUTPUT/demo-data``, so
it runs anywhere in under a minute. Every stage prints what it produced.

This is the pipeline spelled out for reading. In everyday use ``seminario train`` runs the
training stages (with progress, cancel, early stopping and the best epoch's weights) and
``seminario restore`` applies a model within the full restoration chain.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.audio.io import load, save  # noqa: E402
from core.data.dataset import (  # noqa: E402
    audio_examples,
    load_pair_audio,
    make_dataset,
    segment_arrays,
)
from core.data.degrade import DegradeConfig, degrade  # noqa: E402
from core.data.pairs import match_pairs, require_usable, split_pairs  # noqa: E402
from core.dsp.declick import declick  # noqa: E402
from core.dsp.filters import highpass, remove_dc  # noqa: E402
from core.dsp.loudness import level_gain, normalize, peak_dbfs  # noqa: E402
from core.errors import SeminarioError  # noqa: E402
from core.features import estimate_snr_db, summarize  # noqa: E402
from core.model.architectures import build_model, compressed_magnitude_loss  # noqa: E402
from core.model.bundle import BundleMeta, ModelBundle, meta_path, save_bundle  # noqa: E402
from core.model.inference import enhance  # noqa: E402
from core.model.spectral import FeatureNorm, SpectralSettings  # noqa: E402
from core.model.tf import quiet_tensorflow  # noqa: E402
from core.output import check_outputs, make_folder  # noqa: E402
from core.signals import pink_noise, speech_like, white_noise  # noqa: E402
from core.training import TrainConfig, mean_si_sdr_audio  # noqa: E402

STAGES = 10
HIGHPASS_HZ = 40.0
"""Rumble and handling noise lie below; speech and music barely start there."""
PEAK_DBFS = -1.0
"""Normalised peak: the same level for every recording, with headroom."""
DEMO_PAIRS = 6
DEMO_SECONDS = 3.0
"""Six pairs of three seconds: enough to see the loss fall, seconds of CPU to train."""
DEMO_RECORDING_RATE = 44100
"""The new recording is not at the model's rate: enhance resamples only what it removes."""


def stage(number: int, name: str, *lines: str) -> None:
    """Print what a stage produced: its number and name, then one line per fact."""
    print(f"[{number}/{STAGES}] {name}: {lines[0]}")
    for line in lines[1:]:
        print(f"        {line}")


def preprocess(audio: np.ndarray, *, sr: int) -> tuple[np.ndarray, int]:
    """Filter what is not programme: DC and drift, rumble below HIGHPASS_HZ, clicks.

    Returns the audio and how many samples the de-click replaced (it leaves the others
    untouched). Normalising comes after, so a pair can share one gain.
    """
    filtered = highpass(remove_dc(audio, sr=sr), sr=sr, cutoff_hz=HIGHPASS_HZ)
    repaired = declick(filtered, sr=sr)
    return repaired, int(np.count_nonzero(repaired != filtered))


def run(pairs_dir: Path, recording: Path, output: Path, *, epochs: int, overwrite: bool) -> Path:
    """The ten stages; returns the restored WAV's path."""
    config = TrainConfig(epochs=epochs)  # dense network, 16 kHz, 512-point STFT
    config.validate()
    settings = SpectralSettings(config.sample_rate)
    sr = settings.sample_rate
    # Every output is checked before any work: never over the recording, nor over a file.
    model_path = make_folder(output) / "seed_model.keras"
    restored_path = output / f"{recording.stem}_restored.wav"
    check_outputs(
        [model_path, meta_path(model_path), restored_path], inputs=[recording], overwrite=overwrite
    )

    # 1. Load the recordings: matched noisy/clean pairs, each at the model's rate.
    report = match_pairs(pairs_dir / "noisy", pairs_dir / "clean")
    pairs = require_usable(report)
    audio = {p.key: load_pair_audio(p, sr=sr) for p in pairs}
    stage(1, "load", f"{report.summary_lines()[0]} from {pairs_dir}, at {sr} Hz")

    # 2. Preprocess: filter noise and artefacts, then normalise (one gain per pair).
    repaired = 0
    for key, (noisy, clean) in audio.items():
        (noisy, n_fixed), (clean, c_fixed) = preprocess(noisy, sr=sr), preprocess(clean, sr=sr)
        gain = level_gain(peak_dbfs(noisy), PEAK_DBFS)  # normalize's rule, on both sides
        audio[key] = (noisy * gain, clean * gain)
        repaired += n_fixed + c_fixed
    stage(
        2,
        "preprocess",
        f"DC and rumble below {HIGHPASS_HZ:g} Hz filtered out, {repaired} samples of clicks "
        f"repaired, noisy peaks at {PEAK_DBFS:g} dBFS",
    )

    # 3. Features: what the network reads (log-power spectra), and what describes a
    #    recording (energy per band, dominant frequencies, envelope, SNR).
    examples = {key: audio_examples(key, n, c, settings=settings) for key, (n, c) in audio.items()}
    frames = sum(ex.features.shape[0] for exs in examples.values() for ex in exs)
    first_key = pairs[0].key
    noisy, clean = audio[first_key]
    described = summarize(noisy, sr=sr)
    band = int(np.argmax(described.band_energy_db))
    low, high = described.band_edges_hz[band : band + 2]
    stage(
        3,
        "features",
        f"{frames} frames × {settings.bins} log-power bins in {len(examples)} spectra "
        "(the network's input)",
        f"{first_key}: most energy in {low:g}–{high:g} Hz, dominant "
        f"{', '.join(f'{f:.0f}' for f in described.dominant_hz[:3])} Hz, envelope median "
        f"{described.envelope_p50_db:.1f} dBFS, SNR {described.snr_db:.1f} dB "
        f"(clean: {estimate_snr_db(clean, sr=sr):.1f} dB)",
    )

    # 4. Split by file (a recording is never on both sides); the features are normalised
    #    with the training files' statistics only.
    train_pairs, val_pairs = split_pairs(pairs, val_fraction=config.val_split, seed=config.seed)
    norm = FeatureNorm.fit([ex.features for p in train_pairs for ex in examples[p.key]])
    x_train, y_train = segment_arrays(
        [ex for p in train_pairs for ex in examples[p.key]],
        norm=norm,
        segment_frames=config.segment_frames,
    )
    x_val, y_val = segment_arrays(
        [ex for p in val_pairs for ex in examples[p.key]],
        norm=norm,
        segment_frames=config.segment_frames,
    )
    stage(
        4,
        "split",
        f"{len(train_pairs)} training files, {len(val_pairs)} validation "
        f"({', '.join(p.key for p in val_pairs)})",
        f"segments: training {x_train.shape}, validation {x_val.shape}",
    )

    # 5. Build the dense network (a gain mask per frame from a window of frames).
    quiet_tensorflow()
    import keras

    keras.utils.set_random_seed(config.seed)
    model = build_model(config.arch, bins=settings.bins, **config.arch_params)
    stage(
        5,
        "network",
        f"{config.arch}: layers {', '.join(layer.name for layer in model.layers[1:])}; "
        f"{model.count_params():,} parameters",
    )

    # 6. Compile: optimiser and the loss on compressed magnitudes of the masked spectrum.
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=config.learning_rate),
        loss=compressed_magnitude_loss(),
    )
    stage(6, "compile", f"Adam at {config.learning_rate:g}, compressed-magnitude loss")

    # 7. Train briefly.
    started = time.perf_counter()
    fit = model.fit(
        make_dataset(
            x_train, y_train, batch_size=config.batch_size, shuffle=True, seed=config.seed
        ),
        validation_data=make_dataset(x_val, y_val, batch_size=config.batch_size, shuffle=False),
        epochs=config.epochs,
        verbose=0,
        shuffle=False,  # the dataset shuffles itself
    )
    loss, val_loss = fit.history["loss"], fit.history["val_loss"]
    stage(
        7,
        "train",
        f"{config.epochs} epochs in {time.perf_counter() - started:.1f} s: "
        f"loss {loss[0]:.4f} → {loss[-1]:.4f}, validation {val_loss[0]:.4f} → {val_loss[-1]:.4f}",
    )

    # 8. Save the model as a bundle: the network plus everything needed to use it.
    meta = BundleMeta(
        architecture=config.arch,
        spectral=settings,
        norm=norm,
        arch_params=config.arch_params,
        history={k: [float(v) for v in values] for k, values in fit.history.items()},
        training={"config": asdict(config), "pairs": str(pairs_dir)},
    )
    bundle = ModelBundle(model=model, meta=meta)
    before, after, _ = mean_si_sdr_audio([audio[p.key] for p in val_pairs], bundle)
    save_bundle(bundle, model_path, overwrite=overwrite)
    stage(
        8,
        "save model",
        f"{model_path} and {meta_path(model_path).name}",
        f"validation SI-SDR {before:.1f} dB → {after:.1f} dB",
    )

    # 9. Apply it to a new recording, preprocessed as the training data were.
    new, rate = load(recording)
    new, _ = preprocess(new, sr=rate)
    new = normalize(new, sr=rate, mode="peak", target=PEAK_DBFS)
    restored = enhance(new, sr=rate, bundle=bundle).restored
    stage(
        9,
        "apply",
        f"{recording.name}: {new.shape[0]} channel(s), {new.shape[1] / rate:.1f} s at {rate} Hz; "
        f"SNR estimate {estimate_snr_db(new, sr=rate):.1f} dB → "
        f"{estimate_snr_db(restored, sr=rate):.1f} dB",
    )

    # 10. Save the WAV: atomically, never over the recording or an existing file.
    path = save(restored_path, restored, rate, protect=[recording], overwrite=overwrite)
    stage(10, "save", f"{path} ({restored.shape[1]} samples at {rate} Hz, 24-bit)")
    return path


def make_demo_data(folder: Path, *, overwrite: bool) -> tuple[Path, Path]:
    """Speech-like pairs in noise with clicks (core.signals, core.data.degrade) and a new
    recording made the same way from other seeds; returns the pairs folder and the file."""
    config = DegradeConfig(
        p_clean=0.0,
        p_reverb=0.0,
        p_bandlimit=0.0,
        p_hum=0.0,
        p_noise=1.0,
        snr_db_range=(0.0, 10.0),
        p_clicks=0.5,
        p_crackle=0.0,
        p_clip=0.0,
        gain_db_range=(-12.0, 0.0),
    )
    rng = np.random.default_rng(2026)

    def pair(seed: int, sr: int) -> tuple[np.ndarray, np.ndarray]:
        def noise(rng: np.random.Generator, samples: int) -> np.ndarray:
            n = int(rng.integers(1 << 30))
            seconds = samples / sr
            return pink_noise(sr=sr, seconds=seconds, seed=n) + white_noise(
                sr=sr, seconds=seconds, seed=n + 1, amplitude=0.03
            )

        clean = speech_like(sr=sr, seconds=DEMO_SECONDS, seed=seed)
        noisy, params = degrade(clean, sr=sr, config=config, rng=rng, noises=noise)
        return noisy, clean * np.float32(params.target_gain)

    sr = TrainConfig().sample_rate
    for i in range(DEMO_PAIRS):
        noisy, clean = pair(i, sr)
        save(make_folder(folder / "noisy") / f"take_{i:02d}.wav", noisy, sr, overwrite=overwrite)
        save(make_folder(folder / "clean") / f"take_{i:02d}.wav", clean, sr, overwrite=overwrite)
    noisy, _ = pair(DEMO_PAIRS, DEMO_RECORDING_RATE)
    recording = save(folder / "new_recording.wav", noisy, DEMO_RECORDING_RATE, overwrite=overwrite)
    print(f"demo data: {DEMO_PAIRS} pairs of {DEMO_SECONDS:g} s in {folder}, and {recording.name}")
    return folder, recording


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n", 1)[0],
        usage="%(prog)s PAIRS RECORDING OUTPUT\n       %(prog)s --demo OUTPUT",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    parser.add_argument(
        "--demo", action="store_true", help="generate pairs and a recording into OUTPUT/demo-data"
    )
    parser.add_argument("--epochs", type=int, default=5, help="training epochs (default 5)")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace what an earlier run wrote"
    )
    args = parser.parse_args(argv)
    if len(args.paths) != (1 if args.demo else 3):
        parser.error("give PAIRS RECORDING OUTPUT, or --demo OUTPUT")
    try:
        if args.demo:
            output = args.paths[0]
            pairs_dir, recording = make_demo_data(output / "demo-data", overwrite=args.overwrite)
        else:
            pairs_dir, recording, output = args.paths
        run(pairs_dir, recording, output, epochs=args.epochs, overwrite=args.overwrite)
    except SeminarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
