"""Matching paired ``noisy/`` and ``clean/`` training folders.

Files correspond by relative path with the extension ignored, case-sensitively,
recursing into subfolders: ``noisy/sub/a.wav`` pairs with ``clean/sub/a.flac``.
:func:`match_pairs` checks every pair (readable, not silent, same length within
50 ms, long enough) and returns a :class:`PairReport` the CLI and GUI can show;
:func:`split_pairs` makes a seeded train/validation split by file.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Literal

import numpy as np

from core.audio.io import AudioInfo, AudioReader, is_audio_name, is_hidden
from core.errors import AudioFormatError, ConfigError, PairingError
from core.progress import CancelToken, ProgressCallback, check_cancel, format_duration

ProblemKind = Literal[
    "unreadable", "silent", "length", "samplerate", "channels", "too_short", "duplicate"
]
Severity = Literal["error", "warning"]

#: Every :attr:`PairProblem.kind`, so callers can map each one to a message.
PROBLEM_KINDS: tuple[ProblemKind, ...] = (
    "unreadable",
    "silent",
    "length",
    "samplerate",
    "channels",
    "too_short",
    "duplicate",
)

SILENCE_DBFS = -80.0
MAX_LENGTH_DIFF_S = 0.05
MIN_DURATION_S = 0.25
_SCAN_BLOCK_FRAMES = 1 << 16
# Float rounding must not turn "exactly 50 ms apart" into a misalignment.
_LENGTH_EPS_S = 1e-9


@dataclass(frozen=True)
class Pair:
    """One usable noisy/clean pair.

    ``key`` is the relative path without extension (posix). ``samplerate``,
    ``channels``, ``frames`` and ``duration_s`` (seconds) describe the noisy file;
    the clean one differs in length by at most 50 ms.
    """

    key: str
    noisy: Path
    clean: Path
    samplerate: int
    channels: int
    frames: int
    duration_s: float

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "noisy": str(self.noisy),
            "clean": str(self.clean),
            "samplerate": self.samplerate,
            "channels": self.channels,
            "frames": self.frames,
            "duration_s": round(self.duration_s, 3),
        }


@dataclass(frozen=True)
class PairProblem:
    """Something wrong with a pair.

    ``severity`` is ``'error'`` (the pair is excluded) or ``'warning'`` (it is
    used, with conversion); ``detail`` is a sentence to show the user.
    """

    key: str
    kind: ProblemKind
    severity: Severity
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {
            "key": self.key,
            "kind": self.kind,
            "severity": self.severity,
            "detail": self.detail,
        }


@dataclass
class PairReport:
    """What :func:`match_pairs` found in a pair of folders.

    ``pairs`` holds the usable pairs sorted by key; ``unpaired_noisy`` and
    ``unpaired_clean`` hold keys without a partner; ``ignored`` holds the
    relative paths (prefixed ``noisy/`` or ``clean/``) of non-audio files.
    """

    noisy_dir: Path
    clean_dir: Path
    pairs: list[Pair] = field(default_factory=list)
    problems: list[PairProblem] = field(default_factory=list)
    unpaired_noisy: list[str] = field(default_factory=list)
    unpaired_clean: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def usable_count(self) -> int:
        return len(self.pairs)

    @property
    def total_duration_s(self) -> float:
        return float(sum(p.duration_s for p in self.pairs))

    @property
    def ok(self) -> bool:
        """True when at least one pair is usable."""
        return self.usable_count > 0

    @property
    def excluded_keys(self) -> list[str]:
        """Keys of matched pairs that an error excluded, sorted."""
        return sorted({p.key for p in self.problems if p.severity == "error"})

    def to_dict(self) -> dict[str, object]:
        """A JSON-safe dictionary (paths as strings, durations in seconds)."""
        return {
            "noisy_dir": str(self.noisy_dir),
            "clean_dir": str(self.clean_dir),
            "ok": self.ok,
            "usable_count": self.usable_count,
            "total_duration_s": round(self.total_duration_s, 3),
            "pairs": [p.to_dict() for p in self.pairs],
            "problems": [p.to_dict() for p in self.problems],
            "unpaired_noisy": list(self.unpaired_noisy),
            "unpaired_clean": list(self.unpaired_clean),
            "ignored": list(self.ignored),
        }

    def summary_lines(self, *, max_items: int = 10) -> list[str]:
        """Human-readable lines for the CLI or GUI.

        Lists longer than ``max_items`` (names, or problem lines) end with
        "… and N more".
        """
        max_items = max(1, max_items)
        lines: list[str] = []
        if self.ok:
            lines.append(
                f"{_plural(self.usable_count, 'pair')} usable "
                f"({format_duration(self.total_duration_s)})"
            )
        else:
            lines.append("No usable pairs")
        excluded = len(self.excluded_keys)
        if excluded:
            lines.append(f"{_plural(excluded, 'pair')} excluded because of errors")
        if self.unpaired_noisy:
            n = len(self.unpaired_noisy)
            lines.append(
                f"{_plural(n, 'noisy file')} {_have(n)} no clean partner: "
                f"{_names(self.unpaired_noisy, max_items)}"
            )
        if self.unpaired_clean:
            n = len(self.unpaired_clean)
            lines.append(
                f"{_plural(n, 'clean file')} {_have(n)} no noisy partner: "
                f"{_names(self.unpaired_clean, max_items)}"
            )
        if self.ignored:
            lines.append(
                f"{_plural(len(self.ignored), 'file')} ignored (not audio): "
                f"{_names(self.ignored, max_items)}"
            )
        for problem in self.problems[:max_items]:
            consequence = "excluded" if problem.severity == "error" else "used"
            lines.append(f"{problem.severity}: {problem.key}: {problem.detail} ({consequence})")
        if len(self.problems) > max_items:
            lines.append(f"… and {len(self.problems) - max_items} more problems")
        return lines


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _have(n: int) -> str:
    return "has" if n == 1 else "have"


def _names(items: Sequence[str], max_items: int) -> str:
    shown = ", ".join(items[:max_items])
    if len(items) > max_items:
        shown += f" … and {len(items) - max_items} more"
    return shown


# --- scanning folders -----------------------------------------------------------------------


@dataclass
class _Listing:
    audio: dict[str, list[Path]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


def _list_folder(root: Path, label: str, *, skip: Path, cancel: CancelToken | None) -> _Listing:
    """Audio files under ``root`` by key, and non-audio files; hidden ones are skipped.

    ``skip`` (the other folder) is pruned if it lies inside ``root``, so a clean
    folder nested in the noisy one is not read as noisy data.
    """
    listing = _Listing()
    skip_resolved = skip.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        check_cancel(cancel)
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not is_hidden(here / d) and (here / d).resolve() != skip_resolved
        )
        for name in sorted(filenames):
            path = here / name
            if is_hidden(path):
                continue
            rel = PurePath(path.relative_to(root))
            if is_audio_name(path):
                listing.audio.setdefault(rel.with_suffix("").as_posix(), []).append(path)
            else:
                listing.ignored.append(f"{label}/{rel.as_posix()}")
    return listing


# --- checking files -------------------------------------------------------------------------


@dataclass(frozen=True)
class _FileCheck:
    info: AudioInfo | None
    error: str | None
    peak: float


def _check_file(path: Path, *, cancel: CancelToken | None) -> _FileCheck:
    """Header plus a streamed peak scan that stops once the file is known not silent."""
    threshold = 10 ** (SILENCE_DBFS / 20)
    try:
        with AudioReader(path) as reader:
            peak = 0.0
            for start in range(0, reader.info.frames, _SCAN_BLOCK_FRAMES):
                check_cancel(cancel)
                block = reader.read(start, min(_SCAN_BLOCK_FRAMES, reader.info.frames - start))
                if not np.all(np.isfinite(block)):
                    return _FileCheck(reader.info, "it contains NaN or infinite samples", 0.0)
                peak = max(peak, float(np.max(np.abs(block))) if block.size else 0.0)
                if peak >= threshold:
                    break
            return _FileCheck(reader.info, None, peak)
    except AudioFormatError as exc:
        return _FileCheck(None, str(exc), 0.0)


def _peak_dbfs(peak: float) -> str:
    return "digital silence" if peak <= 0 else f"peak {20 * math.log10(peak):.1f} dBFS"


def _judge(key: str, noisy: _FileCheck, clean: _FileCheck) -> list[PairProblem]:
    """Every problem of one pair, errors and warnings, in a fixed order."""
    problems: list[PairProblem] = []

    def add(kind: ProblemKind, severity: Severity, detail: str) -> None:
        problems.append(PairProblem(key, kind, severity, detail))

    for side, check in (("noisy", noisy), ("clean", clean)):
        if check.error is not None:
            add("unreadable", "error", f"the {side} file cannot be read: {check.error}")
    if noisy.info is None or clean.info is None or problems:
        return problems

    n_info, c_info = noisy.info, clean.info
    threshold = 10 ** (SILENCE_DBFS / 20)
    for side, check, info in (("noisy", noisy, n_info), ("clean", clean, c_info)):
        if info.frames > 0 and check.peak < threshold:
            add(
                "silent",
                "error",
                f"{side} is silent ({_peak_dbfs(check.peak)}, below {SILENCE_DBFS:.0f} dBFS)",
            )
    n_dur, c_dur = n_info.duration, c_info.duration
    if min(n_dur, c_dur) < MIN_DURATION_S:
        side, dur = ("noisy", n_dur) if n_dur <= c_dur else ("clean", c_dur)
        add(
            "too_short",
            "error",
            f"{side} is {dur:.2f} s, shorter than the {MIN_DURATION_S:.2f} s minimum",
        )
    if abs(n_dur - c_dur) > MAX_LENGTH_DIFF_S + _LENGTH_EPS_S:
        add(
            "length",
            "error",
            f"clean is {c_dur:.2f} s but noisy is {n_dur:.2f} s "
            f"(more than {MAX_LENGTH_DIFF_S * 1000:.0f} ms apart: misaligned)",
        )
    if n_info.samplerate != c_info.samplerate:
        add(
            "samplerate",
            "warning",
            f"noisy is {n_info.samplerate} Hz but clean is {c_info.samplerate} Hz "
            "(will be resampled)",
        )
    if n_info.channels != c_info.channels:
        add(
            "channels",
            "warning",
            f"noisy has {_plural(n_info.channels, 'channel')} but clean has "
            f"{_plural(c_info.channels, 'channel')} (will be mixed to mono)",
        )
    return problems


def _check_folder(path: str | os.PathLike[str], role: str) -> Path:
    folder = Path(path)
    if not folder.exists():
        raise PairingError(f"the {role} folder does not exist: {folder}")
    if not folder.is_dir():
        raise PairingError(f"the {role} folder is not a folder: {folder}")
    return folder


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def match_pairs(
    noisy_dir: str | os.PathLike[str],
    clean_dir: str | os.PathLike[str],
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> PairReport:
    """Match and check the files of a noisy and a clean folder.

    Parameters
    ----------
    noisy_dir, clean_dir : path-like
        Folders whose audio files correspond by relative path, extension ignored
        (case-sensitive; subfolders included; hidden files skipped; non-audio
        files listed in :attr:`PairReport.ignored`).
    progress : ProgressCallback, optional
        Called once per file checked, with the fraction done.
    cancel : CancelToken, optional
        Checked between files and while scanning a file; raises ``Cancelled``.

    Returns
    -------
    PairReport
        Always returned, even when nothing is usable; see :func:`require_usable`.

    Raises
    ------
    PairingError
        A folder is missing or not a folder, or both are the same folder.
    """
    noisy_root = _check_folder(noisy_dir, "noisy")
    clean_root = _check_folder(clean_dir, "clean")
    if _same_folder(noisy_root, clean_root):
        raise PairingError(
            f"the noisy and clean folders are the same folder ({noisy_root}); "
            "choose two different folders"
        )
    check_cancel(cancel)
    report = PairReport(noisy_dir=noisy_root, clean_dir=clean_root)
    noisy = _list_folder(noisy_root, "noisy", skip=clean_root, cancel=cancel)
    clean = _list_folder(clean_root, "clean", skip=noisy_root, cancel=cancel)
    report.ignored = noisy.ignored + clean.ignored
    report.unpaired_noisy = sorted(noisy.audio.keys() - clean.audio.keys())
    report.unpaired_clean = sorted(clean.audio.keys() - noisy.audio.keys())
    keys = sorted(noisy.audio.keys() & clean.audio.keys())

    total_files = 2 * len(keys)
    done = 0

    def step(path: Path) -> _FileCheck:
        nonlocal done
        check_cancel(cancel)
        result = _check_file(path, cancel=cancel)
        done += 1
        if progress is not None:
            progress(done / total_files, f"checked {path.name}")
        return result

    for key in keys:
        noisy_paths, clean_paths = noisy.audio[key], clean.audio[key]
        if len(noisy_paths) > 1 or len(clean_paths) > 1:
            # a.wav and a.flac in one folder: which one is meant is a guess, so refuse.
            names = ", ".join(
                f"{label}/{PurePath(p.relative_to(root)).as_posix()}"
                for label, root, paths in (
                    ("noisy", noisy_root, noisy_paths),
                    ("clean", clean_root, clean_paths),
                )
                for p in paths
            )
            report.problems.append(
                PairProblem(key, "duplicate", "error", f"several files share this name: {names}")
            )
            done += 2
            if progress is not None:
                progress(done / total_files, f"skipped {key}")
            continue
        n_check, c_check = step(noisy_paths[0]), step(clean_paths[0])
        problems = _judge(key, n_check, c_check)
        report.problems.extend(problems)
        if n_check.info is not None and not any(p.severity == "error" for p in problems):
            info = n_check.info
            report.pairs.append(
                Pair(
                    key=key,
                    noisy=noisy_paths[0],
                    clean=clean_paths[0],
                    samplerate=info.samplerate,
                    channels=info.channels,
                    frames=info.frames,
                    duration_s=info.duration,
                )
            )
    if progress is not None:
        progress(1.0, f"{_plural(report.usable_count, 'pair')} usable")
    return report


def split_pairs(
    pairs: Sequence[Pair], *, val_fraction: float = 0.2, seed: int = 0
) -> tuple[list[Pair], list[Pair]]:
    """Split pairs into training and validation sets, by file.

    Each pair is ranked by a hash of ``(seed, key)``, so the split depends only on
    the seed and the keys — not on input order, platform or numpy version — and
    adding files moves few existing ones between sides.

    Parameters
    ----------
    pairs : sequence of Pair
        The usable pairs (at least one).
    val_fraction : float
        Share of pairs for validation, ``0 <= val_fraction < 1``. With two or more
        pairs and a positive fraction both sides get at least one pair; with
        ``0`` everything is training.
    seed : int
        Selects the split.

    Returns
    -------
    (train, val) : tuple of list of Pair
        Disjoint, together all of ``pairs``, each sorted by key.

    Raises
    ------
    ConfigError
        ``val_fraction`` outside ``[0, 1)`` or not a number, or ``seed`` not an int.
    PairingError
        ``pairs`` is empty.
    """
    if (
        isinstance(val_fraction, bool)
        or not isinstance(val_fraction, (int, float))
        or not 0.0 <= val_fraction < 1.0  # also rejects NaN
    ):
        raise ConfigError(f"val_fraction must be at least 0 and below 1, got {val_fraction!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed must be an integer, got {seed!r}")
    if len(pairs) == 0:
        raise PairingError("there are no pairs to split into training and validation")
    ordered = sorted(pairs, key=lambda p: (p.key, str(p.noisy), str(p.clean)))
    n = len(ordered)
    n_val = 0
    if val_fraction > 0 and n >= 2:
        n_val = min(max(int(round(n * val_fraction)), 1), n - 1)

    def rank(index: int) -> tuple[bytes, int]:
        digest = hashlib.sha256(f"{seed}\0{ordered[index].key}".encode()).digest()
        return digest, index

    val_indices = set(sorted(range(n), key=rank)[:n_val])
    train = [p for i, p in enumerate(ordered) if i not in val_indices]
    val = [p for i, p in enumerate(ordered) if i in val_indices]
    return train, val


def require_usable(report: PairReport) -> list[Pair]:
    """The usable pairs of ``report``, or :class:`PairingError` explaining why there are none."""
    if report.ok:
        return list(report.pairs)
    reasons = "\n".join(f"  {line}" for line in report.summary_lines())
    raise PairingError(
        f"training cannot start: no usable pairs in {report.noisy_dir} and "
        f"{report.clean_dir}\n{reasons}"
    )
