"""Which file formats SeminarioIA writes, and what each can hold: the one home of rules
such as "FLAC has no float" or "Opus runs at 48 kHz". Everything that writes or offers a
format (the writer, the CLI, the export dialogs) asks here.

Every format is written by libsndfile (``soundfile``): WAV, FLAC, AIFF, and the lossy
OGG Vorbis, Opus (in OGG) and MP3, which take float samples and encode them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.errors import AudioFormatError

SUBTYPE_BITS = {"PCM_16": 16, "PCM_24": 24, "FLOAT": 32}
"""The sample formats a lossless file can be asked for (bits per sample)."""


@dataclass(frozen=True)
class OutputFormat:
    """A writable format: its extension, libsndfile's container and codec names, the
    sample formats it holds (lossy codecs: just their own) and the rates it takes."""

    extension: str
    label: str
    container: str
    subtypes: tuple[str, ...]
    rates: tuple[int, ...] = ()  # empty: any rate
    lossy: bool = False

    @property
    def default_subtype(self) -> str:
        return "PCM_24" if "PCM_24" in self.subtypes else self.subtypes[0]


# Opus codes at 8, 12, 16, 24 or 48 kHz only; MP3 (MPEG 1, 2 and 2.5) at these nine.
_OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
_MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)

OUTPUT_FORMATS: tuple[OutputFormat, ...] = (
    OutputFormat(".wav", "WAV", "WAV", ("PCM_16", "PCM_24", "FLOAT")),
    OutputFormat(".flac", "FLAC", "FLAC", ("PCM_16", "PCM_24")),  # FLAC has no float
    OutputFormat(".aiff", "AIFF", "AIFF", ("PCM_16", "PCM_24", "FLOAT")),
    OutputFormat(".ogg", "OGG Vorbis", "OGG", ("VORBIS",), lossy=True),
    OutputFormat(".opus", "Opus", "OGG", ("OPUS",), _OPUS_RATES, lossy=True),
    OutputFormat(".mp3", "MP3", "MP3", ("MPEG_LAYER_III",), _MP3_RATES, lossy=True),
)
_ALIASES = {".aif": ".aiff"}


def output_format(path: str | os.PathLike[str]) -> OutputFormat:
    """The format ``path``'s extension (or ``path`` itself, an extension such as
    ``".flac"``) names; :class:`AudioFormatError` if none."""
    name = os.fspath(path)
    ext = Path(name).suffix.lower() or (name.lower() if name.startswith(".") else "")
    ext = _ALIASES.get(ext, ext)
    for fmt in OUTPUT_FORMATS:
        if fmt.extension == ext:
            return fmt
    names = ", ".join(f.extension for f in OUTPUT_FORMATS)
    raise AudioFormatError(f"cannot write {Path(path).name}: use one of {names}")


def is_writable(path: str | os.PathLike[str]) -> bool:
    try:
        output_format(path)
    except AudioFormatError:
        return False
    return True


def writable_subtype(path: str | os.PathLike[str], subtype: str) -> str:
    """``subtype`` where ``path``'s format holds it; else the nearest it does (24-bit
    for float in FLAC, the codec itself for a lossy format)."""
    fmt = output_format(path)
    if subtype in fmt.subtypes:
        return subtype
    return fmt.default_subtype


def check_subtype(path: str | os.PathLike[str], subtype: str) -> OutputFormat:
    """``path``'s format, when it holds ``subtype``; else a sentence saying what does."""
    fmt = output_format(path)
    if subtype not in fmt.subtypes:
        if fmt.lossy:
            raise AudioFormatError(
                f"{fmt.label} files are encoded as {fmt.subtypes[0]}, not {subtype}"
            )
        held = ", ".join(fmt.subtypes)
        raise AudioFormatError(f"{fmt.label} cannot store {subtype}; use {held}")
    return fmt


def writable_rate(path: str | os.PathLike[str], sr: int) -> int:
    """``sr`` where ``path``'s format takes it; else the lowest rate it takes above
    ``sr`` (its highest when none is), so nothing of the band is lost."""
    rates = output_format(path).rates
    if not rates or sr in rates:
        return int(sr)
    above = [r for r in rates if r >= sr]
    return above[0] if above else rates[-1]


def dithered(subtype: str) -> bool:
    """Whether writing ``subtype`` quantizes to few enough bits for dither to matter
    (16-bit: its quantization noise, -98 dBFS, is audible in fades; 24-bit's is not)."""
    return SUBTYPE_BITS.get(subtype) == 16
