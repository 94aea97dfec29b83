"""Routes of the Mastodon-compatible client API and OAuth2."""

urlpatterns: list = []
