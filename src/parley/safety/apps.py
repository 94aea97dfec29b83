from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "parley.safety"
    label = "safety"
    default_auto_field = "django.db.models.BigAutoField"
