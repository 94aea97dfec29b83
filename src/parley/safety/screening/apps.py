from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "parley.safety.screening"
    label = "screening"
    default_auto_field = "django.db.models.BigAutoField"
