"""Optional heavier detectors run in the background (off by default).

:class:`ModerationApiDetector` asks any HTTP service speaking OpenAI's moderation API
(``POST {"input": [...], "model": ...}`` -> ``{"results": [{"category_scores": ...}]}``);
it is enabled by ``PARLEY_MODERATION_API_URL`` (+ ``PARLEY_MODERATION_API_KEY``,
``PARLEY_MODERATION_API_MODEL``, ``PARLEY_MODERATION_API_TIMEOUT``).

:class:`TransformersOnnxDetector` runs a Hugging Face text classifier exported to ONNX by
Optimum (``config.json``, ``tokenizer.json``, ``model.onnx``) with ONNX Runtime, no PyTorch;
it is enabled by ``PARLEY_TRANSFORMERS_MODEL_PATH`` (+ ``PARLEY_TRANSFORMERS_LABELS``,
``PARLEY_TRANSFORMERS_MAX_TOKENS``). When that directory has no ``model.onnx`` but is a plain
``save_pretrained`` directory (``config.json``, ``model.safetensors`` or ``pytorch_model.bin``,
tokenizer files), :class:`TransformersTorchDetector` runs it with PyTorch instead (imported
only then; slower than ONNX).
"""

from __future__ import annotations

import inspect
import json
import os
import threading
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from django.conf import settings

from parley.safety.screening.base import DetectorResult

# OpenAI moderation categories -> Parley policy categories (max of the mapped scores).
OPENAI_CATEGORIES: dict[str, tuple[str, ...]] = {
    "violence": ("violence", "hate/threatening", "harassment/threatening", "illicit/violent"),
    "illegal_or_harmful_speech": ("hate", "hate/threatening"),
    "self_harm": ("self-harm", "self-harm/intent", "self-harm/instructions"),
    "non_consensual_behaviour": ("harassment", "harassment/threatening"),
    "protection_of_minors": ("sexual/minors",),
}

def _policy_scores(raw: dict[str, float], mapping: dict[str, Iterable[str]]) -> dict[str, float]:
    scores = {}
    for category, names in mapping.items():
        found = [float(raw[n]) for n in names if n in raw]
        if found:
            scores[category] = max(found)
    return scores


class ModerationApiDetector:
    """Scores text with a remote moderation service in OpenAI's request/response format."""

    name = "moderation-api"
    tier = "background"

    def __init__(self, url: str, api_key: str = "", model: str = "", timeout: float = 10.0):
        self.url, self.api_key, self.model, self.timeout = url, api_key, model, timeout

    def score(self, text: str) -> DetectorResult:
        return self.score_batch([text])[0]

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        body: dict = {"input": texts}
        if self.model:
            body["model"] = self.model
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {self.api_key}"} if self.api_key else {})},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            payload = json.loads(response.read().decode())
        results = payload["results"]
        if len(results) != len(texts):
            raise ValueError(f"moderation API returned {len(results)} results for {len(texts)}")
        return [self._result(r) for r in results]

    def _result(self, result: dict) -> DetectorResult:
        raw = result.get("category_scores", {})
        scores = _policy_scores(raw, OPENAI_CATEGORIES)
        flagged = [name for name, hit in result.get("categories", {}).items() if hit]
        evidence = {
            category: [f"{self.name}: {n} {raw[n]:.2f}" for n in names if n in flagged]
            for category, names in OPENAI_CATEGORIES.items()
        }
        return DetectorResult(self.name, scores, {c: e for c, e in evidence.items() if e})


# Common classifier label names -> Parley policy categories (Jigsaw/Detoxify, hate-speech
# and offensive-language models). Labels are compared lower-cased with "-"/" " as "_".
TRANSFORMERS_LABELS: dict[str, str] = {
    "threat": "violence",
    "threatening": "violence",
    "violence": "violence",
    "violent": "violence",
    "identity_hate": "illegal_or_harmful_speech",
    "identity_attack": "illegal_or_harmful_speech",
    "hate": "illegal_or_harmful_speech",
    "hateful": "illegal_or_harmful_speech",
    "hate_speech": "illegal_or_harmful_speech",
    "toxic": "non_consensual_behaviour",
    "toxicity": "non_consensual_behaviour",
    "severe_toxic": "non_consensual_behaviour",
    "severe_toxicity": "non_consensual_behaviour",
    "insult": "non_consensual_behaviour",
    "offensive": "non_consensual_behaviour",
    "abusive": "non_consensual_behaviour",
    "harassment": "non_consensual_behaviour",
    "self_harm": "self_harm",
    "suicide": "self_harm",
}
EVIDENCE_MIN = 0.5  # a label is named as evidence from this probability on


class TransformersModelError(RuntimeError):
    """The configured transformers model directory is missing or unusable."""


def _label_key(label: str) -> str:
    return label.strip().lower().replace("-", "_").replace(" ", "_")


def _label_mapping(override: str | dict | None) -> dict[str, str]:
    """The default label mapping with the operator's JSON override on top (null drops one)."""
    from parley.safety.policy import POLICY

    mapping = dict(TRANSFORMERS_LABELS)
    override = override or {}
    if isinstance(override, str):
        try:
            override = json.loads(override) if override.strip() else {}
        except json.JSONDecodeError as exc:
            raise TransformersModelError(f"PARLEY_TRANSFORMERS_LABELS is not JSON: {exc}") from exc
    if not isinstance(override, dict):
        raise TransformersModelError("PARLEY_TRANSFORMERS_LABELS must map labels to categories")
    for label, category in override.items():
        if category and category not in POLICY:
            raise TransformersModelError(
                f"PARLEY_TRANSFORMERS_LABELS: {category!r} is not a policy category"
            )
        mapping[_label_key(label)] = category or ""
    return {label: category for label, category in mapping.items() if category}


class _OnnxClassifier:
    """One loaded model directory: tokenizer, ONNX Runtime session and label config."""

    def __init__(self, directory: Path, max_tokens: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        missing = [n for n in ("config.json", "tokenizer.json", "model.onnx")
                   if not (directory / n).is_file()]
        if missing:
            raise TransformersModelError(
                f"transformers model directory {directory} lacks {', '.join(missing)} "
                "(export it with: optimum-cli export onnx --task text-classification ...)"
            )
        try:
            config = json.loads((directory / "config.json").read_text())
            labels = {int(i): str(name) for i, name in config["id2label"].items()}
            self.labels = [labels[i] for i in range(len(labels))]
            self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            self.session = ort.InferenceSession(
                str(directory / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise TransformersModelError(
                f"cannot load transformers model from {directory}: {type(exc).__name__}: {exc}"
            ) from exc
        self.pad_id = int(config.get("pad_token_id") or 0)  # RoBERTa pads with 1, BERT with 0
        self.problem_type = _problem_type(config.get("problem_type"), directory)
        self.inputs = {i.name: i.type for i in self.session.get_inputs()}
        outputs = [o.name for o in self.session.get_outputs()]
        self.output = "logits" if "logits" in outputs else outputs[0]
        if "input_ids" not in self.inputs:
            raise TransformersModelError(f"{directory}/model.onnx has no input_ids input")
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self._lock = threading.Lock()  # the tokenizer's settings are shared state

    def probabilities(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        """Label probabilities (texts x labels)."""
        with self._lock:
            encodings = self.tokenizer.encode_batch(texts)
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(texts), batch_size):
            chunk = order[start : start + batch_size]
            logits = self._logits([encodings[i] for i in chunk])
            out[chunk] = _activate(logits, len(self.labels), self.problem_type)
        return out

    def _logits(self, encodings: list) -> np.ndarray:
        width = max(1, max(len(e.ids) for e in encodings))
        ids = np.full((len(encodings), width), self.pad_id, dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = (
                encoding.ids, encoding.attention_mask, encoding.type_ids)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        feed = {name: value.astype(np.int32) if self.inputs[name] == "tensor(int32)" else value
                for name, value in feed.items() if name in self.inputs}
        (logits,) = self.session.run([self.output], feed)
        return np.asarray(logits, dtype=np.float64).reshape(len(encodings), -1)


def _problem_type(problem_type: str | None, directory: Path) -> str:
    problem_type = problem_type or "single_label_classification"
    if problem_type not in ("single_label_classification", "multi_label_classification"):
        raise TransformersModelError(
            f"{directory}: problem_type {problem_type!r} is not a classification")
    return problem_type


def _activate(logits: np.ndarray, labels: int, problem_type: str) -> np.ndarray:
    """Label probabilities from logits: sigmoid per label if multi-label, else softmax."""
    if logits.shape[1] != labels:
        raise TransformersModelError(f"model gives {logits.shape[1]} logits for {labels} labels")
    if problem_type == "multi_label_classification":
        return 1.0 / (1.0 + np.exp(-logits))
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


# save_pretrained's weight files (single or sharded, safetensors or pickled)
TORCH_WEIGHTS = ("model.safetensors", "pytorch_model.bin",
                 "model.safetensors.index.json", "pytorch_model.bin.index.json")
_torch_lock = threading.Lock()


@contextmanager
def _one_intra_op_thread(torch) -> Iterator[None]:
    """PyTorch's intra-op thread count is process-wide and has no per-model setting (unlike
    ONNX Runtime's session options), so it is lowered to one only while this detector runs,
    under ``_torch_lock``, and put back afterwards: other PyTorch users in the process (a
    training command, tests) keep their setting."""
    previous = torch.get_num_threads()
    if previous != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if previous != 1:
            torch.set_num_threads(previous)


class _TorchClassifier:
    """One ``save_pretrained`` directory: tokenizer and PyTorch model in eval mode."""

    def __init__(self, directory: Path, max_tokens: int) -> None:
        if not directory.is_dir():
            raise TransformersModelError(
                f"transformers model directory {directory} does not exist (expected a "
                "save_pretrained directory or an ONNX export with model.onnx)")
        missing = [] if (directory / "config.json").is_file() else ["config.json"]
        if not any((directory / name).is_file() for name in TORCH_WEIGHTS):
            missing.append("model.safetensors (or pytorch_model.bin, or model.onnx)")
        if missing:
            raise TransformersModelError(
                f"transformers model directory {directory} lacks {', '.join(missing)} "
                "(save it with model.save_pretrained() and tokenizer.save_pretrained())")
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:
            package = "transformers" if exc.name == "transformers" else "torch (CPU build)"
            raise TransformersModelError(
                f"{directory} holds a PyTorch model but {exc.name or 'torch'} is not installed: "
                f"pip install {package} to run a PyTorch model, or export it to ONNX"
            ) from exc
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
            self.model = AutoModelForSequenceClassification.from_pretrained(
                directory, local_files_only=True)
        except Exception as exc:
            raise TransformersModelError(
                f"cannot load transformers model from {directory}: {type(exc).__name__}: {exc}"
            ) from exc
        self.torch = torch
        self.model.eval()
        config = self.model.config
        self.labels = [str(config.id2label[i]) for i in range(config.num_labels)]
        self.problem_type = _problem_type(config.problem_type, directory)
        self.max_tokens = min(max_tokens, self.tokenizer.model_max_length)
        self.inputs = set(inspect.signature(self.model.forward).parameters)
        # without a pad token, texts of different lengths cannot share a batch
        self.batch_size = 16 if self.tokenizer.pad_token is not None else 1

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Label probabilities (texts x labels)."""
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")  # less padding
        with _torch_lock, self.torch.no_grad(), _one_intra_op_thread(self.torch):
            for start in range(0, len(texts), self.batch_size):
                chunk = order[start : start + self.batch_size]
                out[chunk] = _activate(self._logits([texts[i] for i in chunk]),
                                       len(self.labels), self.problem_type)
        return out

    def _logits(self, texts: list[str]) -> np.ndarray:
        encoded = self.tokenizer(texts, padding=True, truncation=True,
                                 max_length=self.max_tokens, return_tensors="pt")
        feed = {name: value for name, value in encoded.items() if name in self.inputs}
        logits = self.model(**feed).logits
        return logits.float().numpy().astype(np.float64).reshape(len(texts), -1)


_classifiers: dict[tuple[str, str, int], _OnnxClassifier | _TorchClassifier] = {}
_classifiers_lock = threading.Lock()


def _classifier(directory: Path, max_tokens: int, kind: type = _OnnxClassifier):
    """The model of one directory, loaded once per process (failures are not cached)."""
    key = (kind.__name__, str(directory.resolve()), max_tokens)
    found = _classifiers.get(key)
    if found is None:
        with _classifiers_lock:
            found = _classifiers.get(key)
            if found is None:
                found = _classifiers[key] = kind(directory, max_tokens)
    return found


class _ClassifierDetector:
    """Scores text with a local Hugging Face classifier; labels map onto policy categories.

    Construction is cheap and never fails; the model loads on first use, once per process."""

    name = "transformers"
    tier = "background"
    kind: type  # the classifier a subclass loads

    def __init__(self, model_path: str | Path, labels: str | dict | None = None,
                 max_tokens: int = 256) -> None:
        self.model_path, self.labels, self.max_tokens = Path(model_path), labels, max_tokens

    def score(self, text: str) -> DetectorResult:
        return self.score_batch([text])[0]

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        if not texts:
            return []
        mapping = _label_mapping(self.labels)
        classifier = _classifier(self.model_path, self.max_tokens, self.kind)
        columns = [(i, label, mapping.get(_label_key(label)))
                   for i, label in enumerate(classifier.labels)]
        columns = [(i, label, category) for i, label, category in columns if category]
        return [self._result(row, columns) for row in classifier.probabilities(texts)]

    def _result(self, row: np.ndarray, columns: list[tuple[int, str, str]]) -> DetectorResult:
        scores: dict[str, float] = {}
        evidence: dict[str, list[str]] = {}
        for i, label, category in sorted(columns, key=lambda c: -row[c[0]]):
            p = round(float(row[i]), 4)
            scores[category] = max(scores.get(category, 0.0), p)
            if p >= EVIDENCE_MIN:
                evidence.setdefault(category, []).append(f"{self.name}: {label} {p:.2f}")
        return DetectorResult(self.name, scores, evidence)


class TransformersOnnxDetector(_ClassifierDetector):
    """A Hugging Face classifier exported to ONNX (Optimum's layout), run by ONNX Runtime."""

    kind = _OnnxClassifier


class TransformersTorchDetector(_ClassifierDetector):
    """A Hugging Face classifier saved with ``save_pretrained``, run by PyTorch on the CPU."""

    kind = _TorchClassifier


def _setting(name: str, default: str = "") -> str:
    return getattr(settings, name, os.environ.get(name, default))


def background_detectors() -> list:
    """The configured background detectors (none unless their settings are set)."""
    found = []
    url = getattr(settings, "PARLEY_MODERATION_API_URL", "")
    if url:
        found.append(ModerationApiDetector(
            url,
            getattr(settings, "PARLEY_MODERATION_API_KEY", ""),
            getattr(settings, "PARLEY_MODERATION_API_MODEL", ""),
            float(getattr(settings, "PARLEY_MODERATION_API_TIMEOUT", 10.0)),
        ))
    model_path = _setting("PARLEY_TRANSFORMERS_MODEL_PATH")
    if model_path:
        onnx = (Path(model_path) / "model.onnx").is_file()
        detector = TransformersOnnxDetector if onnx else TransformersTorchDetector
        found.append(detector(
            model_path,
            _setting("PARLEY_TRANSFORMERS_LABELS"),
            int(_setting("PARLEY_TRANSFORMERS_MAX_TOKENS", "256") or 256),
        ))
    return found
