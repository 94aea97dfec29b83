"""Training both tiers from the labelled dataset (needs the ``[train]`` extra: scikit-learn).

Every threshold and calibration map is fitted on predictions for train-split rows the model
did not learn from: out-of-fold for the inline tier, a held-out validation part for the
accurate tier. The eval split is never read.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley.safety.model.calibration import (
    Calibrator,
    OperatingMap,
    case_threshold,
    hold_threshold,
)
from parley.safety.model.data import (
    CATEGORIES,
    EDOS_NAME,
    LabelledTexts,
    from_rows,
    load_hard_negatives,
    load_rows,
    load_threats,
)
from parley.safety.model.features import text_features
from parley.safety.model.finetune import FineTuneSettings
from parley.safety.model.normalise import normalise

FOLDS = 4
SEED = 20261123
VALIDATION_SHARE = 0.15  # of the scraped train rows, held out of fine-tuning
INLINE_FEATURES = 60_000  # sparse vocabulary kept after pruning by weight
HAND_WRITTEN_WEIGHT = 3.0  # hard negatives and threats count more than one scraped post
INLINE_C = {"violence": 2.0, "illegal_or_harmful_speech": 2.0}

Log = Callable[[str], None]


HAND_WRITTEN = ("hard_negatives", "threats", "functional_contrast")
SWAPPED = "swap"  # source of an identity-term swapped copy
EDOS_WEIGHT = 2.0  # EDOS labels threats consistently; v1's violence labels contradict
SWAP_WEIGHT = 1.0


@dataclass
class TrainingSet:
    data: LabelledTexts
    normalised: list[str]
    weights: np.ndarray
    origin: np.ndarray | None = None  # row each row was made from (itself, or a swap's source)

    def __post_init__(self) -> None:
        if self.origin is None:
            self.origin = np.arange(len(self.normalised))


def conflicting_violence(row: dict) -> str | None:
    """Why a row's violence label contradicts the rest of the data, or None.

    Latent Hatred gives an implicit-hate post one class only, so a post labelled
    ``incitement`` cannot also be ``threatening``: its violence 0 means "not chosen", not
    "not violent". The Gab Hate Corpus labels some explicit calls to kill 0 ("need to be shot
    on sight"): where our own direct-threat rule or an un-negated call-to-kill pattern fires
    on a GHC row labelled 0, the label is unknown rather than 0."""
    from parley.safety.model.patterns import find_direct_threat, find_threat_patterns

    source = (row.get("sources") or ["?"])[0].split(":")[0]
    if source == "latent_hatred" and row.get("incitement") == 1 and row.get("violence") == 0:
        return "latent_hatred_one_class"
    if source == "gab_hate_corpus" and row.get("violence") == 0:
        text = normalise(row["text"])
        explicit = {"call_to_kill", "imperative_violence"}
        if find_direct_threat(text) or any(h.name in explicit and not h.negated
                                           for h in find_threat_patterns(text)):
            return "ghc_explicit_call_labelled_0"
    return None


def consistent_rows(rows: list[dict], log: Log = print) -> list[dict]:
    """The rows with every conflicting violence label made unknown (counted in the log)."""
    dropped: dict[str, int] = {}
    out = []
    for row in rows:
        reason = conflicting_violence(row)
        if reason:
            row = dict(row, violence=None)
            dropped[reason] = dropped.get(reason, 0) + 1
        out.append(row)
    log(f"violence labels made unknown: {dropped or 'none'}")
    return out


def _edos_train(data_dir: str | Path) -> LabelledTexts | None:
    path = Path(data_dir)
    file = path / EDOS_NAME if path.is_dir() else None
    if file is None or not file.is_file():
        return None
    return from_rows([dict(r, hate=None) for r in load_rows(file, "train")])


RECIPES = ("v2", "v3")
SHIPPED_RECIPE = "v2"  # the recipe the weights in the package were trained with


def load_training_set(data_dir: str | Path, log: Log = print,
                      recipe: str = SHIPPED_RECIPE) -> TrainingSet:
    """The training data of one recipe, normalised once.

    ``v2``: the v1 train split plus the hand-written hard negatives and threats (the
    shipped weights). ``v3``: v1 made consistent (``consistent_rows``), EDOS's train part
    if it lies beside v1, the hand-written files, the functional suite's training-contrast
    part, then one identity-term swapped copy of every row naming a group."""
    if recipe not in RECIPES:
        raise ValueError(f"unknown training recipe {recipe!r}; one of {RECIPES}")
    rows = load_rows(data_dir, "train")
    if recipe == "v2":
        data = from_rows(rows).concat(load_hard_negatives()).concat(load_threats())
        hand = np.array([s in HAND_WRITTEN for s in data.sources])
        log(f"train: {len(data)} texts ({int(hand.sum())} hand-written)")
        return TrainingSet(data, [normalise(t) for t in data.texts],
                           np.where(hand, HAND_WRITTEN_WEIGHT, 1.0))
    from parley.safety.model.functional import training_rows

    data = from_rows(consistent_rows(rows, log))
    edos = _edos_train(data_dir)  # only its violence labels: every EDOS post is sexist
    if edos is not None:
        data = data.concat(edos)
        log(f"EDOS: {len(edos)} train texts")
    contrast = _contrast_rows(training_rows())
    data = data.concat(load_hard_negatives()).concat(load_threats()).concat(contrast)
    hand = np.array([s in HAND_WRITTEN for s in data.sources])
    weights = np.where(hand, HAND_WRITTEN_WEIGHT, 1.0)
    weights[np.array([s == "edos" for s in data.sources])] = EDOS_WEIGHT
    contrast_rows = np.array([s == "functional_contrast" for s in data.sources])
    weights[contrast_rows] = 1.0  # each template is already filled with every target
    log(f"train: {len(data)} texts ({int(hand.sum())} hand-written)")
    return with_identity_swaps(TrainingSet(data, [normalise(t) for t in data.texts], weights),
                               log)


def _contrast_rows(rows: list[dict]) -> LabelledTexts:
    for row in rows:
        row["sources"] = [f"functional_contrast:{row['kind']}"]
    return from_rows(rows)


def with_identity_swaps(train: TrainingSet, log: Log = print) -> TrainingSet:
    """Adds, for every row naming a group, the same text naming another group (same labels),
    so that the group's name alone carries no weight."""
    from parley.safety.model.functional import groups, has_identity_term, swap_identity_terms

    count = len(groups()["groups"])
    rng = np.random.default_rng(SEED)
    rows = [i for i, t in enumerate(train.normalised) if has_identity_term(t)]
    shifts = rng.integers(1, count, size=len(rows))
    texts = [swap_identity_terms(train.normalised[i], int(k))
             for i, k in zip(rows, shifts, strict=True)]
    index = np.array(rows, dtype=np.int64)
    copies = train.data.subset(index)
    copies = LabelledTexts(texts, copies.labels, [SWAPPED] * len(rows), copies.clean)
    log(f"identity swaps: {len(rows)} copies")
    return TrainingSet(
        train.data.concat(copies), train.normalised + texts,
        np.concatenate([train.weights, np.full(len(rows), SWAP_WEIGHT) * train.weights[index]]),
        np.concatenate([train.origin, train.origin[index]]),
    )


def folds(n: int, k: int = FOLDS, seed: int = SEED) -> np.ndarray:
    return np.random.default_rng(seed).permutation(n) % k


# --- inline tier -------------------------------------------------------------------------


def count_matrix(normalised: list[str], min_df: int = 2):
    """Feature counts (texts x features) and the feature names, features seen >= min_df."""
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(analyzer=text_features, min_df=min_df, dtype=np.float32)
    counts = vectorizer.fit_transform(normalised).tocsr()
    return counts, list(vectorizer.get_feature_names_out())


def tfidf(counts) -> tuple:
    """Sublinear TF-IDF with L2-normalised rows, exactly as ``linear.InlineModel`` computes it."""
    from sklearn.preprocessing import normalize

    x = counts.copy()
    x.data = 1.0 + np.log(x.data)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0
    x = x.multiply(idf[None, :]).tocsr()
    return normalize(x, norm="l2", copy=False).astype(np.float32), idf.astype(np.float32)


def _logistic(c: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=2000, solver="liblinear", class_weight="balanced")


def _fit_linear(x, train: TrainingSet, c: dict[str, float], log: Log) -> dict[str, np.ndarray]:
    """Out-of-fold decision values for every category (rows with an unknown label: NaN)."""
    # A swapped copy falls in its source's fold: otherwise the copy's twin in another fold
    # makes the out-of-fold score overconfident, and the hold point drops.
    k = folds(len(train.normalised))[train.origin]
    oof = {cat: np.full(len(k), np.nan) for cat in CATEGORIES}
    for fold in range(FOLDS):
        fit_rows, held_rows = np.flatnonzero(k != fold), np.flatnonzero(k == fold)
        for category in CATEGORIES:
            y = train.data.labels[category]
            rows = fit_rows[y[fit_rows] >= 0]
            model = _logistic(c[category]).fit(x[rows], y[rows], train.weights[rows])
            oof[category][held_rows] = model.decision_function(x[held_rows])
        log(f"  fold {fold + 1}/{FOLDS} done")
    return oof


def _final_heads(x, train: TrainingSet, c: dict[str, float]):
    coef, intercept = [], []
    for category in CATEGORIES:
        y = train.data.labels[category]
        rows = np.flatnonzero(y >= 0)
        model = _logistic(c[category]).fit(x[rows], y[rows], train.weights[rows])
        coef.append(model.coef_[0])
        intercept.append(model.intercept_[0])
    return np.stack(coef, axis=1), np.array(intercept)


def _scraped(train: TrainingSet) -> np.ndarray:
    """Rows from the research corpora (not hand-written, not identity-swapped copies)."""
    return np.array([s not in HAND_WRITTEN and s != SWAPPED for s in train.data.sources])


def _operating_maps(train: TrainingSet, oof: dict[str, np.ndarray]) -> dict:
    """Isotonic calibration + the policy-threshold remap, per category, from OOF scores."""
    from parley.safety.policy import POLICY

    out = {}
    # Hand-written rows would flatter the thresholds, and EDOS (sexist posts only, 9 %
    # violent) has a far higher base rate than a community's posts: v1 rows only.
    scraped = _scraped(train) & np.array([s != "edos" for s in train.data.sources])
    for category in CATEGORIES:
        y = train.data.labels[category]
        rows = (y >= 0) & scraped
        calibrator = Calibrator.fit(oof[category][rows], y[rows])
        probability = calibrator(oof[category][rows])
        hold = hold_threshold(probability, y[rows])
        case = case_threshold(probability, y[rows])
        policy = POLICY[category]
        out[category] = (
            calibrator,
            OperatingMap.fit(case, hold, policy.case or 0.5, policy.hold or 0.9),
        )
    return out


def train_inline(train: TrainingSet, out_dir: Path, log: Log = print) -> None:
    started = time.perf_counter()
    counts, names = count_matrix(train.normalised)
    x, _ = tfidf(counts)
    log(f"inline: {x.shape[1]} n-gram features before pruning")
    coef, _ = _final_heads(x, train, INLINE_C)
    keep = _prune(names, coef, INLINE_FEATURES)
    counts = counts[:, keep]
    vocabulary = [names[i] for i in keep]
    x, idf = tfidf(counts)
    log(f"inline: {x.shape[1]} features kept; cross-validating")
    oof = _fit_linear(x, train, INLINE_C, log)
    coef, intercept = _final_heads(x, train, INLINE_C)
    maps = _operating_maps(train, oof)
    arrays = {"idf": idf, "coef": coef.astype(np.float32),
              "intercept": intercept.astype(np.float32)}
    meta = {"categories": list(CATEGORIES), "vocabulary": vocabulary}
    _save(out_dir, "inline", arrays, meta, maps)
    log(f"inline: trained in {time.perf_counter() - started:.0f} s")


def _prune(names: list[str], coef: np.ndarray, keep: int) -> list[int]:
    """Columns of the ``keep`` features weighing most for any category (patterns always)."""
    strength = np.abs(coef).max(axis=1)
    order = np.argsort(-strength, kind="stable")[:keep]
    chosen = set(order.tolist()) | {i for i, n in enumerate(names) if n.startswith("p:")}
    return sorted(chosen)


# --- accurate tier -----------------------------------------------------------------------


def validation_rows(train: TrainingSet, share: float = VALIDATION_SHARE) -> np.ndarray:
    """Scraped train rows kept out of fine-tuning, to calibrate the accurate tier on."""
    scraped = _scraped(train)
    drawn = np.random.default_rng(SEED).random(len(scraped)) < share
    return np.flatnonzero(scraped & drawn)


def train_accurate(
    train: TrainingSet, out_dir: Path, log: Log = print,
    settings: FineTuneSettings | None = None, reuse_encoder: bool = False,
) -> None:
    """Fine-tuned encoder whose own logit per category is calibrated into the tier's score.

    The encoder is fine-tuned on the train split minus a validation part; the calibration
    and the operating points are fitted on the validation part's scores from the exported
    int8 model, exactly as it runs in production. (Stacking the logits with the inline
    tier's decision values scored lower on eval: violence AUPRC 0.432 against 0.445.)
    ``reuse_encoder`` keeps an ``encoder.onnx`` already in ``out_dir`` (fine-tuned by an
    earlier run with the same data and settings) and re-fits only the calibration.
    """
    from parley.safety.model.encoder import MAX_TOKENS, OnnxTextClassifier
    from parley.safety.model.finetune import export_int8, fine_tune

    settings = settings or FineTuneSettings()
    started = time.perf_counter()
    validation = validation_rows(train)
    onnx_path = out_dir / "encoder.onnx"
    if reuse_encoder and onnx_path.is_file():
        log(f"accurate: reusing the fine-tuned encoder {onnx_path}")
    else:
        # Swapped copies of validation rows stay out of fine-tuning too.
        fit = np.flatnonzero(~np.isin(train.origin, validation))
        labels = np.stack([train.data.labels[c] for c in CATEGORIES], axis=1)
        model = fine_tune([train.normalised[i] for i in fit], labels[fit], train.weights[fit],
                          settings, log)
        export_int8(model, onnx_path)
    classifier = OnnxTextClassifier(onnx_path, threads=settings.threads)
    encoder_values = classifier.decision_values([train.normalised[i] for i in validation])
    log(f"accurate: scored {len(validation)} validation texts "
        f"({time.perf_counter() - started:.0f} s so far)")
    # The encoder never saw these rows, so its logits on them are honest held-out scores.
    held_out = {c: encoder_values[:, j].astype(np.float64) for j, c in enumerate(CATEGORIES)}
    maps = _operating_maps(_subset(train, validation), held_out)
    arrays: dict[str, np.ndarray] = {}
    meta = {
        "categories": list(CATEGORIES),
        "encoder": {"onnx": onnx_path.name, "layers": settings.layers,
                    "max_tokens": MAX_TOKENS, "validation_texts": len(validation)},
    }
    _save(out_dir, "accurate", arrays, meta, maps)
    log(f"accurate: trained in {time.perf_counter() - started:.0f} s")


def _subset(train: TrainingSet, rows: np.ndarray) -> TrainingSet:
    return TrainingSet(train.data.subset(rows), [train.normalised[i] for i in rows],
                       train.weights[rows], train.origin[rows])


# --- saving ------------------------------------------------------------------------------


def _save(out_dir: Path, stem: str, arrays: dict, meta: dict, maps: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = dict(meta)
    meta["operating"] = {}
    for category, (calibrator, operating) in maps.items():
        arrays.update(calibrator.arrays(category))
        meta["operating"][category] = operating.as_dict()
    np.savez_compressed(out_dir / f"{stem}.npz", **arrays)
    (out_dir / f"{stem}.json").write_text(json.dumps(meta, separators=(",", ":")) + "\n")


def train_all(data_dir: str | Path, out_dir: str | Path, log: Log = print,
              accurate: bool = True, settings: FineTuneSettings | None = None,
              reuse_encoder: bool = False, recipe: str = SHIPPED_RECIPE) -> None:
    train = load_training_set(data_dir, log, recipe)
    train_inline(train, Path(out_dir), log)
    if accurate:
        train_accurate(train, Path(out_dir), log, settings, reuse_encoder)
