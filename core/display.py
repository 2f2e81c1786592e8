"""Pictures of a recording for a screen: spectrograms at the resolution of a view, on a
linear, logarithmic or mel frequency scale.

Nothing here knows about Qt; the app's views draw what these functions return. Power
spectra come from :func:`core.dsp.stft.frame_power`, the same Hann frames as the
restoration's STFT.

Long recordings: :func:`build_overview` reads a file block by block (integers stay
integers) into a :class:`~core.audio.peaks.PeakPyramid` and takes the whole-file
spectrogram's frames from the blocks as they pass, so an hour of 48 kHz stereo (1.4 GB
as float32) is pictured with about 100 MB. Views zoomed closer than the pyramid's finest
level, and :func:`render_view`, read the samples they show from the file through
:class:`FileFrames`, which slices like a ``(channels, frames)`` array.

Frequencies on screen are *units*: 0 at the bottom of the scale, 1 at Nyquist;
:func:`unit_to_freq` and :func:`freq_to_unit` convert.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from core.audio.io import NATIVE_INTS, AudioInfo, AudioReader, info
from core.audio.peaks import PeakPyramid
from core.dsp.stft import frame_power, window_power
from core.errors import AudioFormatError, DamagedAudioError
from core.progress import CancelToken, ProgressCallback, check_cancel, null_progress

SCALES = ("linear", "log", "mel")
LOG_FLOOR_HZ = 20.0  # bottom of the log scale: below hearing, above DC's blur
MAX_COLUMNS = 2000
OVERVIEW_ROWS = 384  # rows of the whole-file picture: finer than any plot's pixel height
FLOOR_DB = -110.0
RANGE_DB = 80.0
# Frame sizes for views: a frame spans about four columns so a click (one sample) shows
# as a bright column a few pixels wide, never narrower than 256 (too coarse in
# frequency to read) nor wider than 4096 (85 ms at 48 kHz, already blurs speech).
VIEW_MIN_FFT = 256
VIEW_MAX_FFT = 4096
REFERENCE_FFT = 1024  # compute_spectrogram's frame: view renders keep its noise floor


# --- frequency scales ----------------------------------------------------------------------


def _check_scale(scale: str) -> None:
    if scale not in SCALES:
        raise ValueError(f"unknown frequency scale {scale!r}; use one of {', '.join(SCALES)}")


def _mel(f: np.ndarray | np.floating) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + f / 700.0)


def freq_to_unit(freq: np.ndarray | float, *, scale: str, nyquist: float) -> np.ndarray:
    """Position (0 … 1) of ``freq`` Hz on ``scale`` from 0 (or 20 Hz for log) to ``nyquist``."""
    _check_scale(scale)
    f = np.clip(np.asarray(freq, dtype=np.float64), 0.0, nyquist)
    if scale == "linear":
        return f / nyquist
    if scale == "mel":
        return _mel(f) / _mel(np.float64(nyquist))
    lo = min(LOG_FLOOR_HZ, nyquist / 2)
    return np.log(np.maximum(f, lo) / lo) / np.log(nyquist / lo)


def unit_to_freq(unit: np.ndarray | float, *, scale: str, nyquist: float) -> np.ndarray:
    """Inverse of :func:`freq_to_unit`, in Hz."""
    _check_scale(scale)
    u = np.clip(np.asarray(unit, dtype=np.float64), 0.0, 1.0)
    if scale == "linear":
        return u * nyquist
    if scale == "mel":
        return 700.0 * (10.0 ** (u * _mel(np.float64(nyquist)) / 2595.0) - 1.0)
    lo = min(LOG_FLOOR_HZ, nyquist / 2)
    return lo * (nyquist / lo) ** u


def to_scale_rows(
    db: np.ndarray,
    *,
    nyquist: float,
    scale: str,
    rows: int,
    units: tuple[float, float] = (0.0, 1.0),
) -> np.ndarray:
    """Resample linear-frequency cells ``db`` ``(frames, bins)`` to ``rows`` rows evenly
    spaced in ``scale`` units over ``units``; returns ``(rows, frames)``, row 0 lowest.
    A row covering several bins takes the loudest, so narrow tones never vanish."""
    if db.ndim != 2 or db.shape[1] < 2:
        raise ValueError(f"db must be (frames, bins) with bins >= 2, got shape {db.shape}")
    rows = max(1, int(rows))
    bins = db.shape[1]
    edges = np.linspace(units[0], units[1], rows + 1)
    freq = unit_to_freq(edges, scale=scale, nyquist=nyquist)
    pos = freq / nyquist * (bins - 1)  # row edges in bins
    # Row i takes the loudest bin centred inside it; a row narrower than a bin takes the
    # bin under its middle (a max over neighbours there would brighten the noise).
    first = np.ceil(pos[:-1] - 1e-9).astype(np.int64)
    last = np.ceil(pos[1:] - 1e-9).astype(np.int64) - 1
    narrow = last < first
    middle = np.round((pos[:-1] + pos[1:]) / 2).astype(np.int64)
    first = np.clip(np.where(narrow, middle, first), 0, bins - 1)
    last = np.clip(np.where(narrow, middle, last), 0, bins - 1)
    # reduceat over [first_i, first_{i+1}) (one bin where they are equal; a sentinel
    # column ends the last row), then last_i, which the next row may start on.
    padded = np.concatenate([db, db[:, -1:]], axis=1)
    starts = np.append(first, last[-1] + 1)
    out = np.maximum.reduceat(padded, starts, axis=1)[:, :-1]
    out = np.maximum(out, db[:, last])
    return np.ascontiguousarray(out.T, dtype=np.float32)


# --- spectrograms --------------------------------------------------------------------------


@dataclass(frozen=True)
class Spectrogram:
    """Power in dB full scale, ``db`` ``(frames, bins)`` on linear frequency, frames
    spanning ``duration`` seconds from 0; ``levels`` is the display colour range."""

    db: np.ndarray
    duration: float
    nyquist: float
    levels: tuple[float, float] = (FLOOR_DB, FLOOR_DB + RANGE_DB)
    _pictures: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    def picture(self, scale: str) -> np.ndarray:
        """``(OVERVIEW_ROWS, frames)`` dB on ``scale``, as a view draws the whole file;
        made once per scale (:meth:`prepare` makes them in the worker that computed this)."""
        found = self._pictures.get(scale)
        if found is None:
            found = to_scale_rows(self.db, nyquist=self.nyquist, scale=scale, rows=OVERVIEW_ROWS)
            self._pictures[scale] = found
        return found

    def prepare(self) -> Spectrogram:
        """Make the pictures of every scale now (off the GUI thread); returns ``self``."""
        for scale in SCALES:
            self.picture(scale)
        return self


@dataclass(frozen=True)
class ViewTile:
    """One view's picture: ``image`` ``(rows, columns)`` dB, columns spanning seconds
    ``[start, stop)``, rows spanning ``units`` of ``scale``; the bin spacing it used."""

    image: np.ndarray
    start: float
    stop: float
    units: tuple[float, float]
    scale: str
    n_fft: int


def _mono(audio: np.ndarray) -> np.ndarray:
    if audio.ndim != 2:
        raise ValueError(f"audio must be (channels, samples), got shape {audio.shape}")
    audio = as_array(audio)
    if audio.shape[0] == 1:
        return np.asarray(audio[0], dtype=np.float32)
    return audio.mean(axis=0, dtype=np.float32)


def _excerpt(audio: np.ndarray, start: int, frames: int) -> np.ndarray:
    """Frames ``[start, start + frames)`` of ``audio`` (an array or an array-like that
    slices ``[:, a:b]``, such as :class:`FileFrames`), zeros outside."""
    lo, hi = max(0, start), min(audio.shape[1], start + frames)
    if lo == start and hi == start + frames:
        return np.asarray(audio[:, lo:hi], dtype=np.float32)
    out = np.zeros((audio.shape[0], frames), np.float32)
    if hi > lo:
        out[:, lo - start : hi - start] = audio[:, lo:hi]
    return out


def _to_db(power: np.ndarray) -> np.ndarray:
    return (10.0 * np.log10(np.maximum(power, 1e-12))).astype(np.float32)


def compute_spectrogram(
    audio: np.ndarray,
    *,
    sr: int,
    max_columns: int = MAX_COLUMNS,
    n_fft: int = 1024,
    gain: float = 1.0,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Spectrogram:
    """Whole-recording power spectrogram in dB of the channel mean of ``audio``
    ``(channels, samples)``, never more than ``max_columns`` frames: for long files the
    hop grows past the frame (a picture, with a cost independent of the length)."""
    mono = _mono(audio)
    if gain != 1.0:
        mono = mono * np.float32(gain)
    total = mono.size
    hop = max(n_fft // 4, -(-total // max_columns))
    count = max(1, -(-total // hop))
    out = np.empty((count, n_fft // 2 + 1), np.float32)
    chunk = 256
    for first in range(0, count, chunk):
        check_cancel(cancel)
        centres = np.arange(first, min(first + chunk, count)) * hop
        out[first : first + centres.size] = _to_db(frame_power(mono, centres=centres, n_fft=n_fft))
        if progress is not None:
            progress(min(1.0, (first + chunk) / count), "spectrogram")
    # The colour range is a percentile over a million cells: worth doing off the GUI thread.
    return Spectrogram(out, count * hop / sr, sr / 2, display_levels(out)).prepare()


def view_fft_size(samples_per_column: float) -> int:
    """Frame size for a view showing ``samples_per_column`` samples a pixel column."""
    want = 4.0 * max(1.0, samples_per_column)
    size = 1 << int(np.ceil(np.log2(want)))
    return int(min(VIEW_MAX_FFT, max(VIEW_MIN_FFT, size)))


def render_view(
    audio: np.ndarray,
    *,
    sr: int,
    start: float,
    stop: float,
    columns: int,
    rows: int,
    scale: str = "linear",
    units: tuple[float, float] = (0.0, 1.0),
    gain: float = 1.0,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ViewTile:
    """The spectrogram of seconds ``[start, stop)`` of ``audio`` ``(channels, samples)``
    at one frame per pixel column, with a frame size that fits the zoom
    (:func:`view_fft_size`): at a one-second view a click is a bright column.
    Cost O(columns × frame) whatever the recording's length."""
    _check_scale(scale)
    if columns < 1 or rows < 1:
        raise ValueError("columns and rows must be positive")
    if not stop > start:
        raise ValueError(f"empty time range [{start}, {stop})")
    s0 = start * sr
    spp = (stop - start) * sr / columns
    n_fft = view_fft_size(spp)
    half = n_fft // 2
    centres = np.round(s0 + (np.arange(columns) + 0.5) * spp).astype(np.int64)
    power = np.empty((columns, half + 1), np.float32)
    # Only the samples the frames touch are read (a view of an hour is not copied):
    # frames further apart than a frame are read one by one, close ones as one range
    # cut into pieces of a bounded size; cancel checks between them.
    sparse = spp > n_fft
    piece = 64 if sparse else max(1, (1 << 20) // max(1, int(spp)))
    for first in range(0, columns, piece):
        check_cancel(cancel)
        sel = centres[first : first + piece]
        if sparse:
            frames = np.stack([_mono(_excerpt(audio, int(c) - half, n_fft)) for c in sel])
            if gain != 1.0:
                frames *= np.float32(gain)
            power[first : first + sel.size] = window_power(frames)
        else:
            lo = int(sel[0]) - half
            mono = _mono(_excerpt(audio, lo, int(sel[-1]) + half + 1 - lo))
            if gain != 1.0:
                mono = mono * np.float32(gain)
            power[first : first + sel.size] = frame_power(mono, centres=sel - lo, n_fft=n_fft)
        if progress is not None:
            progress(min(1.0, (first + piece) / columns), "spectrogram")
    # With a tone's scaling, noise reads louder per bin the shorter the frame (1/n_fft):
    # level the noise floor with the whole-file picture's so colours agree at every zoom.
    db = _to_db(power) + np.float32(10.0 * np.log10(n_fft / REFERENCE_FFT))
    image = to_scale_rows(db, nyquist=sr / 2, scale=scale, rows=rows, units=units)
    return ViewTile(image, float(start), float(stop), units, scale, n_fft)


def display_levels(db: np.ndarray) -> tuple[float, float]:
    """Colour range of dB cells: the loudest down to ``RANGE_DB`` below them."""
    top = float(np.percentile(db, 99.5)) if db.size else 0.0
    return max(FLOOR_DB, top - RANGE_DB), top


# --- long recordings: pictures built from the file in blocks ---------------------------

READ_THREADS = min(4, os.cpu_count() or 1)  # reading and reducing scale to about 4 cores
BLOCK_FRAMES = 1 << 20  # 22 s at 48 kHz: 4 MB of 16-bit stereo a read
SPECTRUM_COLUMNS = 2000  # whole-file picture: about one frame per screen column
SPECTRUM_FFT = 1024  # as compute_spectrogram's, so both pictures look alike
# Spectrogram frames transformed at a time: a short file has thousands in one block,
# and their FFT's temporaries (complex128) would outweigh the block itself.
FRAMES_AT_ONCE = 256
_SEEKABLE = frozenset({"WAV", "WAVEX", "RF64", "W64", "AIFF", "FLAC"})


class FileFrames:
    """A ``(channels, frames)`` float32 array-like over an audio file: slicing
    ``[:, a:b]`` (or ``[c, a:b]``) reads those frames; :meth:`channel` is a one-channel
    view; ``np.asarray`` reads the whole file (for work that needs every sample, off
    the GUI thread). Safe to use from several threads: each thread reads through its
    own handle, so a long read in a worker never holds up playback's short ones."""

    ndim = 2
    dtype = np.dtype(np.float32)

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        first = AudioReader(self.path)  # fails here, on the caller's thread, if unreadable
        self.info = first.info
        # One handle per thread, closed when the thread ends (jobs run on fresh threads).
        self._local = threading.local()
        self._local.reader = first
        self._rows = slice(None)  # a channel view's row
        self.shape = (self.info.channels, self.info.frames)

    def _reader(self) -> AudioReader:
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = AudioReader(self.path)
            self._local.reader = reader
        return reader

    def channel(self, index: int) -> FileFrames:
        """A ``(1, frames)`` view of channel ``index`` sharing this object's handles."""
        if not 0 <= index < self.shape[0]:
            raise IndexError(f"channel {index} of {self.shape[0]}")
        view = object.__new__(FileFrames)
        view.__dict__.update(self.__dict__)
        base = self._rows.start or 0
        view._rows = slice(base + index, base + index + 1)
        view.shape = (1, self.shape[1])
        return view

    def __getitem__(self, key: object) -> np.ndarray:
        rows, cols = key if isinstance(key, tuple) else (key, slice(None))
        if not isinstance(cols, slice) or cols.step not in (None, 1):
            raise TypeError("FileFrames reads contiguous frame ranges: use [:, a:b]")
        start, stop, _ = cols.indices(self.shape[1])
        return self.read(start, max(0, stop - start))[rows]

    def read(self, start: int, frames: int) -> np.ndarray:
        """Frames ``[start, start + frames)``, zeros outside the file."""
        return self._reader().read(start, frames)[self._rows]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        audio = self.read(0, self.shape[1])
        return audio if dtype is None else audio.astype(dtype, copy=False)

    def close(self) -> None:
        """Close this thread's handle (the others close with their threads)."""
        reader = getattr(self._local, "reader", None)
        if reader is not None:
            reader.close()
            self._local.reader = None


def as_array(audio: np.ndarray | FileFrames) -> np.ndarray:
    """``audio`` as a float32 ndarray: a :class:`FileFrames` is read whole (seconds for
    an hour of audio: call it from a worker)."""
    return audio if isinstance(audio, np.ndarray) else np.asarray(audio, dtype=np.float32)


@dataclass(frozen=True)
class Overview:
    """What a view needs to picture a recording without holding its samples."""

    info: AudioInfo
    pyramid: PeakPyramid  # its ``audio`` is a :class:`FileFrames`
    spectrogram: Spectrogram


def _spans(total: int, parts: int) -> list[tuple[int, int]]:
    step = -(-total // max(1, parts))
    step = -(-step // BLOCK_FRAMES) * BLOCK_FRAMES  # parts start on block (and FACTOR) edges
    return [(a, min(total, a + step)) for a in range(0, total, step)]


def build_overview(
    path: str | os.PathLike[str],
    *,
    threads: int = READ_THREADS,
    columns: int = SPECTRUM_COLUMNS,
    n_fft: int = SPECTRUM_FFT,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Overview:
    """Waveform peaks and a whole-file spectrogram (at most ``columns`` frames of
    ``n_fft``) of ``path``, read once in blocks of :data:`BLOCK_FRAMES` (in ``threads``
    parallel parts where the format seeks exactly). Memory: the pyramid (two float32
    values per 16 frames) plus one block per thread, whatever the length."""
    progress = progress or null_progress
    path = Path(path)
    header = info(path)
    if header.frames == 0:
        raise AudioFormatError(f"{path.name} contains no audio")
    pyramid = PeakPyramid.collect(header.channels, header.frames)
    # Integer files are read as integers (no float copy of the block) and the peaks
    # scaled once at the end, as libsndfile's own float path would scale each sample.
    dtype, scale = NATIVE_INTS.get(header.subtype, ("float32", 1.0))
    total = header.frames
    hop = max(n_fft // 4, -(-total // columns))
    centres = np.arange(max(1, -(-total // hop)), dtype=np.int64) * hop
    half = n_fft // 2
    power = np.full((centres.size, n_fft // 2 + 1), np.nan, np.float32)
    parts = _spans(total, threads if header.format in _SEEKABLE else 1)
    done = [0]
    lock = threading.Lock()

    def read_part(span: tuple[int, int]) -> None:
        first, last = span
        with sf.SoundFile(str(path)) as f:
            f.seek(first)
            buffer = np.empty((BLOCK_FRAMES, header.channels), dtype=dtype)
            offsets = np.arange(n_fft)
            for start in range(first, last, BLOCK_FRAMES):
                check_cancel(cancel)
                n = min(BLOCK_FRAMES, last - start)
                got = f.read(n, dtype=dtype, always_2d=True, out=buffer[:n])
                if got.shape[0] == 0:
                    break
                pyramid.add(start, got.T)  # integers: scaled once below
                # The spectrogram's frames that lie wholly inside this block.
                lo = np.searchsorted(centres, start + half)
                hi = np.searchsorted(centres, start + got.shape[0] - half, side="right")
                for a in range(lo, hi, FRAMES_AT_ONCE):
                    b = min(hi, a + FRAMES_AT_ONCE)
                    idx = (centres[a:b] - half - start)[:, None] + offsets
                    frames = got[idx].mean(axis=-1, dtype=np.float32) * np.float32(scale)
                    power[a:b] = window_power(frames)
                with lock:
                    done[0] += got.shape[0]
                    progress(0.95 * done[0] / max(1, total), "reading")

    try:
        if len(parts) > 1:
            with ThreadPoolExecutor(len(parts)) as pool:
                list(pool.map(read_part, parts))
        else:
            for span in parts:
                read_part(span)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise DamagedAudioError(
            f"{path.name} is damaged: decoding stopped ({' '.join(str(exc).split())})"
        ) from exc
    pyramid.scale(scale)
    frames = FileFrames(path)
    pyramid.finish(frames)  # type: ignore[arg-type]  # array-like: slices read the file
    # Frames across block edges (one per edge, and the two ends) are read on their own.
    for i in np.flatnonzero(np.isnan(power[:, 0])):
        check_cancel(cancel)
        excerpt = frames.read(int(centres[i]) - half, n_fft)
        power[i] = window_power(excerpt.mean(axis=0, keepdims=True))[0]
    db = (10.0 * np.log10(np.maximum(power, 1e-12))).astype(np.float32)
    spectrogram = Spectrogram(
        db, centres.size * hop / header.samplerate, header.samplerate / 2, display_levels(db)
    ).prepare()
    progress(1.0, "overview")
    return Overview(header, pyramid, spectrogram)
