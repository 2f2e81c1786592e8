"""The window's model work runs without TensorFlow (issue 30): its background preload,
an Apply (:func:`app.controllers.restore.restore_job`) and the preview built from it."""

from __future__ import annotations

from pathlib import Path

from tests.core.test_lite import _write_noisy, without_tensorflow


def test_the_apps_preload_apply_and_preview_run_without_tensorflow(tmp_path: Path) -> None:
    _write_noisy(tmp_path / "p.wav", 48000, 4.0)
    without_tensorflow(
        "import os\n"
        "from pathlib import Path\n"
        "import soundfile as sf\n"
        "from app.document import Restoration, make_preview\n"
        "from app.controllers.restore import restore_job\n"
        "from core.chain import load_preset\n"
        "from core.steps import BuildContext, preload_models\n"
        "ctx = BuildContext()\n"
        "preload_models(ctx)\n"
        "assert len(ctx.bundles) == 3, ctx.bundles\n"
        "x, sr = sf.read(Path(os.environ['SEMINARIO_TMP']) / 'p.wav', dtype='float32')\n"
        "for preset in ('auto', 'denoise'):\n"
        "    result = restore_job(x.T, sr=sr, chain=load_preset(preset), context=ctx)\n"
        "    preview = make_preview(Restoration(result.restored, result.residual, {}), 0.5)\n"
        "    assert preview.restored.shape == x.T.shape\n",
        tmp_path,
    )
