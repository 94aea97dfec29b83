"""Changes to a member's filters: the one door for creating, editing and deleting them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from parley.accounts.models import User
from parley.core.errors import NotFound, ValidationFailed
from parley.filters.models import Filter, FilterAction, FilterContext, FilterKeyword, FilterStatus

MAX_FILTERS = 100  # per member
MAX_KEYWORDS = 100  # per filter
# An expiry further out than ten years is a mistake, not a plan (and overflows nothing).
MAX_EXPIRES_IN = 10 * 365 * 24 * 3600


@dataclass(frozen=True)
class KeywordChange:
    """One entry of ``keywords_attributes``: a new keyword (no id), an edit, or a removal."""

    keyword: str | None = None
    whole_word: bool | None = None
    id: int | None = None
    destroy: bool = False


def _contexts(context: list[str]) -> str:
    valid = set(FilterContext.values)
    chosen = list(dict.fromkeys(c.strip() for c in context if c.strip()))
    if not chosen:
        raise ValidationFailed("Validation failed: Context can't be blank")
    unknown = [c for c in chosen if c not in valid]
    if unknown:
        raise ValidationFailed(f"Validation failed: Context {unknown[0]} is not a valid context")
    return ",".join(chosen)


def _title(title: str | None) -> str:
    if not title or not title.strip():
        raise ValidationFailed("Validation failed: Title can't be blank")
    return title.strip()


def _action(action: str | None) -> str:
    if action not in FilterAction.values:
        raise ValidationFailed(
            "Validation failed: filter_action must be one of " + ", ".join(FilterAction.values)
        )
    return action


def _expires_at(expires_in: int | None):
    if expires_in is None:
        return None
    if expires_in <= 0 or expires_in > MAX_EXPIRES_IN:
        raise ValidationFailed("Validation failed: expires_in is out of range")
    return timezone.now() + timedelta(seconds=expires_in)


def _keyword(keyword: str | None) -> str:
    if not keyword or not keyword.strip():
        raise ValidationFailed("Validation failed: Keyword can't be blank")
    return keyword.strip()


def create_filter(
    user: User,
    *,
    title: str | None,
    context: list[str],
    filter_action: str | None = None,
    expires_in: int | None = None,
    keywords: Sequence[KeywordChange] = (),
) -> Filter:
    fields = {
        "title": _title(title),
        "context": _contexts(context),
        "filter_action": _action(filter_action or FilterAction.WARN),
        "expires_at": _expires_at(expires_in),
    }
    if Filter.objects.filter(user=user).count() >= MAX_FILTERS:
        raise ValidationFailed(f"Validation failed: at most {MAX_FILTERS} filters")
    with transaction.atomic():
        created = Filter.objects.create(user=user, **fields)
        _apply_keyword_changes(created, keywords)
    return created


def update_filter(
    a_filter: Filter,
    *,
    title: str | None = None,
    context: list[str] | None = None,
    filter_action: str | None = None,
    expires_in: int | None = None,
    clear_expiry: bool = False,
    keywords: Sequence[KeywordChange] = (),
) -> Filter:
    """Change what is given; ``clear_expiry`` (an empty ``expires_in``) makes it permanent."""
    if title is not None:
        a_filter.title = _title(title)
    if context:
        a_filter.context = _contexts(context)
    if filter_action:
        a_filter.filter_action = _action(filter_action)
    if expires_in is not None:
        a_filter.expires_at = _expires_at(expires_in)
    elif clear_expiry:
        a_filter.expires_at = None
    with transaction.atomic():
        a_filter.save()
        _apply_keyword_changes(a_filter, keywords)
    return a_filter


def delete_filter(a_filter: Filter) -> None:
    a_filter.delete()


def _apply_keyword_changes(a_filter: Filter, changes: Sequence[KeywordChange]) -> None:
    for change in changes:
        if change.id is None:
            if not change.destroy:
                add_keyword(a_filter, change.keyword, change.whole_word)
            continue
        existing = FilterKeyword.objects.filter(pk=change.id, filter=a_filter).first()
        if existing is None:
            raise NotFound("Record not found")
        if change.destroy:
            existing.delete()
        else:
            update_keyword(existing, change.keyword, change.whole_word)


def add_keyword(a_filter: Filter, keyword: str | None, whole_word: bool | None) -> FilterKeyword:
    if a_filter.keywords.count() >= MAX_KEYWORDS:
        raise ValidationFailed(f"Validation failed: at most {MAX_KEYWORDS} keywords")
    return FilterKeyword.objects.create(
        filter=a_filter,
        keyword=_keyword(keyword),
        whole_word=True if whole_word is None else whole_word,
    )


def update_keyword(
    keyword: FilterKeyword, text: str | None, whole_word: bool | None
) -> FilterKeyword:
    if text is not None:
        keyword.keyword = _keyword(text)
    if whole_word is not None:
        keyword.whole_word = whole_word
    keyword.save()
    return keyword


def delete_keyword(keyword: FilterKeyword) -> None:
    keyword.delete()


def add_filter_status(a_filter: Filter, post_id: int) -> FilterStatus:
    """Filter one status the member may see; adding it twice is refused as Mastodon does."""
    from parley.posts.selectors import get_post

    post = get_post(post_id, a_filter.user)
    if FilterStatus.objects.filter(filter=a_filter, post=post).exists():
        raise ValidationFailed("Validation failed: Status has already been taken")
    return FilterStatus.objects.create(filter=a_filter, post=post)


def delete_filter_status(filter_status: FilterStatus) -> None:
    filter_status.delete()


# -- v1 filters: one keyword each, as Mastodon's deprecated /api/v1/filters -----------------

MULTIPLE_KEYWORDS = (
    "Validation failed: these settings belong to a filter of several keywords; change them "
    "with filters v2 (/api/v2/filters)"
)


def create_v1_filter(
    user: User,
    *,
    phrase: str | None,
    context: list[str],
    irreversible: bool = False,
    whole_word: bool | None = None,
    expires_in: int | None = None,
) -> FilterKeyword:
    """A v1 filter is a v2 filter of one keyword titled by it; ``irreversible`` hides."""
    created = create_filter(
        user,
        title=_keyword(phrase),
        context=context,
        filter_action=FilterAction.HIDE if irreversible else FilterAction.WARN,
        expires_in=expires_in,
        keywords=[KeywordChange(keyword=phrase, whole_word=whole_word)],
    )
    return created.keywords.get()


def update_v1_filter(
    keyword: FilterKeyword,
    *,
    phrase: str | None = None,
    whole_word: bool | None = None,
    context: list[str] | None = None,
    irreversible: bool | None = None,
    expires_in: int | None = None,
    clear_expiry: bool = False,
) -> FilterKeyword:
    """Change the keyword, and the filter's context, action or expiry; the latter only when
    the filter has this keyword alone (Mastodon's rule: they would change the others too)."""
    a_filter = keyword.filter
    action = None
    if irreversible is not None:
        action = FilterAction.HIDE if irreversible else FilterAction.WARN
    changes_filter = (
        (context and _contexts(context) != a_filter.context)
        or (action is not None and action != a_filter.filter_action)
        or expires_in is not None
        or (clear_expiry and a_filter.expires_at is not None)
    )
    with transaction.atomic():
        if changes_filter:
            if a_filter.keywords.count() > 1:
                raise ValidationFailed(MULTIPLE_KEYWORDS)
            update_filter(a_filter, context=context, filter_action=action,
                          expires_in=expires_in, clear_expiry=clear_expiry)
        update_keyword(keyword, phrase, whole_word)
    return keyword


def delete_v1_filter(keyword: FilterKeyword) -> None:
    """The keyword goes; its filter too when nothing else is left in it."""
    a_filter = keyword.filter
    with transaction.atomic():
        keyword.delete()
        if not a_filter.keywords.exists() and not a_filter.statuses.exists():
            a_filter.delete()
