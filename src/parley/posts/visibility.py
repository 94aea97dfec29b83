"""Who may see a post, as one SQL condition: ``visible_to(viewer)``.

Every read of posts filters through it (``posts.selectors.visible_posts``). It is written as
SQL with the post's columns filled in by the ORM rather than as ORM lookups because it is on
every read path, and building and compiling the equivalent tree of ``Q`` and ``Exists``
objects cost most of a request (~65% of a single status) while running it cost ~1%. The
columns are ``F()`` references, so the ORM still aliases and relabels them (subqueries,
joins); the tables it reads inside are its own.

The rule. A viewer sees its own posts while published or held. It sees another's post when
the post is published and distributed (the accurate screening tier has seen it), the author
is active and not suspended, nobody blocked the other, and the audience includes the viewer:
public and unlisted posts everyone; private posts the author's followers and the members
mentioned; direct posts the members mentioned. An echo is seen only if its original is."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import BooleanField, Expression, F
from django.utils import timezone

from parley.accounts.models import Block, Follow, User
from parley.posts.models import Post, PostState, Visibility

COLUMNS = ("id", "author_id", "visibility", "state", "distributed_at")
SHOWN_TO_ALL = (Visibility.PUBLIC, Visibility.UNLISTED)
SHOWN_TO_MENTIONED = (Visibility.PRIVATE, Visibility.DIRECT)
OWN_STATES = (PostState.PUBLISHED, PostState.HELD)


def _q(name: str) -> str:
    from django.db import connection

    return connection.ops.quote_name(name)


def _tables() -> dict[str, str]:
    return {
        "user": _q(User._meta.db_table),
        "post": _q(Post._meta.db_table),
        "mention": _q(Post.mentions.through._meta.db_table),
        "follow": _q(Follow._meta.db_table),
        "block": _q(Block._meta.db_table),
    }


def _audience(c: dict[str, str], viewer_id: int | None) -> tuple[str, list[Any]]:
    """The post's visibility lets the viewer see it (not counting authorship)."""
    everyone = f"{c['visibility']} IN (%s, %s)"
    if viewer_id is None:
        return everyone, list(SHOWN_TO_ALL)
    t = _tables()
    sql = (
        f"({everyone}"
        f" OR ({c['visibility']} IN (%s, %s) AND EXISTS (SELECT 1 FROM {t['mention']} pv_m"
        f" WHERE pv_m.post_id = {c['id']} AND pv_m.user_id = %s))"
        f" OR ({c['visibility']} = %s AND EXISTS (SELECT 1 FROM {t['follow']} pv_f"
        f" WHERE pv_f.follower_id = %s AND pv_f.followee_id = {c['author_id']})))"
    )
    return sql, [*SHOWN_TO_ALL, *SHOWN_TO_MENTIONED, viewer_id, Visibility.PRIVATE, viewer_id]


def _seen_by_others(c: dict[str, str], viewer_id: int | None, now: datetime
                    ) -> tuple[str, list[Any]]:
    t = _tables()
    audience, audience_params = _audience(c, viewer_id)
    sql = (
        f"{c['state']} = %s AND {c['distributed_at']} IS NOT NULL"
        f" AND EXISTS (SELECT 1 FROM {t['user']} pv_a WHERE pv_a.id = {c['author_id']}"
        f" AND pv_a.is_active = %s"
        f" AND (pv_a.suspended_at IS NULL OR pv_a.suspended_until <= %s))"
        f" AND {audience}"
    )
    params = [PostState.PUBLISHED, True, now, *audience_params]
    if viewer_id is not None:
        sql += (
            f" AND NOT EXISTS (SELECT 1 FROM {t['block']} pv_b"
            f" WHERE (pv_b.blocker_id = %s AND pv_b.blocked_id = {c['author_id']})"
            f" OR (pv_b.blocked_id = %s AND pv_b.blocker_id = {c['author_id']}))"
        )
        params += [viewer_id, viewer_id]
    return sql, params


def _visible(c: dict[str, str], viewer_id: int | None, now: datetime) -> tuple[str, list[Any]]:
    others, params = _seen_by_others(c, viewer_id, now)
    if viewer_id is None:
        return f"({others})", params
    own = f"{c['author_id']} = %s AND {c['state']} IN (%s, %s)"
    return f"(({own}) OR ({others}))", [viewer_id, *OWN_STATES, *params]


def _alias_columns(alias: str) -> dict[str, str]:
    return {name: f"{alias}.{_q(name)}" for name in COLUMNS}


class _PostCondition(Expression):
    """A condition on a post written as SQL over its columns (``column_names``), which the
    ORM resolves, aliases and relabels as it does any column."""

    conditional = True
    column_names: tuple[str, ...] = COLUMNS

    def __init__(self, viewer_id: int | None) -> None:
        super().__init__(output_field=BooleanField())
        self.viewer_id = viewer_id
        self.columns = [F(name) for name in self.column_names]

    def get_source_expressions(self) -> list:
        return self.columns

    def set_source_expressions(self, exprs: list) -> None:
        self.columns = list(exprs)

    def compiled_columns(self, compiler) -> dict[str, str]:
        compiled = [compiler.compile(column)[0] for column in self.columns]
        return dict(zip(self.column_names, compiled, strict=True))


class VisibleTo(_PostCondition):
    """The rule above as a filter on posts: ``Post.objects.filter(VisibleTo(viewer_id))``."""

    column_names = (*COLUMNS, "reblog_of_id")

    def __init__(self, viewer_id: int | None, now: datetime | None = None) -> None:
        super().__init__(viewer_id)
        self.now = now or timezone.now()

    def as_sql(self, compiler, connection) -> tuple[str, list[Any]]:
        c = self.compiled_columns(compiler)
        post_sql, params = _visible(c, self.viewer_id, self.now)
        original_sql, original_params = _visible(_alias_columns("pv_o"), self.viewer_id, self.now)
        sql = (
            f"({post_sql} AND ({c['reblog_of_id']} IS NULL OR EXISTS (SELECT 1 FROM "
            f"{_tables()['post']} pv_o WHERE pv_o.{_q('id')} = {c['reblog_of_id']}"
            f" AND {original_sql})))"
        )
        return sql, [*params, *original_params]


class AudienceIncludes(_PostCondition):
    """The audience part of the rule alone, whatever the post's state now: whether the
    post was addressed to the viewer (``posts.selectors.may_have_seen``)."""

    def as_sql(self, compiler, connection) -> tuple[str, list[Any]]:
        return _audience(self.compiled_columns(compiler), self.viewer_id)
