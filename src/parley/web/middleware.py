"""A suspended member may still log in, but only to read statements of reasons and appeal."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# DSA Art. 20: the affected person must be able to contest the suspension itself.
SUSPENDED_MAY_VISIT = ("/statements", "/logout", "/notice/", "/static/")


class SuspendedAccountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_suspended
            and not request.path.startswith(("/api/", "/oauth/", settings.MEDIA_URL))
            and not request.path.startswith(SUSPENDED_MAY_VISIT)
        ):
            return redirect("/statements")
        return self.get_response(request)
