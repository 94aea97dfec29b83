from django.apps import AppConfig


class StreamingConfig(AppConfig):
    name = "parley.streaming"
    label = "streaming"
    default_auto_field = "django.db.models.BigAutoField"
