"""Exceptions services raise; the API and web layers map them to responses in one place."""

from __future__ import annotations


class ParleyError(Exception):
    """Base of every expected failure. ``status`` is the HTTP status it maps to."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(ParleyError):
    status = 422


class NotFound(ParleyError):
    status = 404


class NotAllowed(ParleyError):
    status = 403


class Conflict(ParleyError):
    status = 409


class RateLimited(ParleyError):
    status = 429

    def __init__(self, message: str, limit: int = 0, remaining: int = 0, reset_at=None) -> None:
        super().__init__(message)
        self.limit = limit
        self.remaining = remaining
        self.reset_at = reset_at


class PostRejected(ValidationFailed):
    """Screening rejected a post outright; the message says why."""
