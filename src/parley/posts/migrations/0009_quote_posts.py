"""Quote posts (Mastodon 4.5): the quoted post, the quote's state, who may quote a post.

On SQLite, adding a column with a default rebuilds ``posts_post``, which drops the
full-text triggers of 0002_search: they are made again (and the index rebuilt) last."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

search = importlib.import_module("parley.posts.migrations.0002_search")


class Migration(migrations.Migration):

    dependencies = [
        ("posts", "0008_scheduled_statuses"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="quote_of",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="quotes", to="posts.post"),
        ),
        migrations.AddField(
            model_name="post",
            name="quote_policy",
            field=models.CharField(default="public", max_length=10),
        ),
        migrations.AddField(
            model_name="post",
            name="quote_state",
            field=models.CharField(blank=True, max_length=10),
        ),
        migrations.RunPython(search._run({"sqlite": search.SQLITE_FORWARD}),
                             migrations.RunPython.noop),
    ]
