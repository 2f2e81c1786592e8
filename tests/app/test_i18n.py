"""Interface language (Spanish and English), About dialog, icon and first-run hint."""

from __future__ import annotations

import shutil
import string
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale

from app.i18n import Translators, available_languages, resolve_language
from app.settings import Settings
from core.resources import resources_root

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = resources_root() / "translations"
TS_FILES = sorted(TRANSLATIONS.glob("seminario_*.ts"))
BIN = ROOT / ".venv" / "bin"


@pytest.fixture
def spanish_window(qtbot: Any, settings: Settings, spanish: Translators, tmp_path: Path) -> Any:
    from app.main_window import MainWindow
    from tests.app.conftest import FakePlayer

    win = MainWindow(settings, data_dir=tmp_path / "data", player_factory=FakePlayer)
    qtbot.addWidget(win)
    win.show()
    return win


def test_main_window_starts_in_spanish(spanish: Translators, spanish_window: Any) -> None:
    assert spanish.language == "es" and len(spanish.installed) >= 1
    win = spanish_window
    menus = [action.text() for action in win.menuBar().actions()]
    assert menus[:3] == ["&Archivo", "&Editar", "&Ver"] and "Ay&uda" in menus
    assert win.restore_panel.apply_button.text() == "Aplicar"
    assert win.restore_dock.windowTitle() == "Restaurar"
    assert win.demo_action.text() == "Abrir la grabación de &demostración"
    sources = [win.transport.source_box.itemText(i) for i in range(3)]
    assert sources == ["Original", "Restaurada", "Ruido eliminado"]
    # Strings that come from core (step names) are shown translated too.
    titles = [editor.title() for editor in win.restore_panel.steps]
    assert "Reducción de ruido con IA" in titles, titles
    assert "Abra una grabación" in win.analysis_panel.status.text()


def test_error_sentences_follow_the_language(spanish: Translators) -> None:
    from app.errors import describe
    from core.errors import AudioFormatError

    explanation = describe(AudioFormatError("bad header"))
    assert explanation.title == "No se puede leer ni escribir el archivo de audio"
    assert explanation.detail == "bad header"  # technical detail is left as it is
    spanish.remove()
    assert describe(AudioFormatError("x")).title == "Cannot read or write the audio file"


def test_english_without_a_translation(window: Any) -> None:
    assert window.menuBar().actions()[0].text() == "&File"
    assert window.restore_panel.apply_button.text() == "Apply"


def test_language_follows_the_system_unless_set() -> None:
    assert {"en", "es"} <= set(available_languages())
    assert resolve_language("system", QLocale("es_MX")) == "es"
    assert resolve_language("system", QLocale("de_DE")) == "en"  # no German: the source
    assert resolve_language("en", QLocale("es_ES")) == "en"
    assert resolve_language("es", QLocale("en_GB")) == "es"
    assert resolve_language("xx", QLocale("es_ES")) == "en"


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.name)
def test_every_ts_entry_is_translated(ts: Path) -> None:
    formatter = string.Formatter()

    def fields(text: str) -> list[str]:
        return sorted(f for _lit, f, _spec, _conv in formatter.parse(text) if f is not None)

    messages = list(ET.parse(ts).getroot().iter("message"))
    assert len(messages) > 300
    for message in messages:
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None, source
        assert translation.get("type") not in ("unfinished", "obsolete", "vanished"), source
        assert translation.text, source
        assert fields(translation.text) == fields(source), source  # same {placeholders}
        assert translation.text.count("&") == source.count("&"), source  # one accelerator
    assert ts.with_suffix(".qm").is_file(), "compile it: scripts/translations.sh"


@pytest.mark.skipif(not (BIN / "pyside6-lupdate").exists(), reason="no pyside6-lupdate")
def test_ts_covers_every_string_in_app(tmp_path: Path) -> None:
    """lupdate over app/ finds nothing new: no string was added without a translation."""
    ts = tmp_path / "seminario_es.ts"
    shutil.copy(TRANSLATIONS / "seminario_es.ts", ts)
    sources = sorted(str(p) for p in (ROOT / "app").rglob("*.py"))
    result = subprocess.run(
        [str(BIN / "pyside6-lupdate"), *sources, "-no-obsolete", "-ts", str(ts)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "(0 new and" in result.stdout + result.stderr, result.stdout
    assert 'type="unfinished"' not in ts.read_text(encoding="utf-8")


@pytest.mark.skipif(not (BIN / "pyside6-lrelease").exists(), reason="no pyside6-lrelease")
def test_committed_qm_matches_the_ts(tmp_path: Path) -> None:
    for ts in TS_FILES:
        qm = tmp_path / ts.with_suffix(".qm").name
        subprocess.run(
            [str(BIN / "pyside6-lrelease"), str(ts), "-qm", str(qm)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        assert qm.read_bytes() == ts.with_suffix(".qm").read_bytes(), (
            f"{ts.name} changed: run scripts/translations.sh"
        )


def test_core_strings_shown_by_the_app_are_marked() -> None:
    from app.core_text import STRINGS
    from core.chain import list_presets, load_preset
    from core.steps import STEP_TYPES

    shown = {t.label for t in STEP_TYPES.values()}
    shown |= {p.label for t in STEP_TYPES.values() for p in t.params}
    shown |= {p.at_minimum for t in STEP_TYPES.values() for p in t.params} - {""}
    shown |= {load_preset(name).description for name in list_presets()} - {""}
    assert shown <= set(STRINGS), sorted(shown - set(STRINGS))


def test_preferences_language_takes_effect_at_restart(window: Any, qtbot: Any) -> None:
    from app.dialogs.preferences import PreferencesDialog

    dialog = PreferencesDialog(
        window, devices=[], device="", matched_loudness=True, language="system"
    )
    qtbot.addWidget(dialog)
    codes = [dialog.language_box.itemData(i) for i in range(dialog.language_box.count())]
    assert codes[0] == "system" and {"en", "es"} <= set(codes)
    assert dialog.language_box.itemText(codes.index("es")) == "Español"
    assert dialog.language_note.isHidden()
    dialog.language_box.setCurrentIndex(codes.index("es"))
    assert not dialog.language_note.isHidden()
    window.apply_preferences("", True, "es")
    assert window.settings.language == "es"
    assert "next time" in window.statusBar().currentMessage()


def test_about_dialog_shows_version_and_licences(window: Any, qtbot: Any) -> None:
    from app import __version__
    from app.dialogs.about import AboutDialog

    window.about()  # exec() is a no-op in tests: it must not block or fail
    dialog = AboutDialog(window)
    qtbot.addWidget(dialog)
    assert __version__ in _title(dialog)
    about = dialog.about_text.toPlainText()
    assert "LGPL" in about and "PySide6" in about and "TensorFlow" in about
    assert "Data licences" in dialog.model_text.toPlainText()  # the model card's credits
    assert "LibriVox" in dialog.demo_text.toPlainText()


def _title(dialog: Any) -> str:
    from PySide6.QtWidgets import QLabel

    label = dialog.findChild(QLabel, "aboutTitle")
    return label.text() if label is not None else ""


def test_window_icon_is_set(window: Any) -> None:
    assert (resources_root() / "icons" / "seminario.svg").is_file()
    assert not window.windowIcon().isNull()


def test_first_run_hint_is_shown_once(
    window: Any, settings: Settings, qtbot: Any, tmp_path: Path
) -> None:
    from app.main_window import MainWindow
    from tests.app.conftest import FakePlayer

    assert window.hint_bar.isVisible()
    assert "B" in window.hint_label.text() and "demo" in window.hint_label.text()
    window.dismiss_hint()
    assert not window.hint_bar.isVisible()
    assert settings.first_run_hint is False
    again = MainWindow(settings, data_dir=tmp_path / "data", player_factory=FakePlayer)
    qtbot.addWidget(again)
    again.show()
    assert not again.hint_bar.isVisible()
