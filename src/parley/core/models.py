"""Liveness of background workers, so tasks left RUNNING by a dead worker can be recovered;
the load bench's reference row."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """One row per running ``parley worker``, refreshed every recovery interval."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id}"


class BenchInsert(models.Model):
    """A row written by the load bench's reference view (``core.views.one_insert``): the cost
    of a request doing one insert, which posting is compared with. Only written with
    PARLEY_BENCH_VIEWS=on (the bench's own servers)."""

    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"bench insert {self.pk}"
