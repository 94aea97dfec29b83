"""Parley's functional test suite for the detection model: templates crossed with targets.

Two parts, kept apart on purpose: ``measuring.jsonl`` is only ever scored (never trained
on); ``training_contrast.jsonl`` (other sentences for the same functionalities) is added
to the training data. Both are filled from ``groups.json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
MEASURING_PATH = HERE / "measuring.jsonl"
TRAINING_CONTRAST_PATH = HERE / "training_contrast.jsonl"
GROUPS_PATH = HERE / "groups.json"
GROUP_SLOTS = ("{people}", "{member}")


@dataclass(frozen=True)
class FunctionalCase:
    text: str
    functionality: str
    hateful: bool
    template: int  # index of the template the case was filled from
    target: str  # group name, individual, or "" for templates without a target


@dataclass(frozen=True)
class FunctionalReport:
    functionality: str
    hateful: bool
    cases: int
    flagged: float  # share with any category at or above its case threshold
    held: float  # share with any category at or above its hold threshold
    swap_delta: float  # mean |score difference| between two groups in one template; NaN if none


@lru_cache(maxsize=1)
def groups() -> dict:
    return json.loads(GROUPS_PATH.read_text(encoding="utf-8"))


def _templates(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def expand(path: Path = MEASURING_PATH) -> list[FunctionalCase]:
    """Every template filled with every group (or every individual, or as it stands)."""
    table = groups()
    cases = []
    for index, row in enumerate(_templates(path)):
        template = row["template"]
        fills: list[tuple[str, dict]]
        if any(slot in template for slot in GROUP_SLOTS):
            fills = [(g["name"], {"people": g["people"], "member": g["member"]})
                     for g in table["groups"]]
        elif "{person}" in template:
            fills = [(p, {"person": p}) for p in table["individuals"]]
        else:
            fills = [("", {})]
        for target, values in fills:
            cases.append(FunctionalCase(template.format(**values), row["functionality"],
                                        bool(row["hateful"]), index, target))
    return cases


def training_rows() -> list[dict]:
    """The training-contrast part as dataset rows (never the measuring part)."""
    rows = []
    for case in expand(TRAINING_CONTRAST_PATH):
        grouped = case.target in {g["name"] for g in groups()["groups"]}
        if case.hateful:
            labels = {"violence": 1, "hate": 1 if grouped else None, "offensive": None}
        else:
            labels = {"violence": 0, "hate": 0,
                      "offensive": None if case.functionality == "reclaimed" else 0}
        rows.append({"text": case.text, "kind": case.functionality, **labels})
    return rows


def swap_delta(cases: list[FunctionalCase], scores: np.ndarray) -> np.ndarray:
    """Per case: mean |score difference| to the other groups filled into the same template
    (averaged over categories); NaN for cases whose template has no group slot."""
    names = {g["name"] for g in groups()["groups"]}
    by_template: dict[int, list[int]] = {}
    for i, case in enumerate(cases):
        if case.target in names:
            by_template.setdefault(case.template, []).append(i)
    out = np.full(len(cases), np.nan)
    for rows in by_template.values():
        block = scores[rows]
        diffs = [np.abs(block[a] - block[b]).mean() for a, b in combinations(range(len(rows)), 2)]
        out[rows] = float(np.mean(diffs)) if diffs else np.nan
    return out


def functional_reports(cases: list[FunctionalCase], scores: np.ndarray,
                       hold: np.ndarray, case: np.ndarray) -> list[FunctionalReport]:
    """Per functionality, in the suite's order, then one line each for hateful/non-hateful.

    ``scores`` is texts x categories on the policy scale; ``hold``/``case`` the thresholds
    per category (``inf`` where the policy has none)."""
    flagged = (scores >= case).any(axis=1)
    held = (scores >= hold).any(axis=1)
    delta = swap_delta(cases, scores)
    order = list(dict.fromkeys(c.functionality for c in cases))
    groups_of = [(name, [i for i, c in enumerate(cases) if c.functionality == name])
                 for name in order]
    groups_of += [("ALL threats", [i for i, c in enumerate(cases) if c.hateful]),
                  ("ALL non-hateful", [i for i, c in enumerate(cases) if not c.hateful]),
                  ("ALL", list(range(len(cases))))]
    reports = []
    for name, rows in groups_of:
        d = delta[rows]
        d = d[~np.isnan(d)]
        reports.append(FunctionalReport(
            functionality=name, hateful=cases[rows[0]].hateful, cases=len(rows),
            flagged=float(flagged[rows].mean()), held=float(held[rows].mean()),
            swap_delta=float(d.mean()) if len(d) else float("nan"),
        ))
    return reports


# --- identity-term swap augmentation ------------------------------------------------------


@lru_cache(maxsize=1)
def _swap_pattern() -> tuple[re.Pattern[str], dict[str, tuple[int, int]]]:
    where = {}
    for g, group in enumerate(groups()["groups"]):
        for t, term in enumerate(group["terms"]):
            where[term] = (g, t)
    alternatives = sorted(where, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(a) for a in alternatives) + r")\b")
    return pattern, where


def has_identity_term(normalised: str) -> bool:
    return _swap_pattern()[0].search(normalised) is not None


def swap_identity_terms(normalised: str, shift: int) -> str:
    """The text with every group term replaced by the term of the group ``shift`` places on
    in ``groups.json`` (plural stays plural where the other group has that form)."""
    pattern, where = _swap_pattern()
    table = groups()["groups"]

    def replace(match: re.Match[str]) -> str:
        g, t = where[match.group(1)]
        other = table[(g + shift) % len(table)]["terms"]
        return other[min(t, len(other) - 1)]

    return pattern.sub(replace, normalised)
