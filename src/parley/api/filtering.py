"""Pages of statuses with the viewer's filters applied: ``hide`` matches leave the page,
which reads on (a few pages at most) to still answer ``limit`` statuses."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.response import Response

from parley.api.base import page_params, paged_response, viewer
from parley.api.rendered import load_for_rendering
from parley.api.serializers import serialize_statuses
from parley.filters.selectors import ViewerFilters, active_filters
from parley.posts.models import Post
from parley.posts.selectors import Loader, load_related, paginate

# Pages read beyond the first when hidden statuses thin a page out: bounded work per request.
EXTRA_PAGES = 3
PAGE_CAP = 40


@dataclass
class FilteredPage:
    shown: list[Post]
    # The first and last status read (shown or hidden): the Link header pages from them,
    # so a page of hidden statuses still leads on to the next.
    bounds: list[Post]
    filters: ViewerFilters


def filtered_page(request: Request, queryset: QuerySet[Post], context: str) -> FilteredPage:
    filters = active_filters(viewer(request), context)
    if hasattr(queryset, "with_loader"):
        queryset = queryset.with_loader(loader_for(filters))
    params = page_params(request)
    page = paginate(queryset, **params, cap=PAGE_CAP)
    if not filters.filters:
        return FilteredPage(page, page, filters)
    limit = max(1, min(int(params["limit"] or 20), PAGE_CAP))
    forward = bool(params["min_id"])  # min_id pages towards newer statuses
    shown = [p for p in page if not filters.hides(p)]
    top, bottom = (page[0], page[-1]) if page else (None, None)
    for _ in range(EXTRA_PAGES):
        if len(shown) >= limit or len(page) < limit:
            break
        more = {**params, "min_id": top.pk} if forward else {**params, "max_id": bottom.pk}
        page = paginate(queryset, **more, cap=PAGE_CAP)
        if not page:
            break
        kept = [p for p in page if not filters.hides(p)]
        if forward:
            shown, top = kept + shown, page[0]
        else:
            shown, bottom = shown + kept, page[-1]
    if len(shown) > limit:
        shown = shown[-limit:] if forward else shown[:limit]
        top, bottom = (shown[0], bottom) if forward else (top, shown[-1])
    bounds = [b for b in (top, bottom) if b is not None]
    return FilteredPage(shown, bounds, filters)


def loader_for(filters: ViewerFilters) -> Loader:
    """What to load with a page's posts: filters read media descriptions (and so everything);
    otherwise only what the rendered-status cache lacks."""
    return load_related if filters.filters else load_for_rendering


def filtered_statuses_response(
    request: Request, queryset: QuerySet[Post], context: str
) -> tuple[Response, list[Post]]:
    """The page as Mastodon answers it, and the statuses shown (to count their views)."""
    page = filtered_page(request, queryset, context)
    data = serialize_statuses(page.shown, request, page.filters)
    return paged_response(request, page.bounds, data), page.shown


def drop_hidden(posts: list[Post], filters: ViewerFilters) -> list[Post]:
    return [p for p in posts if not filters.hides(p)]
