"""Turning errors into sentences a user can act on, and the last-resort crash handler.

``core`` raises a small hierarchy of typed errors; :func:`describe` maps each to a
title and a human sentence, and the error's own text (English: ``core`` knows no
languages) to a detail in the interface's language where :data:`_DETAILS` knows its
form, with the parts it names (paths, file names) taken from it; the English text stays
in the dialog's technical details. It is the app's only such mapping
(:func:`show_error` and :func:`describe_inline` use it).
:func:`install_excepthook` catches anything unexpected, on any thread, writes it to a
rotating log file in the app's data folder and shows one dialog naming that file.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from core.errors import (
    AudioFormatError,
    AudioTooLongError,
    Cancelled,
    ChainFileError,
    ConfigError,
    DamagedAudioError,
    DiskFullError,
    FolderNotWritableError,
    InputAsOutputError,
    InvalidAudioError,
    ModelFormatError,
    OutputConflictError,
    OutputExistsError,
    PairingError,
    SeminarioError,
    TensorFlowMissingError,
    UnsafeOutputError,
    WriteError,
)

LOG_NAME = "seminario-gui.log"
log = logging.getLogger("seminario.app")


@dataclass(frozen=True)
class Explanation:
    """``detail`` in the interface's language where known; ``technical``: the error's
    own text (English), empty when ``detail`` is that text already."""

    title: str
    message: str
    detail: str
    technical: str = ""


CONTEXT = "errors"


def _(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


# Most specific first: the first matching class wins. Translated when shown.
_SENTENCES: tuple[tuple[type[BaseException], str, str], ...] = (
    (
        Cancelled,
        QT_TRANSLATE_NOOP("errors", "Cancelled"),
        QT_TRANSLATE_NOOP("errors", "The operation was cancelled; nothing was changed."),
    ),
    (
        DamagedAudioError,
        QT_TRANSLATE_NOOP("errors", "The file is damaged or not audio"),
        QT_TRANSLATE_NOOP(
            "errors",
            "Its contents do not match what its name or header says. Open another copy of "
            "the recording, or convert it to WAV or FLAC with another program first.",
        ),
    ),
    (
        AudioTooLongError,
        QT_TRANSLATE_NOOP("errors", "The recording is too long"),
        QT_TRANSLATE_NOOP(
            "errors",
            "It does not fit in this computer's memory. Restore it with the seminario "
            "command, which works through a file piece by piece.",
        ),
    ),
    (
        AudioFormatError,
        QT_TRANSLATE_NOOP("errors", "Cannot read or write the audio file"),
        QT_TRANSLATE_NOOP(
            "errors",
            "The file is missing, damaged or in a format SeminarioIA cannot handle. "
            "Try a WAV, FLAC, OGG, MP3 or AIFF file.",
        ),
    ),
    (
        InvalidAudioError,
        QT_TRANSLATE_NOOP("errors", "Unusable audio"),
        QT_TRANSLATE_NOOP(
            "errors", "The recording holds no usable sound (it is empty, or has invalid samples)."
        ),
    ),
    (
        OutputExistsError,
        QT_TRANSLATE_NOOP("errors", "The file already exists"),
        QT_TRANSLATE_NOOP(
            "errors",
            "SeminarioIA does not replace a file unless you say so. Choose another name, "
            "or an empty folder.",
        ),
    ),
    (
        OutputConflictError,
        QT_TRANSLATE_NOOP("errors", "Another file took that name"),
        QT_TRANSLATE_NOOP(
            "errors",
            "A file with the same name appeared while SeminarioIA was writing; it was kept "
            "as it was. Save again under another name.",
        ),
    ),
    (
        UnsafeOutputError,
        QT_TRANSLATE_NOOP("errors", "Not written, to protect your files"),
        QT_TRANSLATE_NOOP(
            "errors",
            "SeminarioIA never overwrites the recording it is reading. Choose another file name.",
        ),
    ),
    (
        PairingError,
        QT_TRANSLATE_NOOP("errors", "The training folders do not match"),
        QT_TRANSLATE_NOOP(
            "errors",
            "The training folders cannot be used: noisy and clean folders must hold the same "
            "recordings under the same names.",
        ),
    ),
    (
        ModelFormatError,
        QT_TRANSLATE_NOOP("errors", "The model cannot be used"),
        QT_TRANSLATE_NOOP(
            "errors",
            "The restoration model is missing, damaged or from an incompatible version. "
            "Choose another model in the Restore panel, or train one.",
        ),
    ),
    (
        FolderNotWritableError,
        QT_TRANSLATE_NOOP("errors", "The folder cannot be written"),
        QT_TRANSLATE_NOOP(
            "errors",
            "The folder is read-only or you may not write there. Choose another folder.",
        ),
    ),
    (
        DiskFullError,
        QT_TRANSLATE_NOOP("errors", "The disk is full"),
        QT_TRANSLATE_NOOP(
            "errors",
            "There was not enough space; the unfinished file was removed. Free some space "
            "or choose another disk.",
        ),
    ),
    (
        WriteError,
        QT_TRANSLATE_NOOP("errors", "The file could not be written"),
        QT_TRANSLATE_NOOP(
            "errors",
            "Nothing was left behind. Check that the folder exists and try again.",
        ),
    ),
    (
        ChainFileError,
        QT_TRANSLATE_NOOP("errors", "The chain file is not valid"),
        QT_TRANSLATE_NOOP(
            "errors",
            "It is too large, too deeply nested or has too many steps to be a chain. "
            "Check that it is the right file.",
        ),
    ),
    (
        TensorFlowMissingError,
        QT_TRANSLATE_NOOP("errors", "Training is not part of this installation"),
        QT_TRANSLATE_NOOP(
            "errors",
            "This copy of SeminarioIA restores recordings without TensorFlow, which "
            "training, fine-tuning and converting older models need. Use the full "
            "installation for them.",
        ),
    ),
    (
        ConfigError,
        QT_TRANSLATE_NOOP("errors", "Invalid settings"),
        QT_TRANSLATE_NOOP("errors", "A restoration setting or preset is not valid."),
    ),
    (
        SeminarioError,
        QT_TRANSLATE_NOOP("errors", "Something went wrong"),
        QT_TRANSLATE_NOOP("errors", "The operation could not be completed."),
    ),
    (
        MemoryError,
        QT_TRANSLATE_NOOP("errors", "Not enough memory"),
        QT_TRANSLATE_NOOP(
            "errors",
            "The recording is too large to process in memory. Close other files and try again.",
        ),
    ),
    (
        PermissionError,
        QT_TRANSLATE_NOOP("errors", "Permission denied"),
        QT_TRANSLATE_NOOP("errors", "SeminarioIA is not allowed to read or write this location."),
    ),
    (
        FileNotFoundError,
        QT_TRANSLATE_NOOP("errors", "File not found"),
        QT_TRANSLATE_NOOP("errors", "The file or folder does not exist any more."),
    ),
    (
        OSError,
        QT_TRANSLATE_NOOP("errors", "File system error"),
        QT_TRANSLATE_NOOP("errors", "The file could not be read or written."),
    ),
)


# The forms of ``core``'s error texts the interface translates: the error class, the
# English text as ``core`` writes it (a regular expression naming its parts), and the
# translatable template those parts are put back into. What is not listed is shown as
# ``core`` wrote it. tests/app/test_errors_language.py raises most of them for real.
_DETAILS: tuple[tuple[type[BaseException], str, str], ...] = (
    (
        AudioFormatError,
        r"file not found: (?P<path>.+)",
        QT_TRANSLATE_NOOP("errors", "file not found: {path}"),
    ),
    (
        AudioFormatError,
        r"expected an audio file, got a folder: (?P<path>.+)",
        QT_TRANSLATE_NOOP("errors", "{path} is a folder, not an audio file"),
    ),
    (
        AudioFormatError,
        r"(?P<path>.+) is not a regular file \(a pipe or device\?\)",
        QT_TRANSLATE_NOOP("errors", "{path} is not a regular file (a pipe or device?)"),
    ),
    (
        AudioFormatError,
        r"no permission to read (?P<path>.+)",
        QT_TRANSLATE_NOOP("errors", "no permission to read {path}"),
    ),
    (
        DamagedAudioError,
        r"(?P<name>.+) is not audio SeminarioIA can read, or it is damaged \(it reads "
        r"(?P<formats>.+)\)",
        QT_TRANSLATE_NOOP(
            "errors",
            "{name} is not audio SeminarioIA can read, or it is damaged (it reads {formats})",
        ),
    ),
    (
        DamagedAudioError,
        r"(?P<name>.+) is damaged: its header is impossible",
        QT_TRANSLATE_NOOP("errors", "{name} is damaged: its header is impossible"),
    ),
    (
        DamagedAudioError,
        r"(?P<name>.+) is damaged: its header claims (?P<duration>.+) of audio in "
        r"(?P<size>\d+) bytes",
        QT_TRANSLATE_NOOP(
            "errors", "{name} is damaged: its header claims {duration} of audio in {size} bytes"
        ),
    ),
    (
        DamagedAudioError,
        r"(?P<name>.+) is damaged: decoding stopped \((?P<reason>.*)\)",
        QT_TRANSLATE_NOOP("errors", "{name} is damaged: decoding stopped ({reason})"),
    ),
    (
        AudioFormatError,
        r"(?P<name>.+) contains no audio",
        QT_TRANSLATE_NOOP("errors", "{name} contains no audio"),
    ),
    (
        AudioTooLongError,
        r"(?P<name>.+) is too long to open at once \((?P<hours>[\d.]+) hours need "
        r"(?P<need>[\d.]+) GiB, this computer has (?P<have>[\d.]+) GiB\);.*",
        QT_TRANSLATE_NOOP(
            "errors",
            "{name} is too long to open at once ({hours} hours need {need} GiB, this "
            "computer has {have} GiB)",
        ),
    ),
    (
        AudioFormatError,
        r"cannot write (?P<name>.+): use one of (?P<names>.+)",
        QT_TRANSLATE_NOOP("errors", "cannot write {name}: use one of {names}"),
    ),
    (
        InputAsOutputError,
        r"refusing to write over the input file (?P<path>.+); choose another name",
        QT_TRANSLATE_NOOP("errors", "refusing to write over the input file {path}"),
    ),
    (
        OutputExistsError,
        r"(?P<path>.+) already exists; pass --overwrite to replace it",
        QT_TRANSLATE_NOOP("errors", "{path} already exists"),
    ),
    (
        OutputConflictError,
        r"(?P<path>.+) appeared while SeminarioIA was writing it .*",
        QT_TRANSLATE_NOOP(
            "errors",
            "{path} appeared while SeminarioIA was writing it; it was kept as it is and "
            "this result was not saved",
        ),
    ),
    (
        WriteError,
        r"the output folder (?P<folder>.+) does not exist; create it first",
        QT_TRANSLATE_NOOP("errors", "the folder {folder} does not exist"),
    ),
    (
        WriteError,
        r"the output folder (?P<folder>.+) does not exist \(any more\)",
        QT_TRANSLATE_NOOP("errors", "the folder {folder} does not exist (any more)"),
    ),
    (
        DiskFullError,
        r"not enough space to write (?P<name>.+) in (?P<folder>.+); nothing was written there.*",
        QT_TRANSLATE_NOOP(
            "errors", "not enough space to write {name} in {folder}; nothing was written there"
        ),
    ),
    (
        DiskFullError,
        r"(?P<name>.+) grew larger than one file may be in (?P<folder>.+); nothing was "
        r"written there.*",
        QT_TRANSLATE_NOOP(
            "errors",
            "{name} grew larger than one file may be in {folder} (FAT32 stops at 4 GiB); "
            "nothing was written there",
        ),
    ),
    (
        FolderNotWritableError,
        r"(?P<folder>.+) is on a read-only disk; .*",
        QT_TRANSLATE_NOOP("errors", "{folder} is on a read-only disk"),
    ),
    (
        FolderNotWritableError,
        r"no permission to write in (?P<folder>.+); choose a folder you can write to",
        QT_TRANSLATE_NOOP("errors", "no permission to write in {folder}"),
    ),
    (
        WriteError,
        r"cannot write (?P<name>.+) in (?P<folder>.+): (?P<reason>.+)",
        QT_TRANSLATE_NOOP("errors", "cannot write {name} in {folder}: {reason}"),
    ),
    (
        ModelFormatError,
        r"model (?:file )?not found: (?P<path>.+)",
        QT_TRANSLATE_NOOP("errors", "model file not found: {path}"),
    ),
    (
        ModelFormatError,
        r"the built-in model is not installed \((?P<path>.+)\); .*",
        QT_TRANSLATE_NOOP("errors", "the built-in model is not installed ({path})"),
    ),
    (
        PairingError,
        r"the (?P<role>noisy|clean) folder does not exist: (?P<folder>.+)",
        QT_TRANSLATE_NOOP("errors", "the {role} folder does not exist: {folder}"),
    ),
)


def translated_detail(exc: BaseException) -> str | None:
    """``exc``'s text in the interface's language, with the paths and names it holds,
    or ``None`` when :data:`_DETAILS` does not know its form."""
    text = str(exc)
    for cls, pattern, template in _DETAILS:
        if not isinstance(exc, cls):
            continue
        found = re.fullmatch(pattern, text, flags=re.DOTALL)
        if found is not None:
            parts = dict(found.groupdict())
            if "role" in parts:  # a word of the sentence, not a name
                parts["role"] = _(parts["role"])
            return _(template).format(**parts)
    return None


def describe(exc: BaseException) -> Explanation:
    """A title, a human sentence and the detail for ``exc`` (translated where
    :data:`_DETAILS` knows it; the English text then in ``technical``)."""
    english = str(exc) or type(exc).__name__
    translated = translated_detail(exc)
    detail = translated if translated is not None else english
    technical = english if detail != english else ""
    for cls, title, sentence in _SENTENCES:
        if isinstance(exc, cls):
            return Explanation(_(title), _(sentence), detail, technical)
    return Explanation(
        QCoreApplication.translate("errors", "Unexpected error"),
        QCoreApplication.translate(
            "errors", "Something unexpected went wrong. The details below may help to report it."
        ),
        f"{type(exc).__name__}: {detail}",
    )


def describe_inline(exc: BaseException) -> str:
    """:func:`describe` as one paragraph, for a dialog that shows errors in place (the
    training dialog): the sentence, then the technical detail."""
    explanation = describe(exc)
    return f"{explanation.message}\n{explanation.detail}"


def show_error(parent: QWidget | None, exc: BaseException, *, context: str = "") -> QMessageBox:
    """Show ``exc`` as a readable warning dialog; returns the box (after it closes)."""
    explanation = describe(exc)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(explanation.title)
    box.setText(f"{context}\n\n{explanation.message}" if context else explanation.message)
    box.setInformativeText(explanation.detail)
    if explanation.technical:  # the English text, as a report or a search needs it
        box.setDetailedText(
            QCoreApplication.translate("errors", "Technical details: {text}").format(
                text=f"{type(exc).__name__}: {explanation.technical}"
            )
        )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    log.warning("%s: %s", explanation.title, explanation.technical or explanation.detail)
    box.exec()
    return box


# Words the detail templates take from core's texts.
_WORDS = (QT_TRANSLATE_NOOP("errors", "noisy"), QT_TRANSLATE_NOOP("errors", "clean"))


# --- last resort ------------------------------------------------------------------------------


class _CrashRelay(QObject):
    """Carries a crash report from any thread to the GUI thread."""

    crashed = Signal(str)


class CrashHandler:
    """``sys.excepthook`` and ``threading.excepthook`` that log and show one dialog."""

    def __init__(self, log_dir: Path) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / LOG_NAME
        self.logger = logging.getLogger("seminario.crash")
        self.logger.setLevel(logging.INFO)
        self._handler = logging.handlers.RotatingFileHandler(
            self.log_path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
        self._handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        self.logger.addHandler(self._handler)
        self.shown = 0
        self._relay = _CrashRelay()
        self._relay.crashed.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._previous = (sys.excepthook, threading.excepthook)

    def install(self) -> CrashHandler:
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook
        return self

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous
        self.logger.removeHandler(self._handler)
        self._handler.close()

    def excepthook(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous[0](exc_type, exc, tb)
            return
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        self.logger.error("Unhandled exception\n%s", text)
        self._handler.flush()
        sys.stderr.write(text)
        summary = describe(exc).message
        if threading.current_thread() is threading.main_thread():
            self._show(summary)
        else:
            self._relay.crashed.emit(summary)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def _show(self, summary: str) -> None:
        # One dialog per session: after a crash, more errors usually follow from it.
        if self.shown or QApplication.instance() is None:
            self.shown += 1
            return
        self.shown += 1
        box = QMessageBox(QApplication.activeWindow())
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(
            QCoreApplication.translate("errors", "SeminarioIA hit an unexpected problem")
        )
        box.setText(
            summary
            + "\n\n"
            + QCoreApplication.translate(
                "errors",
                "Your original recordings are never modified. Saving your work "
                "and restarting SeminarioIA is recommended.",
            )
        )
        box.setInformativeText(
            QCoreApplication.translate("errors", "The details were written to:\n{path}").format(
                path=self.log_path
            )
        )
        box.exec()


def install_excepthook(log_dir: Path) -> CrashHandler:
    """Install the last-resort handler, logging under ``log_dir``."""
    return CrashHandler(log_dir).install()
