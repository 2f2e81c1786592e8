"""Restoration chains: a JSON-describable list of steps, run file → file or on arrays.

Execution is streamed in blocks so memory stays bounded whatever the length.
Repair steps run together in one pass; each gain step (normalisation) needs the
whole signal measured first, so it closes a pass: that pass's output goes to a
temporary float file (or array), and the next pass reads it with the gain applied.
Alongside the audio the chain carries the *residual*, what the repair steps
removed, at output level — so ``restored + residual = gains × original``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from core.audio.io import (
    WRITE_FAILURES,
    AudioReader,
    AudioWriter,
    check_output_path,
    info,
    writable_subtype,
    write_failure,
)
from core.audio.validate import validate_audio, validate_rate
from core.dsp.blockwise import Reader, array_reader, process_blocks
from core.errors import ChainFileError, ConfigError, UnsafeOutputError
from core.output import same_file, scratch_folder
from core.progress import CancelToken, ProgressCallback, check_cancel
from core.steps import BuildContext, step_type
from core.strength import removal_share
from core.workers import default_workers

CHAIN_VERSION = 1
MAX_CHAIN_STEPS = 64
MAX_CHAIN_BYTES = 1 << 20
# Each block is processed with up to MAX_MARGIN_SECONDS of context on both sides, computed
# and dropped: 2 s at 10 s blocks was 40 % more work, at 30 s 13 %. Memory stays small
# (48 kHz stereo: 12 MB).
BLOCK_SECONDS = 30.0
MAX_MARGIN_SECONDS = 3.0
"""Context either side of a block, at most: DeepFilterNet3's feature normalisation (1 s
time constant) needs about 3 s to forget where a block starts."""


@dataclass
class StepSpec:
    """One step of a chain: its type, its parameters, and whether it is bypassed."""

    type: str
    params: dict[str, Any] = field(default_factory=dict)
    bypass: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "params": dict(self.params), "bypass": self.bypass}


@dataclass
class ChainConfig:
    """A restoration chain; ``to_dict``/``from_dict`` round-trip through JSON."""

    steps: list[StepSpec]
    name: str = "custom"
    description: str = ""
    version: int = CHAIN_VERSION
    adaptive: bool = False
    """When true, the repair assistant replaces ``steps`` per input (the ``auto`` preset);
    ``steps`` then only name the model to use."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": self.version,
            "name": self.name,
            "description": self.description,
            "steps": [s.to_dict() for s in self.steps],
        }
        if self.adaptive:
            data["adaptive"] = True
        return data

    @classmethod
    def from_dict(cls, data: Any) -> ChainConfig:
        if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
            raise ConfigError('a chain must be a JSON object with a list of "steps"')
        if data.get("version", CHAIN_VERSION) != CHAIN_VERSION:
            raise ConfigError(f"chain version {data.get('version')!r} is not supported")
        if len(data["steps"]) > MAX_CHAIN_STEPS:
            raise ChainFileError(
                f"the chain has {len(data['steps'])} steps; at most {MAX_CHAIN_STEPS} are "
                "allowed (a chain this long is almost certainly a mistake)"
            )
        steps = []
        for i, raw in enumerate(data["steps"]):
            if not isinstance(raw, dict) or "type" not in raw:
                raise ConfigError(f'step {i + 1} needs a "type"')
            params = raw.get("params", {})
            if not isinstance(params, dict):
                raise ConfigError(f'step {i + 1}: "params" must be an object')
            kind = step_type(str(raw["type"]))
            steps.append(StepSpec(kind.name, kind.resolve(params), bool(raw.get("bypass", False))))
        adaptive = data.get("adaptive", False)
        if not isinstance(adaptive, bool):
            raise ConfigError('"adaptive" must be true or false')
        return cls(
            steps=steps,
            name=str(data.get("name", "custom")),
            description=str(data.get("description", "")),
            adaptive=adaptive,
        )

    @classmethod
    def from_json(cls, path: str | os.PathLike[str]) -> ChainConfig:
        name = Path(path).name
        try:
            with open(path, "rb") as f:
                raw = f.read(MAX_CHAIN_BYTES + 1)
            if len(raw) > MAX_CHAIN_BYTES:
                raise ChainFileError(
                    f"chain file {name} is larger than {MAX_CHAIN_BYTES // 1024} KiB; "
                    "a chain is a short list of steps: check that this is the right file"
                )
            data = json.loads(raw.decode("utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"chain file not found: {path}") from None
        except RecursionError:
            raise ChainFileError(
                f"chain file {name} is nested too deeply to be a chain; check the file"
            ) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read chain file {name}: {exc}") from exc
        return cls.from_dict(data)

    def with_model(self, model: str) -> ChainConfig:
        """A copy whose model steps use ``model`` (a built-in name or a path).

        Another model than the built-in ones also replaces the mask model's
        speech-in-noise companion: a user's own model is used throughout.
        """
        change: dict[str, Any] = {"model": model}
        if model not in ("default", "auto"):
            change["speech_model"] = "off"
        steps = [
            StepSpec(
                s.type, {**s.params, **change} if s.type == "model" else dict(s.params), s.bypass
            )
            for s in self.steps
        ]
        return ChainConfig(steps, self.name, self.description, adaptive=self.adaptive)

    @property
    def model(self) -> str:
        """The model of the first model step (``"auto"``, the built-in choice, when there
        is none)."""
        return next((str(s.params["model"]) for s in self.steps if s.type == "model"), "auto")

    @property
    def chooses_model(self) -> bool:
        """Whether a model step leaves the model to the programme (``"auto"``)."""
        return any(
            s.type == "model" and not s.bypass and s.params.get("model") == "auto"
            for s in self.steps
        )


def adapt_chain(
    chain: ChainConfig,
    diagnose: Callable[[], Any],
    hear: Callable[[], str] | None = None,
) -> ChainConfig:
    """``chain`` itself; for an adaptive chain the assistant's proposal for the input that
    ``diagnose()`` measures; for a chain with ``{"model": "auto"}`` steps, those steps made
    concrete for the programme ``hear()`` (by default the diagnosis) hears. Each is called
    only when needed."""
    from core.assistant import propose_chain, resolve_model_steps

    if chain.adaptive:
        return propose_chain(diagnose(), model=chain.model)
    if chain.chooses_model:
        programme = hear() if hear is not None else diagnose().programme
        return resolve_model_steps(chain, programme)
    return chain


def _with_file_profiles(
    chain: ChainConfig, source: np.ndarray | Path, sr: int | None = None
) -> ChainConfig:
    """``chain`` with the noise profiles it asks to learn from the whole recording
    learned, once, from what the assistant reads of it (:mod:`core.noise`)."""
    from core.noise import learn_file_profiles, needs_file_profile

    if not needs_file_profile(chain):
        return chain
    from core.assistant import _excerpted, _read_excerpts

    if isinstance(source, Path):
        return learn_file_profiles(chain, lambda: _read_excerpts(source)[:2])
    return learn_file_profiles(chain, lambda: (_excerpted(source, int(sr or 0)), int(sr or 0)))


def list_presets() -> list[str]:
    """Names of the presets shipped with the package."""
    folder = resources.files("core") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def load_preset(name: str) -> ChainConfig:
    """A shipped preset by name; raises :class:`ConfigError` for an unknown one."""
    if name not in list_presets():
        raise ConfigError(f"unknown preset {name!r}; available: {', '.join(list_presets())}")
    text = (resources.files("core") / "presets" / f"{name}.json").read_text(encoding="utf-8")
    return ChainConfig.from_dict(json.loads(text))


# --- execution ------------------------------------------------------------


@dataclass
class _Signal:
    """Audio plus residual, readable by blocks, with a pending gain."""

    read_pair: Callable[[int, int], tuple[np.ndarray, np.ndarray]]
    total: int
    channels: int
    gain: float = 1.0

    def read(self, start: int, frames: int) -> np.ndarray:
        audio, residual = self.read_pair(start, frames)
        both = np.concatenate([audio, residual])
        return both if self.gain == 1.0 else both * np.float32(self.gain)


def _source_signal(read: Reader, total: int, channels: int) -> _Signal:
    def read_pair(start: int, frames: int) -> tuple[np.ndarray, np.ndarray]:
        audio = read(start, frames)
        return audio, np.zeros_like(audio)

    return _Signal(read_pair, total, channels)


def _stages(chain: ChainConfig, ctx: BuildContext) -> list[tuple[list[Any], Any]]:
    """Split active steps into passes: ``(repair steps, closing gain step or None)``."""
    stages: list[tuple[list[Any], Any]] = []
    repairs: list[Any] = []
    for spec in chain.steps:
        if spec.bypass:
            continue
        kind = step_type(spec.type)
        built = kind.build(kind.resolve(spec.params), ctx)
        if kind.kind == "gain":
            stages.append((repairs, built))
            repairs = []
        else:
            repairs.append(built)
    stages.append((repairs, None))
    return stages


class _Store:
    """Holds one pass's output (audio ⊕ residual channels) for the next pass."""

    def __init__(self, total: int, channels: int, folder: Path | None) -> None:
        self.total, self.channels = total, channels
        self._array: np.ndarray | None = None
        self._file: Any = None
        if folder is None:
            self._array = np.zeros((2 * channels, total), dtype=np.float32)
        else:
            import soundfile as sf

            fd, name = tempfile.mkstemp(suffix=".w64", dir=folder)  # folder: scratch_folder()
            os.close(fd)
            self._path = Path(name)
            self._file = sf.SoundFile(
                self._path,
                "w+",
                samplerate=48000,
                channels=2 * channels,
                format="W64",
                subtype="FLOAT",
            )

    def write(self, start: int, block: np.ndarray) -> None:
        if self._array is not None:
            self._array[:, start : start + block.shape[1]] = block
            return
        try:
            self._file.seek(start)
            self._file.write(block.T)
        except WRITE_FAILURES as exc:
            raise write_failure(exc, self._path) from exc

    def signal(self) -> _Signal:
        if self._array is not None:
            read = array_reader(self._array)
        else:
            f, total = self._file, self.total

            def read(start: int, frames: int) -> np.ndarray:
                out = np.zeros((2 * self.channels, frames), dtype=np.float32)
                lo, hi = max(start, 0), min(start + frames, total)
                if hi > lo:
                    f.seek(lo)
                    out[:, lo - start : hi - start] = f.read(hi - lo, dtype="float32").T
                return out

        c = self.channels
        return _Signal(lambda s, n: (lambda b: (b[:c], b[c:]))(read(s, n)), self.total, c)


def _run(
    source: _Signal,
    sr: int,
    chain: ChainConfig,
    *,
    strength: float,
    sink: Callable[[int, np.ndarray, np.ndarray], None],
    temp_folder: Path | None,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    context: BuildContext,
) -> None:
    share = removal_share(strength)
    stages = _stages(chain, context)
    signal = source
    c, total = source.channels, source.total
    passes = len(stages)
    block = int(BLOCK_SECONDS * sr)
    # The steps keep no state between blocks; one core alone leaves the other idle
    # for most of a step (de-hum is NumPy, the model's recurrent layer is serial).
    workers = default_workers()

    for done_passes, (repairs, gain_step) in enumerate(stages):
        margin = int(sr * min(sum(s.margin_s for s in repairs), MAX_MARGIN_SECONDS))

        def process(ext: np.ndarray, repairs: list[Any] = repairs) -> np.ndarray:
            audio = ext[:c]
            for step in repairs:
                out = step.process(audio, sr=sr)
                audio = out if share == 1.0 else audio - share * (audio - out)
            # Audio plus residual stays what came in: the residual gains what the steps
            # took out (one pass over the block, not two per step).
            return np.concatenate([audio, ext[c:] + (ext[:c] - audio)])

        meter = gain_step.meter(sr=sr, channels=c) if gain_step is not None else None
        store = _Store(total, c, temp_folder) if (gain_step is not None and repairs) else None
        if not repairs and gain_step is not None:
            # Nothing to change in this pass: just measure what the previous one left.
            pieces: Iterator[tuple[int, np.ndarray]] = (
                (s, signal.read(s, min(block, total - s))) for s in range(0, total, block)
            )
        else:
            pieces = process_blocks(
                signal.read,
                total,
                process,
                block=block,
                margin=margin,
                crossfade=min(margin, int(0.02 * sr)),
                workers=workers,
            )
        for start, piece in pieces:
            check_cancel(cancel)
            if meter is not None:
                meter.update(piece[:c])
            if store is not None:
                store.write(start, piece)
            elif gain_step is None:
                sink(start, piece[:c], piece[c:])
            if progress is not None:
                fraction = (done_passes + (start + piece.shape[1]) / total) / passes
                progress(min(fraction, 1.0), "restoring")
        if store is not None:
            signal = store.signal()
        if meter is not None:
            signal.gain *= meter.gain()


@dataclass(frozen=True)
class RestoreReport:
    """What a file restoration did."""

    input: Path
    output: Path
    residual: Path | None
    duration_s: float
    seconds: float
    clipped_samples: int
    """Samples of the restored output beyond full scale (see :attr:`over_full_scale`)."""
    subtype: str = "PCM_24"

    @property
    def realtime_factor(self) -> float:
        return self.seconds / self.duration_s if self.duration_s else 0.0

    @property
    def over_full_scale(self) -> str:
        """What happened to the samples beyond full scale, in one sentence ('' if none)."""
        n = self.clipped_samples
        if not n:
            return ""
        if self.subtype == "FLOAT":
            return (
                f"{n} samples exceed full scale; the float file keeps them as they are, but "
                "players and conversions to 16 or 24 bits will clip them: add a normalize "
                "or limiter step"
            )
        return f"{n} samples exceeded full scale and were clipped; add a normalize step"

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": str(self.input),
            "output": str(self.output),
            "residual": str(self.residual) if self.residual else None,
            "duration_s": round(self.duration_s, 3),
            "seconds": round(self.seconds, 3),
            "realtime_factor": round(self.realtime_factor, 4),
            "clipped_samples": self.clipped_samples,
            "subtype": self.subtype,
        }


def default_subtype(src_subtype: str) -> str:
    """Keep float sources in float; everything else becomes 24-bit PCM."""
    return "FLOAT" if src_subtype in ("FLOAT", "DOUBLE") else "PCM_24"


def restore_file(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    chain: ChainConfig,
    *,
    strength: float = 1.0,
    residual_path: str | os.PathLike[str] | None = None,
    subtype: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    context: BuildContext | None = None,
    overwrite: bool = False,
) -> RestoreReport:
    """Run ``chain`` on the file ``src`` and write ``dst`` (and optionally the residual).

    Memory stays bounded by the block size whatever the file's length. The input
    is never modified; existing files are replaced only with ``overwrite``; outputs
    appear atomically, or not at all on error/cancel.
    """
    src = Path(src)
    started = time.perf_counter()
    dst, residual_path = check_restore_outputs(src, dst, residual_path, overwrite=overwrite)
    src_info = info(src)
    if src_info.frames == 0:
        raise ConfigError(f"{src.name} contains no audio")
    context = context or BuildContext()
    if chain.adaptive or chain.chooses_model:
        from core.assistant import diagnose_file, hear_file

        chain = adapt_chain(
            chain,
            lambda: diagnose_file(src, cancel=cancel, context=context),
            lambda: hear_file(src, context=context),
        )
    chain = _with_file_profiles(chain, src)
    fmt = writable_subtype(dst, subtype or default_subtype(src_info.subtype))
    clipped = 0
    with ExitStack() as stack:
        reader = stack.enter_context(AudioReader(src))
        temp = stack.enter_context(scratch_folder())
        writers = [
            AudioWriter(
                path,
                sr=src_info.samplerate,
                channels=src_info.channels,
                subtype=fmt,
                protect=[src],
                overwrite=overwrite,
                frames_hint=src_info.frames,
            )
            for path in ([dst] if residual_path is None else [dst, residual_path])
        ]
        for w in writers:
            stack.enter_context(w)

        def sink(start: int, audio: np.ndarray, residual: np.ndarray) -> None:
            nonlocal clipped
            clipped += int(np.count_nonzero(np.abs(audio) > 1.0))
            writers[0].write(audio)
            if len(writers) > 1:
                writers[1].write(residual)

        _run(
            _source_signal(reader.read, src_info.frames, src_info.channels),
            src_info.samplerate,
            chain,
            strength=strength,
            sink=sink,
            temp_folder=temp,
            progress=progress,
            cancel=cancel,
            context=context,
        )
    return RestoreReport(
        input=src,
        output=dst,
        residual=residual_path,
        duration_s=src_info.duration,
        seconds=time.perf_counter() - started,
        clipped_samples=clipped,
        subtype=fmt,
    )


def check_restore_outputs(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    residual: str | os.PathLike[str] | None = None,
    *,
    overwrite: bool = False,
) -> tuple[Path, Path | None]:
    """Check a restoration's outputs before any work (see :mod:`core.output`)."""
    if residual is not None and same_file(residual, dst):
        raise UnsafeOutputError(
            f"the residual file {residual} is the restored output itself; "
            "give the removed part another name"
        )
    out = check_output_path(dst, protect=[src], overwrite=overwrite)
    if residual is None:
        return out, None
    return out, check_output_path(residual, protect=[src, dst], overwrite=overwrite)


def restore_array(
    audio: np.ndarray,
    *,
    sr: int,
    chain: ChainConfig,
    strength: float = 1.0,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    context: BuildContext | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``chain`` on an in-memory signal.

    Parameters
    ----------
    audio : float32 ``(channels, samples)``

    context : loaded models to reuse across calls (see :class:`~core.steps.BuildContext`)

    Returns
    -------
    ``(restored, residual)``, each shaped like ``audio``.
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    context = context or BuildContext()
    if chain.adaptive or chain.chooses_model:
        from core.assistant import diagnose, hear

        chain = adapt_chain(
            chain,
            lambda: diagnose(audio, sr=sr, cancel=cancel, context=context),
            lambda: hear(audio, sr=sr, context=context),
        )
    chain = _with_file_profiles(chain, audio, sr)
    restored = np.zeros_like(audio)
    residual = np.zeros_like(audio)

    def sink(start: int, a: np.ndarray, r: np.ndarray) -> None:
        restored[:, start : start + a.shape[1]] = a
        residual[:, start : start + r.shape[1]] = r

    _run(
        _source_signal(array_reader(audio), audio.shape[1], audio.shape[0]),
        sr,
        chain,
        strength=strength,
        sink=sink,
        temp_folder=None,
        progress=progress,
        cancel=cancel,
        context=context,
    )
    return restored, residual
