"""The detector interface: every screening detector scores text the same way."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
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
    ``hold_gates`` (the built-in model's): per category, the lowest score from which this
    result may hold, measured precise enough on held-out data; None for a category: never
    hold, open a case instead. Without ``hold_gates`` the policy's hold threshold alone decides.
    """

    detector: str
    scores: dict[str, float] = field(default_factory=dict)
    evidence: Mapping[str, list[str]] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)
    hold_gates: Mapping[str, float | None] | None = None


class LazyEvidence(Mapping[str, list[str]]):
    """Evidence worked out when first read rather than when the text is scored.

    Most screened posts are published and nobody reads their evidence; it is read only when
    the outcome is recorded (a hold or a case). The built-in inline model scores 1,550-1,840
    eval-like posts/s this way, 980-1,510 when every post's evidence is read."""

    def __init__(self, explain: Callable[[], dict[str, list[str]]]) -> None:
        self._explain: Callable[[], dict[str, list[str]]] | None = explain
        self._found: dict[str, list[str]] = {}

    def _evidence(self) -> dict[str, list[str]]:
        explain = self._explain
        if explain is not None:  # two readers at once would both work it out: harmless
            self._found = explain()
            self._explain = None
        return self._found

    def __getitem__(self, category: str) -> list[str]:
        return self._evidence()[category]

    def __iter__(self) -> Iterator[str]:
        return iter(self._evidence())

    def __len__(self) -> int:
        return len(self._evidence())

    def __repr__(self) -> str:
        return repr(self._evidence())


def evidence_dict(result: DetectorResult) -> dict[str, list[str]]:
    """A result's evidence as a plain dict (what audit records and cases store as JSON)."""
    return dict(result.evidence)


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
