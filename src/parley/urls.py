"""URL map: the web UI, the Mastodon-compatible API, OAuth, safety and the API schema."""

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

urlpatterns = [
    path("", include("parley.api.urls")),
    path("", include("parley.safety.urls")),
    path("", include("parley.web.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
