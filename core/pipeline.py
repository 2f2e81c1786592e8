"""Restoration chains: a JSON-describable list of steps, run file → file or on arrays.

Execution is streamed in blocks so memory stays bounded whatever the length.
Repair steps run together in one pass; each gain step (normalisation) needs the
whole signal measured first, so it closes a pass: that pass's output goes to a
temporary float file (or array), and the next pass reads it with the gain applied.
Alongside the audio the chain carries the *residual*, what the repair steps
removed, at output level — so ``restored + residual = gains × original``.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.assistant import (
    Diagnosis,
    adapt_chain,
    diagnose,
    diagnose_file,
    excerpted,
    hear,
    hear_file,
    read_excerpts,
)
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
from core.chain import ChainConfig
from core.dsp.blockwise import Reader, array_reader, process_blocks
from core.dsp.noise_profile import NoiseProfile
from core.errors import ConfigError, UnsafeOutputError
from core.noise import learn_file_profiles, needs_file_profile, with_noise_profile
from core.output import same_file, scratch_folder
from core.progress import (
    PROGRESS_SEPARATOR,
    CancelToken,
    ProgressCallback,
    check_cancel,
    sub_progress,
)
from core.steps import BuildContext, step_type
from core.strength import check_strength, mix
from core.workers import default_workers

# Each block is processed with up to MAX_MARGIN_SECONDS of context on both sides, computed
# and dropped: 2 s at 10 s blocks was 40 % more work, at 30 s 13 %. Memory stays small
# (48 kHz stereo: 12 MB).
BLOCK_SECONDS = 30.0
MAX_MARGIN_SECONDS = 3.0
"""Context either side of a block, at most: DeepFilterNet3's feature normalisation (1 s
time constant) needs about 3 s to forget where a block starts."""
LISTENING_SHARE = 0.1  # of a restore's progress bar, the assistant's diagnosis (a few s)


def _concrete_chain(
    chain: ChainConfig,
    *,
    diagnose: Callable[[ProgressCallback], Diagnosis],
    hear: Callable[[], str],
    excerpts: Callable[[], tuple[np.ndarray, int]],
    progress: ProgressCallback | None,
    noise_profile: NoiseProfile | None,
) -> tuple[ChainConfig, ProgressCallback | None, Diagnosis | None]:
    """``chain`` as it runs on one input: the assistant's choice for it (listening in the
    first :data:`LISTENING_SHARE` of ``progress``), reducing the marked ``noise_profile``,
    and with the profiles it asks to learn from the recording learned once from
    ``excerpts()`` (:mod:`core.noise`). Also returns the progress left for the run and the
    diagnosis, if the assistant made one."""
    heard: list[Diagnosis] = []
    if chain.adaptive or chain.chooses_model:

        def diagnosis() -> Diagnosis:
            heard.append(diagnose(sub_progress(progress, 0.0, LISTENING_SHARE)))
            return heard[-1]

        chain = adapt_chain(chain, diagnosis, hear)
        progress = sub_progress(progress, LISTENING_SHARE, 1.0) if progress else None
    if noise_profile is not None:
        chain = with_noise_profile(chain, noise_profile)
    if needs_file_profile(chain):
        chain = learn_file_profiles(chain, excerpts)
    return chain, progress, heard[-1] if heard else None


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


@dataclass
class _Pass:
    """Repair steps run together block by block, closed by a gain step (or ``None``)."""

    repairs: list[Any]
    gain_step: Any
    labels: list[str]
    """The steps' names (:attr:`core.steps.StepType.label`), for progress messages."""

    @property
    def message(self) -> str:
        return PROGRESS_SEPARATOR.join(self.labels)


def _stages(chain: ChainConfig, ctx: BuildContext) -> list[_Pass]:
    """Split active steps into passes."""
    stages: list[_Pass] = []
    current = _Pass([], None, [])
    for spec in chain.steps:
        if spec.bypass:
            continue
        kind = step_type(spec.type)
        built = kind.build(kind.resolve(spec.params), ctx)
        current.labels.append(kind.label)
        if kind.kind == "gain":
            current.gain_step = built
            stages.append(current)
            current = _Pass([], None, [])
        else:
            current.repairs.append(built)
    stages.append(current)
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
    check_strength(strength)
    stages = _stages(chain, context)
    signal = source
    c, total = source.channels, source.total
    passes = len(stages)
    block = int(BLOCK_SECONDS * sr)
    # The steps keep no state between blocks; one core alone leaves the other idle
    # for most of a step (de-hum is NumPy, the model's recurrent layer is serial).
    workers = default_workers()

    for done_passes, stage in enumerate(stages):
        repairs, gain_step = stage.repairs, stage.gain_step
        if progress is not None and stage.labels:
            progress(done_passes / passes, stage.message)
        margin = int(sr * min(sum(s.margin_s for s in repairs), MAX_MARGIN_SECONDS))

        def process(ext: np.ndarray, repairs: list[Any] = repairs) -> np.ndarray:
            audio = ext[:c]
            for step in repairs:
                audio = step.process(audio, sr=sr)
            # Audio plus residual stays what came in: the residual gains what the steps
            # took out (one pass over the block, not two per step), written in place.
            out = np.empty_like(ext)
            out[:c] = audio
            np.subtract(ext[:c], audio, out=out[c:])
            out[c:] += ext[c:]
            return out

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
                # Strength blends once, at the end, as the window's preview does.
                sink(start, *mix(piece[:c], piece[c:], strength=strength))
            if progress is not None:
                fraction = (done_passes + (start + piece.shape[1]) / total) / passes
                progress(min(fraction, 1.0), stage.message)
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
    chain: ChainConfig | None = None
    """The chain that ran (the assistant's choice for an adaptive chain)."""

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
            "chain": self.chain.to_dict() if self.chain is not None else None,
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
    noise_profile: NoiseProfile | None = None,
) -> RestoreReport:
    """Run ``chain`` on the file ``src`` and write ``dst`` (and optionally the residual).

    ``noise_profile`` (:func:`core.noise.profile_from_range`, a stretch the user marked as
    noise only) is what the chain's noise reduction takes out, once the chain is concrete.

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
    chain, progress, _ = _concrete_chain(
        chain,
        diagnose=lambda p: diagnose_file(src, progress=p, cancel=cancel, context=context),
        hear=lambda: hear_file(src, context=context),
        excerpts=lambda: read_excerpts(src)[:2],
        progress=progress,
        noise_profile=noise_profile,
    )
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
        chain=chain,
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


@dataclass(frozen=True)
class Restoration:
    """What a chain did to a signal, at full strength.

    ``restored`` and ``residual`` are float32 ``(channels, samples)``, ``restored +
    residual`` the input times any gain step's gain; ``chain`` is the chain that ran (for
    an adaptive chain or an ``auto`` model, the assistant's choice for this input).
    """

    restored: np.ndarray
    residual: np.ndarray
    chain: ChainConfig
    diagnosis: Diagnosis | None = None
    """What the assistant measured to choose the chain (``None`` if it did not listen)."""

    def mix(self, strength: float) -> tuple[np.ndarray, np.ndarray]:
        """``(restored, removed)`` heard at ``strength`` (:func:`core.strength.mix`)."""
        return mix(self.restored, self.residual, strength=strength)


def restore_array(
    audio: np.ndarray,
    *,
    sr: int,
    chain: ChainConfig,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    context: BuildContext | None = None,
    noise_profile: NoiseProfile | None = None,
) -> Restoration:
    """Run ``chain`` on an in-memory signal, at full strength (:meth:`Restoration.mix`
    gives any other); ``noise_profile`` as for :func:`restore_file`.

    Parameters
    ----------
    audio : float32 ``(channels, samples)``

    context : loaded models to reuse across calls (see :class:`~core.steps.BuildContext`)
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    context = context or BuildContext()
    chain, progress, diagnosis = _concrete_chain(
        chain,
        diagnose=lambda p: diagnose(audio, sr=sr, progress=p, cancel=cancel, context=context),
        hear=lambda: hear(audio, sr=sr, context=context),
        excerpts=lambda: (excerpted(audio, sr), sr),
        progress=progress,
        noise_profile=noise_profile,
    )
    restored = np.zeros_like(audio)
    residual = np.zeros_like(audio)

    def sink(start: int, a: np.ndarray, r: np.ndarray) -> None:
        restored[:, start : start + a.shape[1]] = a
        residual[:, start : start + r.shape[1]] = r

    _run(
        _source_signal(array_reader(audio), audio.shape[1], audio.shape[0]),
        sr,
        chain,
        strength=1.0,
        sink=sink,
        temp_folder=None,
        progress=progress,
        cancel=cancel,
        context=context,
    )
    return Restoration(restored, residual, chain, diagnosis)


REGION_FADE_SECONDS = 0.01  # crossfade at a region's edges: no click, too short to hear as a fade


def restore_region(
    audio: np.ndarray,
    *,
    sr: int,
    chain: ChainConfig,
    start: int,
    stop: int,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    context: BuildContext | None = None,
    noise_profile: NoiseProfile | None = None,
) -> Restoration:
    """Run ``chain`` on the samples ``start:stop`` of ``audio`` only (``noise_profile``
    as for :func:`restore_file`).

    The chain hears up to :data:`MAX_MARGIN_SECONDS` of context either side; inside the
    region the result fades in and out over :data:`REGION_FADE_SECONDS` at its edges.
    Outside it, ``restored`` is ``audio`` itself, bit for bit, and ``residual`` is zero.

    Parameters
    ----------
    audio : float32 ``(channels, samples)``
    start, stop : sample range, ``0 <= start < stop <= samples``
    """
    audio = validate_audio(audio)
    sr = validate_rate(sr)
    total = audio.shape[1]
    if not 0 <= start < stop <= total:
        raise ConfigError(f"the region {start}:{stop} is not within the {total} samples")
    margin = int(MAX_MARGIN_SECONDS * sr)
    lo, hi = max(start - margin, 0), min(stop + margin, total)
    part = restore_array(
        audio[:, lo:hi],
        sr=sr,
        chain=chain,
        progress=progress,
        cancel=cancel,
        context=context,
        noise_profile=noise_profile,
    )
    fade = min(int(REGION_FADE_SECONDS * sr), (stop - start) // 2)
    weight = np.ones(stop - start, dtype=np.float32)
    if fade:
        ramp = (np.arange(1, fade + 1, dtype=np.float32) / (fade + 1)).astype(np.float32)
        weight[:fade], weight[-fade:] = ramp, ramp[::-1]
    inside = audio[:, start:stop]
    changed = part.restored[:, start - lo : stop - lo]
    restored = audio.copy()
    restored[:, start:stop] = inside + weight * (changed - inside)
    residual = np.zeros_like(audio)
    residual[:, start:stop] = weight * part.residual[:, start - lo : stop - lo]
    return Restoration(restored, residual, part.chain, part.diagnosis)
