"""Routes of the transparency report, included in ``safety.urls``."""

from django.urls import path

from parley.safety.transparency import views

urlpatterns = [
    path("transparency", views.transparency, name="transparency"),
    path("transparency.json", views.transparency_json, name="transparency_json"),
    path("transparency.csv", views.transparency_csv, name="transparency_csv"),
]
