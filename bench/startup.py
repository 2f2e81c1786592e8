"""Whole-process cost of ``seminario restore``: wall time and peak memory from process
spawn to exit, with the models run through LiteRT (now) and through Keras (before the
light runtime), side by side in one run.

Usage (from the repository root, with ../shared/data beside it)::

    .venv/bin/python bench/startup.py [--minutes 1 10] [--presets denoise auto]
        [--programmes speech music] [--rounds 1] [--runtimes keras litert] [--before DIR]
        [--write docs/benchmarks.md]

The programmes are ``bench/speed.py``'s (``--programmes``): noisy speech (held-out
speakers in a held-out noise at 5 dB) and noisy music (a Wesnoth track at 20 dB, with
tape-like hiss at -40 dBFS in each channel that ``auto`` takes out by a noise profile
learned from the whole recording), 48 kHz stereo, each written once as a 16-bit WAV in a
temporary folder. Each
command runs in a fresh process (``python -m core.cli restore -q --overwrite``), the two
runtimes alternating within each round so load on a shared machine falls on both; the
runtime is chosen with ``SEMINARIO_MODEL_RUNTIME``. ``seminario info`` on the same file
gives the floor: starting Python and the command line. Peak memory is the process's
maximum resident set (``wait4``), and processor time its user plus system time (less
sensitive to other load than wall time on a shared machine).

``--before DIR`` adds a column for another checkout (``git worktree add DIR COMMIT``):
the same commands through LiteRT with ``DIR`` as the working directory, so its ``core``
runs, alternating with this tree's within each round.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import machine, write_section  # noqa: E402  (NumPy only)

RUNTIME_ENV = "SEMINARIO_MODEL_RUNTIME"  # core.model.lite's; core is not imported here

BEGIN, END = "<!-- startup:begin -->", "<!-- startup:end -->"
# A child's peak resident set counts what it inherited until it ran the command: this
# process stays small (the programme is made in a child of its own, and SciPy and core
# are not imported here), or its own size would show as every command's peak.
RUNTIMES = ("keras", "litert")
HISS_DBFS = -40.0  # steady hiss on the music: what auto's noise-profile path is for
COLUMNS = {"keras": "Keras", "litert": "LiteRT"}


def run(args: list[str], runtime: str, root: Path = ROOT) -> tuple[float, float, float]:
    """Wall seconds, peak resident MB and processor seconds of ``python -m core.cli ARGS``
    run in ``root``."""
    env = {**os.environ, RUNTIME_ENV: runtime, "TF_CPP_MIN_LOG_LEVEL": "2"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", *args],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    errors = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({runtime}, {root}):\n{errors[-2000:]}")
    return wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime


def _commit(root: Path) -> str:
    found = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return f"`{found.stdout.strip()}`" if found.returncode == 0 else root.name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--minutes", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--presets", nargs="+", default=["denoise", "auto"])
    parser.add_argument(
        "--programmes", nargs="+", choices=("speech", "music"), default=["speech", "music"]
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--runtimes", nargs="+", choices=RUNTIMES, default=list(RUNTIMES))
    parser.add_argument("--before", type=Path, help="another checkout to compare (LiteRT)")
    parser.add_argument("--write", type=Path, help="update this markdown file's section")
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        return make_programme(args.make, args.data, args.minutes[0], args.programmes[0])
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    # (column, runtime, working directory), in the order they run in the first round
    variants = [(COLUMNS[r], r, ROOT) for r in args.runtimes]
    if args.before is not None:
        before = args.before.resolve()
        variants.insert(len(variants) - 1, (f"LiteRT before ({_commit(before)})", "litert", before))
    rows = []
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="seminario-startup-") as tmp:
        folder = Path(tmp)
        for minutes, kind in ((m, k) for m in args.minutes for k in args.programmes):
            src = folder / f"{kind}_{minutes:g}min.wav"
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--make",
                    str(src),
                    "--minutes",
                    f"{minutes:g}",
                    "--data",
                    str(args.data),
                    "--programmes",
                    kind,
                ],
                check=True,
            )
            info = [run(["info", str(src)], "litert") for _ in range(args.rounds)]
            length = f"{minutes:g} min {kind}"
            rows.append((length, "`info`", {"": info}))
            for preset in args.presets:
                out = folder / "out.wav"
                cmd = ["restore", "-q", "--overwrite", "--preset", preset, "-o", str(out)]
                results: dict[str, list[tuple[float, float, float]]] = {v[0]: [] for v in variants}
                for n in range(args.rounds):
                    for name, runtime, root in variants if n % 2 == 0 else variants[::-1]:
                        results[name].append(run([*cmd, str(src)], runtime, root))
                        wall, peak, cpu = results[name][-1]
                        print(
                            f"{length} {preset} {name}: {wall:.2f} s, {peak:.0f} MB, "
                            f"processor {cpu:.2f} s (load {os.getloadavg()[0]:.1f})",
                            flush=True,
                        )
                        loads.append(os.getloadavg()[0])
                rows.append((length, f"`restore --preset {preset}`", results))
    command = ".venv/bin/python bench/startup.py" + "".join(
        f" {flag} {' '.join(map(str, values))}"
        for flag, values, default in (
            ("--minutes", [f"{m:g}" for m in args.minutes], ["1", "10"]),
            ("--presets", args.presets, ["denoise", "auto"]),
            ("--programmes", args.programmes, ["speech", "music"]),
            ("--rounds", [str(args.rounds)], ["1"]),
            ("--runtimes", args.runtimes, list(RUNTIMES)),
            ("--before", [str(args.before)] if args.before else [], []),
        )
        if values != default
    )
    columns = [name for name, _, _ in variants]
    text = report(rows, columns, started, time.perf_counter() - t0, command, args.rounds, loads)
    print(text)
    if args.write:
        write_section(args.write, BEGIN, END, text)
    return 0


def make_programme(path: Path, data: Path, minutes: float, kind: str) -> int:
    """Write ``bench/speed.py``'s noisy ``kind`` (speech or music), ``minutes`` long, to
    ``path``."""
    import numpy as np
    import soundfile as sf

    from bench.speed import SR, programme

    rng = np.random.default_rng(0)
    x = programme(kind, data, minutes * 60.0, rng)
    if kind == "music":
        x = x + (10 ** (HISS_DBFS / 20) * rng.standard_normal(x.shape)).astype(np.float32)
    sf.write(path, x.T, SR, subtype="PCM_16")
    return 0


def report(
    rows: list,
    columns: list[str],
    started: datetime,
    took: float,
    command: str,
    rounds: int,
    loads: list[float],
) -> str:
    def cell(values: list[tuple[float, float, float]]) -> str:
        wall = statistics.median([w for w, _, _ in values])
        peak = max(p for _, p, _ in values)
        cpu = statistics.median([c for _, _, c in values])
        return f"{wall:.1f} s, {peak:.0f} MB ({cpu:.1f} s CPU)"

    lines = [
        "## Whole-process restore: LiteRT against Keras (`bench/startup.py`)",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}, in {took / 60:.0f} min "
        f"(load average {min(loads):.1f}-{max(loads):.1f} while it ran: on a shared "
        "machine, compare the columns, not the figures with other tables).",
        f"Reproduce: `{command}`.",
        "Wall time from spawning `python -m core.cli …` to its exit (median of "
        f"{rounds} round{'s' if rounds > 1 else ''}, the columns alternating), peak "
        "resident memory (largest) and processor time (user + system, median), on "
        "`bench/speed.py`'s noisy speech and music, 48 kHz stereo 16-bit WAV. *Keras* is the model "
        "step as it was before the light runtime (`SEMINARIO_MODEL_RUNTIME=keras`: "
        "TensorFlow imported, models run by it); *LiteRT* is the default now; *before* "
        "is another checkout run the same way. Targets for 1 min: at most 4 s and 500 MB.",
        "",
        "| length | command | " + " | ".join(columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    for length, what, results in rows:
        if "" in results:
            cells = [cell(results[""])] + ["(no model)"] * (len(columns) - 1)
        else:
            cells = [cell(results[c]) for c in columns]
            cells[-1] = f"**{cells[-1]}**"
        lines.append(f"| {length} | {what} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
