"""Log in with a username or an email address (Mastodon clients send the email)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from parley.accounts.models import User


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = (
            User.objects.filter(Q(username__iexact=username) | Q(email__iexact=username))
            .order_by("id")
            .first()
        )
        if user is None:
            User().set_password(password)  # same work either way: no user enumeration by timing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user) -> bool:
        # A suspended member still logs in, to read the statement of reasons and appeal;
        # everything else is closed to them (web middleware, API scopes).
        # Unconfirmed sign-ups wait for their confirmation link (Mastodon's behaviour).
        return super().user_can_authenticate(user) and user.is_approved and user.email_confirmed
