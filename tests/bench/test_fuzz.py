"""The loader fuzzer (``bench/fuzz.py``) in CI: a fixed 2 000 cases, a few seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import fuzz
from core.audio.io import info
from core.errors import DamagedAudioError


def test_mutated_files_end_in_audio_or_a_project_error() -> None:
    result = fuzz.run(2000, seed=0)
    assert result.cases == 2000
    assert result.non_project == 0, result.failures
    # The cases reach both ends: files that still read, and files the loader refuses.
    assert result.outcomes["audio"] > 500 and result.outcomes["DamagedAudioError"] > 500


def test_cases_that_crashed_the_loader_before_are_refused_in_one_sentence() -> None:
    # Seed 0's cases 92 and 815 claimed 2^42 and 4.9 * 10^12 frames: before issue 26 they
    # ended in "array is too big" and a 36 TiB MemoryError.
    result = fuzz.run(1, seed=0, first=815)
    assert result.outcomes == {"DamagedAudioError": 1}
    result = fuzz.run(1, seed=0, first=92)
    assert result.outcomes == {"DamagedAudioError": 1}


def test_an_mp3_header_claiming_hours_in_kilobytes_is_damaged(tmp_path: Path) -> None:
    ext, data = fuzz.make_case(0, 16516)  # an MP3 of 2.7 kB whose header claims 14 hours
    path = tmp_path / f"case{ext}"
    path.write_bytes(data)
    with pytest.raises(DamagedAudioError, match="claims 14 hours of audio in 2753 bytes"):
        info(path)


def test_cases_are_reproducible() -> None:
    assert fuzz.make_case(0, 17) == fuzz.make_case(0, 17)
    assert fuzz.make_case(0, 17) != fuzz.make_case(1, 17)
