"""Gunicorn hooks of `parley serve` (loaded with ``--config python:parley.core.gunicorn_conf``)."""

from __future__ import annotations

import logging
import os

from parley.settings import trusted_proxies

log = logging.getLogger("parley.serve")

# Gunicorn believes X-Forwarded-Proto from 127.0.0.1 unless told otherwise: trust exactly
# the proxies Parley trusts (none by default), so both layers agree.
forwarded_allow_ips = ",".join(trusted_proxies(os.environ.get("PARLEY_TRUSTED_PROXIES", "")))


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
