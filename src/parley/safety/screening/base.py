"""The detector interface: every screening detector scores text the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Tier = Literal["inline", "accurate", "background"]


@dataclass(frozen=True)
class DetectorResult:
    """What one detector found in one text.

    ``scores`` maps a policy category (see ``safety.policy``) to a calibrated
    probability in [0, 1] that the text violates it. ``evidence`` maps a category
    to short human-readable reasons shown to moderators (the words, patterns,
    hashes or removed posts that drove the score). ``actions`` maps a category to an
    outcome a detector demands regardless of thresholds (``reject``, ``hold`` or
    ``case``): operator rules and hash lists say what to do, models only score.
    """

    detector: str
    scores: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class Detector(Protocol):
    """Scores text for policy categories. Must be thread-safe and side-effect free.

    ``score`` runs in a worker thread under a time budget (the optional ``timeout``
    attribute, in seconds, or the tier's budget), so it must not touch the database.
    An inline detector may set ``case_tier = "accurate"``: for new posts, which the accurate
    tier screens before anyone sees them, its scores then only hold, never open a case."""

    name: str
    tier: Tier

    def score(self, text: str) -> DetectorResult: ...

    def score_batch(self, texts: list[str]) -> list[DetectorResult]: ...
