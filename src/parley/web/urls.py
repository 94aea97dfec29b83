"""Routes of the server-rendered web UI."""

urlpatterns: list = []
