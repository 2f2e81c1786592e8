"""Every user setting declared once, with its type and default, over ``QSettings``.

:class:`Settings` wraps a ``QSettings`` it is given, so tests (and ``--settings``)
point it at a temporary INI file and never touch the user's real settings. Values are
converted on read, so a hand-edited or older file cannot crash the app: a value that
does not convert falls back to the default. ``SETTINGS_VERSION`` is stored in the
file; :meth:`Settings.migrate` upgrades older layouts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

SETTINGS_VERSION = 2
MAX_RECENT = 10

T = TypeVar("T")


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value.lower() in ("true", "1", "yes", "on"):
            return True
        if value.lower() in ("false", "0", "no", "off", ""):
            return False
        raise ValueError(value)
    return bool(int(value))


def _to_str_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):  # QSettings returns a one-element list as a plain string
        return [value]
    return [str(v) for v in value]


def _to_bytes(value: Any) -> QByteArray:
    if isinstance(value, QByteArray):
        return value
    if isinstance(value, (bytes, bytearray)):
        return QByteArray(bytes(value))
    raise ValueError(value)


class Option(Generic[T]):
    """A typed setting: ``settings.recent_files`` reads and writes the key ``key``."""

    def __init__(self, key: str, default: T, convert: Callable[[Any], T], doc: str = "") -> None:
        self.key = key
        self.default = default
        self.convert = convert
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type) -> Option[T]: ...
    @overload
    def __get__(self, obj: Settings, owner: type) -> T: ...
    def __get__(self, obj: Settings | None, owner: type) -> T | Option[T]:
        if obj is None:
            return self
        raw = obj.qsettings.value(self.key, None)
        if raw is None:
            return self._default()
        try:
            return self.convert(raw)
        except (TypeError, ValueError):
            return self._default()

    def __set__(self, obj: Settings, value: T) -> None:
        obj.qsettings.setValue(self.key, value)

    def _default(self) -> T:
        return list(self.default) if isinstance(self.default, list) else self.default  # type: ignore[return-value]


class Settings:
    """The application's settings; pass a ``QSettings`` (see :func:`default_qsettings`)."""

    window_geometry = Option("window/geometry", QByteArray(), _to_bytes, "main window geometry")
    window_state = Option("window/state", QByteArray(), _to_bytes, "docks and toolbars")
    last_open_dir = Option("folders/open", "", str, "where the open dialog starts")
    last_export_dir = Option("folders/export", "", str, "where the export dialog starts")
    last_model_dir = Option("folders/model", "", str, "where the model chooser starts")
    recent_files = Option("files/recent", [], _to_str_list, "most recent first")
    output_device = Option("audio/output_device", "", str, "device name; empty = default")
    matched_loudness = Option("audio/matched_loudness", True, _to_bool, "A/B at equal loudness")
    language = Option("ui/language", "system", str, "interface language code or 'system'")
    first_run_hint = Option("ui/first_run_hint", True, _to_bool, "show the start hint once")
    preset = Option("restore/preset", "auto", str, "last chosen preset; auto: the assistant")
    model = Option(
        "restore/model", "auto", str, "'auto', 'dfn3', 'default' (built-in) or a .keras path"
    )
    export_subtype = Option("export/subtype", "PCM_24", str, "PCM_16, PCM_24 or FLOAT")
    export_format = Option("export/format", "wav", str, "wav or flac")

    def __init__(self, qsettings: QSettings) -> None:
        self.qsettings = qsettings
        self.migrate()

    @classmethod
    def options(cls) -> dict[str, Option[Any]]:
        return {k: v for k, v in vars(cls).items() if isinstance(v, Option)}

    @property
    def version(self) -> int:
        try:
            return int(self.qsettings.value("version", 0))
        except (TypeError, ValueError):
            return 0

    def migrate(self) -> None:
        """Bring an older settings file up to :data:`SETTINGS_VERSION`."""
        version = self.version
        if version > SETTINGS_VERSION:
            return  # written by a newer app: read what we understand, keep the rest
        # Version 0 -> 1: nothing was stored before version 1; future migrations go here,
        # one ``if version < N:`` block each.
        if version < 2 and self.qsettings.value("restore/model") == "default":
            # "default" was the one built-in model; the built-in choice is now automatic
            # (DeepFilterNet3 on speech, the mask model on music).
            self.qsettings.setValue("restore/model", "auto")
        if version < SETTINGS_VERSION:
            self.qsettings.setValue("version", SETTINGS_VERSION)

    def add_recent(self, path: str | Path) -> list[str]:
        """Put ``path`` first in the recent files (no duplicates, at most ``MAX_RECENT``)."""
        text = str(Path(path).resolve())
        files = [text] + [f for f in self.recent_files if f != text]
        self.recent_files = files[:MAX_RECENT]
        return self.recent_files

    def sync(self) -> None:
        self.qsettings.sync()


def default_qsettings() -> QSettings:
    """The user's real settings (INI format, per user)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "SeminarioIA", "app")


def default_data_dir() -> Path:
    """The app's data folder (models, presets, logs, demo) for the current user."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    path = Path(location) if location else Path.home() / ".seminario-ia"
    return path
