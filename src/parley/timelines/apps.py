from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "parley.timelines"
    label = "timelines"
    default_auto_field = "django.db.models.BigAutoField"
