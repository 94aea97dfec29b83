"""Expected harm of a flagged post, and the bar a model case must clear within the review budget."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from parley.accounts.models import Follow
from parley.posts.models import Post, PostState
from parley.safety import policy
from parley.safety.cases.models import Case, WatchedPost

DAY = timedelta(hours=24)
log = logging.getLogger(__name__)


def review_budget() -> int:
    """Model cases moderators can take per 24 hours (PARLEY_REVIEW_BUDGET; 0 or less: none)."""
    raw = getattr(settings, "PARLEY_REVIEW_BUDGET", None)
    try:
        return max(0, int(raw)) if raw not in (None, "") else policy.DEFAULT_REVIEW_BUDGET
    except (TypeError, ValueError):
        # A typo in the setting must not stop screening: use the default and say so.
        log.warning("PARLEY_REVIEW_BUDGET=%r is not a whole number; using %d", raw,
                    policy.DEFAULT_REVIEW_BUDGET)
        return policy.DEFAULT_REVIEW_BUDGET


def expected_reach(post: Post) -> float:
    """How many people a post is likely to reach: its author's and echoers' followers, plus
    people who replied or liked, weighed by visibility (followers-only and direct stay small)."""
    echoers = list(Post.objects.filter(reblog_of=post, state=PostState.PUBLISHED)
                   .values_list("author_id", flat=True))
    audience = (Follow.objects.filter(followee_id__in=[post.author_id, *echoers])
                .values("follower_id").distinct().count())
    engaged = len(echoers) + policy.REPLY_REACH * post.replies_count \
        + policy.LIKE_REACH * post.favourites_count
    weight = policy.REACH_BY_VISIBILITY.get(post.visibility, 1.0)
    return weight * (1.0 + audience + engaged)


def expected_harm(post: Post, score: float) -> float:
    """Probability of a violation (the calibrated score) x expected reach."""
    return score * expected_reach(post)


def model_cases_since(since: datetime) -> int:
    return Case.objects.filter(opened_at__gte=since, expected_harm__isnull=False).count()


def case_bar(category: str, now: datetime | None = None) -> float | None:
    """The expected harm a model case in this category must reach now (None: not gated).

    The category's ``case_harm``; once the last 24 hours' model cases fill the review
    budget, also the budget-th highest expected harm among them, so a new case gets in only
    by outranking one already in, and the queue keeps the highest expected harm first."""
    base = policy.category_policy(category).case_harm
    if base is None:
        return None
    since = (now or timezone.now()) - DAY
    budget = review_budget()
    recent = Case.objects.filter(opened_at__gte=since, expected_harm__isnull=False)
    if budget == 0:
        return math.inf
    weakest_in = (recent.order_by("-expected_harm")
                  .values_list("expected_harm", flat=True)[budget - 1:budget])
    bar = list(weakest_in)
    if not bar:
        return base
    # Full: a new case must outrank the weakest one in, not merely tie it.
    return max(base, math.nextafter(bar[0], math.inf))


def weigh_candidates(post: Post, candidates: dict[str, float]
                     ) -> tuple[tuple[str, float, float | None] | None, tuple[str, float, float]]:
    """Weigh each flagged category's score by the post's reach against that category's bar.

    Returns (category, score, harm) of the case to open, the one clearing its bar by the
    most (harm None: that category is not gated), or None; and the candidate that came
    closest, which is what a watched post keeps."""
    reach = expected_reach(post)
    cleared: list[tuple[float, str, float, float | None]] = []
    closest: tuple[float, str, float, float] | None = None
    for category, score in candidates.items():
        bar, value = case_bar(category), score * reach
        if bar is None:
            cleared.append((math.inf, category, score, None))
            continue
        ratio = value / bar if bar > 0 else math.inf
        if value >= bar:
            cleared.append((ratio, category, score, value))
        elif closest is None or ratio > closest[0]:
            closest = (ratio, category, score, value)
    if cleared:
        _, category, score, value = max(cleared, key=lambda c: c[0])
        return (category, score, value), (category, score, value or 0.0)
    assert closest is not None
    return None, closest[1:]


@dataclass(frozen=True)
class BudgetStatus:
    budget: int
    model_cases: int  # model cases opened in the last 24 hours
    below_the_line: int  # posts watched in the last 24 hours and not (yet) queued

    @property
    def over(self) -> bool:
        return self.model_cases >= self.budget


def budget_status(now: datetime | None = None) -> BudgetStatus:
    """What the queue page shows: the budget, today's model cases and what fell below."""
    since = (now or timezone.now()) - DAY
    below = WatchedPost.objects.filter(watched_at__gte=since,
                                       state=WatchedPost.State.WATCHING).count()
    return BudgetStatus(review_budget(), model_cases_since(since), below)
