"""Template filters of the web UI: relative times and visibility labels."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()

VISIBILITY_LABELS = {
    "public": "Public",
    "unlisted": "Unlisted",
    "private": "Followers only",
    "direct": "Direct",
}


@register.filter
def ago(value: datetime | None) -> str:
    """'now' for the last minute, then '5 minutes ago', '2 days ago' (one unit)."""
    if not value:
        return ""
    if (timezone.now() - value).total_seconds() < 60:
        return "now"
    return f"{timesince(value, depth=1)} ago"


@register.filter
def visibility_label(value: str) -> str:
    return VISIBILITY_LABELS.get(value, value)


@register.simple_tag(takes_context=True)
def poll_shown(context, poll):
    """The poll as the viewer sees it: computed for the page by ``poll_display.attach``,
    or here for a post rendered alone."""
    from parley.web import poll_display

    if not hasattr(poll, "web_shown"):
        poll.web_shown = poll_display.shown(poll, context.get("user"))
    return poll.web_shown
