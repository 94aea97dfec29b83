"""The transformers background backend on a tiny PyTorch BERT classifier trained here."""

from __future__ import annotations

import shutil
import sys

import pytest

from parley.safety.model.backends import (
    TransformersModelError,
    TransformersOnnxDetector,
    TransformersTorchDetector,
    background_detectors,
)
from tests.safety.model.conftest import FLAGGED, QUIET

LABELS = ["neutral", "threat", "hate"]
TRAINING = [
    ("i will kill you", "threat"),
    ("we will kill them all", "threat"),
    ("she wants to kill the king", "threat"),
    ("the man in the story wants to kill you", "threat"),
    ("kill him", "threat"),
    ("they are vermin", "hate"),
    ("those people are vermin", "hate"),
    ("vermin like them", "hate"),
    ("a walk in the park", "neutral"),
    ("a nice day with the dog", "neutral"),
    ("i will walk the dog", "neutral"),
    ("they are nice people", "neutral"),
    ("the man in the story wants a walk", "neutral"),
    ("you are in the park", "neutral"),
]
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
WORDS = SPECIAL + sorted({w for text, _ in TRAINING for w in text.split()} | set(QUIET.split()))


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", model_max_length=64)


def _train(tokenizer):
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(WORDS), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0, pad_token_id=0,
        initializer_range=0.2,  # BERT's 0.02 is too small for 16 dimensions to train quickly
        id2label=dict(enumerate(LABELS)), label2id={label: i for i, label in enumerate(LABELS)})
    model = BertForSequenceClassification(config)
    batch = tokenizer([text for text, _ in TRAINING], padding=True, return_tensors="pt")
    targets = torch.tensor([LABELS.index(label) for _, label in TRAINING])
    optimiser = torch.optim.AdamW(model.parameters(), lr=0.01)
    model.train()
    for _ in range(60):  # converges for every seed tried (0-7), ~0.6 s
        optimiser.zero_grad()
        model(**batch, labels=targets).loss.backward()
        optimiser.step()
    return model


@pytest.fixture(scope="session")  # trained once, even when db tests run first
def model_dir(tmp_path_factory):
    """A plain save_pretrained directory: config.json, model.safetensors, tokenizer files."""
    torch = pytest.importorskip("torch")  # optional: these tests skip without it
    pytest.importorskip("transformers")
    directory = tmp_path_factory.mktemp("tiny-bert-hate-threat")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the CPU is shared; a 16-wide model gains nothing from more
    try:
        tokenizer = _tokenizer()
        _train(tokenizer).save_pretrained(directory)
        tokenizer.save_pretrained(directory)
    finally:
        torch.set_num_threads(threads)
    return directory


def test_a_saved_pytorch_classifier_scores_labels_as_policy_categories(model_dir):
    detector = TransformersTorchDetector(model_dir)
    threat, hateful, calm = detector.score_batch(
        ["i will kill you", "they are vermin", "a walk in the park"])
    assert threat.scores["violence"] > 0.5 > threat.scores["illegal_or_harmful_speech"]
    assert hateful.scores["illegal_or_harmful_speech"] > 0.5 > hateful.scores["violence"]
    assert max(calm.scores.values()) < 0.5 and calm.evidence == {}
    assert threat.evidence == {
        "violence": [f"transformers: threat {threat.scores['violence']:.2f}"]}
    assert hateful.evidence == {"illegal_or_harmful_speech": [
        f"transformers: hate {hateful.scores['illegal_or_harmful_speech']:.2f}"]}
    assert set(calm.scores) == {"violence", "illegal_or_harmful_speech"}  # "neutral" unmapped
    assert detector.name == "transformers" and detector.tier == "background"


def test_a_padded_batch_scores_like_one_text_at_a_time(model_dir):
    detector = TransformersTorchDetector(model_dir, max_tokens=32)
    texts = [FLAGGED, "vermin", QUIET, "they are vermin i will kill you", "kill"]
    for text, together in zip(texts, detector.score_batch(texts), strict=True):
        alone = detector.score(text)
        assert together.scores == pytest.approx(alone.scores, abs=1e-4)
        assert together.evidence.keys() == alone.evidence.keys()


def test_the_process_thread_setting_is_left_as_it_was(model_dir):
    import torch

    threads = torch.get_num_threads()
    TransformersTorchDetector(model_dir).score("i will kill you")
    assert torch.get_num_threads() == threads


def test_the_setting_picks_pytorch_for_save_pretrained_and_onnx_for_model_onnx(
    settings, tmp_path, model_dir
):
    from tests.safety.model.test_transformers_backend import _model_dir as onnx_model_dir

    settings.PARLEY_MODERATION_API_URL = ""
    settings.PARLEY_TRANSFORMERS_MODEL_PATH = str(model_dir)
    settings.PARLEY_TRANSFORMERS_MAX_TOKENS = 48
    (detector,) = background_detectors()
    assert isinstance(detector, TransformersTorchDetector) and detector.max_tokens == 48
    assert detector.score("i will kill you").scores["violence"] > 0.5

    settings.PARLEY_TRANSFORMERS_MODEL_PATH = str(onnx_model_dir(tmp_path / "onnx"))
    (detector,) = background_detectors()
    assert isinstance(detector, TransformersOnnxDetector)
    assert detector.score("kill").scores["violence"] > 0.9


def test_a_missing_or_broken_directory_gives_a_clear_error(tmp_path, model_dir):
    with pytest.raises(TransformersModelError, match="nowhere does not exist"):
        TransformersTorchDetector(tmp_path / "nowhere").score("hello")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(TransformersModelError, match="lacks config.json, model.safetensors"):
        TransformersTorchDetector(empty).score("hello")
    broken = shutil.copytree(model_dir, tmp_path / "broken")
    (broken / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(TransformersModelError, match="cannot load transformers model from"):
        TransformersTorchDetector(broken).score("hello")


def test_without_pytorch_the_error_says_what_to_install(tmp_path, model_dir, monkeypatch):
    copy = shutil.copytree(model_dir, tmp_path / "copy")  # not loaded yet in this process
    monkeypatch.setitem(sys.modules, "torch", None)  # as if torch were not installed
    with pytest.raises(TransformersModelError, match=r"pip install torch \(CPU build\) to run"):
        TransformersTorchDetector(copy).score("hello")


@pytest.mark.django_db
def test_a_configured_pytorch_model_opens_cases_after_distribution(
    model_dir, transformers_case_is_opened
):
    transformers_case_is_opened(model_dir)
