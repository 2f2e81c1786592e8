"""Helpers shared by the benchmark scripts in ``bench/``.

The scripts run from the repository root (``.venv/bin/python bench/<name>.py``), so this
module is imported as ``bench._common`` after the root is put on ``sys.path``.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import platform
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def manifest(data: Path) -> list[dict[str, str]]:
    """Rows of ``<data>/manifest.tsv`` (category, file, sample_rate, ...)."""
    with open(data / "manifest.tsv", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@cache
def training_script() -> ModuleType:
    """``scripts/train_default.py`` as a module: the single definition of what the
    default model trains on (``SPEECH``, ``NOISE``, ``MUSIC``, ``held_out``, ``pick``)."""
    path = ROOT / "scripts" / "train_default.py"
    spec = importlib.util.spec_from_file_location("_train_default", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def held_out_files(
    rows: list[dict[str, str]], categories: tuple[str, ...]
) -> list[tuple[str, str]]:
    """``(category, file)`` pairs of ``categories`` that the default model never trains on,
    by the training script's own rule."""
    return list(training_script().pick(rows, categories)[1])


def write_section(path: Path, begin: str, end: str, text: str, title: str = "# Benchmarks") -> None:
    """Replace what lies between the ``begin`` and ``end`` markers of ``path`` (or append
    the marked section), leaving the rest of the file as it is."""
    body = path.read_text(encoding="utf-8") if path.exists() else f"{title}\n"
    section = f"{begin}\n{text.rstrip()}\n{end}"
    if begin in body and end in body:
        head, rest = body.split(begin, 1)
        body = head + section + rest.split(end, 1)[1]
    else:
        body = body.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")


def fmt(value: float, digits: int = 2) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def machine() -> str:
    """A short description of the CPU this runs on."""
    name = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{name}, {cores} cores, CPU only (no GPU)"


def lag_samples(output: np.ndarray, reference: np.ndarray, max_lag: int) -> int:
    """Delay of ``output`` relative to ``reference`` in samples (positive: output late),
    from the peak of their cross-correlation within ``±max_lag``."""
    a = np.asarray(output, dtype=np.float64).ravel()
    b = np.asarray(reference, dtype=np.float64).ravel()
    n = a.size + b.size
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size)), size)
    window = np.concatenate([corr[-max_lag:], corr[: max_lag + 1]])
    return int(np.argmax(window)) - max_lag


def align(output: np.ndarray, reference: np.ndarray, max_lag: int) -> tuple[np.ndarray, int]:
    """``output`` (channels, samples) moved so it lines up with ``reference``, cut or
    zero-padded to the reference's length; returns it and the delay removed in samples.

    A silent output is returned unshifted (its correlation has no meaningful peak).
    """
    n = reference.shape[-1]
    lag = 0
    if np.any(output):
        lag = lag_samples(output.mean(axis=0), reference.mean(axis=0), max_lag)
    out = np.zeros((output.shape[0], n), dtype=np.float32)
    src = output[:, max(lag, 0) :]
    start = max(-lag, 0)
    length = min(src.shape[1], n - start)
    out[:, start : start + length] = src[:, :length]
    return out, lag
