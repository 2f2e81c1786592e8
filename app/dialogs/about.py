"""Help ▸ About: version, licences of the built-in model and the demo, data credits.

The model card (``resources/models/default.md``) and the demo's notes
(``resources/demo/demo.md``) are shown as they ship, so the credits in the app and in
the repository can never disagree.
"""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core.resources import resources_root

ICON_NAME = "seminario.png"
MODEL_CARD = ("models", "default.md")
DEMO_NOTES = ("demo", "demo.md")
SPEECH_MODEL_CARD = ("models", "dfn3.md")
DFN3_LICENCE = ("licences", "DeepFilterNet-MIT.txt")


def app_icon() -> QIcon:
    """The application icon (``resources/icons/seminario.png``); empty if it is missing."""
    path = resources_root() / "icons" / ICON_NAME
    return QIcon(str(path)) if path.is_file() else QIcon()


def read_resource_text(*parts: str) -> str | None:
    """A bundled text file, or ``None`` when this installation lacks it."""
    path = resources_root().joinpath(*parts)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


class AboutDialog(QDialog):
    """Tabs: the application (version, licences of what it is built on), the built-in
    model's card with its training-data licences, and the demo recording's source."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app import __version__

        self.setWindowTitle(self.tr("About SeminarioIA"))
        self.tabs = QTabWidget(self)

        header = QHBoxLayout()
        logo = QLabel(self)
        pixmap = app_icon().pixmap(72, 72)
        logo.setPixmap(pixmap)
        logo.setFixedSize(80, 80)
        title = QLabel(
            "<h2>SeminarioIA {version}</h2><p>{tagline}</p>".format(
                version=__version__,
                tagline=self.tr("Restore noisy and old recordings with AI."),
            ),
            self,
        )
        title.setObjectName("aboutTitle")
        title.setTextFormat(Qt.TextFormat.RichText)
        header.addWidget(logo)
        header.addWidget(title, 1)

        self.about_text = self._browser(self._about_html(__version__), rich=True)
        self.tabs.addTab(self.about_text, self.tr("Application"))
        model = read_resource_text(*MODEL_CARD)
        self.model_text = self._browser(
            model or self.tr("The built-in model is not installed."), rich=False
        )
        self.tabs.addTab(self.model_text, self.tr("Built-in model"))
        speech = read_resource_text(*SPEECH_MODEL_CARD)
        licence = read_resource_text(*DFN3_LICENCE) or ""
        self.speech_text = self._browser(
            (speech + "\n\n## MIT licence\n\n" + licence)
            if speech
            else self.tr("DeepFilterNet3 is not installed."),
            rich=False,
        )
        self.tabs.addTab(self.speech_text, self.tr("Speech model (DeepFilterNet3)"))
        demo = read_resource_text(*DEMO_NOTES)
        self.demo_text = self._browser(
            demo or self.tr("The demo recording is not installed."), rich=False
        )
        self.tabs.addTab(self.demo_text, self.tr("Demo recording"))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(680, 560)

    def _browser(self, text: str, *, rich: bool) -> QTextBrowser:
        browser = QTextBrowser(self)
        browser.setOpenExternalLinks(True)
        if rich:
            browser.setHtml(text)
        else:
            browser.setMarkdown(text)
        return browser

    def _about_html(self, version: str) -> str:
        rows = [
            ("SeminarioIA", version, self.tr("MIT licence")),
            ("Qt", qVersion(), self.tr("LGPL v3 (The Qt Company)")),
            ("PySide6", pyside_version, self.tr("LGPL v3 (Qt for Python)")),
            ("pyqtgraph", _version_of("pyqtgraph"), "MIT"),
            ("TensorFlow / Keras", _version_of("tensorflow"), "Apache-2.0"),
            ("NumPy / SciPy", _version_of("numpy"), "BSD-3-Clause"),
            ("LiteRT", _version_of("ai-edge-litert"), "Apache-2.0"),
            ("soundfile / libsndfile", _version_of("soundfile"), "BSD-3-Clause / LGPL v2.1"),
            ("sounddevice / PortAudio", _version_of("sounddevice"), "MIT"),
            ("pyloudnorm", _version_of("pyloudnorm"), "MIT"),
            ("DeepFilterNet3 (Schröter et al.)", "0.5.6", self.tr("MIT or Apache-2.0")),
        ]
        table = "".join(
            f"<tr><td>{name}</td><td>{ver}</td><td>{lic}</td></tr>" for name, ver, lic in rows
        )
        paragraphs = [
            self.tr("Your original files are never modified."),
            self.tr(
                "Qt and PySide6 are used under the GNU Lesser General Public Licence v3: "
                "they are loaded as shared libraries, which you may replace with your own "
                "build. Their source code is available from qt.io."
            ),
            self.tr(
                "The built-in model was trained on public speech, music and noise "
                "collections; their licences and credits are listed in the “Built-in "
                "model” tab. The demo recording is a public-domain LibriVox reading; "
                "see the “Demo recording” tab."
            ),
            self.tr(
                "Speech is restored with DeepFilterNet3 by Hendrik Schröter and others "
                "(MIT or Apache-2.0): its published weights in SeminarioIA's own "
                "implementation; see the “Speech model” tab."
            ),
        ]
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        heading = self.tr("Built with")
        system = f"Python {platform.python_version()}, {platform.system()} {platform.machine()}"
        names = (self.tr("Component"), self.tr("Version"), self.tr("Licence"))
        header = "<tr>" + "".join(f"<th align='left'>{n}</th>" for n in names) + "</tr>"
        return (
            f"{body}<h3>{heading}</h3>"
            f"<table cellspacing='0' cellpadding='3'>{header}{table}</table>"
            f"<p><small>{system}</small></p>"
        )


def _version_of(distribution: str) -> str:
    """Installed version of a package (without importing it), or ``—``."""
    from importlib.metadata import PackageNotFoundError, version

    names = {"tensorflow": ("tensorflow-cpu", "tensorflow")}.get(distribution, (distribution,))
    for name in names:
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    return "—"
