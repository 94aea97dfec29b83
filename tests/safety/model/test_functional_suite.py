"""The functional suite against the shipped model: the floors it reaches must hold.

The floors are the numbers measured with the shipped weights (MODEL_CARD.md, *Functional
suite*) with a small margin, not the targets: a retrain that does worse fails here.
"""

from __future__ import annotations

from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from parley.safety.model.cli_eval import _policy_thresholds, functional_scores
from parley.safety.model.functional import (
    expand,
    functional_reports,
    groups,
    swap_identity_terms,
    training_rows,
)
from parley.safety.model.normalise import normalise

# Both tiers as a new post is screened (held if either holds; cases from the accurate tier),
# at the policy's thresholds before the hold gates (v3: 99.3 %, 5.7 %, 42.6 %, 0.050).
THREATS_FLAGGED_AT_LEAST = 0.97
NON_HATEFUL_HELD_AT_MOST = 0.07
NON_HATEFUL_FLAGGED_AT_MOST = 0.46
SWAP_DELTA_AT_MOST = 0.06
# Per functionality: no non-hateful functionality may have more held than this.
ANY_NON_HATEFUL_FUNCTIONALITY_HELD_AT_MOST = 0.25
# The inline tier alone (it holds in create_post; v3: 0 %, 0.065).
INLINE_NON_HATEFUL_HELD_AT_MOST = 0.01
INLINE_SWAP_DELTA_AT_MOST = 0.08


@pytest.fixture(scope="module")
def reports():
    from parley.safety.model import accurate_detector, inline_detector

    cases, scores = functional_scores({"inline": inline_detector(),
                                       "accurate": accurate_detector()})
    hold, case = _policy_thresholds()
    return {tier: {r.functionality: r for r in functional_reports(cases, s, hold, case)}
            for tier, s in scores.items()}


def test_threats_in_the_suite_are_flagged(reports):
    both = reports["both"]["ALL threats"]
    assert both.flagged >= THREATS_FLAGGED_AT_LEAST


def test_non_hateful_cases_are_rarely_held_or_flagged(reports):
    both = reports["both"]
    assert both["ALL non-hateful"].held <= NON_HATEFUL_HELD_AT_MOST
    assert both["ALL non-hateful"].flagged <= NON_HATEFUL_FLAGGED_AT_MOST
    for report in both.values():
        if not report.hateful:
            assert report.held <= ANY_NON_HATEFUL_FUNCTIONALITY_HELD_AT_MOST, report
    inline = reports["inline"]["ALL non-hateful"]
    assert inline.held <= INLINE_NON_HATEFUL_HELD_AT_MOST


def test_with_the_shipped_hold_gates_no_non_hateful_case_is_held():
    """As screened: a tier holds alone only at a score over both the policy's hold threshold
    and the gate measured >= 95 % precise for its weights (none: it opens a case)."""
    from parley.safety.model import accurate_detector, inline_detector
    from parley.safety.model.data import CATEGORIES
    from parley.safety.model.detectors import WEIGHTS_DIR
    from parley.safety.model.hold_gates import load

    cases, scores = functional_scores({"inline": inline_detector(),
                                       "accurate": accurate_detector()})
    hold, _ = _policy_thresholds()
    held = np.zeros(len(cases), dtype=bool)
    for tier in ("inline", "accurate"):
        gates = load(WEIGHTS_DIR, tier)
        gate = np.array([g if (g := gates.threshold(c)) is not None else np.inf
                         for c in CATEGORIES])
        held |= (scores[tier] >= np.maximum(hold, gate)).any(axis=1)
    non_hateful = np.array([not c.hateful for c in cases])
    assert not held[non_hateful].any(), [c.text for c, h in zip(cases, held, strict=True) if h][:5]


def test_swapping_the_group_barely_moves_a_score(reports):
    assert reports["both"]["ALL"].swap_delta <= SWAP_DELTA_AT_MOST
    assert reports["inline"]["ALL"].swap_delta <= INLINE_SWAP_DELTA_AT_MOST


def test_the_measuring_part_is_never_trained_on():
    measured = {normalise(c.text) for c in expand()}
    trained = {normalise(r["text"]) for r in training_rows()}
    assert measured and trained
    assert not measured & trained


def test_every_template_is_filled_for_every_group():
    cases = expand()
    names = [g["name"] for g in groups()["groups"]]
    grouped = [c for c in cases if c.target in names]
    per_template: dict[int, set[str]] = {}
    for c in grouped:
        per_template.setdefault(c.template, set()).add(c.target)
    assert per_template and all(t == set(names) for t in per_template.values())
    assert {c.functionality for c in cases} >= {
        "threat_direct", "threat_normative", "call_to_kill", "threat_question",
        "threat_misspelled", "identity_neutral", "identity_positive", "counter_quote",
        "counter_denounce", "negated_threat", "violent_object", "game", "sport",
        "news_report", "reclaimed", "homonym"}


def test_identity_swap_changes_only_the_group():
    text = normalise("Kill all Muslims, said the muslim-hating troll")
    swapped = swap_identity_terms(text, 1)
    assert swapped == "kill all jews, said the jew-hating troll"
    assert swap_identity_terms("a walk in the park", 3) == "a walk in the park"


def test_eval_prints_the_suite_per_functionality():
    out = StringIO()
    call_command("safety", "eval", "--functional", "--tiers", "inline", stdout=out)
    text = out.getvalue()
    assert "functional suite (measuring part, never trained on)" in text
    line = next(x for x in text.splitlines() if x.startswith("identity_neutral"))
    flagged, held = (float(v.rstrip("%")) for v in line.split()[3:5])
    assert 0 <= held <= flagged <= 100
    assert np.isfinite(float(line.split()[5]))
