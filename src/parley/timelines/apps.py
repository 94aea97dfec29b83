from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "parley.timelines"
    label = "timelines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from parley.accounts.models import Follow
        from parley.timelines.services import forget_home_feed_on_follow

        def follow_saved(sender, instance: Follow, created: bool, **kwargs) -> None:
            if created:
                forget_home_feed_on_follow(instance)

        post_save.connect(
            follow_saved, sender=Follow, weak=False, dispatch_uid="timelines.home_feed"
        )
