"""The processing steps a restoration chain is made of, and their parameters.

Two kinds of step exist:

* **repair** steps work block by block with some context (``margin_s``) and
  remove something from the signal (noise, rumble, hum, clicks…);
* **gain** steps need to measure the whole signal first (peak, loudness) and
  then apply one gain — the pipeline runs them as a separate pass.

Each step type declares its parameters once (:class:`ParamSpec`) so the CLI,
the GUI and JSON presets validate them the same way.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from core.errors import ConfigError
from core.model.bundle import NO_FLOOR_DB
from core.progress import CancelToken, ProgressCallback, check_cancel


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a step type: its type, default and allowed values."""

    name: str
    default: Any
    label: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    unit: str = ""
    at_minimum: str = ""
    """What the minimum means, where it means more than its number (shown instead)."""

    def check(self, value: Any, step: str) -> Any:
        where = f"step {step!r}, parameter {self.name!r}"
        if self.choices:
            if value not in self.choices:
                raise ConfigError(
                    f"{where} must be one of {', '.join(self.choices)}; got {value!r}"
                )
            return value
        if isinstance(self.default, str):
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{where} must be a non-empty text; got {value!r}")
            return value
        if isinstance(self.default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"{where} must be true or false; got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where} must be a number; got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):  # JSON readers allow them
            raise ConfigError(f"{where} must be a finite number; got {value}")
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            raise ConfigError(
                f"{where} must be between {self.minimum} and {self.maximum}; got {value}"
            )
        if isinstance(self.default, int) and value != int(value):
            raise ConfigError(f"{where} must be a whole number; got {value}")
        return type(self.default)(value)


class RepairStep(Protocol):
    margin_s: float

    def process(self, block: np.ndarray, *, sr: int) -> np.ndarray: ...


class GainMeter(Protocol):
    def update(self, block: np.ndarray) -> None: ...

    def gain(self) -> float: ...


class GainStep(Protocol):
    def meter(self, *, sr: int, channels: int) -> GainMeter: ...


@dataclass
class BuildContext:
    """Loaded model bundles, keyed by path and modification time.

    One run makes its own; a long-lived caller (the app) keeps one across runs so a
    model is loaded once, not on every Apply, and may load models ahead on another
    thread (:meth:`warm`): loading is safe from several threads. Not for concurrent
    runs otherwise.
    """

    bundles: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def bundle(self, spec: str) -> Any:
        from core.model.bundle import load_bundle, resolve_model_path

        path = resolve_model_path(spec)
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            stamp = 0  # load_bundle explains a missing file
        key = f"{path.resolve()}@{stamp}"
        with self._lock:  # a run waits for a model being loaded ahead, not loads it twice
            if key not in self.bundles:
                self.bundles[key] = load_bundle(spec)
            return self.bundles[key]

    def warm(self, specs: Sequence[str], *, cancel: CancelToken | None = None) -> None:
        """Load each model of ``specs`` and run it once on a few frames, so that the
        first restore neither loads it nor builds its graph (0.3-0.4 s a built-in
        model)."""
        for spec in specs:
            check_cancel(cancel)
            bundle = self.bundle(spec)
            bundle.warm()


def preload_models(
    context: BuildContext,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> None:
    """Warm ``context`` with the built-in models that are installed
    (:meth:`BuildContext.warm`): what the app does in the background after its window
    appears. Through LiteRT that takes a fraction of a second; only where one runs
    through Keras (no light form, or :data:`~core.model.lite.RUNTIME_ENV` says so) is
    TensorFlow imported first."""
    from core.model.bundle import BUILTIN_MODELS, load_meta, resolve_model_path
    from core.model.lite import RUNTIME, wanted_runtime
    from core.model.tf import preload

    installed = [spec for spec in BUILTIN_MODELS if resolve_model_path(spec).exists()]
    if wanted_runtime() != RUNTIME or any(load_meta(s).light_form is None for s in installed):
        preload(cancel=cancel)
    context.warm(installed, cancel=cancel)
    if progress is not None:
        progress(1.0, "models ready")


@dataclass(frozen=True)
class StepType:
    name: str
    kind: Literal["repair", "gain"]
    label: str
    params: tuple[ParamSpec, ...]
    build: Callable[[Mapping[str, Any], BuildContext], Any]

    def resolve(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults filled in, every value checked; unknown names rejected."""
        known = {p.name: p for p in self.params}
        unknown = set(params) - set(known)
        if unknown:
            raise ConfigError(
                f"step {self.name!r} has no parameter {', '.join(sorted(unknown))}; "
                f"it takes: {', '.join(known) or 'none'}"
            )
        return {n: p.check(params.get(n, p.default), self.name) for n, p in known.items()}


# --- repair steps ---------------------------------------------------------


@dataclass
class _FunctionStep:
    """A repair step that calls one stateless DSP function per block."""

    fn: Callable[..., np.ndarray]
    kwargs: dict[str, Any]
    margin_s: float

    def process(self, block: np.ndarray, *, sr: int) -> np.ndarray:
        return self.fn(block, sr=sr, **self.kwargs)


def _build_dc(params: Mapping[str, Any], ctx: BuildContext) -> RepairStep:
    from core.dsp.filters import remove_dc

    return _FunctionStep(remove_dc, {}, margin_s=1.0)


def _build_highpass(params: Mapping[str, Any], ctx: BuildContext) -> RepairStep:
    from core.dsp.filters import highpass

    return _FunctionStep(highpass, {"cutoff_hz": params["cutoff_hz"]}, margin_s=0.5)


def _build_lowpass(params: Mapping[str, Any], ctx: BuildContext) -> RepairStep:
    from core.dsp.filters import lowpass

    return _FunctionStep(_capped(lowpass), {"cutoff_hz": params["cutoff_hz"]}, margin_s=0.5)


def _capped(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """Skip a low-pass whose cut-off lies at or above Nyquist: nothing to remove there."""

    def run(block: np.ndarray, *, sr: int, cutoff_hz: float) -> np.ndarray:
        return block if cutoff_hz >= 0.49 * sr else fn(block, sr=sr, cutoff_hz=cutoff_hz)

    return run


def _build_gate(params: Mapping[str, Any], ctx: BuildContext) -> RepairStep:
    from core.dsp.gate import GateConfig, spectral_gate

    config = GateConfig(reduction_db=params["reduction_db"], threshold_db=params["threshold_db"])
    return _FunctionStep(spectral_gate, {"config": config}, margin_s=0.5)


def _build_hiss(params: Mapping[str, Any], ctx: BuildContext) -> RepairStep:
    from core.dsp.wiener import WienerConfig, reduce_steady_noise

    config = WienerConfig(reduction_db=params["reduction_db"])
    # Seconds of context either side so each block's profile finds quiet frames.
    return _FunctionStep(reduce_steady_noise, {"config": config}, margin_s=2.0)


def _build_profile(params: Mapping[str, Any], ctx: BuildContext) -> RepairStep:
    from core.dsp.noise_profile import MARGIN_S, NoiseProfile, ProfileConfig, reduce_profile_noise

    text = params["profile"]
    if text == LEARN_FROM_FILE:
        # Learned once per recording before the blocks run (core.noise.learn_file_profiles);
        # a block never learns its own, or the treatment would change at its edges.
        raise ConfigError(
            "the noise profile step needs its profile learned from the whole recording "
            "first; run it through restore_file or restore_array"
        )
    kwargs = {
        "profile": NoiseProfile.from_text(text),
        "config": ProfileConfig(reduction_db=params["reduction_db"]),
    }
    return _FunctionStep(reduce_profile_noise, kwargs, margin_s=MARGIN_S)


LEARN_FROM_FILE = "file"
"""The profile parameter that asks for the recording's own steady floor."""


def _build_limiter(params: Mapping[str, Any], ctx: BuildContext) -> RepairStep:
    from core.dsp.limiter import LimiterConfig, limit

    config = LimiterConfig(ceiling_dbtp=params["ceiling_dbtp"], release_ms=params["release_ms"])
    return _FunctionStep(limit, {"config": config}, margin_s=0.2)


def _build_dehum(params: Mapping[str, Any], ctx: BuildContext) -> RepairStep:
    from core.dsp.dehum import DehumConfig, dehum

    mains = params["mains"]
    config = DehumConfig(
        fundamental_hz=None if mains == "auto" else float(mains), harmonics=params["harmonics"]
    )
    return _FunctionStep(dehum, {"config": config}, margin_s=1.0)


def _build_declick(params: Mapping[str, Any], ctx: BuildContext) -> RepairStep:
    from core.dsp.declick import DeclickConfig, declick

    base = DeclickConfig.crackle() if params["mode"] == "crackle" else DeclickConfig()
    config = DeclickConfig(
        threshold=params["threshold"],
        max_click_ms=base.max_click_ms,
        order=base.order,
        onset_ratio=base.onset_ratio,
    )
    return _FunctionStep(declick, {"config": config}, margin_s=0.1)


def _build_declip(params: Mapping[str, Any], ctx: BuildContext) -> RepairStep:
    from core.dsp.declip import DeclipConfig, declip

    config = DeclipConfig(headroom_db=params["headroom_db"])
    return _FunctionStep(declip, {"config": config}, margin_s=0.1)


@dataclass
class _ModelStep:
    enhancer: Any
    margin_s: float = 0.5

    def process(self, block: np.ndarray, *, sr: int) -> np.ndarray:
        return block - self.enhancer.residual(block, sr=sr)


def _build_model(params: Mapping[str, Any], ctx: BuildContext) -> RepairStep:
    from core.model.bundle import DEFAULT_MODEL, DFN3_FAMILY, SPEECH_MODEL
    from core.model.inference import Enhancer, remover

    # "auto" is made concrete per recording (core.assistant.resolve_model_steps); a
    # chain built without hearing the recording gets the music-safe mask model.
    name = DEFAULT_MODEL if params["model"] == "auto" else params["model"]
    bundle = ctx.bundle(name)
    if bundle.meta.family == DFN3_FAMILY:
        # The network alone, as its authors run it; only the reduction limit applies.
        runner = remover(bundle, floor_db=params["floor_db"])
        return _ModelStep(runner, margin_s=runner.margin_s)
    speech = params["speech_model"] == "built-in"
    return _ModelStep(
        Enhancer(
            bundle,
            floor_db=params["floor_db"],
            extend_highs=params["high_band"] == "follow",
            linked=params["channels"] == "linked",
            pre_clean_db=params["pre_clean_db"],
            speech_bundle=ctx.bundle(SPEECH_MODEL) if speech else None,
        )
    )


# --- gain steps -----------------------------------------------------------


@dataclass
class _LevelGain:
    """A level meter and the gain that brings what it measured to ``target``."""

    meter: Any
    target: float

    def update(self, block: np.ndarray) -> None:
        self.meter.update(block)

    def gain(self) -> float:
        from core.dsp.loudness import MAX_GAIN_DB, level_gain

        return level_gain(self.meter.level_db(), self.target, max_gain_db=MAX_GAIN_DB)


@dataclass
class _Normalize:
    mode: str
    target: float

    def meter(self, *, sr: int, channels: int) -> GainMeter:
        from core.dsp.loudness import level_meter

        return _LevelGain(level_meter(self.mode, sr=sr, channels=channels), self.target)


def _build_normalize(params: Mapping[str, Any], ctx: BuildContext) -> GainStep:
    return _Normalize(params["mode"], params["target"])


STEP_TYPES: dict[str, StepType] = {
    t.name: t
    for t in (
        StepType("dc", "repair", "Remove DC offset", (), _build_dc),
        StepType(
            "highpass",
            "repair",
            "High-pass (rumble filter)",
            (ParamSpec("cutoff_hz", 40.0, "Cut-off", 10.0, 1000.0, unit="Hz"),),
            _build_highpass,
        ),
        StepType(
            "lowpass",
            "repair",
            "Low-pass (hiss above the band)",
            (ParamSpec("cutoff_hz", 8000.0, "Cut-off", 1000.0, 48000.0, unit="Hz"),),
            _build_lowpass,
        ),
        StepType(
            "declip",
            "repair",
            "De-clip",
            (ParamSpec("headroom_db", 1.0, "Headroom", 0.0, 12.0, unit="dB"),),
            _build_declip,
        ),
        StepType(
            "declick",
            "repair",
            "De-click / de-crackle",
            (
                ParamSpec("mode", "clicks", "Kind", choices=("clicks", "crackle")),
                ParamSpec("threshold", 8.0, "Threshold (lower finds more)", 2.0, 100.0),
            ),
            _build_declick,
        ),
        StepType(
            "dehum",
            "repair",
            "De-hum",
            (
                ParamSpec("mains", "auto", "Mains frequency", choices=("auto", "50", "60")),
                ParamSpec("harmonics", 8, "Harmonics", 1, 40),
            ),
            _build_dehum,
        ),
        StepType(
            "gate",
            "repair",
            "Spectral noise gate",
            (
                ParamSpec("reduction_db", 12.0, "Reduction", 0.0, 60.0, unit="dB"),
                ParamSpec("threshold_db", 6.0, "Threshold above noise", 0.0, 30.0, unit="dB"),
            ),
            _build_gate,
        ),
        StepType(
            "hiss",
            "repair",
            "Steady noise (hiss) reduction",
            (ParamSpec("reduction_db", 50.0, "Maximum reduction", 1.0, 100.0, unit="dB"),),
            _build_hiss,
        ),
        StepType(
            "profile",
            "repair",
            "Noise reduction from a noise profile (full band)",
            (
                # Comma-separated dB values (core.dsp.noise_profile.NoiseProfile), or
                # "file": the steady floor of the whole recording, learned before it runs.
                ParamSpec("profile", LEARN_FROM_FILE, "Noise profile"),
                ParamSpec("reduction_db", 20.0, "Maximum reduction", 0.0, 60.0, unit="dB"),
            ),
            _build_profile,
        ),
        StepType(
            "model",
            "repair",
            "AI noise reduction",
            (
                ParamSpec("model", "default", "Model"),
                # No limit by default; presets set their own.
                ParamSpec(
                    "floor_db",
                    NO_FLOOR_DB,
                    "Maximum reduction",
                    NO_FLOOR_DB,
                    0.0,
                    unit="dB",
                    at_minimum="no limit",
                ),
                ParamSpec(
                    "high_band", "follow", "Above the model's band", choices=("follow", "keep")
                ),
                ParamSpec("channels", "linked", "Channels", choices=("linked", "independent")),
                ParamSpec("pre_clean_db", 0.0, "Steady noise first", 0.0, 30.0, unit="dB"),
                # Used only where the steady-noise cut runs (speech in noise, by the model's
                # judgement and speech's rhythm): see core.model.inference.Enhancer.
                ParamSpec(
                    "speech_model", "off", "Speech-in-noise model", choices=("off", "built-in")
                ),
            ),
            _build_model,
        ),
        StepType(
            "normalize",
            "gain",
            "Normalise level",
            (
                ParamSpec("mode", "peak", "Measure", choices=("peak", "rms", "lufs")),
                ParamSpec("target", -1.0, "Target", -70.0, 0.0, unit="dB"),
            ),
            _build_normalize,
        ),
        StepType(
            "limiter",
            "repair",
            "True-peak limiter",
            (
                ParamSpec("ceiling_dbtp", -1.0, "Ceiling", -20.0, 0.0, unit="dBTP"),
                ParamSpec("release_ms", 50.0, "Release", 1.0, 2000.0, unit="ms"),
            ),
            _build_limiter,
        ),
    )
}


def step_type(name: str) -> StepType:
    try:
        return STEP_TYPES[name]
    except KeyError:
        raise ConfigError(
            f"unknown step {name!r}; available steps: {', '.join(STEP_TYPES)}"
        ) from None
