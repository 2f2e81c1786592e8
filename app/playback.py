"""Audio output for A/B/residual listening: a sounddevice stream, no widgets.

:class:`Player` holds the buffers of one recording (``original``, ``restored``,
``residual``) and plays the selected one through a PortAudio ``OutputStream``
whose callback mixes block by block. Switching source (:meth:`Player.select`)
happens inside the callback at the sample position that was current when it was
called, with a short linear crossfade (5 ms by default), so listening never skips
or repeats a sample.

Design notes
------------
* ``sounddevice`` is imported lazily (inside methods): importing it raises
  ``OSError`` when the PortAudio library is missing, which becomes
  :class:`PlaybackError` here, or ``(False, reason)`` from :meth:`Player.availability`.
  PortAudio lists devices when it initialises (at import), so a device plugged in
  later appears after the application restarts.
* Positions (:attr:`Player.position`, :meth:`Player.seek`, :meth:`Player.set_loop`)
  are in samples of the *sources'* rate. ``position`` is the next sample the
  callback will render; what is heard lags it by the stream's output latency
  (a few blocks).
* The stream runs at the sources' rate. When the device refuses that rate (JACK
  and many ASIO/WASAPI devices accept only their own), the player resamples every
  source to the device's default rate with :func:`core.audio.resample` (soxr) and
  converts positions; if the device refuses that too, :class:`PlaybackError` says so.
* Channels: a mono source plays on the first two channels of a stereo (or wider)
  device; a source with more channels than the device is downmixed (source channel
  ``i`` goes to output ``i % outputs``, averaged).
* Loudness matching (``matched_loudness``, on by default): ``restored`` gets the
  gain that gives it the BS.1770 (K-weighted) integrated loudness of ``original``,
  so the comparison is not won by "louder sounds better" (measured and limited by
  :func:`core.dsp.loudness.comparison_loudness` and :func:`~core.dsp.loudness.match_gain`).
  ``residual`` is deliberately *not* matched: it plays at its natural level (gain 1.0),
  i.e. as loud as the removed noise was inside the original. Matching it would lift
  faint hiss to programme level. Output is clipped to ±1.
* Sources are float32 arrays, or array-likes that slice ``[:, a:b]`` such as
  :class:`core.display.FileFrames` (an opened recording's original stays in its file:
  the audio thread reads each block from it).
* :meth:`Player.render` is the callback's whole mixing logic as a plain method, so
  looping, switching and gains are testable without an audio device.
* ``tap`` (attribute or keyword): optional ``tap(start, block)`` called from the
  audio thread with each rendered block (``(frames, channels)`` float32, a copy)
  and its first sample in stream samples; for tests and meters. Keep it fast.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication

from core.display import as_array
from core.dsp.loudness import comparison_loudness, match_gain

SOURCE_NAMES = ("original", "restored", "residual")

Tap = Callable[[int, np.ndarray], None]


class PlaybackError(Exception):
    """Playback cannot start or continue; the message is a sentence for the user (translated
    through ``QCoreApplication.translate("Player", ...)``)."""


def _sounddevice() -> ModuleType:
    """Import ``sounddevice`` now; its absence or PortAudio's becomes PlaybackError."""
    try:
        import sounddevice
    except OSError as exc:  # the wheel is there, libportaudio is not
        raise PlaybackError(
            QCoreApplication.translate(
                "Player", "PortAudio library missing (install libportaudio2); playback is off."
            )
        ) from exc
    except ImportError as exc:
        raise PlaybackError(
            QCoreApplication.translate(
                "Player", "The sounddevice package is not installed; playback is off."
            )
        ) from exc
    return sounddevice


def _channel_map(sources: int, outputs: int) -> np.ndarray:
    """``(outputs, sources)`` matrix taking source channels to device channels."""
    matrix = np.zeros((outputs, sources), np.float32)
    if sources == 1:
        matrix[: min(outputs, 2), 0] = 1.0  # mono on both sides of a stereo pair
    elif sources <= outputs:
        matrix[np.arange(sources), np.arange(sources)] = 1.0
    else:  # downmix: channel i to output i % outputs, averaged
        for i in range(sources):
            matrix[i % outputs, i] = 1.0
        matrix /= matrix.sum(axis=1, keepdims=True)
    return matrix


class Player:
    """Plays one of several equally long buffers, switching between them without a gap.

    Parameters
    ----------
    device : PortAudio device index or name; ``None`` for the default output
        (or the first output device when there is no default).
    blocksize : frames per callback.
    crossfade_ms : length of the crossfade when switching source (0 for a hard cut).
    tap : optional ``tap(start, block)`` observer of every rendered block.

    Thread-safety: the public methods are called from the GUI thread; the stream's
    callback runs on PortAudio's thread. Both take a lock only for the short time
    they touch the shared state; expensive work (loudness, resampling) is done
    before taking it.
    """

    def __init__(
        self,
        *,
        device: int | str | None = None,
        blocksize: int = 512,
        crossfade_ms: float = 5.0,
        tap: Tap | None = None,
    ) -> None:
        if blocksize < 1:
            raise ValueError(f"blocksize must be positive, got {blocksize}")
        self.device = device
        self.blocksize = int(blocksize)
        self.crossfade_ms = float(crossfade_ms)
        self.tap: Tap | None = tap
        self._lock = threading.RLock()
        self._stream: Any = None
        self._stream_sr: int | None = None
        self._out_channels = 2
        # Sources as given (source rate) and as played (stream rate).
        self._sources: dict[str, np.ndarray] = {}
        self._sr = 0
        self._play: dict[str, np.ndarray] = {}
        self._ratio = 1.0  # stream rate / source rate
        self._map = _channel_map(1, 2)
        self._loudness: dict[str, float] = {}
        self._gains: dict[str, float] = {}
        self._matched = True
        self._selected = "original"
        self._fade_from: str | None = None
        self._fade_done = 0
        self._fade_len = 0
        self._pos = 0  # next stream sample to render
        self._loop: tuple[int, int] | None = None  # stream samples
        self._playing = False
        self.last_switch: int | None = None  # stream sample of the latest select()
        self.underflows = 0
        self._ended = False  # the callback stopped the stream (end reached or paused)

    # --- devices ---------------------------------------------------------------------------

    @staticmethod
    def output_devices() -> list[tuple[int, str]]:
        """``(index, "name (host API)")`` of every output device; empty without PortAudio."""
        try:
            sd = _sounddevice()
            devices = sd.query_devices()
            hostapis = sd.query_hostapis()
        except Exception:  # noqa: BLE001 - PlaybackError included: no devices is the answer
            return []
        result = []
        for index, info in enumerate(devices):
            if info["max_output_channels"] > 0:
                api = hostapis[info["hostapi"]]["name"] if info["hostapi"] < len(hostapis) else ""
                result.append((index, f"{info['name']} ({api})" if api else str(info["name"])))
        return result

    @staticmethod
    def availability() -> tuple[bool, str]:
        """``(True, description)`` when something can play, else ``(False, reason)``."""
        try:
            sd = _sounddevice()
        except PlaybackError as exc:
            return False, str(exc)
        try:
            devices = list(sd.query_devices())
        except Exception as exc:  # noqa: BLE001 - PortAudio errors become a reason
            return False, QCoreApplication.translate(
                "Player", "The audio system could not list devices ({error}); playback is off."
            ).format(error=exc)
        outputs = [d for d in devices if d["max_output_channels"] > 0]
        if not outputs:
            return False, QCoreApplication.translate(
                "Player", "No audio output device was found; playback is off."
            )
        try:
            default = sd.query_devices(kind="output")["name"]
        except Exception:  # noqa: BLE001 - no default device: the first one is used
            default = outputs[0]["name"]
        return True, QCoreApplication.translate(
            "Player", "{count} output device(s); default: {name}"
        ).format(count=len(outputs), name=default)

    # --- sources ---------------------------------------------------------------------------

    def set_sources(
        self,
        sources: Mapping[str, np.ndarray],
        sr: int,
        *,
        loudness: Mapping[str, float] | None = None,
    ) -> None:
        """Give the buffers to play: float32 ``(channels, samples)``, all the same shape.

        Keys are among ``original``, ``restored``, ``residual`` (``original`` is
        required for loudness matching; without it no gain is applied). The position
        is kept when it lies inside the new buffers, else it goes back to 0. A new
        rate while a stream is open reopens the stream (playback continues).
        """
        if not sources:
            raise ValueError("set_sources needs at least one source")
        unknown = set(sources) - set(SOURCE_NAMES)
        if unknown:
            raise ValueError(f"unknown source names: {', '.join(sorted(unknown))}")
        arrays = {name: self._check_array(name, a) for name, a in sources.items()}
        shapes = {a.shape for a in arrays.values()}
        if len(shapes) != 1:
            raise ValueError(f"sources must have the same shape, got {sorted(shapes)}")
        sr = int(sr)
        if sr <= 0:
            raise ValueError(f"sample rate must be positive, got {sr}")
        # The residual plays at its natural level, so only these two are measured (here,
        # unless the caller measured them in the background: see set_loudness).
        if loudness is None:
            loudness = {
                n: comparison_loudness(a, sr=sr) for n, a in arrays.items() if n != "residual"
            }
        channels = next(iter(shapes))[0]
        old_channels = self._map.shape[1]

        reopen = self._stream is not None and (sr != self._sr or channels != old_channels)
        was_playing = self._playing
        if reopen:
            self._close_stream()
        stream_sr = self._stream_sr if self._stream is not None else sr
        play = self._at_rate(arrays, sr, stream_sr)
        with self._lock:
            old_pos_src = self._pos / self._ratio if self._ratio else 0.0
            self._sources, self._sr, self._loudness = arrays, sr, dict(loudness)
            self._play = play
            self._ratio = stream_sr / sr
            self._map = _channel_map(channels, self._out_channels)
            self._update_gains()
            if self._selected not in play:
                self._selected = "original" if "original" in play else next(iter(play))
            self._fade_from = None
            length = next(iter(play.values())).shape[1]
            pos = int(round(old_pos_src * self._ratio))
            self._pos = pos if 0 <= pos < length else 0
            if self._loop is not None and self._loop[1] > length:
                self._loop = None
        if reopen and was_playing:
            self.play()

    @staticmethod
    def _check_array(name: str, audio: np.ndarray) -> np.ndarray:
        if not isinstance(audio, np.ndarray) and getattr(audio, "ndim", 0) == 2:
            # Samples kept in their file (core.display.FileFrames): blocks are read
            # as they play, through the audio thread's own file handle.
            if 0 in audio.shape:
                raise ValueError(f"{name} must be (channels, samples), got shape {audio.shape}")
            return audio
        array = np.asarray(audio, dtype=np.float32)
        if array.ndim == 1:
            array = array[np.newaxis, :]
        if array.ndim != 2 or array.shape[1] == 0 or array.shape[0] == 0:
            raise ValueError(f"{name} must be (channels, samples), got shape {array.shape}")
        return np.ascontiguousarray(array)

    @staticmethod
    def _at_rate(
        arrays: Mapping[str, np.ndarray], sr: int, stream_sr: int | None
    ) -> dict[str, np.ndarray]:
        if stream_sr is None or stream_sr == sr:
            return dict(arrays)
        from core.audio.resample import resample

        # A device that plays only its own rate gets every source resampled whole (a file
        # kept on disk is read into memory for it).
        return {
            name: resample(as_array(a), orig_sr=sr, target_sr=stream_sr)
            for name, a in arrays.items()
        }

    def _update_gains(self) -> None:
        reference = self._loudness.get("original")
        gains = {}
        for name in self._play:
            if not self._matched or reference is None or name in ("original", "residual"):
                gains[name] = 1.0
            else:
                gains[name] = match_gain(reference, self._loudness.get(name, reference))
        self._gains = gains

    def set_loudness(self, loudness: Mapping[str, float]) -> None:
        """Loudness of the current sources measured elsewhere (off the GUI thread, with
        :func:`core.dsp.loudness.comparison_loudness`); matching follows it. Sources
        given with an empty ``loudness`` play unmatched until this arrives."""
        with self._lock:
            self._loudness = dict(loudness)
            self._update_gains()

    @property
    def gains(self) -> dict[str, float]:
        """The linear gain applied to each source (1.0 each when not matched)."""
        with self._lock:
            return dict(self._gains)

    @property
    def matched_loudness(self) -> bool:
        return self._matched

    @matched_loudness.setter
    def matched_loudness(self, value: bool) -> None:
        with self._lock:
            self._matched = bool(value)
            self._update_gains()

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(self._play)

    @property
    def samplerate(self) -> int:
        """The sources' rate (0 before :meth:`set_sources`)."""
        return self._sr

    @property
    def length(self) -> int:
        """Samples per source, at the sources' rate."""
        return next(iter(self._sources.values())).shape[1] if self._sources else 0

    # --- transport -------------------------------------------------------------------------

    @property
    def selected(self) -> str:
        return self._selected

    @selected.setter
    def selected(self, name: str) -> None:
        self.select(name)

    def select(self, name: str) -> None:
        """Play ``name`` from the current sample on (crossfaded inside the callback)."""
        if name not in SOURCE_NAMES:
            raise ValueError(f"unknown source {name!r}; choose one of {', '.join(SOURCE_NAMES)}")
        with self._lock:
            if self._play and name not in self._play:
                raise ValueError(f"no {name!r} source has been given")
            if name == self._selected:
                return
            self.last_switch = self._pos
            rate = self._stream_sr or self._sr or 48000
            fade = int(round(self.crossfade_ms * rate / 1000.0))
            if fade > 0 and self._playing:
                self._fade_from, self._fade_done, self._fade_len = self._selected, 0, fade
            else:
                self._fade_from = None
            self._selected = name

    @property
    def position(self) -> int:
        """Next sample to play, in samples at the sources' rate."""
        return int(round(self._pos / self._ratio))

    @property
    def playing(self) -> bool:
        return self._playing

    def seek(self, sample: int) -> None:
        """Move to ``sample`` (sources' rate), clamped to the buffers."""
        with self._lock:
            length = self._stream_length()
            pos = int(round(int(sample) * self._ratio))
            self._pos = min(max(pos, 0), max(length - 1, 0))
            self._fade_from = None

    def set_loop(self, start: int | None, stop: int | None) -> None:
        """Loop ``[start, stop)`` (sources' rate) while playing; ``None`` for either ends it.

        The range is clamped to the buffers; while looping, a position outside the
        range jumps to ``start`` at the next block.
        """
        with self._lock:
            if start is None or stop is None:
                self._loop = None
                return
            length = self._stream_length()
            a = min(max(int(round(int(start) * self._ratio)), 0), length)
            b = min(max(int(round(int(stop) * self._ratio)), 0), length)
            if b - a < 1:
                raise ValueError(f"loop range is empty: {start}..{stop}")
            self._loop = (a, b)

    @property
    def loop(self) -> tuple[int, int] | None:
        """The loop range at the sources' rate, or ``None``."""
        loop = self._loop
        if loop is None:
            return None
        return int(round(loop[0] / self._ratio)), int(round(loop[1] / self._ratio))

    def _stream_length(self) -> int:
        return next(iter(self._play.values())).shape[1] if self._play else 0

    def play(self) -> None:
        """Start or resume; from the beginning (or loop start) when at the end."""
        if not self._play:
            raise PlaybackError(
                QCoreApplication.translate("Player", "There is nothing to play yet.")
            )
        with self._lock:
            if self._pos >= self._stream_length():
                self._pos = self._loop[0] if self._loop else 0
            self._playing = True
        try:
            stream = self._ensure_stream()
            if self._ended or not stream.active:
                # After the callback ended it, the stream may still be draining: stop
                # it properly (PortAudio needs that before a restart).
                if not stream.stopped:
                    stream.stop()
                self._ended = False
                stream.start()
        except PlaybackError:
            self._playing = False
            raise
        except Exception as exc:  # noqa: BLE001 - PortAudio errors become a sentence
            self._playing = False
            raise PlaybackError(
                QCoreApplication.translate("Player", "Playback could not start: {error}").format(
                    error=exc
                )
            ) from exc

    def pause(self) -> None:
        """Stop sound, keep the position."""
        with self._lock:
            self._playing = False
            self._fade_from = None
        if self._stream is not None:
            try:
                self._stream.stop()
            except Exception:  # noqa: BLE001, S110 - stopping a dead stream is not an error
                pass

    def stop(self) -> None:
        """Stop and rewind to 0 (or to the loop's start)."""
        self.pause()
        with self._lock:
            self._pos = self._loop[0] if self._loop else 0

    def close(self) -> None:
        """Stop and release the audio device; the player can be played again later."""
        self.pause()
        self._close_stream()

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- stream ----------------------------------------------------------------------------

    def _device_index(self, sd: ModuleType) -> int:
        if self.device is not None:
            try:
                info = sd.query_devices(self.device, kind="output")
            except Exception as exc:  # noqa: BLE001
                raise PlaybackError(
                    QCoreApplication.translate(
                        "Player", "The audio device {device!r} cannot play sound: {error}"
                    ).format(device=self.device, error=exc)
                ) from exc
            return int(info["index"])
        try:
            return int(sd.query_devices(kind="output")["index"])
        except Exception:  # noqa: BLE001 - no default output: take the first one
            for index, info in enumerate(sd.query_devices()):
                if info["max_output_channels"] > 0:
                    return index
        raise PlaybackError(
            QCoreApplication.translate(
                "Player", "No audio output device was found; playback is off."
            )
        )

    def _ensure_stream(self) -> Any:
        if self._stream is not None:
            return self._stream
        sd = _sounddevice()
        index = self._device_index(sd)
        info = sd.query_devices(index)
        src_channels = next(iter(self._sources.values())).shape[0]
        outputs = max(1, min(max(src_channels, 2), int(info["max_output_channels"])))
        rate = self._sr
        try:
            sd.check_output_settings(index, channels=outputs, dtype="float32", samplerate=rate)
        except Exception as first:  # noqa: BLE001 - try the device's own rate
            rate = int(round(info["default_samplerate"]))
            try:
                sd.check_output_settings(index, channels=outputs, dtype="float32", samplerate=rate)
            except Exception as exc:  # noqa: BLE001
                raise PlaybackError(
                    QCoreApplication.translate(
                        "Player",
                        "The audio device {device!r} accepts neither {rate} Hz "
                        "nor {device_rate} Hz: {error}",
                    ).format(device=info["name"], rate=self._sr, device_rate=rate, error=exc)
                ) from first
        play = self._at_rate(self._sources, self._sr, rate)  # resamples only when needed
        try:
            stream = sd.OutputStream(
                samplerate=rate,
                blocksize=self.blocksize,
                device=index,
                channels=outputs,
                dtype="float32",
                callback=self._callback,
            )
        except Exception as exc:  # noqa: BLE001
            raise PlaybackError(
                QCoreApplication.translate(
                    "Player", "The audio device {device!r} cannot be opened: {error}"
                ).format(device=info["name"], error=exc)
            ) from exc
        with self._lock:
            old_ratio = self._ratio
            self._ratio = rate / self._sr
            scale = self._ratio / old_ratio
            self._pos = int(round(self._pos * scale))
            if self._loop is not None:
                self._loop = (int(round(self._loop[0] * scale)), int(round(self._loop[1] * scale)))
            self._play = play
            self._out_channels = outputs
            self._map = _channel_map(src_channels, outputs)
            self._stream, self._stream_sr = stream, rate
        return stream

    def _close_stream(self) -> None:
        stream = self._stream
        if stream is None:
            return
        with self._lock:
            self._stream = None
            self._stream_sr = None
            pos_src = self._pos / self._ratio
            loop = self.loop
            self._play = dict(self._sources)
            self._ratio = 1.0
            self._pos = int(round(pos_src))
            self._loop = loop
        try:
            stream.abort()
            stream.close()
        except Exception:  # noqa: BLE001, S110 - the device may already be gone
            pass

    @property
    def stream_samplerate(self) -> int | None:
        """The rate the open stream runs at (``None`` while no stream is open)."""
        return self._stream_sr

    def _callback(self, outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if status and status.output_underflow:
            self.underflows += 1
        if not self.render(outdata):
            import sounddevice

            self._ended = True
            raise sounddevice.CallbackStop

    # --- mixing (the callback's logic, no device needed) -----------------------------------

    def render(self, out: np.ndarray) -> bool:
        """Fill ``out`` (``(frames, channels)`` float32) with the next samples and advance.

        Returns ``False`` when playback reached the end (the rest of ``out`` is
        silence and :attr:`playing` becomes ``False``), else ``True``.
        """
        frames = out.shape[0]
        with self._lock:
            start = self._pos
            if not self._playing or not self._play:
                out.fill(0.0)
                return self._playing
            length = self._stream_length()
            filled = 0
            running = True
            while filled < frames:
                loop = self._loop
                if loop is not None and not loop[0] <= self._pos < loop[1]:
                    self._pos = loop[0]
                end = loop[1] if loop is not None else length
                if self._pos >= end:
                    out[filled:].fill(0.0)
                    self._playing = False
                    running = False
                    break
                take = min(frames - filled, end - self._pos)
                self._mix(out[filled : filled + take], self._pos, take)
                self._pos += take
                filled += take
            tap = self.tap
        if tap is not None:
            tap(start, out.copy())
        return running

    def _source_block(self, name: str, pos: int, take: int) -> np.ndarray:
        block = self._play[name][:, pos : pos + take]
        return (self._map @ block).T * np.float32(self._gains.get(name, 1.0))

    def _mix(self, out: np.ndarray, pos: int, take: int) -> None:
        block = self._source_block(self._selected, pos, take)
        if self._fade_from is not None and self._fade_from in self._play:
            n = min(take, self._fade_len - self._fade_done)
            weights = (np.arange(self._fade_done, self._fade_done + n, dtype=np.float32) + 1) / (
                self._fade_len + 1
            )
            old = self._source_block(self._fade_from, pos, n)
            block[:n] = old * (1 - weights[:, None]) + block[:n] * weights[:, None]
            self._fade_done += n
            if self._fade_done >= self._fade_len:
                self._fade_from = None
        np.clip(block, -1.0, 1.0, out=out)
