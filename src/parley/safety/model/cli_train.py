"""`parley safety train --data DIR --out DIR`: re-create the shipped model from the dataset."""

from __future__ import annotations

import argparse
from pathlib import Path

from parley.safety.model.detectors import WEIGHTS_DIR


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Train both tiers on the train split of DIR (shared/datasets) plus the hand-written "
        "hard negatives and threats, and write the weights to OUT (the shipped ones live in "
        f"{WEIGHTS_DIR}). Needs the [train] extra (scikit-learn, onnx)."
    )
    parser.add_argument("--data", required=True, help="dataset dir or .jsonl(.gz) file")
    parser.add_argument("--out", required=True, help="directory for the weights")
    parser.add_argument("--inline-only", action="store_true", help="skip the accurate tier")
    parser.add_argument("--layers", default=None,
                        help="MiniLM layers (1-6) feeding the accurate head, e.g. 2,3")


def run(options: dict, stdout) -> None:
    from parley.safety.model import train

    def log(message: str) -> None:
        stdout.write(message + "\n")
        stdout.flush()

    if options.get("layers"):
        train.ENCODER_OUTPUTS = tuple(int(k) for k in options["layers"].split(","))
    train.train_all(options["data"], Path(options["out"]), log=log,
                    accurate=not options["inline_only"])
    log(f"weights written to {options['out']}")
