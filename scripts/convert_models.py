"""Write the light (LiteRT) form of every built-in model: ``resources/models/NAME.tflite``
beside ``NAME.keras``, named in ``NAME.json``.

Usage (from the repository root)::

    .venv/bin/python scripts/convert_models.py

Each model converts in a process of its own: a model converted after another in one
process came out with other bytes (the same network; TensorFlow's process-wide state
leaks into the converted file). So run, the same ``.keras`` and TensorFlow gave the same
bytes twice over. Run it again whenever a built-in ``.keras`` file changes. A conversion
whose outputs differ from Keras' by more than :data:`core.model.lite.MIN_AGREEMENT_DB` is
refused.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.model.bundle import BUILTIN_MODELS, convert_bundle  # noqa: E402


def main(names: list[str]) -> int:
    if len(names) == 1:
        light = convert_bundle(names[0])
        print(f"{names[0]}: {light} ({light.stat().st_size / 1e6:.1f} MB)")
        return 0
    for name in names or BUILTIN_MODELS:
        subprocess.run([sys.executable, __file__, name], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
