from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "parley.posts"
    label = "posts"
    default_auto_field = "django.db.models.BigAutoField"
