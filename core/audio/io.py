"""Reading and writing audio files.

Audio in memory is float32 ``(channels, samples)`` at the file's own rate.
Writes go through the output guard (:mod:`core.output`): atomic, never over a file
listed in ``protect`` (the inputs), never over an existing file unless ``overwrite``.
Headers are checked against the file's size before anything is allocated.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np
import soundfile as sf

from core.audio.formats import SUBTYPE_BITS, check_subtype, output_format
from core.audio.formats import writable_subtype as writable_subtype  # re-exported for callers
from core.audio.validate import validate_audio, validate_rate
from core.errors import AudioFormatError, AudioTooLongError, DamagedAudioError, WriteError
from core.output import CommitOnExit, PendingFile, check_output, write_error
from core.progress import CancelToken, ProgressCallback, check_cancel, null_progress

READ_EXTENSIONS = (".wav", ".flac", ".ogg", ".opus", ".mp3", ".aif", ".aiff")
# Integer subtypes read as integers, with the scale libsndfile itself uses for floats
# (24-bit samples arrive left-justified in int32), so results are bit-identical.
_NATIVE_INTS = {
    "PCM_16": ("int16", 1.0 / 2**15),
    "PCM_24": ("int32", 1.0 / 2**31),
    "PCM_32": ("int32", 1.0 / 2**31),
}
NATIVE_INTS = _NATIVE_INTS  # for other block readers (core.display)
_CHUNK_FRAMES = 1 << 18
CHUNK_ALIGN = _CHUNK_FRAMES  # what every ``on_chunk`` start is a multiple of
# Formats whose decoder seeks exactly and cheaply, so parts can decode in parallel.
_SEEKABLE_FORMATS = frozenset({"WAV", "WAVEX", "RF64", "W64", "AIFF", "FLAC"})

# No codec SeminarioIA reads packs more frames into a byte (FLAC's largest constant
# blocks reach about 5000); a header claiming more describes audio the file cannot hold.
MAX_FRAMES_PER_BYTE = 8192
MAX_DURATION_S = 7 * 24 * 3600.0
"""Longest recording accepted (a week); longer headers are taken as damaged."""

_SFE_SYSTEM = 2  # libsndfile: the operating system refused (errno says why)

ChunkCallback = Callable[[int, np.ndarray], None]


def is_audio_name(path: str | os.PathLike[str]) -> bool:
    """Whether ``path``'s extension is one this program reads (any case)."""
    return os.path.splitext(path)[1].lower() in READ_EXTENSIONS


def is_hidden(path: str | os.PathLike[str]) -> bool:
    """A name starting with a dot (also macOS's ``._`` companions and this program's
    temporaries), or a file Windows marks hidden."""
    if os.path.basename(path).startswith("."):
        return True
    try:
        attributes = getattr(os.stat(path), "st_file_attributes", 0)
    except OSError:
        return False
    return bool(attributes & stat.FILE_ATTRIBUTE_HIDDEN)


def audio_files(
    folder: str | os.PathLike[str],
    *,
    recursive: bool = False,
    skip: Iterable[str | os.PathLike[str]] = (),
) -> list[Path]:
    """The audio files this program reads in ``folder`` (and, with ``recursive``, in its
    subfolders, except the folders ``skip``), sorted by path; hidden files and folders
    are left out. Raises :class:`OSError` for a folder that cannot be read."""
    root = Path(folder)
    skipped = {os.path.realpath(s) for s in skip}
    found: list[Path] = []
    if not recursive:
        return sorted(
            p for p in root.iterdir() if p.is_file() and is_audio_name(p) and not is_hidden(p)
        )

    def fail(exc: OSError) -> None:
        raise exc

    for here, dirs, files in os.walk(root, onerror=fail):
        dirs[:] = [
            d
            for d in dirs
            if not is_hidden(os.path.join(here, d))
            and os.path.realpath(os.path.join(here, d)) not in skipped
        ]
        found += [
            Path(here, f)
            for f in files
            if is_audio_name(f) and not is_hidden(os.path.join(here, f))
        ]
    return sorted(found)


@dataclass(frozen=True)
class AudioInfo:
    """What a file holds, read from its header without decoding."""

    path: Path
    samplerate: int
    channels: int
    frames: int
    format: str
    subtype: str

    @property
    def duration(self) -> float:
        return self.frames / self.samplerate if self.samplerate else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "samplerate": self.samplerate,
            "channels": self.channels,
            "frames": self.frames,
            "duration_s": round(self.duration, 3),
            "format": self.format,
            "subtype": self.subtype,
        }


def _open(path: Path) -> sf.SoundFile:
    if not path.exists():
        raise AudioFormatError(f"file not found: {path}")
    if path.is_dir():
        raise AudioFormatError(f"expected an audio file, got a folder: {path}")
    if not path.is_file():
        raise AudioFormatError(f"{path} is not a regular file (a pipe or device?)")
    try:
        f = sf.SoundFile(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        if not os.access(path, os.R_OK):
            raise AudioFormatError(f"no permission to read {path}") from exc
        raise DamagedAudioError(
            f"{path.name} is not audio SeminarioIA can read, or it is damaged "
            f"(it reads {', '.join(e.lstrip('.').upper() for e in READ_EXTENSIONS)})"
        ) from exc
    try:
        _check_header(path, f)
    except BaseException:
        f.close()
        raise
    return f


def _check_header(path: Path, f: sf.SoundFile) -> None:
    """Refuse a header that promises more audio than the file can hold or than is sane."""
    if f.samplerate < 1 or f.channels < 1 or f.frames < 0:
        raise DamagedAudioError(f"{path.name} is damaged: its header is impossible")
    size = path.stat().st_size
    if f.frames > max(size, 1) * MAX_FRAMES_PER_BYTE or f.frames / f.samplerate > MAX_DURATION_S:
        raise DamagedAudioError(
            f"{path.name} is damaged: its header claims {_duration(f.frames / f.samplerate)} "
            f"of audio in {size} bytes"
        )


def info(path: str | os.PathLike[str]) -> AudioInfo:
    """Header information of an audio file; raises :class:`AudioFormatError`."""
    path = Path(path)
    with _open(path) as f:
        return AudioInfo(path, f.samplerate, f.channels, f.frames, f.format, f.subtype)


class AudioReader:
    """Random access to an audio file by frames, without loading it all.

    Use as a context manager; :meth:`read` returns float32 ``(channels, n)``.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._file = _open(self.path)
        self.info = AudioInfo(
            self.path,
            self._file.samplerate,
            self._file.channels,
            self._file.frames,
            self._file.format,
            self._file.subtype,
        )

    def read(self, start: int, frames: int) -> np.ndarray:
        """Frames ``[start, start + frames)``, zero-padded outside the file."""
        lo, hi = max(start, 0), min(start + frames, self.info.frames)
        out = np.zeros((self.info.channels, frames), dtype=np.float32)
        if hi > lo:
            self._decode(out[:, lo - start : hi - start], lo)
        return out

    def _decode(
        self,
        out: np.ndarray,
        first: int,
        on_chunk: ChunkCallback | None = None,
        on_progress: Callable[[int], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        """Decode frames ``[first, first + out.shape[1])`` into ``out`` chunk by chunk;
        frames the file lacks (a header promising more than it has) become zeros."""
        frames = out.shape[1]
        native = _NATIVE_INTS.get(self.info.subtype)
        dtype, scale = native if native else ("float32", None)
        buffer = np.empty((min(_CHUNK_FRAMES, frames), self.info.channels), dtype=dtype)
        try:
            if self._file.tell() != first:  # sequential reads (playback) skip the seek
                self._file.seek(first)
            # Chunks keep memory at one copy of the result; integer files are read as
            # integers and scaled here, several times faster than libsndfile's float path.
            for pos in range(0, frames, buffer.shape[0]):
                check_cancel(cancel)
                n = min(buffer.shape[0], frames - pos)
                got = self._file.read(n, dtype=dtype, always_2d=True, out=buffer[:n])
                dest = out[:, pos : pos + got.shape[0]]
                if scale is None:
                    dest[...] = got.T
                else:
                    np.multiply(got.T, np.float32(scale), out=dest, casting="unsafe")
                if on_chunk is not None:
                    on_chunk(first + pos, dest)
                if on_progress is not None:
                    on_progress(got.shape[0])
                if got.shape[0] < n:
                    out[:, pos + got.shape[0] :] = 0.0
                    break
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise DamagedAudioError(
                f"{self.path.name} is damaged: decoding stopped ({' '.join(str(exc).split())})"
            ) from exc

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> AudioReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def load(
    path: str | os.PathLike[str],
    *,
    sr: int | None = None,
    mono: bool = False,
    threads: int = 1,
    on_chunk: ChunkCallback | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> tuple[np.ndarray, int]:
    """Decode a whole file.

    Returns ``(audio, sr)``: float32 ``(channels, samples)`` at the file's own rate,
    or resampled to ``sr`` if given; ``mono`` averages the channels.

    ``threads`` > 1 decodes parts of uncompressed or FLAC files in parallel (an hour of
    stereo then loads in about a second). ``on_chunk(first, chunk)`` sees each decoded
    ``(channels, n)`` chunk of the file's own audio, ``first`` a multiple of
    ``CHUNK_ALIGN``, possibly from several threads at once and in any order.
    """
    with AudioReader(path) as reader:
        total = reader.info.frames
        if total == 0:
            raise AudioFormatError(f"{reader.path.name} contains no audio")
        rate = reader.info.samplerate
        _check_fits_in_memory(reader.info)
        audio = np.empty((reader.info.channels, total), np.float32)
        report = progress or null_progress
        lock = threading.Lock()
        decoded = [0]

        def advance(frames: int) -> None:
            with lock:
                decoded[0] += frames
                fraction = decoded[0] / total
            report(fraction, f"reading {reader.path.name}")

        parallel = threads > 1 and reader.info.format in _SEEKABLE_FORMATS
        spans = _spans(total, threads if parallel else 1)

        def decode(span: tuple[int, int]) -> None:
            lo, hi = span
            with AudioReader(path) as part:
                part._decode(audio[:, lo:hi], lo, on_chunk, advance, cancel)

        if len(spans) == 1:
            reader._decode(audio, 0, on_chunk, advance, cancel)
        else:
            with ThreadPoolExecutor(len(spans) - 1, thread_name_prefix="decode") as pool:
                others = [pool.submit(decode, span) for span in spans[1:]]
                try:
                    reader._decode(audio[:, : spans[0][1]], 0, on_chunk, advance, cancel)
                finally:
                    for future in others:
                        future.result()
    if mono and audio.shape[0] > 1:
        audio = audio.mean(axis=0, keepdims=True)
    if sr is not None and sr != rate:
        from core.audio.resample import resample

        audio, rate = resample(audio, orig_sr=rate, target_sr=sr), sr
    return audio, rate


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds / 60:.0f} minutes" if seconds >= 60 else f"{seconds:.1f} seconds"


def _check_fits_in_memory(file: AudioInfo) -> None:
    needed = file.channels * file.frames * 4
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return
    if needed > memory:
        raise AudioTooLongError(
            f"{file.path.name} is too long to open at once ({file.duration / 3600:.1f} hours "
            f"need {needed / 2**30:.1f} GiB, this computer has {memory / 2**30:.1f} GiB); "
            "restore it from the command line, which works through it piece by piece"
        )


def _spans(total: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous ranges covering ``[0, total)``, split on chunk boundaries."""
    chunks = -(-total // _CHUNK_FRAMES)
    parts = max(1, min(parts, chunks))
    edges = [min(total, round(chunks * i / parts) * _CHUNK_FRAMES) for i in range(parts + 1)]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]


def blocks(
    path: str | os.PathLike[str], *, block_frames: int, margin: int = 0
) -> Iterator[tuple[int, np.ndarray]]:
    """Iterate over a file in blocks of ``block_frames``.

    Yields ``(start, block)`` where ``block`` is ``(channels, margin + n + margin)``:
    frames ``[start - margin, start + n + margin)``, zero-padded past the ends,
    so block-local processing has context on both sides.
    """
    if block_frames < 1 or margin < 0:
        raise ValueError("block_frames must be positive and margin non-negative")
    with AudioReader(path) as reader:
        total = reader.info.frames
        for start in range(0, total, block_frames):
            n = min(block_frames, total - start)
            yield start, reader.read(start - margin, n + 2 * margin)


def check_output_path(
    path: str | os.PathLike[str],
    *,
    protect: Iterable[str | os.PathLike[str]] = (),
    overwrite: bool = False,
) -> Path:
    """Validate an audio destination: a known extension, then :func:`core.output.check_output`
    (not one of the ``protect`` files, not an existing file unless ``overwrite``)."""
    path = Path(path)
    output_format(path)  # a format SeminarioIA writes (core.audio.formats)
    return check_output(path, inputs=protect, overwrite=overwrite)


def _quantize(block: np.ndarray, bits: int, rng: np.random.Generator, dither: bool) -> np.ndarray:
    """Float ``(channels, n)`` to interleaved integers for soundfile, with TPDF dither."""
    scale = float(2 ** (bits - 1) - 1)
    x = block.T.astype(np.float64)
    x *= scale
    if dither:
        x += rng.random(x.shape) - rng.random(x.shape)  # TPDF, ±1 LSB peak
    np.round(x, out=x)
    np.clip(x, -scale - 1, scale, out=x)
    if bits == 16:
        return x.astype(np.int16)
    q = x.astype(np.int32)
    q <<= 32 - bits
    return q


class AudioWriter(CommitOnExit):
    """Streaming, atomic audio writer.

    Blocks go to a hidden temporary file beside ``path``; pass ``frames_hint``
    for WAV output so files under 4 GiB get a plain RIFF header (else RF64); :meth:`commit` (called
    on a clean exit from the ``with`` block) publishes it without replacing anything
    unless ``overwrite``, and any error or cancellation deletes it, so a half-written
    file never appears. A full disk or a refused write is a :class:`WriteError`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        sr: int,
        channels: int,
        subtype: str = "PCM_24",
        dither: bool = True,
        protect: Iterable[str | os.PathLike[str]] = (),
        overwrite: bool = False,
        seed: int = 0,
        frames_hint: int | None = None,
    ) -> None:
        self.path = check_output_path(path, protect=protect, overwrite=overwrite)
        sr = validate_rate(sr)
        spec = check_subtype(self.path, subtype)
        if spec.rates and sr not in spec.rates:
            rates = ", ".join(str(r) for r in spec.rates)
            raise AudioFormatError(f"{spec.label} takes {rates} Hz, not {sr} Hz; resample first")
        fmt = spec.container
        # Lossy codecs and float take float samples; integer subtypes are quantized here.
        self.bits = SUBTYPE_BITS.get(subtype, 32)
        self.channels = channels
        self._dither = dither and self.bits == 16
        self._rng = np.random.default_rng(seed)
        self._pending = PendingFile(self.path, overwrite=overwrite, suffix=self.path.suffix)
        # RF64 lifts the 4 GiB WAV limit; plain WAV when the length is known to fit.
        if fmt == "WAV" and (frames_hint is None or frames_hint * channels * 4 >= 2**32 - 2**20):
            fmt = "RF64"
        try:
            self._file = sf.SoundFile(
                str(self._pending.tmp),
                "w",
                samplerate=sr,
                channels=channels,
                format=fmt,
                subtype=subtype,
            )
        except (sf.LibsndfileError, RuntimeError) as exc:
            self._pending.abort()
            raise self._failure(exc) from exc
        self.done = False

    def write(self, block: np.ndarray) -> None:
        """Append float32 ``(channels, n)`` samples in [-1, 1]."""
        block = validate_audio(block, name="block")
        if block.shape[0] != self.channels:
            raise AudioFormatError(f"expected {self.channels} channels, got {block.shape[0]}")
        try:
            for data in self._interleaved(block):
                self._file.write(data)
        except WRITE_FAILURES as exc:
            self.abort()
            raise self._failure(exc) from exc

    def _interleaved(self, block: np.ndarray) -> Iterator[np.ndarray]:
        """``block`` as soundfile takes it, :data:`WRITE_BLOCK_FRAMES` at a time."""
        if self.bits == 32 or self._dither:
            # Dither draws its noise for the whole block, as the block is given.
            data = block.T if self.bits == 32 else _quantize(block, self.bits, self._rng, True)
            for lo in range(0, data.shape[0], WRITE_BLOCK_FRAMES):
                yield data[lo : lo + WRITE_BLOCK_FRAMES]
            return
        # Integers a piece at a time: quantizing makes float64 copies of what it is given.
        for lo in range(0, block.shape[1], WRITE_BLOCK_FRAMES):
            yield _quantize(block[:, lo : lo + WRITE_BLOCK_FRAMES], self.bits, self._rng, False)

    def commit(self) -> Path:
        """Close and publish the finished file (see :class:`core.output.PendingFile`)."""
        self.done = True
        try:
            self._file.close()
        except (OSError, sf.LibsndfileError, RuntimeError) as exc:
            self._pending.abort()
            raise self._failure(exc) from exc
        return self._pending.commit()

    def abort(self) -> None:
        """Close and delete the temporary file; the destination is untouched."""
        try:
            if not self._file.closed:
                self._file.close()
        except (OSError, sf.LibsndfileError, RuntimeError):
            pass  # a full disk can fail the close too; the file goes anyway
        finally:
            self._pending.abort()
            self.done = True

    def _failure(self, exc: BaseException) -> AudioFormatError | WriteError:
        return write_failure(exc, self.path)


# Frames handed to libsndfile at once (1.4 s at 48 kHz): its Vorbis encoder crashes the
# process (SIGSEGV) on one write of a minute of 48 kHz stereo (libsndfile 1.2, soundfile
# 0.14; 30 s passed), and quantizing to integers makes float64 copies of what it is given.
WRITE_BLOCK_FRAMES = 1 << 16
WRITE_FAILURES = (sf.LibsndfileError, RuntimeError, OSError, AssertionError)
"""What soundfile raises when a write fails (it asserts on a short write)."""


def write_failure(exc: BaseException, path: Path) -> AudioFormatError | WriteError:
    """The typed error for a failed audio write to ``path``. For a system error
    libsndfile keeps the reason (a full disk…) in the C ``errno``, which cffi exposes."""
    if isinstance(exc, OSError) and exc.errno:
        return write_error(exc, path)
    if isinstance(exc, sf.LibsndfileError) and exc.code != _SFE_SYSTEM:
        return AudioFormatError(f"cannot write {path.name}: {exc}")
    code = getattr(getattr(sf, "_ffi", None), "errno", 0) or errno.EIO
    return write_error(OSError(code, os.strerror(code)), path)


def save(
    path: str | os.PathLike[str],
    audio: np.ndarray,
    sr: int,
    *,
    subtype: str = "PCM_24",
    dither: bool = True,
    protect: Iterable[str | os.PathLike[str]] = (),
    overwrite: bool = False,
) -> Path:
    """Write ``audio`` (float32 ``(channels, samples)``) atomically; returns the path.

    ``subtype`` is ``PCM_16`` (TPDF-dithered unless ``dither=False``), ``PCM_24``,
    ``FLOAT``, or a lossy format's codec (see :mod:`core.audio.formats`). Refuses to
    write over any file in ``protect``, and over an existing file unless ``overwrite``.
    """
    audio = validate_audio(audio)
    with AudioWriter(
        path,
        sr=sr,
        channels=audio.shape[0],
        subtype=subtype,
        dither=dither,
        protect=protect,
        overwrite=overwrite,
        frames_hint=audio.shape[1],
    ) as writer:
        writer.write(audio)
    return writer.path


def export_audio(
    path: str | os.PathLike[str],
    audio: np.ndarray,
    sr: int,
    *,
    subtype: str = "PCM_24",
    rate: int | None = None,
    dither: bool = True,
    protect: Iterable[str | os.PathLike[str]] = (),
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """Write ``audio`` to ``path`` in the format its extension names, converted to
    ``rate`` Hz (soxr; the nearest rate the format takes, see
    :func:`core.audio.formats.writable_rate`) and to ``subtype`` (or the nearest the
    format holds), TPDF-dithered at 16 bits when ``dither``. Atomic; the output guard
    applies (nothing in ``protect`` and no existing file unless ``overwrite``)."""
    from core.audio.formats import writable_rate
    from core.audio.resample import resample

    progress = progress or null_progress
    check_cancel(cancel)
    check_output_path(path, protect=protect, overwrite=overwrite)
    target = writable_rate(path, rate or sr)
    if target != sr:
        progress(0.05, "resampling")
        audio = resample(audio, orig_sr=sr, target_sr=target)
        check_cancel(cancel)
    progress(0.5, "writing")
    out = save(
        path,
        audio,
        target,
        subtype=writable_subtype(path, subtype),
        dither=dither,
        protect=protect,
        overwrite=overwrite,
    )
    progress(1.0, "written")
    return out
