"""The ``seminario`` command line: restore, batch, train, analyze, pairs, info, presets, demo.

Errors print as one line and exit non-zero (1 an error, 130 interrupted or cancelled,
143 terminated, 70 a bug); every command checks all its outputs before it starts
(see :mod:`core.output`). Heavy modules (TensorFlow) are imported only by the commands
that need them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from core import __version__
from core.audio.formats import OUTPUT_FORMATS, is_writable
from core.errors import Cancelled, ConfigError, SeminarioError
from core.output import check_outputs, make_folder
from core.progress import TimeLeft, format_duration
from core.runtime import tune_memory_allocator

EXIT_ERROR, EXIT_INTERNAL, EXIT_CANCELLED = 1, 70, 130
EXIT_TERMINATED = 128 + signal.SIGTERM


class TerminalProgress:
    """A progress bar on stderr; plain lines every 10 % when not a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.label, self.stream, self.enabled = label, stream or sys.stderr, enabled
        self.tty = self.stream.isatty()
        self._last_step = -1
        self._last_draw = 0.0
        self._time_left = TimeLeft()

    def __call__(self, fraction: float, message: str = "") -> None:
        if not self.enabled:
            return
        fraction = min(max(fraction, 0.0), 1.0)
        left = self._time_left.update(fraction)
        if left is not None and fraction < 1.0:
            message = (
                f"{message}, {format_duration(left)} left"
                if message
                else (f"{format_duration(left)} left")
            )
        if self.tty:
            now = time.monotonic()
            if now - self._last_draw < 0.1 and fraction < 1.0:
                return
            self._last_draw = now
            filled = int(30 * fraction)
            bar = "#" * filled + "-" * (30 - filled)
            self.stream.write(f"\r{self.label} [{bar}] {fraction:4.0%} {message[:60]:<60}")
        else:
            step = int(fraction * 10)
            if step == self._last_step:
                return
            self._last_step = step
            self.stream.write(f"{self.label}: {fraction:.0%} {message}\n")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False, default=str))


# --- commands -------------------------------------------------------------


def _chain_from_args(args: argparse.Namespace) -> Any:
    from core.chain import ChainConfig, load_preset

    chain = ChainConfig.from_json(args.chain) if args.chain else load_preset(args.preset)
    return chain.with_model(args.model) if args.model else chain


def _outputs(
    inputs: list[Path], out: Path, overwrite: bool, residual: Path | None = None
) -> list[Path]:
    """Every output of a restore, checked before any work (the residual too)."""
    if len(inputs) == 1 and out.suffix:
        targets = [out]
    else:
        if out.exists() and not out.is_dir():
            raise ConfigError(f"with several inputs, -o must be a folder: {out}")
        make_folder(out)
        targets = [out / (p.stem + (p.suffix if is_writable(p) else ".wav")) for p in inputs]
        if len({t.name for t in targets}) != len(targets):
            raise ConfigError("two inputs have the same name; restore them into separate folders")
    if residual is not None:
        if len(inputs) > 1:
            raise ConfigError("--residual works with a single input")
        from core.pipeline import check_restore_outputs

        check_restore_outputs(inputs[0], targets[0], residual, overwrite=overwrite)
    check_outputs(targets, inputs=inputs, overwrite=overwrite)
    return targets


def cmd_restore(args: argparse.Namespace) -> int:
    from core.noise import parse_range, profile_from_range
    from core.pipeline import restore_file

    inputs = [Path(p) for p in args.inputs]
    residual = Path(args.residual) if args.residual else None
    targets = _outputs(inputs, Path(args.output), args.overwrite, residual)
    chain = _chain_from_args(args)
    noise_range = parse_range(args.noise_from) if args.noise_from else None
    reports = []
    for src, dst in zip(inputs, targets, strict=True):
        bar = TerminalProgress(f"restoring {src.name}", enabled=not args.quiet)
        report = restore_file(
            src,
            dst,
            chain,
            strength=args.strength,
            residual_path=residual,
            subtype=args.format,
            progress=bar,
            overwrite=args.overwrite,
            noise_profile=profile_from_range(src, *noise_range) if noise_range else None,
        )
        bar.done()
        reports.append(report)
        if not args.json:
            print(
                f"{src} -> {report.output}  ({report.duration_s:.1f} s of audio in "
                f"{report.seconds:.1f} s, {report.realtime_factor:.3f}x real time)"
            )
            if report.residual:
                print(f"removed part -> {report.residual}")
            if report.over_full_scale:
                print(f"warning: {report.over_full_scale}", file=sys.stderr)
    if args.json:
        _print_json([r.to_dict() for r in reports])
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from core.batch import run_batch

    bar = TerminalProgress("batch", enabled=not args.quiet)
    report = run_batch(
        args.inputs,
        args.output,
        _chain_from_args(args),
        strength=args.strength,
        subtype=args.subtype,
        extension="." + args.format,
        workers=args.workers,
        engine=args.engine,
        ray_address=args.ray_address,
        retry_failed=args.retry_failed,
        progress=bar,
    )
    bar.done()
    if args.json:
        _print_json(
            {
                "restored": [str(p) for p in report.restored],
                "skipped": [str(p) for p in report.skipped],
                "failed": [{"input": str(p), "error": e} for p, e in report.failed],
                "audio_s": round(report.audio_s, 3),
                "seconds": round(report.seconds, 3),
                "journal": str(report.journal),
            }
        )
    else:
        for src, reason in report.failed:
            print(f"failed: {src}: {reason}", file=sys.stderr)
        print(report.summary())
        if report.failed:
            print(f"journal: {report.journal} (--retry-failed tries the failed files again)")
    return EXIT_ERROR if report.failed else 0


def cmd_train(args: argparse.Namespace) -> int:
    from core.training import EpochReport, TrainConfig, train

    config = TrainConfig(
        arch=args.arch,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        lr_schedule=args.lr_schedule,
        val_split=args.val_split,
        patience=args.patience,
        seed=args.seed,
        init=args.init,
    )
    output = Path(args.output)
    bar = TerminalProgress("training", enabled=not args.quiet)

    def on_epoch(r: EpochReport) -> None:
        if not args.quiet and not bar.tty:
            print(
                f"epoch {r.epoch}/{r.epochs}: loss {r.loss:.4f}, val_loss {r.val_loss:.4f}",
                file=sys.stderr,
            )

    result = train(
        args.noisy,
        args.clean,
        output,
        config=config,
        progress=bar,
        on_epoch=on_epoch,
        overwrite=args.overwrite,
    )
    bar.done()
    if args.json:
        _print_json(result.to_dict())
    else:
        print(
            f"model saved to {result.model_path} "
            f"({result.epochs_run} epochs, best {result.best_epoch}, "
            f"{result.train_files} training / {result.val_files} validation files, "
            f"{result.seconds:.0f} s)"
        )
        print(
            f"validation SI-SDR: {result.val_si_sdr_before:.2f} dB -> "
            f"{result.val_si_sdr_after:.2f} dB "
            f"({result.improvement_db:+.2f} dB)"
        )
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from core.analysis import analyze_file

    result = analyze_file(args.file, frames_csv=args.csv, overwrite=args.overwrite)
    if args.json:
        _print_json(result)
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from core.audio.io import info

    data = info(args.file).to_dict()
    if args.json:
        _print_json(data)
    else:
        for key, value in data.items():
            print(f"{key:>11}: {value}")
    return 0


def cmd_model_convert(args: argparse.Namespace) -> int:
    from core.model.bundle import convert_bundle

    for path in args.models:
        light = convert_bundle(path)
        print(f"{path} -> {light}")
    return 0


def cmd_pairs_check(args: argparse.Namespace) -> int:
    from core.data.pairs import match_pairs

    bar = TerminalProgress("checking pairs", enabled=not args.quiet and not args.json)
    report = match_pairs(args.noisy, args.clean, progress=bar)
    bar.done()
    if args.json:
        _print_json(report.to_dict())
    else:
        print("\n".join(report.summary_lines()))
    return 0 if report.ok else EXIT_ERROR


def cmd_pairs_make(args: argparse.Namespace) -> int:
    from core.data.degrade import degrade_pair_folder

    bar = TerminalProgress("making pairs", enabled=not args.quiet)
    out = degrade_pair_folder(
        args.clean,
        args.noise,
        args.output,
        count=args.count,
        seed=args.seed,
        rir_dir=args.rir,
        progress=bar,
    )
    bar.done()
    print(f"{args.count} noisy/clean pairs written to {out} (settings in params.json)")
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    from core.chain import list_presets, load_preset

    for name in list_presets():
        preset = load_preset(name)
        steps = " -> ".join(s.type for s in preset.steps)
        print(f"{name:<20} {preset.description}\n{'':<20} steps: {steps}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from core.chain import load_preset
    from core.demo import demo_recording
    from core.pipeline import restore_file

    folder = make_folder(args.output)
    restored, removed = folder / "demo_restored.wav", folder / "demo_removed.wav"
    # The demo's two results are its own: a second run replaces them.
    check_outputs([restored, removed], overwrite=True)
    noisy = demo_recording(folder)
    print(f"demo recording: {noisy}")
    bar = TerminalProgress("restoring demo", enabled=not args.quiet)
    report = restore_file(
        noisy,
        restored,
        load_preset(args.preset),
        residual_path=removed,
        progress=bar,
        overwrite=True,
    )
    bar.done()
    print(f"restored with preset '{args.preset}' -> {report.output}")
    print(f"removed noise alone -> {report.residual}")
    return 0


# --- parser ---------------------------------------------------------------


def _strength(text: str) -> float:
    from core.strength import check_strength

    try:
        return check_strength(float(text))
    except (ValueError, ConfigError) as exc:
        raise argparse.ArgumentTypeError("strength must be a number between 0 and 1") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seminario",
        description="SeminarioIA: restore and remaster speech and music recordings.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("restore", help="restore recordings with a preset or chain")
    p.add_argument("inputs", nargs="+", metavar="IN", help="input audio files")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="output file (one input; its extension picks the format: .wav .flac .aiff .ogg "
        ".opus .mp3) or folder (several inputs)",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--preset", default="default", help="built-in preset (see 'seminario presets')"
    )
    group.add_argument("--chain", metavar="FILE.json", help="a chain described in JSON")
    p.add_argument("--model", metavar="default|PATH", help="model for the chain's model steps")
    p.add_argument(
        "--strength", type=_strength, default=1.0, help="0 = untouched, 1 = full (default)"
    )
    p.add_argument("--residual", metavar="FILE", help="also write what was removed")
    p.add_argument(
        "--noise-from",
        metavar="START:END",
        help="seconds of each input that hold noise only: its noise profile is removed "
        "across the whole recording, full band (e.g. 0:1.5)",
    )
    p.add_argument(
        "--format",
        choices=("PCM_16", "PCM_24", "FLOAT"),
        help="sample format of WAV, FLAC and AIFF outputs (default: 24-bit, or float for "
        "float input); .ogg, .opus and .mp3 outputs are encoded as Vorbis, Opus and MP3",
    )
    p.add_argument(
        "--overwrite", action="store_true", help="replace existing outputs (never inputs)"
    )
    p.add_argument("--json", action="store_true", help="print a JSON report")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser(
        "batch",
        help="restore whole folders: resumable, in parallel, or on a Ray cluster",
        description="Restore every recording in the folders (subfolders too) into OUT_DIR, "
        "keeping their structure. A journal in OUT_DIR makes a second run skip what is done "
        "and redo what changed; a file that fails is recorded and the batch goes on.",
    )
    p.add_argument("inputs", nargs="+", metavar="IN_DIR", help="folders (or files) to restore")
    p.add_argument("-o", "--output", required=True, metavar="OUT_DIR", help="output folder")
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--preset", default="default", help="built-in preset (see 'seminario presets')"
    )
    group.add_argument("--chain", metavar="FILE.json", help="a chain described in JSON")
    p.add_argument("--model", metavar="default|PATH", help="model for the chain's model steps")
    p.add_argument(
        "--strength", type=_strength, default=1.0, help="0 = untouched, 1 = full (default)"
    )
    p.add_argument(
        "--format",
        choices=[f.extension.lstrip(".") for f in OUTPUT_FORMATS],
        default="wav",
        help="file format",
    )
    p.add_argument(
        "--subtype",
        choices=("PCM_16", "PCM_24", "FLOAT"),
        help="sample format (default: 24-bit, or float for float input)",
    )
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="files restored at once (default: one per core that memory allows, about 1 GB "
        "each; with --ray-address, the cluster's CPUs)",
    )
    p.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="local: processes on this machine (default); ray: Ray (pip install '.[cluster]')",
    )
    p.add_argument(
        "--ray-address",
        metavar="ADDRESS",
        help="join this Ray cluster (default: start a local Ray runtime); its machines must "
        "see the input and output folders at the same paths",
    )
    p.add_argument(
        "--retry-failed", action="store_true", help="try again the files that failed before"
    )
    p.add_argument("--json", action="store_true", help="print a JSON report")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("train", help="train or fine-tune a model on paired folders")
    p.add_argument("--noisy", required=True, metavar="DIR", help="folder of degraded recordings")
    p.add_argument(
        "--clean", required=True, metavar="DIR", help="folder of clean recordings, same names"
    )
    p.add_argument(
        "-o", "--output", required=True, metavar="MODEL.keras", help="model file to write"
    )
    p.add_argument(
        "--arch",
        default="dense",
        help="architecture: dense (default), crnn, or dfn3 (DeepFilterNet3; with --init dfn3 "
        "fine-tunes the built-in speech model with its own loss)",
    )
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument(
        "--lr-schedule",
        default="constant",
        help="constant (default) or cosine: decay the rate to 5%% of its start over the epochs",
    )
    p.add_argument("--val-split", type=float, default=0.2, help="fraction of files for validation")
    p.add_argument("--patience", type=int, default=5, help="early-stopping patience in epochs")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--init",
        metavar="default|dfn3|PATH",
        help="fine-tune this model instead of starting fresh",
    )
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--json", action="store_true")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("analyze", help="features, SNR and loudness of a recording")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", metavar="FRAMES.csv", help="also write per-frame features as CSV")
    p.add_argument("--overwrite", action="store_true", help="replace an existing CSV file")
    p.set_defaults(func=cmd_analyze)

    model = sub.add_parser("model", help="model bundles")
    model_sub = model.add_subparsers(dest="model_command", required=True, metavar="ACTION")
    p = model_sub.add_parser(
        "convert",
        help="write a model's light (LiteRT) form, so it runs without TensorFlow",
        description="Convert a model saved before the light runtime (its .keras file): "
        "writes NAME.tflite beside it and names it in NAME.json. Needs TensorFlow; "
        "restores with the model then start in about a second.",
    )
    p.add_argument("models", nargs="+", metavar="MODEL.keras")
    p.set_defaults(func=cmd_model_convert)

    p = sub.add_parser("info", help="file format, rate, channels and length")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_info)

    pairs = sub.add_parser("pairs", help="paired training folders")
    pairs_sub = pairs.add_subparsers(dest="pairs_command", required=True, metavar="ACTION")
    p = pairs_sub.add_parser("check", help="report which noisy/clean files pair up")
    p.add_argument("--noisy", required=True, metavar="DIR")
    p.add_argument("--clean", required=True, metavar="DIR")
    p.add_argument("--json", action="store_true")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_pairs_check)
    p = pairs_sub.add_parser(
        "make", help="degrade clean recordings into noisy/clean training pairs"
    )
    p.add_argument("--clean", required=True, metavar="DIR", help="clean recordings")
    p.add_argument("--noise", metavar="DIR", help="real noise recordings to mix in")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.add_argument("--count", type=int, default=100, help="number of pairs (default 100)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rir", metavar="DIR", help="room impulse responses for reverberation")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_pairs_make)

    p = sub.add_parser("presets", help="list the built-in presets")
    p.set_defaults(func=cmd_presets)

    p = sub.add_parser("demo", help="restore the demo recording")
    p.add_argument("-o", "--output", default="seminario-demo", metavar="DIR")
    p.add_argument("--preset", default="auto")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_demo)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so it unwinds (and cleans up) like Ctrl+C."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _native_stderr_to_null() -> None:
    """Keep what C libraries print (the MP3 decoder's resync notes, TensorFlow's start-up
    logs) off the terminal: Python's ``sys.stderr`` moves to a copy of the terminal, and
    file descriptor 2, which only native code still uses, goes to ``/dev/null``."""
    try:
        sys.stderr.flush()
        terminal = os.dup(2)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
    except (OSError, AttributeError, ValueError):
        return
    sys.stderr = os.fdopen(
        terminal, "w", buffering=1, encoding=sys.stderr.encoding, errors="backslashreplace"
    )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if argv is None and not os.environ.get("SEMINARIO_DEBUG"):
        _native_stderr_to_null()  # only for a real command line: tests capture fd 2
    tune_memory_allocator()
    try:
        with _sigterm_as_interrupt():
            return int(args.func(args))
    except Cancelled:
        print("seminario: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except KeyboardInterrupt as exc:
        print("\nseminario: interrupted; no partial output was left", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_CANCELLED
    except SeminarioError as exc:
        print(f"seminario: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:  # the system refused something (a folder that cannot be read…)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"seminario: error: {where}{exc.strerror or _one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # last resort: one line, the traceback only on request
        if os.environ.get("SEMINARIO_DEBUG"):
            raise
        print(
            f"seminario: unexpected {type(exc).__name__}: {_one_line(exc)} "
            "(set SEMINARIO_DEBUG=1 for details, and please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
