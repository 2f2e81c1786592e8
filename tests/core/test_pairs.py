"""Tests for core.data.pairs: matching, problem detection, reports and splits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.audio.io import save
from core.data.pairs import (
    PROBLEM_KINDS,
    Pair,
    PairProblem,
    PairReport,
    format_duration,
    match_pairs,
    require_usable,
    split_pairs,
)
from core.errors import Cancelled, ConfigError, PairingError
from core.progress import CancelToken
from core.signals import tone, white_noise

SR = 8000


def _write(
    path: Path,
    *,
    seconds: float = 0.5,
    sr: int = SR,
    channels: int = 1,
    silent: bool = False,
    seed: int = 0,
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    audio = white_noise(sr=sr, seconds=seconds, amplitude=0.1, seed=seed)
    if silent:
        audio = np.zeros_like(audio)
    if channels > 1:
        audio = np.repeat(audio, channels, axis=0)
    save(path, audio, sr)
    return path


def _dirs(tmp_path: Path) -> tuple[Path, Path]:
    noisy, clean = tmp_path / "noisy", tmp_path / "clean"
    noisy.mkdir()
    clean.mkdir()
    return noisy, clean


def _pair(tmp_path: Path, name: str, *, seconds: float = 0.5) -> tuple[Path, Path]:
    noisy, clean = tmp_path / "noisy", tmp_path / "clean"
    return _write(noisy / name, seconds=seconds), _write(clean / name, seconds=seconds)


def _problems(report: PairReport, key: str) -> dict[str, str]:
    return {p.kind: p.severity for p in report.problems if p.key == key}


def _fake_pairs(keys: list[str]) -> list[Pair]:
    return [Pair(k, Path("n") / k, Path("c") / k, SR, 1, SR, 1.0) for k in keys]


# --- matching --------------------------------------------------------------------------------


def test_matches_across_subfolders_and_extensions(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "a.wav")
    _write(clean / "a.flac")
    _write(noisy / "sub" / "deep" / "b.wav", seconds=1.0)
    _write(clean / "sub" / "deep" / "b.wav", seconds=1.0)
    _write(noisy / "sub" / "c.FLAC")
    _write(clean / "sub" / "c.wav")
    # Same stem in a different folder is not a match.
    _write(noisy / "x" / "d.wav")
    _write(clean / "y" / "d.wav")

    report = match_pairs(noisy, clean)

    assert [p.key for p in report.pairs] == ["a", "sub/c", "sub/deep/b"]
    a = report.pairs[0]
    assert a.noisy == noisy / "a.wav" and a.clean == clean / "a.flac"
    assert a.samplerate == SR and a.channels == 1 and a.frames == SR // 2
    assert a.duration_s == pytest.approx(0.5)
    assert report.unpaired_noisy == ["x/d"]
    assert report.unpaired_clean == ["y/d"]
    assert report.problems == []
    assert report.usable_count == 3
    assert report.total_duration_s == pytest.approx(2.0)
    assert report.ok


def test_matching_is_case_sensitive(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "Take1.wav")
    _write(clean / "take1.wav")
    report = match_pairs(noisy, clean)
    assert report.pairs == []
    assert report.unpaired_noisy == ["Take1"]
    assert report.unpaired_clean == ["take1"]
    assert not report.ok


def test_unpaired_on_both_sides(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _pair(tmp_path, "both.wav")
    for name in ("n1.wav", "n2.wav"):
        _write(noisy / name)
    _write(clean / "c1.wav")
    report = match_pairs(noisy, clean)
    assert [p.key for p in report.pairs] == ["both"]
    assert report.unpaired_noisy == ["n1", "n2"]
    assert report.unpaired_clean == ["c1"]
    lines = report.summary_lines()
    assert "2 noisy files have no clean partner: n1, n2" in lines
    assert "1 clean file has no noisy partner: c1" in lines


def test_ignores_non_audio_and_hidden_files(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _pair(tmp_path, "a.wav")
    (noisy / "notes.txt").write_text("hello")
    (clean / "sub").mkdir()
    (clean / "sub" / "readme.md").write_text("x")
    # Hidden files and folders are skipped entirely, audio or not.
    _write(noisy / ".hidden.wav")
    _write(clean / ".hidden.wav")
    (noisy / ".DS_Store").write_bytes(b"\0\1")
    _write(noisy / ".cache" / "b.wav")
    _write(clean / ".cache" / "b.wav")

    report = match_pairs(noisy, clean)

    assert [p.key for p in report.pairs] == ["a"]
    assert report.ignored == ["noisy/notes.txt", "clean/sub/readme.md"]
    assert report.unpaired_noisy == [] and report.unpaired_clean == []
    assert any(line.startswith("2 files ignored (not audio)") for line in report.summary_lines())


# --- problems --------------------------------------------------------------------------------


def test_silent_file_is_an_error(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "s.wav")
    _write(clean / "s.wav", silent=True)
    _pair(tmp_path, "ok.wav")
    report = match_pairs(noisy, clean)
    assert _problems(report, "s") == {"silent": "error"}
    assert [p.key for p in report.pairs] == ["ok"]
    assert report.excluded_keys == ["s"]


def test_quiet_but_audible_file_is_not_silent(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "q.wav")
    # Peak about -60 dBFS: quiet, but well above the -80 dBFS silence floor.
    save(clean / "q.wav", tone(freq=440, sr=SR, seconds=0.5, amplitude=1e-3), SR)
    report = match_pairs(noisy, clean)
    assert report.problems == []
    assert report.usable_count == 1


def test_silence_scan_streams_past_the_first_block(tmp_path: Path) -> None:
    # 10 s at 8 kHz spans two scan blocks; the only sound is near the end.
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "late.wav", seconds=10.0)
    audio = np.zeros((1, 10 * SR), dtype=np.float32)
    audio[0, -100:] = 0.5
    save(clean / "late.wav", audio, SR)
    report = match_pairs(noisy, clean)
    assert report.problems == []
    assert report.usable_count == 1


def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "x.wav")
    (clean / "x.wav").write_text("this is not audio")
    report = match_pairs(noisy, clean)
    assert _problems(report, "x") == {"unreadable": "error"}
    (problem,) = report.problems
    assert "clean" in problem.detail
    assert report.pairs == []


def test_length_mismatch_is_an_error(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "l.wav", seconds=2.0)
    _write(clean / "l.wav", seconds=2.3)
    report = match_pairs(noisy, clean)
    assert _problems(report, "l") == {"length": "error"}
    assert "clean is 2.30 s but noisy is 2.00 s" in report.problems[0].detail
    assert report.pairs == []


def test_small_length_difference_is_fine(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "t.wav", seconds=1.0)
    _write(clean / "t.wav", seconds=1.05)  # exactly 50 ms: trimmed, not misaligned
    report = match_pairs(noisy, clean)
    assert report.problems == []
    assert report.usable_count == 1


def test_samplerate_difference_is_a_warning_and_usable(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "r.wav", seconds=1.0, sr=16000)
    _write(clean / "r.wav", seconds=1.0, sr=22050)
    report = match_pairs(noisy, clean)
    assert _problems(report, "r") == {"samplerate": "warning"}
    (pair,) = report.pairs
    assert pair.samplerate == 16000
    assert pair.duration_s == pytest.approx(1.0)


def test_length_compared_in_seconds_across_rates(tmp_path: Path) -> None:
    # Same frame count, different rates: 1.0 s vs 0.5 s is a real misalignment.
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "r.wav", seconds=1.0, sr=16000)
    _write(clean / "r.wav", seconds=0.5, sr=32000)
    report = match_pairs(noisy, clean)
    assert _problems(report, "r") == {"length": "error", "samplerate": "warning"}
    assert report.pairs == []


def test_channel_difference_is_a_warning_and_usable(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "m.wav", channels=1)
    _write(clean / "m.wav", channels=2)
    report = match_pairs(noisy, clean)
    assert _problems(report, "m") == {"channels": "warning"}
    assert [(p.key, p.channels) for p in report.pairs] == [("m", 1)]


def test_too_short_is_an_error(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _pair(tmp_path, "short.wav", seconds=0.1)
    report = match_pairs(noisy, clean)
    assert _problems(report, "short") == {"too_short": "error"}
    assert report.pairs == []


def test_same_name_twice_in_one_folder_is_a_duplicate_error(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "d.wav")
    _write(noisy / "d.flac")
    _write(clean / "d.wav")
    report = match_pairs(noisy, clean)
    assert _problems(report, "d") == {"duplicate": "error"}
    assert "noisy/d.flac" in report.problems[0].detail
    assert report.pairs == []


def test_problem_kinds_and_severities_are_known(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "s.wav")
    _write(clean / "s.wav", silent=True)
    _write(noisy / "m.wav", channels=2)
    _write(clean / "m.wav")
    report = match_pairs(noisy, clean)
    assert len(report.problems) == 2
    for problem in report.problems:
        assert problem.kind in PROBLEM_KINDS
        assert problem.severity in ("error", "warning")


# --- folders, progress, cancel ---------------------------------------------------------------


def test_missing_folder_raises(tmp_path: Path) -> None:
    noisy, _ = _dirs(tmp_path)
    with pytest.raises(PairingError, match="clean folder does not exist"):
        match_pairs(noisy, tmp_path / "nope")
    with pytest.raises(PairingError, match="noisy folder does not exist"):
        match_pairs(tmp_path / "nope", noisy)


def test_file_instead_of_folder_raises(tmp_path: Path) -> None:
    noisy, _ = _dirs(tmp_path)
    afile = _write(tmp_path / "a.wav")
    with pytest.raises(PairingError, match="not a folder"):
        match_pairs(noisy, afile)


def test_same_folder_raises(tmp_path: Path) -> None:
    noisy, _ = _dirs(tmp_path)
    with pytest.raises(PairingError, match="same folder"):
        match_pairs(noisy, tmp_path / "noisy" / ".." / "noisy")


def test_empty_folders_give_a_report_not_an_error(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    report = match_pairs(noisy, clean)
    assert not report.ok
    assert report.usable_count == 0
    assert report.summary_lines()[0] == "No usable pairs"


def test_clean_folder_nested_in_noisy_is_not_read_as_noisy(tmp_path: Path) -> None:
    noisy = tmp_path / "data"
    clean = noisy / "clean"
    _write(noisy / "a.wav")
    _write(clean / "a.wav")
    report = match_pairs(noisy, clean)
    assert [p.key for p in report.pairs] == ["a"]
    assert report.unpaired_noisy == []


def test_progress_is_reported_per_file(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    for name in ("a.wav", "b.wav", "c.wav"):
        _pair(tmp_path, name)
    calls: list[float] = []
    match_pairs(noisy, clean, progress=lambda f, m="": calls.append(f))
    assert len(calls) == 7  # six files plus the final 1.0
    assert calls == sorted(calls)
    assert calls[0] == pytest.approx(1 / 6)
    assert calls[-1] == pytest.approx(1.0)


def test_cancel_set_before_call_raises(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _pair(tmp_path, "a.wav")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        match_pairs(noisy, clean, cancel=token)


def test_cancel_during_checking_raises(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    for name in ("a.wav", "b.wav"):
        _pair(tmp_path, name)
    token = CancelToken()
    calls: list[float] = []

    def progress(fraction: float, message: str = "") -> None:
        calls.append(fraction)
        token.cancel()

    with pytest.raises(Cancelled):
        match_pairs(noisy, clean, progress=progress, cancel=token)
    assert len(calls) == 1


# --- report ----------------------------------------------------------------------------------


def test_summary_lines_and_to_dict(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _pair(tmp_path, "a.wav", seconds=1.0)
    _pair(tmp_path, "b.wav", seconds=1.5)
    _write(noisy / "l.wav", seconds=2.0)
    _write(clean / "l.wav", seconds=2.3)
    _write(noisy / "lonely.wav")
    (clean / "x.txt").write_text("x")

    report = match_pairs(noisy, clean)
    lines = report.summary_lines()

    assert lines[0] == "2 pairs usable (2.5 s)"
    assert "1 pair excluded because of errors" in lines
    assert "1 noisy file has no clean partner: lonely" in lines
    assert any(line.startswith("error: l: clean is 2.30 s") for line in lines)

    data = json.loads(json.dumps(report.to_dict()))
    assert data["usable_count"] == 2
    assert data["ok"] is True
    assert data["total_duration_s"] == pytest.approx(2.5)
    assert [p["key"] for p in data["pairs"]] == ["a", "b"]
    assert data["problems"][0]["kind"] == "length"
    assert data["unpaired_noisy"] == ["lonely"]
    assert data["ignored"] == ["clean/x.txt"]


def test_summary_truncates_long_lists() -> None:
    report = PairReport(
        noisy_dir=Path("n"),
        clean_dir=Path("c"),
        unpaired_noisy=[f"f{i:02d}" for i in range(25)],
        problems=[PairProblem(f"k{i}", "silent", "error", "clean is silent") for i in range(15)],
    )
    lines = report.summary_lines(max_items=10)
    unpaired = next(line for line in lines if "no clean partner" in line)
    assert unpaired.startswith("25 noisy files have no clean partner: f00, f01")
    assert unpaired.endswith("f09 … and 15 more")
    assert sum(line.startswith("error: ") for line in lines) == 10
    assert lines[-1] == "… and 5 more problems"


def test_format_duration() -> None:
    assert format_duration(2.04) == "2.0 s"
    assert format_duration(200) == "3 min 20 s"
    assert format_duration(3900) == "1 h 05 min"


def test_require_usable(tmp_path: Path) -> None:
    noisy, clean = _dirs(tmp_path)
    _write(noisy / "s.wav")
    _write(clean / "s.wav", silent=True)
    report = match_pairs(noisy, clean)
    with pytest.raises(PairingError) as info:
        require_usable(report)
    message = str(info.value)
    assert "No usable pairs" in message
    assert "clean is silent" in message

    _pair(tmp_path, "ok.wav")
    pairs = require_usable(match_pairs(noisy, clean))
    assert [p.key for p in pairs] == ["ok"]


# --- split -----------------------------------------------------------------------------------


def test_split_is_reproducible_disjoint_and_complete() -> None:
    pairs = _fake_pairs([f"f{i:02d}" for i in range(20)])
    train, val = split_pairs(pairs, val_fraction=0.2, seed=3)
    assert len(val) == 4 and len(train) == 16
    train_keys, val_keys = {p.key for p in train}, {p.key for p in val}
    assert not train_keys & val_keys
    assert train_keys | val_keys == {p.key for p in pairs}
    assert split_pairs(pairs, val_fraction=0.2, seed=3) == (train, val)
    # Another seed picks another validation set.
    other = {p.key for p in split_pairs(pairs, val_fraction=0.2, seed=4)[1]}
    assert other != val_keys


def test_split_is_independent_of_input_order() -> None:
    pairs = _fake_pairs([f"f{i:02d}" for i in range(15)])
    shuffled = [pairs[i] for i in np.random.default_rng(1).permutation(len(pairs))]
    assert split_pairs(pairs, seed=7) == split_pairs(shuffled, seed=7)


def test_split_is_by_file() -> None:
    # Every pair lands whole on one side: no file is shared between train and val.
    pairs = _fake_pairs([f"sub/f{i}" for i in range(6)])
    train, val = split_pairs(pairs, val_fraction=0.5, seed=0)
    assert len(train) == len(val) == 3
    assert not {p.noisy for p in train} & {p.noisy for p in val}
    assert not {p.clean for p in train} & {p.clean for p in val}


@pytest.mark.parametrize("fraction", [0.01, 0.5, 0.99])
def test_split_of_two_pairs_fills_both_sides(fraction: float) -> None:
    train, val = split_pairs(_fake_pairs(["a", "b"]), val_fraction=fraction, seed=0)
    assert len(train) == 1 and len(val) == 1


def test_split_with_zero_fraction_is_all_train() -> None:
    pairs = _fake_pairs(["c", "a", "b"])
    train, val = split_pairs(pairs, val_fraction=0.0)
    assert [p.key for p in train] == ["a", "b", "c"]
    assert val == []


def test_split_single_pair_goes_to_train() -> None:
    train, val = split_pairs(_fake_pairs(["a"]), val_fraction=0.2)
    assert [p.key for p in train] == ["a"] and val == []


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 1.5, float("nan")])
def test_split_rejects_bad_fraction(fraction: float) -> None:
    with pytest.raises(ConfigError):
        split_pairs(_fake_pairs(["a", "b"]), val_fraction=fraction)


def test_split_of_no_pairs_raises() -> None:
    with pytest.raises(PairingError):
        split_pairs([], val_fraction=0.2)
