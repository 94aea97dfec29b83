"""Content-Security-Policy on every response: only our own scripts, styles and forms."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
# Redoc (/api/docs) styles itself with inline <style> tags and parses in a blob: worker.
API_DOCS = STRICT | {
    "style-src": "'self' 'unsafe-inline'",
    "worker-src": "'self' blob:",
    "font-src": "'self' data:",
}


def render_policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _redirect_source(redirect_uri: str) -> str | None:
    """The CSP source that lets the OAuth consent form redirect to the client's callback."""
    parts = urlsplit(redirect_uri)
    if not parts.scheme or any(c in redirect_uri for c in " ;,'\""):
        return None
    if parts.scheme in ("http", "https"):
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else None
    return f"{parts.scheme}:"  # an app's own scheme, e.g. myapp://callback


def policy_for(request: HttpRequest) -> str:
    if request.path.startswith("/api/docs"):
        return render_policy(API_DOCS)
    if request.path.startswith("/oauth/authorize"):
        # Chromium applies form-action to the redirect after "Authorize" too. The client's
        # redirect_uri was checked against its registration before the form is shown.
        source = _redirect_source(request.GET.get("redirect_uri", ""))
        if source:
            return render_policy(STRICT | {"form-action": f"'self' {source}"})
    return render_policy(STRICT)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_for(request)
        return response
