"""Interface language: Qt translators for the app's strings and Qt's own.

English is the source language; ``resources/translations/seminario_<lang>.qm`` holds
each translation (compiled from the ``.ts`` beside it by ``scripts/translations.sh``).
The language follows the system locale unless the ``language`` setting names one.
Widgets translate their strings when they are built, so a change of language takes
effect at the next start.

Strings outside a ``QObject`` go through :func:`translate` (``QCoreApplication.translate``
with a context). Tables of strings defined at import time are marked with
``QT_TRANSLATE_NOOP`` so ``lupdate`` finds them, and translated where they are shown.

Adding a string: write it in English inside ``self.tr(...)`` (placeholders as
``{name}`` and ``.format`` after the call, never an f-string), run
``scripts/translations.sh``, fill in its ``<translation>`` in each ``.ts`` and run the
script again. ``tests/app/test_i18n.py`` fails while a string is untranslated or the
``.qm`` is stale.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, Qt, QTranslator

from core.resources import resources_root

CATALOG = "seminario"
SOURCE_LANGUAGE = "en"
# (code, the language's name in itself): names are never translated, so anyone can find theirs.
LANGUAGES: tuple[tuple[str, str], ...] = (("en", "English"), ("es", "Español"))


def translate(context: str, text: str) -> str:
    """``QCoreApplication.translate``: ``text`` in the interface language."""
    return QCoreApplication.translate(context, text)


def translations_dir() -> str:
    return str(resources_root() / "translations")


def available_languages() -> list[str]:
    """Language codes with a compiled catalogue, plus the source language."""
    folder = resources_root() / "translations"
    found = {p.stem.removeprefix(CATALOG + "_") for p in folder.glob(f"{CATALOG}_*.qm")}
    return [code for code, _name in LANGUAGES if code == SOURCE_LANGUAGE or code in found]


def resolve_language(setting: str, locale: QLocale | None = None) -> str:
    """The language to use: the setting, or for ``"system"`` the locale's if we have it."""
    available = available_languages()
    if setting and setting != "system":
        code = setting.split("_")[0].lower()
        return code if code in available else SOURCE_LANGUAGE
    for name in (locale or QLocale.system()).uiLanguages():
        code = name.replace("-", "_").split("_")[0].lower()
        if code in available:
            return code
    return SOURCE_LANGUAGE


class Translators:
    """The translators installed for one language; :meth:`remove` takes them out again."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.installed: list[QTranslator] = []
        self.previous_locale = QLocale()

    def remove(self) -> None:
        for translator in self.installed:
            QCoreApplication.removeTranslator(translator)
        self.installed.clear()
        QLocale.setDefault(self.previous_locale)


def install_translators(setting: str, locale: QLocale | None = None) -> Translators:
    """Install the translators for ``setting`` (a code or ``"system"``) on the application.

    Also sets the default ``QLocale`` so numbers and Qt's standard dialogs match.
    """
    language = resolve_language(setting, locale)
    result = Translators(language)
    # A native file dialog speaks the desktop's language: where the app's differs, use
    # Qt's own dialogs, which the catalogues below translate.
    desktop = (locale or QLocale.system()).name().split("_")[0].lower()
    QCoreApplication.setAttribute(
        Qt.ApplicationAttribute.AA_DontUseNativeDialogs, language != desktop
    )
    if language == SOURCE_LANGUAGE:
        return result
    app = QCoreApplication.instance()
    QLocale.setDefault(QLocale(language))
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    catalogues = ((f"{CATALOG}_{language}", translations_dir()), (f"qtbase_{language}", qt_dir))
    for name, folder in catalogues:
        translator = QTranslator(app)
        if translator.load(name, folder) and QCoreApplication.installTranslator(translator):
            result.installed.append(translator)
    return result
