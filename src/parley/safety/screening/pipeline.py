"""The screening pipeline: runs detectors on new content and turns scores into an outcome.

Called from ``posts.services.create_post`` / ``edit_post`` (inline tier), from the fan-out
task (accurate tier) and from profile updates. A failing detector never blocks posting."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from parley.safety.policy import category_policy
from parley.safety.screening.base import Detector, DetectorResult

log = logging.getLogger(__name__)

OUTCOME_RANK = {"publish": 0, "case": 1, "hold": 2, "reject": 3}


@dataclass
class ScreeningVerdict:
    outcome: str = "publish"  # publish | case | hold | reject
    category: str | None = None
    score: float = 0.0
    reason: str = ""
    tier: str = "inline"
    results: list[DetectorResult] = field(default_factory=list)
    failed_detectors: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0

    def raise_to(self, outcome: str, category: str | None, score: float, reason: str) -> None:
        if OUTCOME_RANK[outcome] > OUTCOME_RANK[self.outcome] or (
            outcome == self.outcome and score > self.score
        ):
            self.outcome, self.category, self.score, self.reason = (
                outcome,
                category,
                score,
                reason,
            )


def inline_detectors() -> list[Detector]:
    from parley.safety.model import inline_detector

    return [inline_detector()]


def accurate_detectors() -> list[Detector]:
    from parley.safety.model import accurate_detector

    return [accurate_detector()]


def _apply_policy(verdict: ScreeningVerdict, result: DetectorResult) -> None:
    for category, score in result.scores.items():
        policy = category_policy(category)
        if policy.hold is not None and score >= policy.hold:
            verdict.raise_to("hold", category, score, f"{policy.label} ({result.detector})")
        elif policy.case is not None and score >= policy.case:
            verdict.raise_to("case", category, score, f"{policy.label} ({result.detector})")


def run_detectors(detectors: list[Detector], text: str, tier: str) -> ScreeningVerdict:
    verdict = ScreeningVerdict(tier=tier)
    started = time.perf_counter()
    for detector in detectors:
        try:
            result = detector.score(text)
        except Exception:
            log.exception(
                "detector %s failed; post published and queued for review",
                getattr(detector, "name", detector),
            )
            verdict.failed_detectors.append(getattr(detector, "name", repr(detector)))
            verdict.raise_to("case", None, 0.0, "screening failed; needs later screening")
            continue
        verdict.results.append(result)
        _apply_policy(verdict, result)
    verdict.elapsed_ms = (time.perf_counter() - started) * 1000
    return verdict


def _load(loader) -> list[Detector]:
    try:
        return loader()
    except Exception:
        log.exception("could not load screening detectors")
        return []


def screen_new_post(author, text: str, spoiler_text: str, media) -> ScreeningVerdict:
    """Inline tier, run before a post is stored."""
    combined = "\n".join(part for part in (spoiler_text, text) if part)
    if not combined.strip():
        return ScreeningVerdict()
    return run_detectors(_load(inline_detectors), combined, "inline")


def record_post_screening(post, verdict: ScreeningVerdict) -> None:
    """Audit a non-trivial outcome and open a case for it (inside the post's transaction)."""
    if verdict.outcome == "publish":
        return
    from parley.safety.audit import record_event

    record_event(
        f"screening.{verdict.outcome}",
        actor_label="screening",
        subject=post,
        data={
            "tier": verdict.tier,
            "category": verdict.category,
            "score": round(verdict.score, 4),
            "reason": verdict.reason,
            "failed_detectors": verdict.failed_detectors,
            "scores": {r.detector: r.scores for r in verdict.results},
        },
    )
    try:
        from parley.safety.cases.services import open_case_for_screening
    except ImportError:
        return
    open_case_for_screening(post, verdict)


def screen_before_distribution(post) -> str:
    """Accurate tier, run by the fan-out task. Returns the outcome; holds the post if needed."""
    combined = "\n".join(part for part in (post.spoiler_text, post.text) if part)
    if not combined.strip():
        return "publish"
    verdict = run_detectors(_load(accurate_detectors), combined, "accurate")
    if verdict.outcome == "hold":
        from parley.posts.models import PostState
        from parley.posts.services import transition_post

        transition_post(post, PostState.HELD)
    record_post_screening(post, verdict)
    return verdict.outcome


def screen_profile(user) -> None:
    """Display names and bios are screened by the server-wide rules (see rules detector)."""


def screen_media_hash(owner, sha256: str) -> None:
    """Uploaded images are checked against hash lists of known violating content."""
