"""Settings for the test suite: the real settings, with a throwaway data directory,
tasks run in-process as soon as their transaction commits, and rate limits off
(the rate-limit tests switch them on)."""

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
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# whitenoise warns at every start when the collected-static folder does not exist
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405
