"""Loading the labelled safety dataset and the hand-written hard negatives."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Parley policy category -> dataset label column.
CATEGORY_LABELS: dict[str, str] = {
    "violence": "violence",
    "illegal_or_harmful_speech": "hate",
}
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_LABELS)
HARD_NEGATIVES_PATH = Path(__file__).parent / "hard_negatives.jsonl"
THREATS_PATH = Path(__file__).parent / "threats.jsonl"
DATASET_NAME = "parley-safety-v1.jsonl.gz"
EDOS_NAME = "edos-sexism-threats.jsonl.gz"  # same schema; consistent violence labels


@dataclass
class LabelledTexts:
    """Texts with one label vector per category: 1, 0, or -1 for unknown."""

    texts: list[str]
    labels: dict[str, np.ndarray]
    sources: list[str]
    clean: np.ndarray  # every known label (incl. offensive) is 0

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: np.ndarray) -> LabelledTexts:
        return LabelledTexts(
            texts=[self.texts[i] for i in index],
            labels={c: v[index] for c, v in self.labels.items()},
            sources=[self.sources[i] for i in index],
            clean=self.clean[index],
        )

    def concat(self, other: LabelledTexts) -> LabelledTexts:
        return LabelledTexts(
            texts=self.texts + other.texts,
            labels={c: np.concatenate([self.labels[c], other.labels[c]]) for c in self.labels},
            sources=self.sources + other.sources,
            clean=np.concatenate([self.clean, other.clean]),
        )


def _label(value: object) -> int:
    return -1 if value is None else int(value)


def dataset_file(path: str | Path) -> Path:
    path = Path(path)
    return path / DATASET_NAME if path.is_dir() else path


def _from_rows(rows: list[dict]) -> LabelledTexts:
    labels = {
        category: np.array([_label(r.get(column)) for r in rows], dtype=np.int8)
        for category, column in CATEGORY_LABELS.items()
    }
    clean = np.array(
        [
            all(r.get(k) in (0, None) for k in ("violence", "incitement", "hate", "offensive"))
            and any(r.get(k) == 0 for k in ("violence", "hate", "offensive"))
            for r in rows
        ],
        dtype=bool,
    )
    sources = [(r.get("sources") or ["?"])[0].split(":")[0] for r in rows]
    return LabelledTexts([r["text"] for r in rows], labels, sources, clean)


def load_rows(path: str | Path, split: str | None) -> list[dict]:
    """The raw JSON rows of one split (``train``/``eval``), or all rows when ``split`` is None."""
    file = dataset_file(path)
    opener = gzip.open if file.suffix == ".gz" else open
    with opener(file, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    if split is not None:
        rows = [r for r in rows if r.get("split", "train") == split]
    return rows


def from_rows(rows: list[dict]) -> LabelledTexts:
    return _from_rows(rows)


def load_split(path: str | Path, split: str | None) -> LabelledTexts:
    """Rows of one split (``train``/``eval``) or all rows when ``split`` is None."""
    return _from_rows(load_rows(path, split))


def _hand_written(path: Path, source: str, defaults: dict[str, int | None]) -> LabelledTexts:
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    for row in rows:
        for key, value in defaults.items():
            row.setdefault(key, value)
        row["sources"] = [f"{source}:{row.get('kind', 'misc')}"]
    return _from_rows(rows)


def load_hard_negatives(path: Path = HARD_NEGATIVES_PATH) -> LabelledTexts:
    """Benign text that looks violent (news, sport, games, fiction, idioms, counter-speech)."""
    return _hand_written(path, "hard_negatives", {"violence": 0, "hate": 0, "offensive": 0})


def load_threats(path: Path = THREATS_PATH) -> LabelledTexts:
    """Hand-written direct threats against a person, rare in the scraped corpora."""
    return _hand_written(path, "threats", {"violence": 1, "hate": None, "offensive": None})
