"""What every repair module promises: progress to 1, cancel, mono 1-D input, and a
typed error for bad audio (shapes ``(channels, samples)`` or ``(samples,)`` only)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from core.dsp.declick import declick, detect_clicks
from core.dsp.declip import declip, detect_clipping
from core.dsp.dehum import dehum, detect_hum
from core.errors import Cancelled, InvalidAudioError
from core.progress import CancelToken
from core.signals import speech_like

SR = 16000


def _hummed() -> np.ndarray:
    x = speech_like(sr=SR, seconds=2.0)
    t = np.arange(x.shape[1]) / SR
    return (x + 0.05 * np.sin(2 * np.pi * 50 * t) + 0.03 * np.sin(2 * np.pi * 100 * t)).astype(
        np.float32
    )


def _clicked() -> np.ndarray:
    x = speech_like(sr=SR, seconds=2.0).copy()
    x[:, 4000:4003] += 0.8
    x[:, 20000:20002] -= 0.7
    return x


def _clipped() -> np.ndarray:
    return np.clip(speech_like(sr=SR, seconds=2.0) * 3.0, -0.5, 0.5).astype(np.float32)


MODULES = [
    pytest.param(dehum, detect_hum, _hummed, id="dehum"),
    pytest.param(declick, detect_clicks, _clicked, id="declick"),
    pytest.param(declip, lambda a, sr: detect_clipping(a), _clipped, id="declip"),
]


@pytest.mark.parametrize(("repair", "detect", "damaged"), MODULES)
def test_progress_reaches_one_and_mono_1d_is_accepted(
    repair: Callable, detect: Callable, damaged: Callable
) -> None:
    calls: list[float] = []
    x = damaged()[0]
    out = repair(x, sr=SR, progress=lambda fraction, message="": calls.append(fraction))
    assert out.shape == (1, x.size) and out.dtype == np.float32
    assert calls and calls[-1] == pytest.approx(1.0)


@pytest.mark.parametrize(("repair", "detect", "damaged"), MODULES)
def test_cancel_raises(repair: Callable, detect: Callable, damaged: Callable) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        repair(damaged(), sr=SR, cancel=token)


@pytest.mark.parametrize(("repair", "detect", "damaged"), MODULES)
@pytest.mark.parametrize(
    "audio", [np.full((1, 1000), np.nan, np.float32), np.zeros((1, 2, 100), np.float32)]
)
def test_bad_audio_raises(
    repair: Callable, detect: Callable, damaged: Callable, audio: np.ndarray
) -> None:
    with pytest.raises(InvalidAudioError):
        repair(audio, sr=SR)
    with pytest.raises(InvalidAudioError):
        detect(audio, sr=SR)
