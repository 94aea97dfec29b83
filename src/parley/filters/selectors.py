"""Reads of filters: a member's own (never another's), and the rules one page applies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, BooleanField, CharField, Q, QuerySet, Value
from django.utils import timezone

from parley.accounts.models import User
from parley.core.errors import NotFound
from parley.filters.models import Filter, FilterAction, FilterKeyword, FilterStatus


def filters_of(user: User) -> QuerySet[Filter]:
    return Filter.objects.filter(user=user).prefetch_related("keywords", "statuses").order_by("id")


def get_filter(user: User, filter_id: int | str) -> Filter:
    """One of the member's filters; another member's is "Record not found", as a missing one."""
    found = filters_of(user).filter(pk=int(filter_id)).first()
    if found is None:
        raise NotFound("Record not found")
    return found


def get_keyword(user: User, keyword_id: int | str) -> FilterKeyword:
    found = FilterKeyword.objects.filter(pk=int(keyword_id), filter__user=user).first()
    if found is None:
        raise NotFound("Record not found")
    return found


def get_filter_status(user: User, filter_status_id: int | str) -> FilterStatus:
    found = FilterStatus.objects.filter(pk=int(filter_status_id), filter__user=user).first()
    if found is None:
        raise NotFound("Record not found")
    return found


def keywords_of(user: User) -> QuerySet[FilterKeyword]:
    """Every keyword of the member's filters (v1 filters are one keyword each)."""
    return (
        FilterKeyword.objects.filter(filter__user=user)
        .select_related("filter")
        .order_by("id")
    )


def keyword_pattern(keyword: str, whole_word: bool) -> re.Pattern[str]:
    """Mastodon's rule: whole words match at word boundaries where the keyword has them."""
    escaped = re.escape(keyword)
    if not whole_word:
        return re.compile(escaped, re.IGNORECASE)
    start = r"\b" if re.match(r"\w", keyword) else ""
    end = r"\b" if re.search(r"\w$", keyword) else ""
    return re.compile(f"{start}{escaped}{end}", re.IGNORECASE | re.MULTILINE)


@dataclass
class ActiveFilter:
    """A filter as a page applies it (its keywords and statuses, not its rows)."""

    id: int
    title: str
    contexts: list[str]
    filter_action: str
    expires_at: object
    keywords: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    post_ids: set[int] = field(default_factory=set)


@dataclass
class FilterMatch:
    filter: ActiveFilter
    keyword_matches: list[str] | None
    status_matches: list[str] | None


class ViewerFilters:
    """The viewer's filters in force in one context, loaded in one query."""

    def __init__(self, filters: list[ActiveFilter]) -> None:
        self.filters = filters

    def matches(self, post) -> list[FilterMatch]:
        if not self.filters:
            return []
        shown = post.reblog_of if post.reblog_of_id and post.reblog_of is not None else post
        text = _searchable_text(shown)
        ids = {post.pk, shown.pk}
        found = []
        for active in self.filters:
            words = [k for k, pattern in active.keywords if pattern.search(text)]
            statuses = sorted(str(pk) for pk in ids & active.post_ids)
            if words or statuses:
                found.append(FilterMatch(active, words or None, statuses or None))
        return found

    def hides(self, post) -> bool:
        return any(m.filter.filter_action == FilterAction.HIDE for m in self.matches(post))


NO_FILTERS = ViewerFilters([])


def _searchable_text(post) -> str:
    parts = [post.spoiler_text, post.text]
    parts.extend(m.description for m in post.media.all() if m.description)
    return "\n".join(p for p in parts if p)


# A status fetched on its own has no context: every filter marks it (Mastodon's rule; the
# app decides from each filter's contexts), and a hide filter does not take it away.
ANY_CONTEXT = "*"


def active_filters(viewer: User | None, context: str | None) -> ViewerFilters:
    """The viewer's unexpired filters for ``context`` (or ``ANY_CONTEXT``): keywords and
    statuses in one query (a UNION of both), so filtering costs a page one query whatever
    it holds."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or context is None:
        return NO_FILTERS
    # Most members have no filter: a plain existence check costs a tenth of building the
    # union below.
    if not Filter.objects.filter(user=viewer).exists():
        return NO_FILTERS
    live = Q(filter__user=viewer) & (
        Q(filter__expires_at__isnull=True) | Q(filter__expires_at__gt=timezone.now())
    )
    columns = ("filter_id", "filter__title", "filter__context", "filter__filter_action",
               "filter__expires_at")
    keywords = FilterKeyword.objects.filter(live).annotate(
        matched_post=Value(None, output_field=BigIntegerField())
    ).values_list(*columns, "keyword", "whole_word", "matched_post")
    statuses = FilterStatus.objects.filter(live).annotate(
        word=Value("", output_field=CharField()),
        whole=Value(False, output_field=BooleanField()),
    ).values_list(*columns, "word", "whole", "post_id")
    by_id: dict[int, ActiveFilter] = {}
    for fid, title, contexts, action, expires, word, whole, post_id in keywords.union(
        statuses, all=True
    ):
        if context != ANY_CONTEXT and context not in contexts.split(","):
            continue
        active = by_id.setdefault(
            fid, ActiveFilter(fid, title, contexts.split(","), action, expires)
        )
        if post_id is not None:
            active.post_ids.add(post_id)
        else:
            active.keywords.append((word, keyword_pattern(word, whole)))
    return ViewerFilters(sorted(by_id.values(), key=lambda f: f.id))
