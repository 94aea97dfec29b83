"""URL map: the web UI, the Mastodon-compatible API, OAuth, safety, the API schema and
uploaded media (served by a view that checks who may see each file)."""

from django.conf import settings
from django.urls import include, path

from parley.core.views import health, one_insert
from parley.posts.views_media import serve_media

urlpatterns = [
    path("health", health, name="health"),
    path("bench/one-insert", one_insert, name="bench-one-insert"),
    path("", include("parley.api.urls")),
    path("", include("parley.safety.urls")),
    path("", include("parley.web.urls")),
    path(f"{settings.MEDIA_URL.lstrip('/')}<path:name>", serve_media, name="media"),
]
