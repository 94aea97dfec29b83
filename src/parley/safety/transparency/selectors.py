"""The transparency report (DSA Art. 15/24): read-only numbers over one period."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from parley.core.errors import ValidationFailed
from parley.posts.models import Post
from parley.posts.viewcounts import views_before
from parley.safety.cases.models import (
    RESTRICTIONS,
    ActionKind,
    Appeal,
    CaseAction,
    Notice,
    NoticeSource,
)
from parley.safety.models import AuditEntry
from parley.safety.transparency.profiles import dsa_profile

DEFAULT_DAYS = 30
MAX_DAYS = 366
# Restrictions that take a post out of view: what "time to action" and exposure measure.
TAKEDOWNS = (ActionKind.REMOVE, ActionKind.HOLD)
SCREENING_EVENTS = ("screening.hold", "screening.case")
CHUNK = 500
VIEWS_NOTE = ("Views are counted per post and hour whenever a timeline, a profile or the post's "
              "own page shows it to someone other than its author; views before action are "
              "those in the hours up to the action.")
# Views a post had before it was removed or held: (label, least, most).
EXPOSURE_BUCKETS = (("0", 0, 0), ("1-10", 1, 10), ("11-100", 11, 100), ("more", 101, None))


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included, in the server's time zone."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:  # exclusive
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    def as_dict(self) -> dict:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(),
                "timezone": timezone.get_current_timezone_name()}


def default_period(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(today - timedelta(days=DEFAULT_DAYS), today)


def parse_period(first: str | None, last: str | None) -> Period:
    """A period from ``YYYY-MM-DD`` strings; missing ends default to the last 30 days."""
    default = default_period()
    try:
        end = date.fromisoformat(last) if last else default.last
        start = date.fromisoformat(first) if first else end - timedelta(days=DEFAULT_DAYS)
    except ValueError as exc:
        raise ValidationFailed("Dates must look like 2026-01-31") from exc
    if start > end:
        raise ValidationFailed("The period starts after it ends")
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed(f"A report covers at most {MAX_DAYS} days")
    return Period(start, end)


# -- small statistics -----------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least q of the values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _seconds(values: list[float]) -> dict:
    return {"count": len(values),
            "median_seconds": round(statistics.median(values), 1) if values else None,
            "p95_seconds": round(percentile(values, 0.95), 1) if values else None}


def _in(queryset, field: str, period: Period):
    return queryset.filter(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def _chunks(ids: list) -> list[list]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


# -- sections -------------------------------------------------------------------------------


def notices_section(period: Period) -> dict:
    rows = list(_in(Notice.objects, "created_at", period)
                .values("source", "category").annotate(n=Count("id"))
                .order_by("source", "category"))
    by_source: Counter = Counter()
    by_category: Counter = Counter()
    for row in rows:
        by_source[row["source"]] += row["n"]
        by_category[row["category"]] += row["n"]
    total = sum(by_source.values())
    return {
        "total": total,
        "from_people": total - by_source.get(NoticeSource.SCREENING, 0),
        "by_source": dict(by_source.most_common()),
        "by_category": dict(by_category.most_common()),
        "by_source_and_category": [
            {"source": r["source"], "category": r["category"], "count": r["n"]} for r in rows
        ],
    }


def actions_section(period: Period) -> dict:
    rows = list(_in(CaseAction.objects, "created_at", period)
                .values("kind", "category", "automated").annotate(n=Count("id"))
                .order_by("category", "kind"))
    by_type: Counter = Counter()
    by_category: Counter = Counter()
    cross: Counter = Counter()
    automated = 0
    for row in rows:
        by_type[row["kind"]] += row["n"]
        by_category[row["category"]] += row["n"]
        cross[(row["category"], row["kind"])] += row["n"]
        automated += row["n"] if row["automated"] else 0
    return {
        "total": sum(by_type.values()),
        "restrictions": sum(n for kind, n in by_type.items() if kind in RESTRICTIONS),
        "automated": automated,
        "by_type": dict(by_type.most_common()),
        "by_category": dict(by_category.most_common()),
        "by_category_and_type": [
            {"category": c, "type": k, "count": n} for (c, k), n in sorted(cross.items())
        ],
    }


def _violating_actions(period: Period) -> list[CaseAction]:
    """Restrictions taken in the period that stand (not reversed on appeal or by a moderator)."""
    return list(_in(CaseAction.objects, "created_at", period)
                .filter(kind__in=RESTRICTIONS, reversed_at__isnull=True)
                .select_related("case").order_by("created_at", "id"))


def _first_notices(case_ids: set[int]) -> tuple[dict[int, datetime], dict[int, datetime]]:
    """Per case: when screening first raised it, and when a person first reported it."""
    first_screening: dict[int, datetime] = {}
    first_human: dict[int, datetime] = {}
    for chunk in _chunks(sorted(case_ids)):
        notices = (Notice.objects.filter(case_id__in=chunk).order_by("created_at", "id")
                   .values_list("case_id", "source", "created_at"))
        for case_id, source, created in notices:
            found = first_screening if source == NoticeSource.SCREENING else first_human
            found.setdefault(case_id, created)
    return first_screening, first_human


def _screening_times(post_ids: set[int]) -> dict[int, dict[str, datetime]]:
    """Per post: when screening first held it, and first detected something in it.

    A detector failure also opens a case (for later screening) but names no category:
    that is not a detection."""
    found: dict[int, dict[str, datetime]] = defaultdict(dict)
    for chunk in _chunks(sorted(post_ids)):
        entries = (AuditEntry.objects
                   .filter(event__in=SCREENING_EVENTS, subject_type="post",
                           subject_id__in=[str(pk) for pk in chunk])
                   .order_by("created_at", "id")
                   .values_list("subject_id", "event", "created_at", "data"))
        for subject_id, event, created, data in entries:
            times = found[int(subject_id)]
            if event == "screening.hold":
                times.setdefault("held", created)
            if (data or {}).get("category"):
                times.setdefault("detected", created)
    return found


def _detected_at(case, first_screening: dict, screening: dict) -> datetime | None:
    """When screening found this case: a detection on its post, or (for accounts and copies
    of removed posts, which leave no post event) its first screening notice."""
    times = [screening.get(case.post_id, {}).get("detected")]
    if any(entry.get("category") for entry in case.screening or []):
        times.append(first_screening.get(case.pk))
    times = [t for t in times if t is not None]
    return min(times) if times else None


def _is_proactive(case, first_screening: dict, first_human: dict, screening: dict) -> bool:
    detected = _detected_at(case, first_screening, screening)
    reported = first_human.get(case.pk)
    return detected is not None and (reported is None or detected <= reported)


def proactive_section(actions: list[CaseAction], first_screening: dict, first_human: dict,
                      screening: dict) -> dict:
    cases = {a.case_id: a.case for a in actions}
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases.values():
        counts = per_category[case.category]
        counts[0] += 1
        counts[1] += _is_proactive(case, first_screening, first_human, screening)
    actioned = sum(c[0] for c in per_category.values())
    proactive = sum(c[1] for c in per_category.values())
    return {
        "actioned_cases": actioned,
        "proactive_cases": proactive,
        "share": _share(proactive, actioned),
        "by_category": {
            category: {"actioned": a, "proactive": p, "share": _share(p, a)}
            for category, (a, p) in sorted(per_category.items())
        },
    }


def _takedowns_by_post(actions: list[CaseAction]) -> dict[int, CaseAction]:
    first: dict[int, CaseAction] = {}
    for action in actions:
        if action.kind in TAKEDOWNS and action.case.post_id and not action.on_account:
            first.setdefault(action.case.post_id, action)
    return first


def timing_and_exposure(actions: list[CaseAction], screening: dict) -> tuple[dict, dict]:
    """Time from posting to the first hold or removal, and whether the post was ever seen."""
    takedowns = _takedowns_by_post(actions)
    posts = {}
    for chunk in _chunks(sorted(takedowns)):
        posts.update(Post.objects.in_bulk(chunk))
    to_action: list[float] = []
    exposure: list[float] = []
    acted_at: dict[int, datetime] = {}
    never_visible = 0
    for post_id, action in takedowns.items():
        post = posts.get(post_id)
        if post is None:
            continue
        acted = min(filter(None, [action.created_at, screening.get(post_id, {}).get("held")]))
        to_action.append(max(0.0, (acted - post.created_at).total_seconds()))
        acted_at[post_id] = acted
        if post.distributed_at is None or post.distributed_at >= acted:
            never_visible += 1
        else:
            exposure.append((acted - post.distributed_at).total_seconds())
    counted = len(to_action)
    return _seconds(to_action), {
        "actioned_posts": counted,
        "never_publicly_visible": never_visible,
        "never_publicly_visible_share": _share(never_visible, counted),
        "distributed_before_action": len(exposure),
        "exposure_time": _seconds(exposure),
        "views_tracked": True,
        "views_before_action": views_before_action(acted_at),
        "note": VIEWS_NOTE,
    }


def exposure_bucket(views: int) -> str:
    for label, least, most in EXPOSURE_BUCKETS:
        if views >= least and (most is None or views <= most):
            return label
    raise ValueError(views)


def views_before_action(acted_at: dict[int, datetime]) -> dict:
    """Per actioned post, the views it had up to its first hold or removal, in buckets."""
    views = views_before(acted_at, acted_at)
    buckets = dict.fromkeys((label for label, _, _ in EXPOSURE_BUCKETS), 0)
    for n in views.values():
        buckets[exposure_bucket(n)] += 1
    values = sorted(views.values())
    return {"posts": len(values), "total": sum(values), "buckets": buckets,
            "median": statistics.median(values) if values else None,
            "max": values[-1] if values else None}


def appeals_section(period: Period) -> dict:
    filed = _in(Appeal.objects, "created_at", period)
    decided = list(_in(Appeal.objects, "decided_at", period)
                   .values_list("state", "created_at", "decided_at"))
    reversed_ = sum(1 for state, _, _ in decided if state == Appeal.State.REVERSED)
    waits = [(d - c).total_seconds() for _, c, d in decided]
    return {
        "filed": filed.count(),
        "filed_by_authors": filed.filter(statement__isnull=False).count(),
        "filed_by_notifiers": filed.filter(notice__isnull=False).count(),
        "decided": len(decided),
        "upheld": len(decided) - reversed_,
        "reversed": reversed_,
        "reversal_rate": _share(reversed_, len(decided)),
        "pending_now": Appeal.objects.filter(state=Appeal.State.PENDING).count(),
        "time_to_decide": _seconds(waits),
    }


def suspensions_section(period: Period) -> dict:
    rows = list(_in(CaseAction.objects, "created_at", period)
                .filter(kind=ActionKind.SUSPEND)
                .values_list("automated", "ends_at", "reversed_at"))
    return {
        "total": len(rows),
        "accounts": _in(CaseAction.objects, "created_at", period)
        .filter(kind=ActionKind.SUSPEND).values("case__account_id").distinct().count(),
        "automated": sum(1 for automated, _, _ in rows if automated),
        "timed": sum(1 for _, ends, _ in rows if ends is not None),
        "permanent": sum(1 for _, ends, _ in rows if ends is None),
        "reversed": sum(1 for _, _, undone in rows if undone is not None),
    }


def notice_handling_section(period: Period) -> dict:
    """Per source: how long notices received in the period took to decide."""
    waits: dict[str, list[float]] = defaultdict(list)
    pending: Counter = Counter()
    rows = _in(Notice.objects, "created_at", period).values_list(
        "source", "created_at", "decided_at")
    for source, created, decided in rows:
        if decided is None:
            pending[source] += 1
        else:
            waits[source].append(max(0.0, (decided - created).total_seconds()))
    result = {}
    for source in sorted(set(waits) | set(pending)):
        values = waits.get(source, [])
        result[source] = {
            "decided": len(values),
            "pending": pending.get(source, 0),
            "average_seconds": round(statistics.fmean(values), 1) if values else None,
            "median_seconds": round(statistics.median(values), 1) if values else None,
        }
    return result


def removal_orders_section(period: Period) -> dict:
    now = timezone.now()
    met = missed = pending = 0
    rows = _in(Notice.objects, "created_at", period).filter(removal_order=True).values_list(
        "deadline", "decided_at")
    for deadline, decided in rows:
        if decided is not None and (deadline is None or decided <= deadline):
            met += 1
        elif decided is not None or (deadline is not None and deadline < now):
            missed += 1
        else:
            pending += 1
    return {"received": met + missed + pending, "met_deadline": met, "missed_deadline": missed,
            "pending": pending, "share_met": _share(met, met + missed)}


def _per_day(queryset, period: Period) -> dict[str, int]:
    rows = (_in(queryset, "created_at", period)
            .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
            .values("day").annotate(n=Count("id")).values_list("day", "n"))
    counts = {day: n for day, n in rows}
    days = (period.first + timedelta(days=i) for i in range((period.last - period.first).days + 1))
    return {day.isoformat(): counts.get(day, 0) for day in days}


def account_deletions_section(period: Period) -> dict:
    """Members who deleted their own accounts, and accounts purged after the grace period."""
    rows = Counter(_in(AuditEntry.objects, "created_at", period)
                   .filter(event__in=("account.deletion_requested", "account.purged"))
                   .values_list("event", flat=True))
    return {"requested": rows.get("account.deletion_requested", 0),
            "purged": rows.get("account.purged", 0)}


def daily_section(period: Period) -> dict:
    """Notices received and actions taken on each day of the period (for the chart)."""
    return {"notices": _per_day(Notice.objects, period),
            "actions": _per_day(CaseAction.objects, period)}


def build_report(period: Period, profile: str | None = None) -> dict:
    """Every number of the transparency report, as plain JSON-ready data."""
    actions = _violating_actions(period)
    first_screening, first_human = _first_notices({a.case_id for a in actions})
    screening = _screening_times({a.case.post_id for a in actions if a.case.post_id})
    time_to_action, exposure = timing_and_exposure(actions, screening)
    dsa = dsa_profile(profile)
    sections = {
        "notices": lambda: notices_section(period),
        "actions": lambda: actions_section(period),
        "daily": lambda: daily_section(period),
        "proactive": lambda: proactive_section(actions, first_screening, first_human,
                                               screening),
        "time_to_action": lambda: time_to_action,
        "exposure": lambda: exposure,
        "appeals": lambda: appeals_section(period),
        "suspensions": lambda: suspensions_section(period),
        "notice_handling": lambda: notice_handling_section(period),
        "removal_orders": lambda: removal_orders_section(period),
        "account_deletions": lambda: account_deletions_section(period),
    }
    report = {
        "period": period.as_dict(),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "dsa_profile": {"name": dsa.name, "label": dsa.label,
                        "statements_export": dsa.statements_export},
    }
    report.update({name: make() for name, make in sections.items() if name in dsa.sections})
    return report
