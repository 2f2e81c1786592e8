"""Throughput of ``seminario batch``: 1 and 2 workers on each engine, the same files.

Usage (from the repository root)::

    .venv/bin/python bench/batch.py [--files 40] [--seconds 30] [--preset default]
        [--engines local ray] [--workers 1 2] [--write docs/scale.md]

The inputs are generated (speech-like sound in pink noise at 10 dB SNR, 48 kHz mono
16-bit, a different seed per file), so the benchmark needs no corpus. Each run starts
from an empty output folder and is timed from the call of :func:`core.batch.run_batch`
to its return: starting the workers (and the Ray runtime), loading the models, every
file. Throughput is seconds of audio per second of that wall time; scaling efficiency
is the throughput of N workers over N times that of 1; Ray's overhead per file is the
extra wall time over the local engine with as many workers, divided by the files
(its runtime's start is timed apart and counted out). Every run's outputs are checked
to be bit-identical to the first run's.

The default preset is ``default``, what ``seminario batch`` runs when none is named:
its model step (DeepFilterNet3 on speech) is most of a real restoration's cost, so the
figures are what an archive run gets; ``auto`` adds a per-file diagnosis whose chain
changes with each file, which measures the assistant rather than the batch.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine, write_section  # noqa: E402
from core.audio.io import save  # noqa: E402
from core.batch import run_batch  # noqa: E402
from core.chain import load_preset  # noqa: E402
from core.signals import mix_at_snr, pink_noise, speech_like  # noqa: E402

SR = 48000
BEGIN, END = "<!-- batch:begin -->", "<!-- batch:end -->"


def make_inputs(folder: Path, files: int, seconds: float) -> list[Path]:
    """``files`` recordings of ``seconds`` each in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(files):
        voice = speech_like(sr=SR, seconds=seconds, seed=i)
        noise = pink_noise(sr=SR, seconds=seconds, seed=10_000 + i)
        audio = mix_at_snr(voice, noise, snr_db=10.0)
        paths.append(save(folder / f"take_{i:03d}.wav", audio, SR, subtype="PCM_16"))
    return paths


def digest(folder: Path) -> str:
    """One hash of every output file's bytes, in name order."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*.wav")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def ray_start_seconds(workers: int) -> float:
    """Wall time of starting and stopping a local Ray runtime of ``workers`` CPUs."""
    import ray

    started = time.perf_counter()
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    ray.shutdown()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--preset", default="default")
    parser.add_argument("--engines", nargs="+", default=["local", "ray"])
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--write", type=Path, help="update this markdown file's batch section")
    args = parser.parse_args()

    chain = load_preset(args.preset)
    audio_s = args.files * args.seconds
    rows: list[tuple[str, int, float, float, float, float]] = []
    ray_start: dict[int, float] = {}
    reference = ""
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        inputs = Path(tmp) / "in"
        make_inputs(inputs, args.files, args.seconds)
        for engine in args.engines:
            for workers in args.workers:
                if engine == "ray":
                    ray_start[workers] = ray_start_seconds(workers)
                out = Path(tmp) / f"out-{engine}-{workers}"
                finished: list[float] = []
                started = time.perf_counter()
                report = run_batch(
                    [inputs],
                    out,
                    chain,
                    engine=engine,  # type: ignore[arg-type]
                    workers=workers,
                    on_file=lambda _src, _entry, done=finished: done.append(time.perf_counter()),
                )
                wall = time.perf_counter() - started
                # Once every worker has finished a file (started, loaded its models):
                # the files after that over the time they took.
                first = finished[min(workers, len(finished)) - 1]
                rest = len(finished) - min(workers, len(finished))
                steady = rest * args.seconds / (finished[-1] - first) if rest else float("nan")
                if report.failed or len(report.restored) != args.files:
                    raise SystemExit(f"{engine} x{workers}: {report.summary()}")
                same = digest(out)
                reference = reference or same
                rows.append((engine, workers, wall, audio_s / wall, first - started, steady))
                print(
                    f"{engine:>5} x{workers}: {wall:7.1f} s, {audio_s / wall:6.2f} s of audio "
                    f"per s ({steady:.2f} once started), outputs "
                    f"{'identical' if same == reference else 'DIFFERENT'}",
                    flush=True,
                )
                if same != reference:
                    raise SystemExit("outputs differ between runs")

    text = report_text(args, rows, ray_start)
    print(text)
    if args.write:
        write_section(args.write, BEGIN, END, text, title="# Restoring archives at scale")


def report_text(
    args: argparse.Namespace,
    rows: list[tuple[str, int, float, float, float, float]],
    ray_start: dict[int, float],
) -> str:
    by = {(e, w): (wall, thr) for e, w, wall, thr, _f, _s in rows}
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}; preset `{args.preset}`, "
        f"{args.files} files of {args.seconds:g} s (48 kHz mono, 16-bit), "
        f"{args.files * args.seconds / 60:.1f} min of audio a run:",
        "",
        f"    .venv/bin/python bench/batch.py --files {args.files} --seconds {args.seconds:g} "
        f"--preset {args.preset} --engines {' '.join(args.engines)} "
        f"--workers {' '.join(map(str, args.workers))}",
        "",
        "| engine | workers | wall time (s) | throughput (s of audio per s) | scaling "
        "efficiency | first file(s) done after (s) | throughput after them |",
        "|---|---|---|---|---|---|---|",
    ]
    low = min(args.workers)
    for engine, workers, wall, thr, first, steady in rows:
        base = by.get((engine, low))
        eff = thr / (base[1] * workers / low) if base else float("nan")
        lines.append(
            f"| {engine} | {workers} | {wall:.1f} | {thr:.2f} | {eff:.0%} | {first:.1f} | "
            f"{steady:.2f} |"
        )
    lines.append("")
    for workers in args.workers:
        local, ray = by.get(("local", workers)), by.get(("ray", workers))
        if local and ray:
            start = ray_start.get(workers, 0.0)
            per_file = (ray[0] - start - local[0]) / args.files
            lines.append(
                f"- {workers} worker(s): Ray's throughput is {ray[1] / local[1]:.0%} of the "
                f"local engine's; its runtime starts in {start:.1f} s, and beyond that it "
                f"costs {per_file:+.2f} s a file."
            )
    hi = max(args.workers)
    local_lo, local_hi = by.get(("local", low)), by.get(("local", hi))
    if local_lo and local_hi and hi != low:
        lines.append(
            f"- Local engine, {hi} workers against {low}: {local_hi[1] / local_lo[1]:.2f}x "
            "the throughput."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
