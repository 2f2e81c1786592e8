"""Pictures of a long recording built from its file in blocks, with bounded memory.

:func:`build_overview` reads a file block by block (integers stay integers) into a
:class:`~core.audio.peaks.PeakPyramid` and takes a whole-file spectrogram from short
excerpts read where its frames lie, so an hour of 48 kHz stereo (1.4 GB as float32)
is pictured with about 100 MB. Views zoomed closer than the pyramid's finest level, and
view-resolution spectrograms, read the samples they show from the file through
:class:`FileFrames`, which slices like a ``(channels, frames)`` array.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from core.audio.io import NATIVE_INTS, AudioInfo, AudioReader, info
from core.audio.peaks import PeakPyramid
from core.display import Spectrogram, display_levels
from core.dsp.stft import window_power
from core.progress import CancelToken, ProgressCallback, check_cancel, null_progress

READ_THREADS = min(4, os.cpu_count() or 1)  # reading and reducing scale to about 4 cores
BLOCK_FRAMES = 1 << 20  # 22 s at 48 kHz: 4 MB of 16-bit stereo a read
SPECTRUM_COLUMNS = 2000  # whole-file picture: about one frame per screen column
SPECTRUM_FFT = 1024  # as compute_spectrogram's, so both pictures look alike
_SEEKABLE = frozenset({"WAV", "WAVEX", "RF64", "W64", "AIFF", "FLAC"})


class FileFrames:
    """A ``(channels, frames)`` float32 array-like over an audio file: slicing
    ``[:, a:b]`` (or ``[c, a:b]``) reads those frames. Safe to use from several threads."""

    ndim = 2
    dtype = np.dtype(np.float32)

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._reader = AudioReader(path)
        self._lock = threading.Lock()
        self.info = self._reader.info
        self.shape = (self.info.channels, self.info.frames)

    def __getitem__(self, key: object) -> np.ndarray:
        rows, cols = key if isinstance(key, tuple) else (key, slice(None))
        if not isinstance(cols, slice) or cols.step not in (None, 1):
            raise TypeError("FileFrames reads contiguous frame ranges: use [:, a:b]")
        start, stop, _ = cols.indices(self.shape[1])
        with self._lock:
            block = self._reader.read(start, max(0, stop - start))
        return block[rows]

    def read(self, start: int, frames: int) -> np.ndarray:
        """Frames ``[start, start + frames)``, zeros outside the file."""
        with self._lock:
            return self._reader.read(start, frames)

    def close(self) -> None:
        with self._lock:
            self._reader.close()


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
                if hi > lo:
                    idx = (centres[lo:hi] - half - start)[:, None] + offsets
                    frames = got[idx].mean(axis=-1, dtype=np.float32) * np.float32(scale)
                    power[lo:hi] = window_power(frames)
                with lock:
                    done[0] += got.shape[0]
                    progress(0.95 * done[0] / max(1, total), "reading")

    if len(parts) > 1:
        with ThreadPoolExecutor(len(parts)) as pool:
            list(pool.map(read_part, parts))
    else:
        for span in parts:
            read_part(span)
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
    )
    progress(1.0, "overview")
    return Overview(header, pyramid, spectrogram)
