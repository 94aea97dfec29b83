"""The accurate tier's fine-tuned MiniLM classifier (int8 ONNX) through ONNX Runtime.

``weights/encoder.onnx`` is written by :mod:`finetune` (training time, PyTorch); at run
time only ONNX Runtime and the vendored WordPiece tokenizer
(``weights/minilm-tokenizer.json``, from sentence-transformers/all-MiniLM-L6-v2,
Apache-2.0) are needed.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

WEIGHTS_DIR = Path(__file__).parent / "weights"
TOKENIZER_PATH = WEIGHTS_DIR / "minilm-tokenizer.json"
MAX_TOKENS = 128


class EncoderUnavailable(RuntimeError):
    """The ONNX classifier or its tokenizer could not be loaded."""


class OnnxTextClassifier:
    """Decision values (texts x categories) of the fine-tuned encoder.

    Thread-safe: ONNX Runtime sessions are, and tokenizer calls are serialised. Texts run
    one at a time: dynamic int8 quantisation scales activations per run, so a post's score
    would otherwise depend on the posts it happens to be batched with.
    """

    def __init__(self, model_path: Path, threads: int = 1, max_tokens: int = MAX_TOKENS) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if not Path(model_path).is_file():
            raise EncoderUnavailable(f"no ONNX model at {model_path}")
        self.model_path = Path(model_path)
        self.max_tokens = max_tokens
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(self.model_path), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.no_padding()
        self._lock = threading.Lock()  # the tokenizer's settings are shared state

    @classmethod
    def from_description(cls, description: dict, directory: Path) -> OnnxTextClassifier:
        return cls(directory / description["onnx"], threads=1,
                   max_tokens=int(description.get("max_tokens", MAX_TOKENS)))

    def _tokenize(self, texts: list[str]):
        with self._lock:
            if len(texts) == 1:
                return [self._tokenizer.encode(texts[0])]
            return self._tokenizer.encode_batch(texts)

    def decision_values(self, texts: list[str]) -> np.ndarray:
        rows = []
        for encoding in self._tokenize(texts):
            ids = np.array([encoding.ids], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
            rows.append(self._session.run(None, feed)[0][0])
        return np.array(rows, dtype=np.float32).reshape(len(texts), -1)
