"""Noise profiles for a whole recording: learned once, before any block is processed.

The ``profile`` step (:func:`core.dsp.noise_profile.reduce_profile_noise`) takes its
noise spectrum as a parameter, so every block of a recording uses the same numbers and
no treatment can change at a block edge. This module fills that parameter in:

* :func:`learn_file_profiles` — for steps that ask for ``"file"``, the steady floor of
  the recording itself (:func:`~core.dsp.noise_profile.estimate_noise_profile`);
* :func:`profile_from_range` — from a stretch the user marks as noise only (the command
  line's ``--noise-from START:END``; the app's selection);
* :func:`with_noise_profile` — a chain whose noise reduction uses that profile.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from core.dsp.noise_profile import NoiseProfile, estimate_noise_profile, learn_noise_profile
from core.errors import ConfigError

if TYPE_CHECKING:
    from core.chain import ChainConfig, StepSpec

PROFILE_STEP = "profile"
# Where a chain has no noise step for a marked profile, it goes after these repairs (the
# order of core.assistant.propose_chain: broken samples and hum before noise).
_BEFORE_NOISE = ("declip", "dc", "highpass", "declick", "dehum")


def _learns_from_file(step: StepSpec) -> bool:
    from core.steps import LEARN_FROM_FILE, step_type

    if step.type != PROFILE_STEP:
        return False
    return bool(step_type(step.type).resolve(step.params)["profile"] == LEARN_FROM_FILE)


def needs_file_profile(chain: ChainConfig) -> bool:
    """Whether an active step of ``chain`` waits for the recording's own profile."""
    return any(_learns_from_file(s) and not s.bypass for s in chain.steps)


def learn_file_profiles(
    chain: ChainConfig, excerpts: Callable[[], tuple[np.ndarray, int]]
) -> ChainConfig:
    """``chain`` with every ``"file"`` profile replaced by the steady floor of the audio
    ``excerpts()`` returns (``(audio (channels, samples), sr)``, read only when needed).
    Where the recording keeps no steady floor, those steps are bypassed: there is no
    steady noise to take out."""
    from core.chain import ChainConfig, StepSpec

    if not needs_file_profile(chain):
        return chain
    audio, sr = excerpts()
    found = estimate_noise_profile(audio, sr=sr).profile
    steps = []
    for s in chain.steps:
        if _learns_from_file(s):
            if found is None:
                s = StepSpec(s.type, dict(s.params), True)
            else:
                s = StepSpec(s.type, {**s.params, "profile": found.to_text()}, s.bypass)
        steps.append(s)
    return ChainConfig(steps, chain.name, chain.description, adaptive=False)


def profile_from_range(path: str | os.PathLike[str], start_s: float, end_s: float) -> NoiseProfile:
    """The noise profile of ``path`` between ``start_s`` and ``end_s`` seconds, a stretch
    that holds noise only.

    Raises
    ------
    ConfigError : the range is empty, reversed or outside the file, or too short
    """
    from core.audio.io import AudioReader

    with AudioReader(path) as reader:
        sr, total = reader.info.samplerate, reader.info.frames
        start, end = int(round(start_s * sr)), int(round(end_s * sr))
        if not 0 <= start < end <= total:
            raise ConfigError(
                f"the noise range {start_s:g}-{end_s:g} s is not inside the recording "
                f"(0-{total / sr:.1f} s)"
            )
        audio = reader.read(start, end - start)
    return learn_noise_profile(audio, sr=sr)


def parse_range(text: str) -> tuple[float, float]:
    """``"START:END"`` in seconds (``"1.5:3"``) as two numbers."""
    try:
        start, end = (float(v) for v in text.split(":"))
    except ValueError:
        raise ConfigError(
            f"a noise range is START:END in seconds, like 0:1.5; got {text!r}"
        ) from None
    if not 0.0 <= start < end:
        raise ConfigError(
            f"the noise range must start at or after 0 and end after it; got {text!r}"
        )
    return start, end


def with_noise_profile(chain: ChainConfig, profile: NoiseProfile) -> ChainConfig:
    """``chain`` reducing noise by ``profile``: its profile steps take it, or, where it
    has none, a profile step takes the place of its model steps (or joins it after the
    repairs that come before noise). An adaptive chain must be proposed first
    (:func:`core.assistant.adapt_chain`)."""
    from core.chain import ChainConfig, StepSpec

    if chain.adaptive:
        raise ConfigError("propose the chain for the recording before giving it a noise profile")
    text = profile.to_text()
    if any(s.type == PROFILE_STEP for s in chain.steps):
        steps = [
            StepSpec(s.type, {**s.params, "profile": text}, s.bypass and s.type != PROFILE_STEP)
            if s.type == PROFILE_STEP
            else s
            for s in chain.steps
        ]
    else:
        marked = StepSpec(PROFILE_STEP, {"profile": text})
        if any(s.type == "model" for s in chain.steps):
            steps = []
            for s in chain.steps:
                if s.type == "model":
                    if marked not in steps:
                        steps.append(marked)
                else:
                    steps.append(s)
        else:
            at = max(
                (i + 1 for i, s in enumerate(chain.steps) if s.type in _BEFORE_NOISE), default=0
            )
            steps = [*chain.steps[:at], marked, *chain.steps[at:]]
    return ChainConfig.from_dict(
        {
            "name": chain.name,
            "description": chain.description,
            "steps": [s.to_dict() for s in steps],
        }
    )
