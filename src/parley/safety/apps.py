from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "parley.safety"
    label = "safety"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks

        from parley.safety.audit import check_audit_key

        checks.register(check_audit_key)
