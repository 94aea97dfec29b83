from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "parley.discovery"
    label = "discovery"
    default_auto_field = "django.db.models.BigAutoField"
