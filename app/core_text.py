"""User-visible strings that come from ``core`` (step and parameter names, preset
descriptions), marked here for ``lupdate`` so the interface can show them translated.

``core`` stays free of Qt and English; :func:`core_text` translates one of its strings at
display time and returns it unchanged when the catalogue does not know it (a new step,
a user preset). ``tests/app/test_i18n.py`` checks this list covers what ``core`` has.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "core"

STRINGS = (
    # progress of a restore: the assistant listening, then the steps' names
    QT_TRANSLATE_NOOP("core", "estimating noise"),
    QT_TRANSLATE_NOOP("core", "measuring the band"),
    QT_TRANSLATE_NOOP("core", "looking for hum"),
    QT_TRANSLATE_NOOP("core", "looking for clicks"),
    QT_TRANSLATE_NOOP("core", "listening for unsteady noise"),
    QT_TRANSLATE_NOOP("core", "listening for speech"),
    QT_TRANSLATE_NOOP("core", "done"),
    QT_TRANSLATE_NOOP("core", "Remove DC offset"),
    QT_TRANSLATE_NOOP("core", "High-pass (rumble filter)"),
    QT_TRANSLATE_NOOP("core", "Cut-off"),
    QT_TRANSLATE_NOOP("core", "Low-pass (hiss above the band)"),
    QT_TRANSLATE_NOOP("core", "De-clip"),
    QT_TRANSLATE_NOOP("core", "Headroom"),
    QT_TRANSLATE_NOOP("core", "De-click / de-crackle"),
    QT_TRANSLATE_NOOP("core", "Kind"),
    QT_TRANSLATE_NOOP("core", "Threshold (lower finds more)"),
    QT_TRANSLATE_NOOP("core", "De-hum"),
    QT_TRANSLATE_NOOP("core", "Mains frequency"),
    QT_TRANSLATE_NOOP("core", "Harmonics"),
    QT_TRANSLATE_NOOP("core", "Spectral noise gate"),
    QT_TRANSLATE_NOOP("core", "Reduction"),
    QT_TRANSLATE_NOOP("core", "Threshold above noise"),
    QT_TRANSLATE_NOOP("core", "Steady noise (hiss) reduction"),
    QT_TRANSLATE_NOOP("core", "Noise reduction from a noise profile (full band)"),
    QT_TRANSLATE_NOOP("core", "Noise profile"),
    QT_TRANSLATE_NOOP("core", "AI noise reduction"),
    QT_TRANSLATE_NOOP("core", "Model"),
    QT_TRANSLATE_NOOP("core", "Maximum reduction"),
    QT_TRANSLATE_NOOP("core", "no limit"),
    QT_TRANSLATE_NOOP("core", "Above the model's band"),
    QT_TRANSLATE_NOOP("core", "Channels"),
    QT_TRANSLATE_NOOP("core", "Steady noise first"),
    QT_TRANSLATE_NOOP("core", "Speech-in-noise model"),
    QT_TRANSLATE_NOOP("core", "Normalise level"),
    QT_TRANSLATE_NOOP("core", "Measure"),
    QT_TRANSLATE_NOOP("core", "Target"),
    QT_TRANSLATE_NOOP("core", "True-peak limiter"),
    QT_TRANSLATE_NOOP("core", "Ceiling"),
    QT_TRANSLATE_NOOP("core", "Release"),
    # Choice values of the parameters (ParamSpec.choices); numbers are left as they are.
    QT_TRANSLATE_NOOP("core", "clicks"),
    QT_TRANSLATE_NOOP("core", "crackle"),
    QT_TRANSLATE_NOOP("core", "auto"),
    QT_TRANSLATE_NOOP("core", "follow"),
    QT_TRANSLATE_NOOP("core", "keep"),
    QT_TRANSLATE_NOOP("core", "linked"),
    QT_TRANSLATE_NOOP("core", "independent"),
    QT_TRANSLATE_NOOP("core", "off"),
    QT_TRANSLATE_NOOP("core", "built-in"),
    QT_TRANSLATE_NOOP("core", "peak"),
    QT_TRANSLATE_NOOP("core", "rms"),
    QT_TRANSLATE_NOOP("core", "lufs"),
    QT_TRANSLATE_NOOP(
        "core",
        "The repair assistant measures each recording and repairs what it finds: clipping, clicks, hum, noise (DeepFilterNet3 on speech; on music, the steady noise of a profile learned from the whole recording, full band).",  # noqa: E501
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "Find clicks and pops and rebuild the damaged samples from their surroundings.",
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "Rebuild clipped peaks, then keep the true peak under -0.5 dBTP.",
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "One-click restoration: remove DC and rumble, then AI noise reduction (DeepFilterNet3 on speech, SeminarioIA's own model on music).",  # noqa: E501
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "Remove mains hum (50 or 60 Hz, detected) and its harmonics, following its drift.",
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "AI noise reduction after removing DC and rumble: DeepFilterNet3 on speech, SeminarioIA's own model (up to 30 dB) on music.",  # noqa: E501
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "Light AI noise reduction (at most 12 dB) that keeps the room and air.",
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "Loudness for EBU R128 broadcast: -23 LUFS integrated, true peak at most -1 dBTP (three measure-and-limit rounds so limiting does not leave it short).",  # noqa: E501
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "Loudness for podcasts: -16 LUFS integrated, true peak at most -1 dBTP (three measure-and-limit rounds so limiting does not leave it short).",  # noqa: E501
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "Loudness for music streaming services: -14 LUFS integrated, true peak at most -1 dBTP (three measure-and-limit rounds so limiting does not leave it short).",  # noqa: E501
    ),
    QT_TRANSLATE_NOOP(
        "core",
        "Only set the level: peak at -1 dBFS. Nothing else is changed.",
    ),
)


def core_text(text: str) -> str:
    """``text`` (a string from ``core``) in the interface language."""
    return QCoreApplication.translate(CONTEXT, text) if text else text
