"""The transformers background backend on a tiny ONNX classifier built here in Optimum's layout."""

from __future__ import annotations

import json

import numpy as np
import pytest

from parley.safety.model.backends import (
    TransformersModelError,
    TransformersOnnxDetector,
    background_detectors,
)

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "i", "will", "kill", "you", "they", "are", "vermin",
         "a", "walk", "in", "the", "park", "with", "dog", "nice", "day"]
LABELS = ["neutral", "threat", "hate"]


def _tokenizer(path):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    vocab = {word: i for i, word in enumerate(WORDS)}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tokenizer.save(str(path))


def _graph(path):
    """Embedding (vocab x 4) -> mean over unmasked tokens -> linear layer -> logits."""
    from onnx import TensorProto, helper, numpy_helper, save

    embedding = np.zeros((len(WORDS), 4), dtype=np.float32)
    embedding[:, 0] = 1.0  # every token says "neutral" a little
    embedding[WORDS.index("kill"), 1] = 60.0
    embedding[WORDS.index("vermin"), 2] = 60.0
    weight = np.eye(4, 3, dtype=np.float32)
    bias = np.array([0.5, -1.0, -1.0], dtype=np.float32)
    nodes = [
        helper.make_node("Gather", ["embedding", "input_ids"], ["vectors"]),
        helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask", "last"], ["mask3"]),
        helper.make_node("Mul", ["vectors", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "tokens"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["mask", "one"], ["count"], keepdims=1),
        helper.make_node("Div", ["summed", "count"], ["pooled"]),
        helper.make_node("MatMul", ["pooled", "weight"], ["projected"]),
        helper.make_node("Add", ["projected", "bias"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny-classifier",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", len(LABELS)])],
        initializer=[
            numpy_helper.from_array(embedding, "embedding"),
            numpy_helper.from_array(weight, "weight"),
            numpy_helper.from_array(bias, "bias"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "last"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "tokens"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    save(model, str(path))


def _model_dir(directory, problem_type="single_label_classification"):
    directory.mkdir(parents=True, exist_ok=True)
    _tokenizer(directory / "tokenizer.json")
    _graph(directory / "model.onnx")
    (directory / "config.json").write_text(json.dumps({
        "architectures": ["TinyForSequenceClassification"],
        "id2label": {str(i): label for i, label in enumerate(LABELS)},
        "label2id": {label: i for i, label in enumerate(LABELS)},
        "problem_type": problem_type,
        "pad_token_id": 0,
    }))
    return directory


@pytest.fixture
def model_dir(tmp_path):
    return _model_dir(tmp_path / "tiny-hate-threat")


def test_labels_map_onto_policy_categories_with_evidence(model_dir):
    detector = TransformersOnnxDetector(model_dir)
    threat, hateful, calm = detector.score_batch(
        ["i will kill you", "they are vermin", "a walk in the park with the dog"])
    assert threat.scores["violence"] > 0.9 > 0.1 > threat.scores["illegal_or_harmful_speech"]
    assert hateful.scores["illegal_or_harmful_speech"] > 0.9 > 0.1 > hateful.scores["violence"]
    assert max(calm.scores.values()) < 0.1 and calm.evidence == {}
    threat_score = threat.scores["violence"]
    assert threat.evidence == {"violence": [f"transformers: threat {threat_score:.2f}"]}
    hate_score = hateful.scores["illegal_or_harmful_speech"]
    assert hateful.evidence == {
        "illegal_or_harmful_speech": [f"transformers: hate {hate_score:.2f}"]}
    assert set(threat.scores) == {"violence", "illegal_or_harmful_speech"}  # "neutral" unmapped
    assert detector.name == "transformers" and detector.tier == "background"


def test_softmax_for_single_label_and_sigmoid_for_multi_label(tmp_path):
    text = "i will kill you"
    single = TransformersOnnxDetector(_model_dir(tmp_path / "single")).score(text)
    multi = TransformersOnnxDetector(
        _model_dir(tmp_path / "multi", "multi_label_classification")).score(text)
    # softmax shares the probability mass between the labels; sigmoid scores each on its own
    assert single.scores["violence"] + single.scores["illegal_or_harmful_speech"] < 1
    assert multi.scores["illegal_or_harmful_speech"] > single.scores["illegal_or_harmful_speech"]
    assert multi.scores["violence"] > 0.9


def test_a_batch_scores_like_one_text_at_a_time(model_dir):
    detector = TransformersOnnxDetector(model_dir)
    texts = ["i will kill you", "vermin", "a nice day in the park", "they are vermin i will kill"]
    batch = detector.score_batch(texts)
    for text, together in zip(texts, batch, strict=True):
        alone = detector.score(text)
        assert together.scores == pytest.approx(alone.scores, abs=1e-4)
        assert together.evidence == alone.evidence


def test_the_label_mapping_can_be_overridden(model_dir):
    detector = TransformersOnnxDetector(model_dir, labels='{"hate": "self_harm", "threat": null}')
    hateful, threat = detector.score_batch(["they are vermin", "i will kill you"])
    assert set(hateful.scores) == set(threat.scores) == {"self_harm"}
    assert hateful.evidence["self_harm"][0].startswith("transformers: hate ")
    assert threat.scores["self_harm"] < 0.1 and threat.evidence == {}
    with pytest.raises(TransformersModelError, match="'cruelty' is not a policy category"):
        TransformersOnnxDetector(model_dir, labels={"hate": "cruelty"}).score("vermin")


def test_a_missing_or_broken_directory_gives_a_clear_error(tmp_path, model_dir):
    with pytest.raises(TransformersModelError, match="lacks config.json, tokenizer.json, model"):
        TransformersOnnxDetector(tmp_path / "nowhere").score("hello")
    (model_dir / "model.onnx").write_bytes(b"not an onnx file")
    with pytest.raises(TransformersModelError, match="cannot load transformers model from"):
        TransformersOnnxDetector(model_dir).score("hello")


def test_the_backend_is_enabled_by_its_setting(settings, model_dir):
    settings.PARLEY_MODERATION_API_URL = ""
    settings.PARLEY_TRANSFORMERS_MODEL_PATH = ""
    assert background_detectors() == []
    settings.PARLEY_TRANSFORMERS_MODEL_PATH = str(model_dir)
    settings.PARLEY_TRANSFORMERS_MAX_TOKENS = 64
    (detector,) = background_detectors()
    assert isinstance(detector, TransformersOnnxDetector) and detector.max_tokens == 64
    assert detector.score("kill").scores["violence"] > 0.9


@pytest.mark.django_db
def test_a_configured_transformers_model_opens_cases_after_distribution(
    model_dir, transformers_case_is_opened
):
    transformers_case_is_opened(model_dir)


@pytest.mark.django_db
def test_a_broken_model_directory_does_not_block_posting_and_is_reported(
    settings, tmp_path, member, django_capture_on_commit_callbacks
):
    from parley.posts import services as posts
    from parley.posts.models import PostState
    from parley.safety.cases.models import Case

    settings.PARLEY_MODERATION_API_URL = ""
    settings.PARLEY_TRANSFORMERS_MODEL_PATH = str(tmp_path / "nowhere")
    with django_capture_on_commit_callbacks(execute=True):
        post = posts.create_post(member, "a walk in the park with the dog")
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    [case] = Case.objects.filter(post=post)  # to be screened again once the model is fixed
    assert case.screening[-1]["tier"] == "background"
    assert case.screening[-1]["failed_detectors"] == ["transformers"]
