"""The screening pipeline: runs detectors on new content and turns scores into an outcome.

Called from ``posts.services.create_post`` / ``edit_post`` (inline tier), from the fan-out
task (accurate tier), from a background task (heavier optional detectors), from profile
updates and from media uploads. A failing or slow detector never blocks posting: it counts
as failed, the post is published and a case is opened for later screening."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from django.utils.module_loading import import_string

from parley.safety.policy import category_policy
from parley.safety.screening import config
from parley.safety.screening.base import Detector, DetectorResult, evidence_dict

log = logging.getLogger(__name__)

OUTCOME_RANK = {"publish": 0, "case": 1, "hold": 2, "reject": 3}
# Seconds one detector may take before it counts as failed (PARLEY_DETECTOR_TIMEOUTS).
DEFAULT_TIMEOUTS = {"inline": 2.0, "accurate": 20.0, "background": 120.0}
POST_FIELDS = ("text", "cw")
HELD_BACK = "holding at this score was not measured precise enough on held-out data"
PROFILE_FIELDS = ("display_name", "bio")


@dataclass
class ScreeningVerdict:
    outcome: str = "publish"  # publish | case | hold | reject
    category: str | None = None
    score: float = 0.0
    reason: str = ""
    tier: str = "inline"
    results: list[DetectorResult] = field(default_factory=list)
    failed_detectors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # "detector: why", for the reason
    elapsed_ms: float = 0.0
    # Detectors whose scores only hold here: their cases are left to the accurate tier.
    cases_deferred: set[str] = field(default_factory=set)
    # The outcome comes from a score at a policy threshold (a model), not from a rule, a hash
    # list or a failure: such a case is gated by expected harm (safety/cases/harm.py).
    by_score: bool = False
    # Every (category, score) whose score reached a case threshold: each category is gated
    # by its own expected-harm bar, so a case may open for one while another is only watched.
    case_candidates: dict[str, float] = field(default_factory=dict)
    # Categories whose score reached the hold threshold but not the model's hold gate: a case
    # that opens at once (never only watched), as a hold would have.
    held_back: set[str] = field(default_factory=set)

    def raise_to(self, outcome: str, category: str | None, score: float, reason: str,
                 *, by_score: bool = False) -> None:
        if OUTCOME_RANK[outcome] > OUTCOME_RANK[self.outcome] or (
            outcome == self.outcome and score > self.score
        ):
            self.outcome, self.category, self.score, self.reason = (
                outcome,
                category,
                score,
                reason,
            )
            self.by_score = by_score

    @property
    def is_model_case(self) -> bool:
        """A case only a score asks for: no hold, no rule or hash match, no failed detector."""
        return (self.outcome == "case" and self.by_score and self.category is not None
                and not self.failed_detectors and not self.held_back)

    @property
    def evidence(self) -> dict[str, dict[str, list[str]]]:
        return {r.detector: evidence_dict(r) for r in self.results if r.evidence}


# -- which detectors run -------------------------------------------------------------------


class _UnloadableDetector:
    """Stands in for a configured detector that could not be built, so it counts as failed."""

    def __init__(self, name: str, error: Exception, tier: str) -> None:
        self.name, self.tier, self._error = name, tier, error

    def score(self, text: str) -> DetectorResult:
        raise RuntimeError(f"detector could not be loaded: {self._error!r}")

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        return [self.score(t) for t in texts]


_configured: dict[str, Detector] = {}


def _configured_detector(path: str, default_tier: str) -> Detector:
    """Build (once per process) a detector named by a dotted path: instance, class or factory."""
    if path not in _configured:
        try:
            target = import_string(path)
            detector = target if hasattr(target, "score") and not isinstance(target, type) \
                else target()
        except Exception as exc:
            log.exception("could not load screening detector %s", path)
            return _UnloadableDetector(path, exc, default_tier)
        _configured[path] = detector
    return _configured[path]


def extra_detectors(tier: str) -> list[Detector]:
    """Operator detectors: PARLEY_EXTRA_DETECTORS (any tier) and PARLEY_BACKGROUND_DETECTORS."""
    paths = config.dotted_paths("PARLEY_EXTRA_DETECTORS")
    found = [_configured_detector(p, "inline") for p in paths]
    if tier == "background":
        found += [_configured_detector(p, "background")
                  for p in config.dotted_paths("PARLEY_BACKGROUND_DETECTORS")]
    return [d for d in found if getattr(d, "tier", "inline") == tier]


def _model_detector(factory_name: str) -> list[Detector]:
    if not config.setting("PARLEY_BUILTIN_MODEL", True):
        return []
    try:
        from parley.safety import model

        factory = getattr(model, factory_name, None)
        if factory is None:  # the model package is not built (or not installed) yet
            return []
        return [factory()]
    except ImportError:
        return []
    except Exception as exc:
        log.exception("the built-in model's %s could not be loaded", factory_name)
        return [_UnloadableDetector(f"model.{factory_name}", exc, "inline")]


def _list_detectors(fields: Iterable[str]) -> list[Detector]:
    from parley.safety.screening import detectors, snapshots

    tokens = snapshots.current_tokens()
    found: list[Detector] = [detectors.rules_detector(f, tokens[snapshots.RULES]) for f in fields]
    if "text" in fields:
        found.append(detectors.hashes_detector(tokens[snapshots.HASHES]))
        found.append(detectors.near_duplicates_detector(tokens[snapshots.REMOVED]))
    return found


def inline_detectors() -> list[Detector]:
    """Model inline detector + rules (text and content warning) + hashes + near-duplicates."""
    return (_model_detector("inline_detector") + _load(lambda: _list_detectors(POST_FIELDS))
            + extra_detectors("inline"))


def accurate_detectors() -> list[Detector]:
    return _model_detector("accurate_detector") + extra_detectors("accurate")


def background_detectors() -> list[Detector]:
    """Operator-added background detectors and the model's optional backends (an external
    moderation API, a transformers classifier exported to ONNX), each off until configured."""
    from parley.safety.model import backends

    return extra_detectors("background") + backends.background_detectors()


def warm_up(tiers: Iterable[str] = ("inline", "accurate")) -> int:
    """Load the models and screening lists of ``tiers`` now (at process start), so that the
    first post does not pay for it and overrun its time budget. Returns detectors warmed."""
    loaders = {"inline": inline_detectors, "accurate": accurate_detectors}
    warmed = 0
    for tier in tiers:
        for detector in _load(loaders[tier]):
            try:
                detector.score("warming up the screening detectors")
                warmed += 1
            except Exception:  # a broken detector is reported when it screens a post
                log.exception("could not warm up detector %s", getattr(detector, "name", ""))
    return warmed


def _load(loader: Callable[[], list[Detector]]) -> list[Detector]:
    try:
        return loader()
    except Exception as exc:
        log.exception("could not load screening detectors")
        return [_UnloadableDetector("screening lists", exc, "inline")]


# -- running them under a time budget ------------------------------------------------------

_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():  # threads do not survive a fork
            workers = config.setting("PARLEY_SCREENING_THREADS", 8)
            _pool = (os.getpid(), ThreadPoolExecutor(workers, "screening"))
        return _pool[1]


def _timeout(detector: Detector, tier: str) -> float:
    own = getattr(detector, "timeout", None)
    if own is not None:
        return float(own)
    budgets = {**DEFAULT_TIMEOUTS, **config.setting("PARLEY_DETECTOR_TIMEOUTS", {})}
    return float(budgets.get(tier, DEFAULT_TIMEOUTS["inline"]))


def _reason(outcome: str, category: str, detector: str) -> str:
    label = category_policy(category).label
    if outcome == "reject":
        return f"This content is not allowed on this server ({label}; {detector})"
    return f"{label} ({detector})"


def _apply_policy(verdict: ScreeningVerdict, result: DetectorResult) -> None:
    for category, action in result.actions.items():
        score = result.scores.get(category, 1.0)
        verdict.raise_to(action, category, score, _reason(action, category, result.detector))
    for category in result.scores:
        _apply_thresholds(verdict, result, category)


def _apply_thresholds(verdict: ScreeningVerdict, result: DetectorResult, category: str,
                      shift: float = 0.0, note: str = "") -> None:
    """Hold or open a case if the score is at the policy's thresholds lowered by ``shift``."""
    if category in result.actions:
        return
    score, rules = result.scores[category], category_policy(category)
    why = f"{rules.label} ({result.detector}{note})"
    if rules.hold is not None and score >= rules.hold - shift:
        gate = _hold_gate(result, category)
        if gate is not None and score >= gate:
            verdict.raise_to("hold", category, score, why)
        else:  # holding here was not measured precise enough: a person decides
            verdict.raise_to("case", category, score, f"{why}; not held: {HELD_BACK}")
            verdict.held_back.add(category)
    elif (rules.case is not None and score >= rules.case - shift
          and result.detector not in verdict.cases_deferred):
        verdict.raise_to("case", category, score, why, by_score=True)
        verdict.case_candidates[category] = max(score, verdict.case_candidates.get(category, 0))


def _hold_gate(result: DetectorResult, category: str) -> float | None:
    """Lowest score from which ``result`` may hold in ``category`` (0: the policy's hold
    threshold alone decides; None: never, a case instead). See ``model/hold_gates.py``."""
    if result.hold_gates is None:
        return 0.0
    return result.hold_gates.get(category)


def _fail(verdict: ScreeningVerdict, detector: Detector, why: str) -> None:
    name = getattr(detector, "name", repr(detector))
    verdict.failed_detectors.append(name)
    verdict.failures.append(f"{name}: {why}")
    reason = f"screening failed ({'; '.join(verdict.failures)}); needs later screening"
    verdict.raise_to("case", None, 0.0, reason)
    if verdict.outcome == "case" and verdict.category is None:
        verdict.reason = reason


def run_detectors(
    detectors: list[Detector], text: str, tier: str, *, texts: dict[str, str] | None = None,
    accurate_follows: bool = False,
) -> ScreeningVerdict:
    """Run detectors side by side, each under its time budget; combine their results.

    A detector with a ``field`` attribute scores ``texts[field]`` when ``texts`` is given
    (rules on the content warning see only the content warning), the others ``text``.
    With ``accurate_follows`` (the accurate tier will screen this content before anyone sees
    it), a detector whose ``case_tier`` is "accurate" only holds: cases are left to that tier.
    """
    verdict = ScreeningVerdict(tier=tier)
    if accurate_follows:
        verdict.cases_deferred = {d.name for d in detectors
                                  if getattr(d, "case_tier", None) == "accurate"}
    started = time.perf_counter()
    jobs = []
    for detector in detectors:
        subject = text
        if texts is not None and getattr(detector, "field", None) is not None:
            subject = texts.get(detector.field, "")
        if not subject.strip():
            continue
        deadline = started + _timeout(detector, tier)
        jobs.append((detector, _executor().submit(detector.score, subject), deadline))
    for detector, future, deadline in jobs:
        try:
            result = future.result(timeout=max(0.0, deadline - time.perf_counter()))
        except FutureTimeout:
            log.error("detector %s timed out; content published and queued for review",
                      getattr(detector, "name", detector))
            future.cancel()
            _fail(verdict, detector, "timed out")
            continue
        except Exception as exc:
            log.exception("detector %s failed; content published and queued for review",
                          getattr(detector, "name", detector))
            _fail(verdict, detector, type(exc).__name__)
            continue
        verdict.results.append(result)
        _apply_policy(verdict, result)
    verdict.elapsed_ms = (time.perf_counter() - started) * 1000
    return verdict


# -- posts ---------------------------------------------------------------------------------


def _screen_attached_media(verdict: ScreeningVerdict, media) -> None:
    from parley.safety.screening.selectors import image_hash_matches

    result = image_hash_matches([m.sha256 for m in media if getattr(m, "sha256", "")])
    if result is not None:
        verdict.results.append(result)
        _apply_policy(verdict, result)


def screen_new_post(author, text: str, spoiler_text: str, media, *,
                    accurate_follows: bool = False) -> ScreeningVerdict:
    """Inline tier, run before a post is stored (and before an edit is saved).

    ``accurate_follows``: the post goes through the accurate tier (the fan-out) before it
    reaches anyone, so the built-in model's cases are left to that tier's better scores."""
    combined = "\n".join(part for part in (spoiler_text, text) if part)
    verdict = ScreeningVerdict()
    if combined.strip():
        verdict = run_detectors(
            _load(inline_detectors), combined, "inline", texts={"text": text, "cw": spoiler_text},
            accurate_follows=accurate_follows,
        )
    if media:
        _screen_attached_media(verdict, media)
    if author is not None and verdict.outcome in ("publish", "case"):
        _apply_account_signals(verdict, author, combined)
    if verdict.outcome == "reject":
        _audit_rejection(author, verdict, "post")
    return verdict


def _apply_account_signals(verdict: ScreeningVerdict, author, text: str) -> None:
    """Lower the bar for this post when the account's signals say so (policy.ACCOUNT_SIGNALS).

    Only scores just under a threshold can change the outcome, so the signals (two queries)
    are read only then."""
    from parley.safety.screening import signals

    scored = [r for r in verdict.results if r.scores and signals.near_threshold(r.scores)]
    if scored:
        apply_signals(verdict, signals.account_signals(author, text), scored)


def apply_signals(verdict: ScreeningVerdict, found, results: list[DetectorResult] | None = None
                  ) -> None:
    """Lower each category's thresholds by the shift of the signals ``found`` (an
    ``AccountSignals``) and hold or open a case where the scores now reach them."""
    for result in verdict.results if results is None else results:
        for category in result.scores:
            shift, names = found.for_category(category)
            if names:
                _apply_thresholds(verdict, result, category, shift,
                                  f"; account signals: {', '.join(names)}")


def _audit_rejection(account, verdict: ScreeningVerdict, what: str) -> None:
    from parley.safety.audit import record_event

    record_event(f"screening.reject.{what}", actor_label="screening", subject=account,
                 data=_verdict_data(verdict))


def _verdict_data(verdict: ScreeningVerdict) -> dict:
    return {
        "tier": verdict.tier,
        "category": verdict.category,
        "score": round(verdict.score, 4),
        "reason": verdict.reason,
        "failed_detectors": verdict.failed_detectors,
        "scores": {r.detector: r.scores for r in verdict.results},
        "evidence": verdict.evidence,
    }


def record_post_screening(post, verdict: ScreeningVerdict) -> None:
    """Audit a non-trivial outcome and open a case for it (inside the post's transaction)."""
    if verdict.outcome == "publish":
        return
    from parley.safety.audit import record_event

    record_event(f"screening.{verdict.outcome}", actor_label="screening", subject=post,
                 data=_verdict_data(verdict))
    from parley.safety.cases.services import open_case_for_screening

    open_case_for_screening(post, verdict)


def _post_text(post) -> str:
    """What the accurate tier reads: content warning, text and any poll's options."""
    poll = getattr(post, "poll", None)
    options = poll.options if poll is not None else []
    return "\n".join(part for part in (post.spoiler_text, post.text, *options) if part)


def screen_before_distribution(post) -> str:
    """Accurate tier, run by the fan-out task. Returns the outcome; holds the post if needed."""
    combined = _post_text(post)
    if not combined.strip():
        return "publish"
    verdict = run_detectors(_load(accurate_detectors), combined, "accurate")
    return _decide_before_distribution(post, verdict, combined)


SCREEN_BATCH = 64  # texts per score_batch call of the bulk accurate tier


def screen_posts_before_distribution(posts: list) -> dict[int, str]:
    """Accurate tier for many posts at once (the bulk fan-out of generated or imported
    posts): each detector scores the posts in batches (``score_batch``, one model call per
    SCREEN_BATCH texts instead of one per post), then each post is decided, held and
    recorded exactly as ``screen_before_distribution`` does. Outcome by post id."""
    texts = {post.pk: _post_text(post) for post in posts}
    screened = [post for post in posts if texts[post.pk].strip()]
    verdicts = {post.pk: ScreeningVerdict(tier="accurate") for post in screened}
    for detector in _load(accurate_detectors):
        for start in range(0, len(screened), SCREEN_BATCH):
            chunk = screened[start:start + SCREEN_BATCH]
            _score_chunk(detector, [texts[p.pk] for p in chunk],
                         [verdicts[p.pk] for p in chunk])
    outcomes = dict.fromkeys(texts, "publish")
    for post in screened:
        outcomes[post.pk] = _decide_before_distribution(post, verdicts[post.pk], texts[post.pk])
    return outcomes


def _score_chunk(detector: Detector, texts: list[str], verdicts: list[ScreeningVerdict]
                 ) -> None:
    """One ``score_batch`` call under the tier's budget for each text; a failure or a
    timeout counts as failed for every post of the chunk (as ``run_detectors`` does)."""
    budget = _timeout(detector, "accurate") * len(texts)
    future = _executor().submit(detector.score_batch, texts)
    try:
        results = future.result(timeout=budget)
    except Exception as exc:
        why = "timed out" if isinstance(exc, FutureTimeout) else type(exc).__name__
        log.exception("detector %s failed on a batch; those posts are queued for review",
                      getattr(detector, "name", detector))
        future.cancel()
        for verdict in verdicts:
            _fail(verdict, detector, why)
        return
    for verdict, result in zip(verdicts, results, strict=True):
        verdict.results.append(result)
        _apply_policy(verdict, result)


def _decide_before_distribution(post, verdict: ScreeningVerdict, combined: str) -> str:
    if verdict.outcome in ("publish", "case"):
        _apply_account_signals(verdict, post.author, combined)
    from django.db import transaction

    # Hold and case together: a fan-out that dies between them is re-run from the start,
    # never leaves a held post no moderator will see.
    with transaction.atomic():
        if verdict.outcome in ("hold", "reject"):  # too late to reject: the post exists
            verdict.outcome = "hold"
            from parley.posts.models import PostState
            from parley.posts.services import transition_post

            transition_post(post, PostState.HELD)
        record_post_screening(post, verdict)
    if verdict.outcome != "hold":
        queue_background_screening(post)
    return verdict.outcome


def queue_background_screening(post) -> None:
    """Enqueue the background tier if any heavier detector is configured."""
    if not background_detectors():
        return
    from django.db import transaction

    from parley.safety.screening.tasks import screen_post_in_background

    post_id = post.pk
    # robust: the post is committed; a queue that is down (Redis lost) must not fail the
    # request. Background screening is best-effort; fan-out has its own re-queue.
    transaction.on_commit(lambda: screen_post_in_background.enqueue(post_id), robust=True)


def screen_in_background(post) -> str:
    """Background tier: heavier detectors may open a case, never hold or reject."""
    detectors = background_detectors()
    combined = _post_text(post)
    if not detectors or not combined.strip():
        return "publish"
    verdict = run_detectors(detectors, combined, "background")
    if verdict.outcome in ("hold", "reject"):
        verdict.outcome = "case"
    record_post_screening(post, verdict)
    return verdict.outcome


# -- profiles and media --------------------------------------------------------------------


def screen_profile(user, *, new_account: bool = False) -> None:
    """Screen a changed display name or bio (all of them for a ``new_account``) with the
    server rules.

    Reject rules refuse the update (ValidationFailed); hold and case rules let it through
    and open a case about the account."""
    from parley.accounts.models import User
    from parley.core.errors import ValidationFailed
    from parley.safety.screening.detectors import FIELD_LABEL

    stored = {} if new_account else (
        User.objects.filter(pk=user.pk).values(*PROFILE_FIELDS).first() or {})
    texts = {f: getattr(user, f) or "" for f in PROFILE_FIELDS
             if (getattr(user, f) or "") != stored.get(f, "")}
    texts = {f: t for f, t in texts.items() if t.strip()}
    if not texts:
        return
    verdict = run_detectors(_load(lambda: _list_detectors(texts)), "", "inline", texts=texts)
    if verdict.outcome == "reject":
        _audit_rejection(user, verdict, "profile")
        field_name = next(f for f in texts if _rejected_field(verdict, FIELD_LABEL[f]))
        label = category_policy(verdict.category or "other").label
        raise ValidationFailed(
            f"Validation failed: {FIELD_LABEL[field_name]} is not allowed on this server ({label})"
        )
    if verdict.outcome != "publish":
        open_account_case(user, verdict, "profile")


def _rejected_field(verdict: ScreeningVerdict, label: str) -> bool:
    return any(why.startswith(label) for r in verdict.results if "reject" in r.actions.values()
               for whys in r.evidence.values() for why in whys)


def open_account_case(account, verdict: ScreeningVerdict, what: str) -> None:
    """Audit a screening result about an account (profile, upload) and open a case for it."""
    from parley.safety.audit import record_event

    record_event(f"screening.{what}.{verdict.outcome}", actor_label="screening",
                 subject=account, data=_verdict_data(verdict))
    from parley.safety.cases.services import open_case_for_account_screening

    open_case_for_account_screening(account, verdict)


def screen_media_hash(owner, sha256: str) -> None:
    """An upload whose SHA-256 is on a hash list with a reject outcome is refused.

    Hold and case entries let the upload through; the post that attaches it is held or
    opens a case (see ``screen_new_post``)."""
    from parley.core.errors import ValidationFailed
    from parley.safety.screening.selectors import image_hash_matches

    result = image_hash_matches([sha256])
    if result is None:
        return
    verdict = ScreeningVerdict(tier="inline", results=[result])
    _apply_policy(verdict, result)
    if verdict.outcome != "reject":
        return
    open_account_case(owner, verdict, "media")
    raise ValidationFailed("This file matches known violating content and cannot be uploaded")
