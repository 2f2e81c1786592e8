"""Error details in the user's language: the detail under an error's sentence comes
from the app's translated mapping of core's texts, with the paths and names the error
holds; the English text stays available as the technical details."""

from __future__ import annotations

import errno
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from app.errors import _DETAILS, describe, show_error
from app.i18n import Translators
from core.audio.formats import output_format
from core.audio.io import info, load
from core.data.pairs import match_pairs
from core.errors import OutputExistsError
from core.model.bundle import load_meta
from core.output import check_folder, check_outputs, write_error


def real_errors(tmp: Path) -> list[BaseException]:
    """Errors core raises for real, one for each form the mapping knows (where a test
    can provoke it without damaging anything)."""
    raised: list[BaseException] = []

    def catch(fn: Any, *args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - collected to be described
            raised.append(exc)
        else:
            raise AssertionError(f"{fn.__name__} did not fail")

    (tmp / "folder").mkdir()
    (tmp / "junk.wav").write_bytes(b"not audio at all" * 64)
    (tmp / "taken.wav").write_bytes(b"x")
    (tmp / "empty.wav").write_bytes(
        b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80>\x00\x00"
        b"\x00}\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"
    )
    catch(info, tmp / "missing.wav")
    catch(info, tmp / "folder")
    catch(info, tmp / "junk.wav")
    catch(load, tmp / "empty.wav")
    catch(output_format, tmp / "out.xyz")
    catch(check_outputs, [tmp / "junk.wav"], inputs=[tmp / "junk.wav"])
    catch(check_outputs, [tmp / "taken.wav"])
    catch(check_folder, tmp / "no such folder")
    catch(load_meta, tmp / "nothing.keras")
    catch(match_pairs, tmp / "no noisy", tmp / "folder")
    for code in (errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EIO):
        raised.append(write_error(OSError(code, "an OS message"), tmp / "folder" / "out.wav"))
    raised.append(write_error(OSError(errno.ENOENT, "gone"), tmp / "gone" / "out.wav"))
    return raised


def test_details_follow_the_language_with_the_errors_own_paths(
    spanish: Translators, tmp_path: Path
) -> None:
    errors = real_errors(tmp_path)
    for exc in errors:
        explanation = describe(exc)
        # Every one of these has a translated form: never core's English as the detail.
        assert explanation.technical == str(exc), (type(exc).__name__, str(exc))
        assert explanation.detail != str(exc)
    details = {type(e).__name__ + ": " + describe(e).detail for e in errors}
    missing = tmp_path / "missing.wav"
    assert f"AudioFormatError: no se encuentra el archivo: {missing}" in details
    assert f"OutputExistsError: {tmp_path / 'taken.wav'} ya existe" in details
    assert "AudioFormatError: empty.wav no contiene audio" in details
    assert (
        f"FolderNotWritableError: no hay permiso para escribir en {tmp_path / 'folder'}" in details
    )
    assert f"PairingError: la carpeta con ruido no existe: {tmp_path / 'no noisy'}" in details
    # Most forms of the mapping are met by these real errors (the rest need a damaged
    # file, a full disk, a race with another program or a missing install).
    used = {
        pattern
        for exc in errors
        for cls, pattern, _t in _DETAILS
        if isinstance(exc, cls) and re.fullmatch(pattern, str(exc), flags=re.DOTALL)
    }
    assert len(used) >= 15, sorted(set(p for _c, p, _t in _DETAILS) - used)


def test_in_english_the_detail_is_plain_and_unknown_texts_are_kept(tmp_path: Path) -> None:
    taken = tmp_path / "taken.wav"
    exc = OutputExistsError(f"{taken} already exists; pass --overwrite to replace it")
    explanation = describe(exc)
    assert explanation.detail == f"{taken} already exists"  # no command-line advice
    assert explanation.technical == str(exc)
    unknown = describe(OutputExistsError("a wording the mapping does not know"))
    assert unknown.detail == "a wording the mapping does not know" and unknown.technical == ""


def test_the_dialog_shows_the_translated_detail_and_keeps_the_english(
    spanish: Translators, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    try:
        info(tmp_path / "lost.wav")
    except Exception as exc:  # noqa: BLE001
        box = show_error(None, exc, context="No se pudo abrir «lost.wav».")
    assert box.informativeText() == f"no se encuentra el archivo: {tmp_path / 'lost.wav'}"
    assert box.detailedText() == (
        f"Detalles técnicos: AudioFormatError: file not found: {tmp_path / 'lost.wav'}"
    )
