"""The numbers of one replay: exposure of violent posts, errors on benign ones, moderator load."""

from __future__ import annotations

import statistics

from parley.safety.bench.replay import PostRecord, Replay


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (no interpolation: every value reported was observed)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(share * 1000) * len(ordered) // 1000))
    return ordered[min(len(ordered), rank) - 1]


def spread(values: list[float]) -> dict:
    return {
        "median": statistics.median(values) if values else None,
        "p95": percentile(values, 0.95),
        "max": max(values) if values else None,
    }


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def per(part: int, whole: int, scale: int) -> float | None:
    return round(part * scale / whole, 2) if whole else None


def found_proactively(record: PostRecord, replay: Replay) -> bool:
    """Screening held, rejected or flagged it before any person reported it."""
    if record.held_by_screening or record.rejected:
        return True
    notices = [n for case in replay.cases if case.get("status_id") == record.id
               for n in replay.case_details.get(case["id"], {}).get("notices", [])]
    notices.sort(key=lambda n: n["created_at"])
    return bool(notices) and notices[0]["source"] == "screening"


def exposure_minutes(record: PostRecord, end_minute: float) -> float:
    """Minutes a violent post was publicly visible before action (to the end if never)."""
    if not record.distributed:
        return 0.0
    until = record.actioned_minute if record.actioned_minute is not None else end_minute
    return max(0.0, until - record.plan.minute)


def summarise(replay: Replay, parameters: dict) -> dict:
    end = replay.community.hours * 60
    posted = [r for r in replay.posts if r.id or r.rejected]
    violent = [r for r in posted if r.violent]
    benign = [r for r in posted if not r.violent]
    actioned = [r for r in violent if r.actioned_minute is not None]
    never_visible = [r for r in violent if not r.distributed]
    delays = [r.actioned_minute - r.plan.minute for r in actioned]
    removed_by_moderators = [r for r in violent if r.removed_by_moderator]
    benign_held = [r for r in benign if r.held_by_screening or r.rejected]
    benign_removed = [r for r in benign if r.removed_by_moderator]
    case_posts = {c.get("status_id") for c in replay.cases}
    cases_on = {"violent": 0, "benign": 0, "other": 0}
    for case in replay.cases:
        record = replay.by_id.get(case.get("status_id") or "")
        cases_on["other" if record is None else
                 ("violent" if record.violent else "benign")] += 1
    moderator_minutes = len(replay.decisions) * replay.options.moderator_pace / 60
    screening = [r.screening_seconds for r in posted if r.screening_seconds is not None]
    return {
        "parameters": parameters,
        "posts": {
            "total": len(posted),
            "violating": len(violent),
            "benign": len(benign),
            "hard_benign": sum(1 for r in benign if r.plan.label == "hard_benign"),
            "echoes": replay.echoes,
            "not_posted": len(replay.posts) - len(posted),
        },
        "violating": {
            "total": len(violent),
            "actioned": len(actioned),
            "not_actioned": len(violent) - len(actioned),
            "held_or_rejected_by_screening": sum(
                1 for r in violent if r.held_by_screening or r.rejected),
            "removed_by_moderators": len(removed_by_moderators),
            "actioned_by_server_otherwise": sum(1 for r in actioned if r.action == "server"),
            "never_publicly_visible": len(never_visible),
            "share_never_publicly_visible": share(len(never_visible), len(violent)),
            "found_proactively": sum(1 for r in violent if found_proactively(r, replay)),
            "share_found_proactively": share(
                sum(1 for r in violent if found_proactively(r, replay)), len(violent)),
            "with_a_case": sum(1 for r in violent if r.id in case_posts),
            "share_with_a_case": share(sum(1 for r in violent if r.id in case_posts),
                                       len(violent)),
            "actioned_within_1h": sum(1 for d in delays if d <= 60),
            "share_actioned_within_1h": share(sum(1 for d in delays if d <= 60), len(violent)),
            "actioned_within_24h": sum(1 for d in delays if d <= 1440),
            "share_actioned_within_24h": share(sum(1 for d in delays if d <= 1440),
                                               len(violent)),
        },
        "exposure": {
            "views": spread([r.views_before_action for r in violent]),
            "minutes": spread([round(exposure_minutes(r, end), 1) for r in violent]),
            "views_total": sum(r.views_before_action for r in violent),
            "views_of_all_posts": sum(r.views for r in posted),
            "violating_views_per_10000_views": per(
                sum(r.views_before_action for r in violent), sum(r.views for r in posted), 10000),
            "note": "simulated minutes; a post never actioned counts until the end of the run",
        },
        "benign": {
            "total": len(benign),
            "held": len(benign_held),
            "false_holds_per_10000": per(len(benign_held), len(benign), 10000),
            "removed": len(benign_removed),
            "false_removals_per_10000": per(len(benign_removed), len(benign), 10000),
        },
        "cases": {
            "opened": len(replay.cases),
            "per_1000_posts": per(len(replay.cases), len(posted), 1000),
            "on_violating_posts": cases_on["violent"],
            "on_benign_posts": cases_on["benign"],
            "other": cases_on["other"],
            "open_at_end": sum(1 for c in replay.cases
                               if c.get("state") in ("open", "in_review")),
            "peak_backlog": max((b["open"] for b in replay.backlog), default=0),
        },
        "moderators": {
            "count": replay.options.moderators,
            "pace_seconds": replay.options.moderator_pace,
            "error_rate": replay.options.moderator_error,
            "decisions": len(replay.decisions),
            "wrong_decisions": sum(1 for d in replay.decisions if d["wrong"]),
            "minutes": round(moderator_minutes, 1),
            "minutes_per_violating_post_removed": (
                round(moderator_minutes / len(removed_by_moderators), 2)
                if removed_by_moderators else None),
        },
        "activity": {
            "timeline_reads": replay.timeline_reads,
            "views": sum(r.views for r in posted),
            "reports": replay.reports_sent,
            "false_reports": replay.false_reports_sent,
            "notices": replay.notices_sent,
            "requests": replay.requests,
        },
        "backlog": replay.backlog,
        "timing": {
            "real_seconds": round(replay.real_seconds, 1),
            "real_seconds_per_simulated_hour": round(
                replay.real_seconds / max(replay.community.hours, 1e-9), 2),
            "screening_seconds": spread(screening),
        },
        "details": {
            "violating_posts": [_detail(r, replay) for r in violent],
            "benign_held": [r.plan.text[:200] for r in benign_held],
            "benign_removed": [r.plan.text[:200] for r in benign_removed],
        },
        "errors": replay.errors[:50],
    }


def _detail(record: PostRecord, replay: Replay) -> dict:
    delay = (None if record.actioned_minute is None
             else round(record.actioned_minute - record.plan.minute, 1))
    return {
        "status_id": record.id, "minute": record.plan.minute, "action": record.action,
        "actioned_after_minutes": delay, "publicly_visible": record.distributed,
        "views_before_action": record.views_before_action, "reports": record.reports,
        "notice": record.notice_minute is not None,
        "found_proactively": found_proactively(record, replay),
        "text": record.plan.text[:200], "source": record.plan.source,
    }
