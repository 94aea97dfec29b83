"""Tasks the RQ worker tests queue: one that fails, one that says where it ran."""

from __future__ import annotations

import os

from django_tasks import task


@task(queue_name="fanout")
def explode() -> None:
    raise RuntimeError("this task always fails")


@task(queue_name="fanout")
def where_it_ran() -> int:
    return os.getpid()
