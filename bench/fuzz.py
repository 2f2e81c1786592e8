"""A seeded mutation fuzzer over the audio loader (``core.audio.io``).

Small valid files of every format SeminarioIA reads are mutated (bit flips, random and
extreme header fields, truncation, spliced and zeroed ranges, a wrong extension) and
read with ``info``, ``load`` (also on two threads) and ``AudioReader.read``. Each case
must end in audio or in one of the project's own errors (``SeminarioError``); anything
else, ``MemoryError`` included, is a *non-project exception*: a crash a user would see
as "unexpected … please report it".

    .venv/bin/python bench/fuzz.py                   # 20 000 cases, seed 0
    .venv/bin/python bench/fuzz.py --cases 500 --seed 3
    .venv/bin/python bench/fuzz.py --case 1234       # one case again, with its traceback

Case ``i`` of seed ``s`` is the same file on every machine (``np.random.default_rng([s, i])``).
``tests/bench/test_fuzz.py`` runs a few hundred cases in CI; ``docs/robustness.md`` has
the figures of a long run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import soundfile as sf

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.audio.io import AudioReader, info, load
from core.errors import SeminarioError

# (extension, soundfile format, subtype)
SEED_FORMATS = (
    (".wav", "WAV", "PCM_16"),
    (".wav", "WAV", "FLOAT"),
    (".wav", "RF64", "PCM_24"),
    (".flac", "FLAC", "PCM_16"),
    (".flac", "FLAC", "PCM_24"),
    (".ogg", "OGG", "VORBIS"),
    (".mp3", "MP3", "MPEG_LAYER_III"),
    (".aiff", "AIFF", "PCM_16"),
)
_EXTREMES = (0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF0, 0x10000)


@cache
def seed_files() -> tuple[tuple[str, bytes], ...]:
    """One small valid file per entry of :data:`SEED_FORMATS`: 0.2 s of stereo."""
    rng = np.random.default_rng(0)
    audio = (0.3 * rng.standard_normal((9600, 2))).astype(np.float32)
    seeds = []
    for ext, fmt, subtype in SEED_FORMATS:
        buffer = io.BytesIO()
        sf.write(buffer, audio, 48000, format=fmt, subtype=subtype)
        seeds.append((ext, buffer.getvalue()))
    return tuple(seeds)


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    """One to four random mutations of ``data``, headers favoured."""
    out = bytearray(data)
    for _ in range(int(rng.integers(1, 5))):
        n = len(out)
        if n == 0:
            break
        header = int(min(n, 256))
        kind = int(rng.integers(7))
        if kind == 0:  # flip bits
            for at in rng.integers(0, n, int(rng.integers(1, 17))):
                out[int(at)] ^= 1 << int(rng.integers(8))
        elif kind == 1:  # an extreme 32-bit field in the header
            at = int(rng.integers(0, max(header - 4, 1)))
            value = int(rng.choice(_EXTREMES))
            out[at : at + 4] = value.to_bytes(4, "little" if rng.random() < 0.5 else "big")
        elif kind == 2:  # random bytes over a range
            at = int(rng.integers(0, n))
            length = int(rng.integers(1, 64))
            out[at : at + length] = rng.integers(0, 256, length, np.uint8).tobytes()
        elif kind == 3:  # truncate
            del out[int(rng.integers(0, n)) :]
        elif kind == 4:  # duplicate a slice somewhere else
            a = int(rng.integers(0, n))
            piece = out[a : a + int(rng.integers(1, 512))]
            at = int(rng.integers(0, n))
            out[at:at] = piece
        elif kind == 5:  # zero a range
            at = int(rng.integers(0, n))
            out[at : at + int(rng.integers(1, 128))] = bytes(min(128, n - at))
        else:  # byte in the header set to 0 or 255
            out[int(rng.integers(0, header))] = int(rng.choice([0, 255]))
    return bytes(out)


def make_case(seed: int, case: int) -> tuple[str, bytes]:
    """The extension and bytes of case ``case``."""
    rng = np.random.default_rng([seed, case])
    seeds = seed_files()
    ext, data = seeds[int(rng.integers(len(seeds)))]
    if rng.random() < 0.1:  # the contents of one format under another's name
        ext = seeds[int(rng.integers(len(seeds)))][0]
    return ext, mutate(data, rng)


def read_case(path: Path, rng: np.random.Generator) -> str:
    """Read ``path`` every way the project does; returns how it ended."""
    head = info(path)
    audio, _sr = load(path, threads=2 if rng.random() < 0.3 else 1)
    if audio.shape != (head.channels, head.frames):
        raise AssertionError(f"load gave {audio.shape}, info said {head}")
    with AudioReader(path) as reader:
        start = int(rng.integers(-100, max(head.frames, 1)))
        block = reader.read(start, 1000)
        if block.shape != (head.channels, 1000):
            raise AssertionError(f"read gave {block.shape}")
    return "audio"


@dataclass
class Result:
    cases: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[int, str]] = field(default_factory=list)
    """``(case, "Type: message")`` of each non-project exception."""

    @property
    def non_project(self) -> int:
        return len(self.failures)


def run(cases: int, *, seed: int = 0, first: int = 0) -> Result:
    """Cases ``first`` … ``first + cases - 1`` of ``seed``."""
    result = Result()
    with tempfile.TemporaryDirectory(prefix="seminario-fuzz-") as folder:
        for case in range(first, first + cases):
            ext, data = make_case(seed, case)
            path = Path(folder) / f"case{case}{ext}"
            path.write_bytes(data)
            rng = np.random.default_rng([seed, case, 1])
            try:
                outcome = read_case(path, rng)
            except SeminarioError as exc:
                outcome = type(exc).__name__
            except Exception as exc:  # noqa: BLE001 - what the fuzzer is here to find
                outcome = "non-project"
                result.failures.append((case, f"{type(exc).__name__}: {exc}"[:200]))
            result.cases += 1
            result.outcomes[outcome] += 1
            path.unlink()
    return result


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Decoders print resync notes on file descriptor 2; keep them off the terminal."""
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--case", type=int, help="run this one case, with its traceback")
    args = parser.parse_args(argv)
    if args.case is not None:
        ext, data = make_case(args.seed, args.case)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"case{args.case}{ext}"
            path.write_bytes(data)
            try:
                print(read_case(path, np.random.default_rng([args.seed, args.case, 1])))
            except Exception:  # noqa: BLE001
                traceback.print_exc()
                return 1
        return 0
    started = time.perf_counter()
    with quiet_native_stderr():
        result = run(args.cases, seed=args.seed)
    seconds = time.perf_counter() - started
    print(f"cases: {result.cases} (seed {args.seed}) in {seconds:.0f} s")
    for outcome, count in result.outcomes.most_common():
        print(f"  {outcome:<24} {count}")
    print(f"non-project exceptions: {result.non_project}")
    for case, text in result.failures[:20]:
        print(f"  case {case}: {text}")
    return 1 if result.non_project else 0


if __name__ == "__main__":
    sys.exit(main())
