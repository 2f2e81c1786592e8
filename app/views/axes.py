"""Axes for the timeline: time as h:mm:ss(.ms) and frequency on a linear, log or mel
scale, both with the locale's decimal separator."""

from __future__ import annotations

import math
import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLocale

from core.display import freq_to_unit, unit_to_freq

# Tick steps a reader counts in: sub-second decimals, then seconds, minutes, hours.
TIME_STEPS = (
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400,
)  # fmt: skip
FREQ_STEPS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)
TICK_SPACING_PX = 90  # wide enough for "1:23:45.678" between labels


def decimal_point() -> str:
    return QLocale().decimalPoint() or "."


def format_time(seconds: float, decimals: int = 3, *, hours: bool = False) -> str:
    """``m:ss.mmm``, or ``h:mm:ss.mmm`` from an hour on (or always with ``hours``);
    ``decimals`` digits after the locale's decimal separator (none for 0)."""
    seconds = max(0.0, float(seconds))
    scale = 10**decimals
    ticks = int(round(seconds * scale))
    whole, frac = divmod(ticks, scale)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    text = f"{h:d}:{m:02d}:{s:02d}" if h or hours else f"{m:d}:{s:02d}"
    if decimals:
        text += f"{decimal_point()}{frac:0{decimals}d}"
    return text


_TIME = re.compile(r"^\s*(?:(?:(\d+):)?(\d+):)?(\d+(?:[.,]\d*)?)\s*$")


def parse_time(text: str) -> float | None:
    """Seconds from ``h:mm:ss.ms``, ``m:ss.ms`` or ``ss.ms`` (either decimal separator);
    ``None`` when ``text`` is not a time."""
    match = _TIME.match(text)
    if not match:
        return None
    h, m, s = match.groups()
    return int(h or 0) * 3600 + int(m or 0) * 60 + float(s.replace(",", "."))


def time_decimals(step: float) -> int:
    """Digits after the separator that tell ticks ``step`` seconds apart."""
    return max(0, min(3, -math.floor(math.log10(step) + 1e-9))) if step < 1 else 0


class TimeAxis(pg.AxisItem):
    """Seconds shown as ``m:ss`` / ``h:mm:ss`` with as many decimals as the zoom needs,
    ticks on steps of 1-2-5 below a second and of 15 s, 30 s, 1 min… above."""

    def __init__(self, orientation: str = "bottom", **kwargs: object) -> None:
        super().__init__(orientation, **kwargs)
        self.hours = False  # show the hour field even below an hour (long recordings)

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:  # noqa: N802, N803
        span = maxVal - minVal
        if span <= 0 or size <= 0:
            return [(1.0, 0.0)]
        wanted = span * TICK_SPACING_PX / size
        major = next((s for s in TIME_STEPS if s >= wanted), TIME_STEPS[-1])
        index = TIME_STEPS.index(major)
        minor = TIME_STEPS[index - 1] if index else major / 2
        return [(float(major), 0.0), (float(minor), 0.0)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        decimals = time_decimals(spacing)
        return [format_time(v, decimals, hours=self.hours) for v in values]


def format_number(value: float, decimals: int = 1) -> str:
    """``value`` with the locale's decimal separator and no negative zero ("-0,0")."""
    text = QLocale().toString(float(value), "f", decimals)
    if text.startswith("-") and not any(c in "123456789" for c in text):
        text = text[1:]
    return text


def format_frequency(hz: float) -> str:
    """``850 Hz``-style labels without the unit: ``850``, ``1.2k``, ``12k``."""
    if hz >= 1000:
        value = hz / 1000
        text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"
        return text.replace(".", decimal_point()) + "k"
    return f"{hz:.0f}"


class FrequencyAxis(pg.AxisItem):
    """The left axis of a spectrogram whose y runs in scale units (0 … 1, see
    :mod:`core.display`); labels in Hz at round frequencies."""

    def __init__(self, orientation: str = "left", **kwargs: object) -> None:
        super().__init__(orientation, **kwargs)
        self.scale_name = "linear"
        self.nyquist = 22050.0

    def set_scale(self, scale: str, nyquist: float) -> None:
        self.scale_name = scale
        self.nyquist = float(nyquist)
        self.picture = None
        self.update()

    def tickValues(
        self, minVal: float, maxVal: float, size: float
    ) -> list[tuple[float, list[float]]]:  # noqa: N802, N803
        if maxVal <= minVal or size <= 0:
            return []
        f0, f1 = (
            float(unit_to_freq(v, scale=self.scale_name, nyquist=self.nyquist))
            for v in (minVal, maxVal)
        )
        rows = max(2, int(size / 28))  # a label every 28 px at most
        if self.scale_name == "linear":
            wanted = (f1 - f0) / rows
            step = next((s for s in FREQ_STEPS if s >= wanted), FREQ_STEPS[-1])
            freqs = np.arange(math.ceil(f0 / step) * step, f1 + 1e-6, step)
        else:
            candidates = [f for f in FREQ_STEPS if f0 <= f <= f1]
            candidates += [f * 1.0 for f in (300, 3000) if f0 <= f <= f1]
            freqs = np.array(sorted(candidates))
            keep: list[float] = []
            last = -1.0
            for f in freqs:  # drop labels closer than 28 px to the previous one
                u = float(freq_to_unit(f, scale=self.scale_name, nyquist=self.nyquist))
                if last < 0 or (u - last) / (maxVal - minVal) * size >= 28:
                    keep.append(float(f))
                    last = u
            freqs = np.array(keep)
        units = freq_to_unit(freqs, scale=self.scale_name, nyquist=self.nyquist)
        return [(1.0, [float(u) for u in units])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        freqs = unit_to_freq(np.array(values), scale=self.scale_name, nyquist=self.nyquist)
        return [format_frequency(round(float(f), 1)) for f in np.atleast_1d(freqs)]
