"""Routes of trust & safety: notice form, notifier API, moderator console, statements."""

urlpatterns: list = []
