"""Settings for the test suite: the real settings, with a throwaway data directory,
tasks run in-process as soon as their transaction commits, and rate limits off
(the rate-limit tests switch them on). With PARLEY_REDIS_URL (the scaled pass) the cache is
on that Redis, and the tests marked ``scaled`` run real RQ workers on it."""

import os
import tempfile

os.environ.setdefault("PARLEY_DATA_DIR", tempfile.mkdtemp(prefix="parley-test-"))
os.environ.setdefault("PARLEY_RATE_LIMITS", "off")
os.environ.setdefault("PARLEY_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
if url := os.environ.get("PARLEY_TEST_DATABASE_URL"):
    os.environ["PARLEY_DATABASE_URL"] = url

from parley.settings import *  # noqa: E402,F403

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": list(PARLEY_TASK_QUEUES),  # noqa: F405
    }
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Views are written by the request that shows the posts, so tests read them at once.
PARLEY_VIEW_FLUSH_SECONDS = 0
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if PARLEY_REDIS_URL:  # noqa: F405 - the scaled pass: cache and rate limits on real Redis
    # One database number up from the queues: the tests clear the cache, never the queues.
    from urllib.parse import urlsplit, urlunsplit

    _redis = urlsplit(PARLEY_REDIS_URL)  # noqa: F405
    _cache_db = int(_redis.path.strip("/") or 0) + 1
    CACHES = {
        "default": {
            "BACKEND": "parley.core.cache.ResilientRedisCache",
            "LOCATION": urlunsplit(_redis._replace(path=f"/{_cache_db}")),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # A "replica": the same test database through a connection of its own (Django's test
    # mirror). Reads go there only in tests that set PARLEY_READ_REPLICAS = ["replica"].
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
    DATABASE_ROUTERS = ["parley.core.replicas.ReplicaRouter"]
    MIDDLEWARE = [*MIDDLEWARE, "parley.core.replicas.StickyPrimaryMiddleware"]  # noqa: F405
    PARLEY_READ_REPLICAS = []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# whitenoise warns at every start when the collected-static folder does not exist
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405
