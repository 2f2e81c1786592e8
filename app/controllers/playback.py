"""The player, the playhead and what is heard: original, restored or removed noise."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.controllers import Status
from app.controllers.session import SessionController
from app.document import Recording
from app.errors import show_error
from app.jobs import Job
from app.settings import Settings
from app.views.timeline import TimelineView
from app.views.transport import SOURCES, TransportBar, source_label

POSITION_POLL_MS = 33  # the playhead moves at about 30 frames a second


def source_loudness(
    sources: dict[str, Any], *, sr: int, progress: Any = None, cancel: Any = None
) -> dict[str, float]:
    """Job: :func:`core.dsp.loudness.comparison_loudness` of each source but the removed
    noise (it plays at its natural level), as the player matches them."""
    from core.dsp.loudness import comparison_loudness  # scipy: not at start-up

    return {
        name: comparison_loudness(audio, sr=sr)
        for name, audio in sources.items()
        if name != "residual"
    }


def import_optional(name: str) -> tuple[Any, str]:
    """``(module, "")`` or ``(None, reason)`` for a part of the app that may be missing."""
    try:
        return importlib.import_module(name), ""
    except Exception as exc:  # noqa: BLE001 - any failure just disables a feature
        return None, f"{type(exc).__name__}: {exc}"


class PlaybackController(QObject):
    """Owns the player (``app.playback.Player``, or ``player_factory``'s in tests).

    ``reason`` says why there is no sound ("" when there is). Signal
    ``availability_changed(str)`` carries a new ``reason``.
    """

    availability_changed = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        *,
        settings: Settings,
        session: SessionController,
        transport: TransportBar,
        timeline: TimelineView,
        status: Status,
        player_factory: Callable[..., Any] | None = None,
        enabled: bool = True,
    ) -> None:
        super().__init__(parent)
        self._window = parent
        self.settings = settings
        self.session = session
        self.transport = transport
        self.timeline = timeline
        self.status = status
        self.player: Any = None
        self.reason = ""
        self.module: Any = None
        self._factory = player_factory
        self._cursor = 0  # playhead in samples when nothing plays
        self.loudness_job: Job | None = None
        self.position_timer = QTimer(self)
        self.position_timer.setInterval(POSITION_POLL_MS)
        self.position_timer.timeout.connect(self._poll_position)
        transport.play_clicked.connect(self.toggle_play)
        transport.stop_clicked.connect(self.stop)
        transport.source_changed.connect(self._source_changed)
        transport.loop_toggled.connect(self.update_loop)
        timeline.seek_requested.connect(self.seek_seconds)
        timeline.selection_changed.connect(self.update_loop)

        if not enabled:
            self.reason = self.tr("Playback is turned off (--no-sound).")
        elif player_factory is not None:
            self._open_player()
        else:
            module, error = import_optional("app.playback")
            self.module = module
            if module is None:
                self.reason = self.tr("Playback is not available ({error}).").format(error=error)
            else:
                ok, reason = module.Player.availability()
                if not ok:
                    self.reason = reason
                self._open_player()

    def _open_player(self) -> None:
        if self.player is not None:
            self.player.close()
            self.player = None
        factory = self._factory
        if factory is None:
            if self.module is None:
                return
            factory = self.module.Player
        device = self.settings.output_device or None
        try:
            self.player = factory(device=device)
            self.player.matched_loudness = self.settings.matched_loudness
        except Exception as exc:  # noqa: BLE001 - PlaybackError or a bad device: no sound
            self.player = None
            self.reason = self.tr("Playback is not available: {error}").format(error=exc)

    @property
    def can_play(self) -> bool:
        return self.session.current is not None and self.player is not None and not self.reason

    def output_devices(self) -> list[tuple[int, str]]:
        return self.module.Player.output_devices() if self.module is not None else []

    def set_output(self, device: str, matched_loudness: bool) -> bool:
        """Use ``device`` and loudness matching from now on (and remember them); ``True``
        when the player was reopened and needs its buffers again."""
        changed_device = device != self.settings.output_device
        self.settings.output_device = device
        self.settings.matched_loudness = matched_loudness
        if changed_device and (self.module or self._factory) is not None:
            self.stop()
            self.reason = ""
            if self.module is not None:
                ok, reason = self.module.Player.availability()
                self.reason = "" if ok else reason
            self._open_player()
            self.availability_changed.emit(self.reason)
            return True
        if self.player is not None:
            self.player.matched_loudness = matched_loudness
        return False

    def close(self) -> None:
        self.position_timer.stop()
        if self.player is not None:
            try:
                self.player.close()
            except Exception:  # noqa: BLE001
                pass
            self.player = None

    # --- what is heard --------------------------------------------------------------------------

    def show_recording(self, doc: Recording | None) -> None:
        """A recording became current: stop, and put the playhead at its start."""
        self.stop()
        self._cursor = 0
        self._show_position()

    def load_sources(self, doc: Recording) -> None:
        """Give the player ``doc``'s three buffers at its current strength; their
        loudness (for matched A/B) is measured in a job the first time, which reads
        excerpts of an original kept in its file."""
        if self.player is None:
            return
        sources = doc.sources()
        key = ("loudness", doc.restoration, doc.strength)
        known = doc.cache.get(key)
        try:
            position = self.player.position
            self.player.set_sources(sources, doc.sr, loudness=known or {})
            self.player.select(self.transport.source)
            self.player.seek(position)
        except Exception as exc:  # noqa: BLE001 - playback problems never block editing
            self.status(self.tr("Playback: {error}").format(error=exc), 8000)
            return
        if known is None:
            self._measure_loudness(doc, key, sources)

    def _measure_loudness(self, doc: Recording, key: tuple[Any, ...], sources: Any) -> None:
        if self.loudness_job is not None:
            self.loudness_job.cancel()

        def returned(loudness: dict[str, float]) -> None:
            doc.cache[key] = loudness
            current = ("loudness", doc.restoration, doc.strength)
            if self.player is not None and doc is self.session.current and current == key:
                self.player.set_loudness(loudness)

        job = Job(source_loudness, sources, sr=doc.sr, parent=self)
        job.returned.connect(returned)
        self.loudness_job = job
        job.start()

    def set_restored_available(self, available: bool) -> None:
        self.transport.set_restored_available(available)

    def listen_to(self, key: str) -> None:
        """Hear ``original``, ``restored`` or ``residual`` (the removed noise)."""
        if key == self.transport.source:
            self._source_changed(key)
        else:
            self.transport.set_source(key)  # emits source_changed

    def cycle_source(self) -> None:
        doc = self.session.current
        if doc is None:
            return
        if doc.restoration is None:
            self.status(self.tr("Apply a restoration to compare it with the original."), 5000)
            return
        keys = [key for key, _label in SOURCES]
        self.listen_to(keys[(keys.index(self.transport.source) + 1) % len(keys)])

    def _source_changed(self, key: str) -> None:
        self.status(self.tr("Listening to: {source}").format(source=source_label(key)), 3000)
        if self.player is not None and self.session.current is not None:
            try:
                self.player.select(key)
            except Exception as exc:  # noqa: BLE001
                self.status(self.tr("Playback: {error}").format(error=exc), 8000)

    # --- playing and the playhead ---------------------------------------------------------------

    def toggle_play(self) -> None:
        if self.session.current is None:
            return
        if self.player is None or self.reason:
            self.status(self.reason or self.tr("No sound output."), 8000)
            return
        try:
            if self.player.playing:
                self.player.pause()
            else:
                self.update_loop()
                self.player.play()
        except Exception as exc:  # noqa: BLE001 - e.g. the device went away
            show_error(self._window, exc, context=self.tr("Playback failed."))
        playing = bool(self.player.playing)
        self.transport.set_playing(playing)
        if playing:
            self.position_timer.start()
        else:
            self.position_timer.stop()

    def stop(self) -> None:
        if self.player is not None:
            try:
                self.player.stop()
            except Exception:  # noqa: BLE001 - stopping must never fail
                pass
        self.position_timer.stop()
        self.transport.set_playing(False)
        self.seek_seconds(0.0)

    def _poll_position(self) -> None:
        if self.player is None or self.session.current is None:
            return
        self._cursor = int(self.player.position)
        self._show_position()
        if not self.player.playing:
            self.position_timer.stop()
            self.transport.set_playing(False)

    def _show_position(self) -> None:
        doc = self.session.current
        if doc is None:
            return
        t = self._cursor / doc.sr
        self.timeline.set_playhead(t)
        self.transport.set_time(t, doc.duration)

    @property
    def position(self) -> float:
        """The playhead in seconds."""
        doc = self.session.current
        return self._cursor / doc.sr if doc else 0.0

    def seek_seconds(self, seconds: float) -> None:
        doc = self.session.current
        if doc is None:
            return
        self._cursor = int(round(min(max(seconds, 0.0), doc.duration) * doc.sr))
        self._cursor = min(self._cursor, doc.frames)
        if self.player is not None:
            try:
                self.player.seek(self._cursor)
            except Exception:  # noqa: BLE001 - the view still moves
                pass
        self._show_position()

    def go_end(self) -> None:
        if self.session.current is not None:
            self.seek_seconds(self.session.current.duration)

    def nudge(self, direction: int) -> None:
        """Move the playhead by a twentieth of the visible range."""
        if self.session.current is None:
            return
        x0, x1 = self.timeline.view_range()
        self.seek_seconds(self.position + direction * max((x1 - x0) / 20, 0.01))

    def update_loop(self, *_: object) -> None:
        """Loop the selection while "Loop selection" is on (and it is not empty)."""
        doc = self.session.current
        if self.player is None or doc is None:
            return
        start, stop = self.timeline.selection
        try:
            if self.transport.loop_enabled and stop - start > 0.01:
                self.player.set_loop(int(start * doc.sr), int(stop * doc.sr))
            else:
                self.player.set_loop(None, None)
        except Exception as exc:  # noqa: BLE001
            self.status(self.tr("Playback: {error}").format(error=exc), 8000)
