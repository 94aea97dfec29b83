"""`parley safety eval` and `parley safety train` on small files."""

from __future__ import annotations

import io
import json
import random
import re

import pytest
from django.core.management import call_command

VIOLENT = ["we should {} all of them", "{} every one of those people", "i will {} them all"]
VERBS = ["kill", "shoot", "hang", "burn", "stab"]
HATEFUL = ["those {} are vermin", "i hate all {}", "{} are subhuman trash"]
GROUPS = ["immigrants", "foreigners", "those people", "outsiders"]
CLEAN = ["lovely {} this morning", "anyone up for {} later?", "my {} is finally fixed"]
THINGS = ["weather", "football", "coffee", "bike", "garden", "tea", "walk"]


def _rows(count: int, seed: int = 4) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        kind = i % 4
        if kind == 0:
            text, labels = rng.choice(VIOLENT).format(rng.choice(VERBS)), (1, 1)
        elif kind == 1:
            text, labels = rng.choice(HATEFUL).format(rng.choice(GROUPS)), (0, 1)
        else:
            text, labels = rng.choice(CLEAN).format(rng.choice(THINGS)), (0, 0)
        rows.append({"text": f"{text} #{i}", "sources": [f"tiny:{i}"],
                     "split": "eval" if i % 5 == 0 else "train",
                     "violence": labels[0], "hate": labels[1], "offensive": 0,
                     "incitement": None})
    return rows


@pytest.fixture
def tiny_file(tmp_path):
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _rows(160)))
    return path


def test_eval_prints_metrics_and_throughput_for_each_tier(tiny_file):
    out = io.StringIO()
    call_command("safety", "eval", "--data", str(tiny_file), "--seconds", "0.2", stdout=out)
    report = out.getvalue()
    assert "32 texts" in report
    for heading in ("== inline tier", "== accurate tier", "== both tiers"):
        assert heading in report
    assert report.count("violence ") >= 3 and "AUPRC" in report and "R@hold" in report
    assert "clean texts held for any category" in report
    assert "one at a time" in report and "batched" in report
    assert re.search(r"inline, evidence read +one at a time: +\d+ posts/s", report)
    assert re.search(r"sum\(range\(1000\)\) in \d+ µs", report)


def test_train_reproduces_a_working_model_on_a_tiny_dataset(tiny_file, tmp_path):
    out_dir = tmp_path / "weights"
    log = io.StringIO()
    call_command("safety", "train", "--data", str(tiny_file), "--out", str(out_dir),
                 "--layers", "1", "--epochs", "6", "--threads", "1", stdout=log)
    assert "fine-tuning 1 layers" in log.getvalue()
    assert {"inline.npz", "inline.json", "accurate.npz", "accurate.json", "encoder.onnx"} <= {
        p.name for p in out_dir.iterdir()
    }
    from parley.safety.model import AccurateDetector, InlineDetector

    for detector in (InlineDetector(out_dir), AccurateDetector(out_dir)):
        violent = detector.score("we should shoot all of them").scores["violence"]
        calm = detector.score("lovely weather this morning").scores["violence"]
        assert violent > calm
    report = io.StringIO()
    call_command("safety", "eval", "--data", str(tiny_file), "--weights", str(out_dir),
                 "--tiers", "inline", "--seconds", "0.1", stdout=report)
    assert "== inline tier" in report.getvalue()

    encoder = (out_dir / "encoder.onnx").read_bytes()
    (out_dir / "accurate.json").unlink()
    log = io.StringIO()
    call_command("safety", "train", "--data", str(tiny_file), "--out", str(out_dir),
                 "--reuse-encoder", stdout=log)
    assert "reusing the fine-tuned encoder" in log.getvalue()
    assert "fine-tuning" not in log.getvalue()
    assert (out_dir / "encoder.onnx").read_bytes() == encoder
    assert AccurateDetector(out_dir).score("we should shoot all of them").scores["violence"] > (
        AccurateDetector(out_dir).score("lovely weather this morning").scores["violence"])
