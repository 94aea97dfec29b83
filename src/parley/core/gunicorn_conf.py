"""Gunicorn hooks of `parley serve` (loaded with ``--config python:parley.core.gunicorn_conf``)."""

from __future__ import annotations

import logging

log = logging.getLogger("parley.serve")


def post_worker_init(worker) -> None:
    """Load the inline screening tier before the worker takes its first request."""
    from django.db import close_old_connections

    from parley.safety.screening.pipeline import warm_up

    try:
        log.info("screening: %d inline detectors ready", warm_up(("inline",)))
    except Exception:  # never keep a web worker from serving
        log.exception("screening warm-up failed")
    finally:
        close_old_connections()
