"""Account signals that lower the screening bar: a new account, prior strikes, a burst of
posts, a threat aimed at a named person. The weights are policy (``ACCOUNT_SIGNALS``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from parley.safety import policy

MENTIONS = "mentions a person"


@dataclass(frozen=True)
class AccountSignals:
    found: tuple[tuple[str, float], ...]  # (why, for moderators; threshold shift)

    def for_category(self, category: str) -> tuple[float, list[str]]:
        """How far this category's thresholds drop for this post, and why."""
        applying = [(name, shift) for name, shift in self.found if _applies_to(category, name)]
        shift = min(sum(s for _, s in applying), policy.ACCOUNT_SIGNAL_MAX_SHIFT)
        return shift, [name for name, _ in applying]


def account_signals(author, text: str) -> AccountSignals:
    """The signals of ``author`` writing ``text`` now (two small queries)."""
    from parley.posts.models import Post
    from parley.safety.cases.models import Strike

    rules = policy.ACCOUNT_SIGNALS
    found: list[tuple[str, float]] = []
    now = timezone.now()
    if _new_here(author, now):
        found.append(("new account", rules["new_account"]["shift"]))
    strikes = Strike.objects.filter(account=author, active=True).count()
    if strikes:
        shift = strikes * rules["prior_strikes"]["shift_per_strike"]
        found.append((f"{strikes} prior strike{'s' if strikes > 1 else ''}", shift))
    velocity = rules["posting_velocity"]
    since = now - timedelta(minutes=velocity["within_minutes"])
    recent = Post.objects.filter(author=author, created_at__gte=since).count()
    if recent >= velocity["posts"]:
        found.append((f"{recent} posts in {velocity['within_minutes']:g} min", velocity["shift"]))
    if "@" in text:
        found.append((MENTIONS, rules["mentions_a_person"]["shift"]))
    return AccountSignals(tuple(found))


def _new_here(author, now: datetime) -> bool:
    """Younger than a day, on an instance where most members are not (see the policy)."""
    rules = policy.ACCOUNT_SIGNALS["new_account"]
    young = timedelta(hours=rules["younger_than_hours"])
    if not author.date_joined or now - author.date_joined >= young:
        return False
    median = median_join_date()
    settled = timedelta(days=rules["median_member_older_than_days"])
    return median is not None and now - median >= settled


MEDIAN_CACHE_KEY = "parley:safety:median-join-date"


def median_join_date() -> datetime | None:
    """When the median active member joined; cached for ten minutes (it moves slowly)."""
    cached = cache.get(MEDIAN_CACHE_KEY)
    if cached is not None:
        return cached or None
    from parley.accounts.models import User

    members = User.objects.filter(is_active=True).order_by("date_joined")
    count = members.count()
    median = members.values_list("date_joined", flat=True)[count // 2] if count else None
    cache.set(MEDIAN_CACHE_KEY, median or "", 600)
    return median


def near_threshold(scores: dict[str, float]) -> bool:
    """Whether any score is close enough under a threshold that signals could matter."""
    reach = policy.ACCOUNT_SIGNAL_MAX_SHIFT
    for category, score in scores.items():
        rules = policy.category_policy(category)
        for threshold in (rules.hold, rules.case):
            if threshold is not None and threshold - reach <= score < threshold:
                return True
    return False


def _applies_to(category: str, signal_name: str) -> bool:
    if signal_name == MENTIONS:
        return policy.category_policy(category).refer_to_authority
    return True
