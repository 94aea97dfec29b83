"""Filters: v2 (filters with keywords and statuses) and v1 (each keyword as a filter).
A member reads and changes only its own; another's answers 404 as a missing one."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from parley.api.base import (
    MastodonAPIView,
    checked_text,
    param_bool,
    param_int,
    param_list,
    param_raw,
    param_str,
    parse_id,
)
from parley.api.serializers import (
    serialize_filter,
    serialize_filter_keyword,
    serialize_filter_status,
    serialize_v1_filter,
)
from parley.core.errors import ValidationFailed
from parley.filters import selectors, services
from parley.filters.services import KeywordChange

READ, WRITE = "read:filters", "write:filters"
TRUE = {"1", "true", "yes", "on", "t"}
FALSE = {"0", "false", "no", "off", "f"}


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE


def _keyword_changes(request: Request) -> list[KeywordChange]:
    """``keywords_attributes``: a JSON list of objects, or form fields
    ``keywords_attributes[][keyword]`` / ``keywords_attributes[0][keyword]``."""
    raw = param_raw(request, "keywords_attributes")
    if raw is None:
        raw = _form_keyword_attributes(request)
    if isinstance(raw, dict):
        raw = list(raw.values())
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ValidationFailed("Validation failed: keywords_attributes must be a list of objects")
    changes = []
    for item in raw:
        keyword = item.get("keyword")
        if keyword is not None and not isinstance(keyword, str | int):
            raise ValidationFailed("Validation failed: keyword must be a string")
        raw_id = item.get("id")
        keyword_id = parse_id(raw_id) if raw_id not in (None, "") else None
        if raw_id not in (None, "") and keyword_id is None:
            raise ValidationFailed("Validation failed: id must be an id")
        changes.append(KeywordChange(
            keyword=checked_text("keyword", str(keyword)) if keyword is not None else None,
            whole_word=_bool(item.get("whole_word")),
            id=keyword_id,
            destroy=bool(_bool(item.get("_destroy"))),
        ))
    return changes


def _form_keyword_attributes(request: Request) -> list[dict[str, Any]]:
    import re

    data = request.data if hasattr(request.data, "keys") else {}
    rows: dict[str, dict[str, Any]] = {}
    unnamed: list[dict[str, Any]] = []
    for key in data:
        match = re.fullmatch(r"keywords_attributes\[(\d*)\]\[(\w+)\]", key)
        if not match:
            continue
        index, name = match.groups()
        values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
        if index:
            rows.setdefault(index, {})[name] = values[-1]
            continue
        for i, value in enumerate(values):
            while len(unnamed) <= i:
                unnamed.append({})
            unnamed[i][name] = value
    return [rows[k] for k in sorted(rows, key=int)] + unnamed


def _expires_in(request: Request) -> tuple[int | None, bool]:
    """The seconds asked for, and whether an empty value asked to drop the expiry."""
    raw = param_raw(request, "expires_in")
    if raw is None:
        return None, False
    if raw == "":
        return None, True
    return param_int(request, "expires_in"), False


class FiltersView(MastodonAPIView):
    scopes = {"GET": READ, "POST": WRITE}

    def get(self, request: Request) -> Response:
        return Response([serialize_filter(f) for f in selectors.filters_of(request.user)])

    def post(self, request: Request) -> Response:
        expires_in, _ = _expires_in(request)
        created = services.create_filter(
            request.user,
            title=param_str(request, "title"),
            context=param_list(request, "context"),
            filter_action=param_str(request, "filter_action") or None,
            expires_in=expires_in,
            keywords=_keyword_changes(request),
        )
        return Response(serialize_filter(selectors.get_filter(request.user, created.pk)))


class FilterView(MastodonAPIView):
    scopes = {"GET": READ, "PUT": WRITE, "DELETE": WRITE}

    def get(self, request: Request, filter_id: str) -> Response:
        return Response(serialize_filter(selectors.get_filter(request.user, filter_id)))

    def put(self, request: Request, filter_id: str) -> Response:
        a_filter = selectors.get_filter(request.user, filter_id)
        expires_in, clear = _expires_in(request)
        services.update_filter(
            a_filter,
            title=param_str(request, "title"),
            context=param_list(request, "context") or None,
            filter_action=param_str(request, "filter_action") or None,
            expires_in=expires_in,
            clear_expiry=clear,
            keywords=_keyword_changes(request),
        )
        return Response(serialize_filter(selectors.get_filter(request.user, filter_id)))

    def delete(self, request: Request, filter_id: str) -> Response:
        services.delete_filter(selectors.get_filter(request.user, filter_id))
        return Response({})


class FilterKeywordsView(MastodonAPIView):
    scopes = {"GET": READ, "POST": WRITE}

    def get(self, request: Request, filter_id: str) -> Response:
        a_filter = selectors.get_filter(request.user, filter_id)
        return Response([serialize_filter_keyword(k) for k in a_filter.keywords.all()])

    def post(self, request: Request, filter_id: str) -> Response:
        a_filter = selectors.get_filter(request.user, filter_id)
        keyword = services.add_keyword(
            a_filter, param_str(request, "keyword"), param_bool(request, "whole_word", True)
        )
        return Response(serialize_filter_keyword(keyword))


class FilterKeywordView(MastodonAPIView):
    scopes = {"GET": READ, "PUT": WRITE, "DELETE": WRITE}

    def get(self, request: Request, keyword_id: str) -> Response:
        return Response(serialize_filter_keyword(selectors.get_keyword(request.user, keyword_id)))

    def put(self, request: Request, keyword_id: str) -> Response:
        keyword = selectors.get_keyword(request.user, keyword_id)
        whole_word = _bool(param_raw(request, "whole_word"))
        services.update_keyword(keyword, param_str(request, "keyword"), whole_word)
        return Response(serialize_filter_keyword(keyword))

    def delete(self, request: Request, keyword_id: str) -> Response:
        services.delete_keyword(selectors.get_keyword(request.user, keyword_id))
        return Response({})


class FilterStatusesView(MastodonAPIView):
    scopes = {"GET": READ, "POST": WRITE}

    def get(self, request: Request, filter_id: str) -> Response:
        a_filter = selectors.get_filter(request.user, filter_id)
        return Response([serialize_filter_status(s) for s in a_filter.statuses.all()])

    def post(self, request: Request, filter_id: str) -> Response:
        a_filter = selectors.get_filter(request.user, filter_id)
        post_id = parse_id(param_str(request, "status_id") or "")
        if post_id is None:
            raise ValidationFailed("Validation failed: status_id must be an id")
        return Response(serialize_filter_status(services.add_filter_status(a_filter, post_id)))


class FilterStatusView(MastodonAPIView):
    scopes = {"GET": READ, "DELETE": WRITE}

    def get(self, request: Request, filter_status_id: str) -> Response:
        found = selectors.get_filter_status(request.user, filter_status_id)
        return Response(serialize_filter_status(found))

    def delete(self, request: Request, filter_status_id: str) -> Response:
        services.delete_filter_status(selectors.get_filter_status(request.user, filter_status_id))
        return Response({})


def _strict_bool(request: Request, name: str) -> bool | None:
    value = param_raw(request, name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() not in TRUE | FALSE:
        raise ValidationFailed(f"Validation failed: {name} must be a boolean")
    return str(value).strip().lower() in TRUE


class V1FiltersView(MastodonAPIView):
    """v1 filters: each v2 keyword as a phrase (``phrase``, ``context[]``, ``irreversible``
    for hide, ``whole_word``, ``expires_in``); a new one is a v2 filter of one keyword."""

    scopes = {"GET": READ, "POST": WRITE}

    def get(self, request: Request) -> Response:
        return Response([serialize_v1_filter(k) for k in selectors.keywords_of(request.user)])

    def post(self, request: Request) -> Response:
        expires_in, _ = _expires_in(request)
        keyword = services.create_v1_filter(
            request.user,
            phrase=param_str(request, "phrase"),
            context=param_list(request, "context"),
            irreversible=bool(_strict_bool(request, "irreversible")),
            whole_word=_strict_bool(request, "whole_word"),
            expires_in=expires_in,
        )
        return Response(serialize_v1_filter(selectors.get_keyword(request.user, keyword.pk)))


class V1FilterView(MastodonAPIView):
    scopes = {"GET": READ, "PUT": WRITE, "DELETE": WRITE}

    def get(self, request: Request, keyword_id: str) -> Response:
        return Response(serialize_v1_filter(selectors.get_keyword(request.user, keyword_id)))

    def put(self, request: Request, keyword_id: str) -> Response:
        keyword = selectors.get_keyword(request.user, keyword_id)
        expires_in, clear = _expires_in(request)
        services.update_v1_filter(
            keyword,
            phrase=param_str(request, "phrase"),
            whole_word=_strict_bool(request, "whole_word"),
            context=param_list(request, "context") or None,
            irreversible=_strict_bool(request, "irreversible"),
            expires_in=expires_in,
            clear_expiry=clear,
        )
        return Response(serialize_v1_filter(selectors.get_keyword(request.user, keyword_id)))

    def delete(self, request: Request, keyword_id: str) -> Response:
        services.delete_v1_filter(selectors.get_keyword(request.user, keyword_id))
        return Response({})
