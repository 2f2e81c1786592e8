"""Time left from progress (core.progress.TimeLeft) and durations in words."""

from __future__ import annotations

import pytest

from core.progress import TimeLeft, format_duration


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_time_left_follows_the_pace_after_a_slow_start() -> None:
    clock = Clock()
    left = TimeLeft(clock=clock)
    assert left.update(0.0) is None  # nothing known yet
    clock.now += 30.0  # loading the model: slow, and not counted
    assert left.update(0.05) is None
    clock.now += 1.0
    assert left.update(0.055) is None  # too little time to judge
    for _ in range(9):  # then steadily, 1 % every 2 s
        clock.now += 2.0
        estimate = left.update(0.05 + (clock.now - 130.0) / 200.0)
    assert estimate == pytest.approx((1 - 0.145) * 200.0, rel=1e-6)


def test_time_left_starts_again_when_progress_goes_back() -> None:
    clock = Clock()
    left = TimeLeft(clock=clock)
    left.update(0.5)
    clock.now += 10.0
    assert left.update(0.6) == pytest.approx(40.0)
    clock.now += 1.0
    assert left.update(0.1) is None  # a new job reported on the same estimator


def test_durations_in_words() -> None:
    assert format_duration(2.04) == "2.0 s"
    assert format_duration(200) == "3 min 20 s"
    assert format_duration(3900) == "1 h 05 min"
