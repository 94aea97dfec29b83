"""The v3 training recipe: consistent labels, EDOS, training contrast, identity swaps."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from django.core.management import call_command

from parley.safety.model.functional import expand
from parley.safety.model.normalise import normalise
from parley.safety.model.train import load_training_set


def _row(text: str, source: str, **labels) -> dict:
    return {"text": text, "sources": [f"{source}:1"], "split": "train",
            **{"violence": None, "incitement": None, "hate": None, "offensive": None, **labels}}


V1 = [
    _row("dam jews need to be shot on sight", "gab_hate_corpus", violence=0, hate=1),
    _row("a quiet walk by the river", "gab_hate_corpus", violence=0, hate=0),
    _row("they are taking over, rise up and take back power", "latent_hatred",
         violence=0, incitement=1, hate=1),
    _row("those muslims will regret it", "latent_hatred", violence=1, incitement=0, hate=1),
    _row("lovely weather this morning", "davidson", hate=0, offensive=0),
    _row("we should shoot all of them", "ethos", violence=1, hate=1),
] * 3
EDOS = [
    _row("women like her deserve a beating", "edos", violence=1, hate=1),
    _row("women should stay in the kitchen", "edos", violence=0, hate=1),
] * 3


@pytest.fixture
def data_dir(tmp_path):
    for name, rows in (("parley-safety-v1.jsonl.gz", V1), ("edos-sexism-threats.jsonl.gz", EDOS)):
        with gzip.open(tmp_path / name, "wt", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in rows)
    return tmp_path


def _labels_of(train, text: str) -> set[tuple[int, int]]:
    wanted = normalise(text)
    return {(int(train.data.labels["violence"][i]),
             int(train.data.labels["illegal_or_harmful_speech"][i]))
            for i, t in enumerate(train.normalised) if t == wanted}


def test_conflicting_violence_labels_become_unknown(data_dir):
    train = load_training_set(data_dir, log=lambda _: None, recipe="v3")
    assert _labels_of(train, "dam jews need to be shot on sight") == {(-1, 1)}
    assert _labels_of(train, "they are taking over, rise up and take back power") == {(-1, 1)}
    assert _labels_of(train, "a quiet walk by the river") == {(0, 0)}
    assert _labels_of(train, "we should shoot all of them") == {(1, 1)}


def test_edos_adds_its_violence_labels_only(data_dir):
    train = load_training_set(data_dir, log=lambda _: None, recipe="v3")
    assert _labels_of(train, "women like her deserve a beating") == {(1, -1)}
    assert _labels_of(train, "women should stay in the kitchen") == {(0, -1)}


def test_every_row_naming_a_group_gets_a_swapped_twin_with_its_labels(data_dir):
    train = load_training_set(data_dir, log=lambda _: None, recipe="v3")
    twins = [i for i, s in enumerate(train.data.sources) if s == "swap"]
    assert twins
    for i in twins:
        source = int(train.origin[i])
        assert train.normalised[i] != train.normalised[source]
        assert train.data.labels["violence"][i] == train.data.labels["violence"][source]
    swapped_from_jews = {train.normalised[i] for i in twins
                         if train.normalised[int(train.origin[i])].startswith("dam jews")}
    assert swapped_from_jews and all("jews" not in t for t in swapped_from_jews)


def test_training_contrast_is_in_and_measuring_part_is_out(data_dir):
    train = load_training_set(data_dir, log=lambda _: None, recipe="v3")
    assert any(s == "functional_contrast" for s in train.data.sources)
    assert not {normalise(c.text) for c in expand()} & set(train.normalised)


def test_the_default_recipe_is_the_shipped_one(data_dir):
    train = load_training_set(data_dir, log=lambda _: None)
    assert set(train.data.sources) == {"gab_hate_corpus", "latent_hatred", "davidson", "ethos",
                                       "hard_negatives", "threats"}
    assert _labels_of(train, "dam jews need to be shot on sight") == {(0, 1)}


def test_train_v3_inline_only_writes_a_working_inline_tier(data_dir, tmp_path):
    out_dir = tmp_path / "weights"
    log = io.StringIO()
    call_command("safety", "train", "--data", str(data_dir), "--out", str(out_dir),
                 "--inline-only", "--recipe", "v3", stdout=log)
    assert "identity swaps:" in log.getvalue() and "EDOS: 6 train texts" in log.getvalue()
    from parley.safety.model import InlineDetector

    detector = InlineDetector(out_dir)
    assert (detector.score("we should shoot all of them").scores["violence"]
            > detector.score("lovely weather this morning").scores["violence"])
