"""One settings module: everything is read from the environment, with embedded defaults."""

from __future__ import annotations

import ipaddress
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


class DataDirError(ImproperlyConfigured):
    """The data directory cannot be created or written (the CLI prints it as one line)."""


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _writable_data_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        # os.access says yes to root even on a read-only mount: try a real write.
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise DataDirError(
            f"The data directory {path} is not writable ({exc.strerror}). Set "
            "PARLEY_DATA_DIR to a directory this user can write, or fix its permissions."
        ) from None
    return path


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = _writable_data_dir(Path(os.environ.get("PARLEY_DATA_DIR", "var")).resolve())


def _secret_key() -> str:
    if key := os.environ.get("PARLEY_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    try:
        if not key_file.exists():
            from django.core.management.utils import get_random_secret_key

            key_file.write_text(get_random_secret_key())
            key_file.chmod(0o600)
        return key_file.read_text().strip()
    except OSError as exc:
        raise DataDirError(
            f"Cannot read or write the secret key file {key_file} ({exc.strerror})."
        ) from None


def trusted_proxies(value: str) -> tuple[str, ...]:
    """Parse PARLEY_TRUSTED_PROXIES: comma-separated IP addresses or CIDR networks."""
    networks = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"PARLEY_TRUSTED_PROXIES: {item!r} is not an IP address or network"
            ) from None
    return tuple(networks)


def https_settings(environ: Mapping[str, str]) -> dict[str, object]:
    """Django's TLS settings from PARLEY_HTTPS, PARLEY_HSTS_SECONDS, PARLEY_SSL_REDIRECT and
    PARLEY_TRUSTED_PROXIES (the proxy's X-Forwarded-Proto is believed only when one is set)."""

    def on(name: str) -> bool:
        return environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}

    if not on("PARLEY_HTTPS"):
        return {
            "SESSION_COOKIE_SECURE": False,
            "CSRF_COOKIE_SECURE": False,
            "SECURE_HSTS_SECONDS": 0,
            "SECURE_SSL_REDIRECT": False,
            "SECURE_PROXY_SSL_HEADER": None,
        }
    behind_proxy = bool(trusted_proxies(environ.get("PARLEY_TRUSTED_PROXIES", "")))
    return {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": int(environ.get("PARLEY_HSTS_SECONDS", "31536000")),
        "SECURE_SSL_REDIRECT": on("PARLEY_SSL_REDIRECT"),
        "SECURE_PROXY_SSL_HEADER": (
            ("HTTP_X_FORWARDED_PROTO", "https") if behind_proxy else None
        ),
    }


SECRET_KEY = _secret_key()
DEBUG = env_bool("PARLEY_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("PARLEY_ALLOWED_HOSTS", "*").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("PARLEY_CSRF_ORIGINS", "").split(",") if o]
# Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (default: none).
PARLEY_TRUSTED_PROXIES = trusted_proxies(os.environ.get("PARLEY_TRUSTED_PROXIES", ""))
_https = https_settings(os.environ)
PARLEY_HTTPS = env_bool("PARLEY_HTTPS", False)
SESSION_COOKIE_SECURE = _https["SESSION_COOKIE_SECURE"]
CSRF_COOKIE_SECURE = _https["CSRF_COOKIE_SECURE"]
SECURE_HSTS_SECONDS = _https["SECURE_HSTS_SECONDS"]
SECURE_SSL_REDIRECT = _https["SECURE_SSL_REDIRECT"]
SECURE_PROXY_SSL_HEADER = _https["SECURE_PROXY_SSL_HEADER"]

# The public name of the instance, used in the API and in account addresses.
PARLEY_DOMAIN = os.environ.get("PARLEY_DOMAIN", "localhost")
PARLEY_INSTANCE_TITLE = os.environ.get("PARLEY_INSTANCE_TITLE", "Parley")
PARLEY_CONTACT_EMAIL = os.environ.get("PARLEY_CONTACT_EMAIL", "admin@localhost")
PARLEY_MAX_POST_CHARS = int(os.environ.get("PARLEY_MAX_POST_CHARS", "500"))
PARLEY_MAX_MEDIA_BYTES = int(os.environ.get("PARLEY_MAX_MEDIA_BYTES", str(10 * 1024 * 1024)))
# Most pixels (width x height) an uploaded image may have (Mastodon's image_matrix_limit).
PARLEY_MEDIA_MATRIX_LIMIT = int(os.environ.get("PARLEY_MEDIA_MATRIX_LIMIT", str(4096 * 4096)))
# Hand the bytes of an allowed media request to the reverse proxy: an nginx internal
# location prefix (X-Accel-Redirect), or "on" for X-Sendfile (Apache, lighttpd).
PARLEY_MEDIA_ACCEL_REDIRECT = os.environ.get("PARLEY_MEDIA_ACCEL_REDIRECT", "")
PARLEY_MEDIA_SENDFILE = env_bool("PARLEY_MEDIA_SENDFILE", False)
# Hard caps on raw input: a post's text plus content warning in UTF-8 bytes (URLs count 23
# characters each, so the character limit alone does not bound them), and any API body
# other than an upload.
PARLEY_MAX_POST_BYTES = int(
    os.environ.get("PARLEY_MAX_POST_BYTES", str(max(8192, 16 * PARLEY_MAX_POST_CHARS)))
)
PARLEY_MAX_API_BODY_BYTES = int(os.environ.get("PARLEY_MAX_API_BODY_BYTES", str(1024 * 1024)))
# open | approval | closed
PARLEY_REGISTRATIONS = os.environ.get("PARLEY_REGISTRATIONS", "open")
# The load bench's reference view (core.views.one_insert): only its own servers turn it on.
PARLEY_BENCH_VIEWS = env_bool("PARLEY_BENCH_VIEWS", False)
PARLEY_RATE_LIMITS = os.environ.get("PARLEY_RATE_LIMITS", "on").lower() not in {"off", "0", "false"}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "django_tasks",
    "django_tasks_db",
    "parley.core",
    "parley.accounts",
    "parley.posts",
    "parley.timelines",
    "parley.filters",
    "parley.social",
    "parley.notifications",
    "parley.safety",
    "parley.safety.screening",
    "parley.safety.cases",
    "parley.api",
    "parley.web",
    "parley.portability",
    "parley.streaming",
    "parley.discovery",
]

MIDDLEWARE = [
    "parley.core.middleware.untrusted_forwarding_headers",
    "parley.api.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "parley.web.middleware.SuspendedAccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "parley.web.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "parley.urls"
WSGI_APPLICATION = "parley.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["parley.accounts.backends.UsernameOrEmailBackend"]
OAUTH2_PROVIDER_APPLICATION_MODEL = "api.MastodonApp"
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parley.web.context.instance",
            ],
        },
    }
]

def database_settings(environ: Mapping[str, str], data_dir: Path) -> dict[str, object]:
    """The default database from PARLEY_DATABASE_URL (SQLite under the data dir otherwise).

    On a server database a connection dropped while idle (a restart, a failover, a proxy's
    timeout) is found and replaced before the next request uses it (CONN_HEALTH_CHECKS).
    PARLEY_DATABASE_POOL=on uses psycopg 3's connection pool (PostgreSQL only), which
    replaces Django's persistent connections (Django has the pool check each connection it
    hands out)."""
    database = dj_database_url.parse(
        environ.get("PARLEY_DATABASE_URL", f"sqlite:///{data_dir / 'parley.sqlite3'}"),
        conn_max_age=int(environ.get("PARLEY_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    pool = environ.get("PARLEY_DATABASE_POOL", "off").strip().lower() in {"1", "true", "yes", "on"}
    if pool and database["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("PARLEY_DATABASE_POOL=on needs PostgreSQL (PARLEY_DATABASE_URL)")
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # Connections are kept (CONN_MAX_AGE) here too: opening one costs more than a read
        # of a timeline page (the PRAGMAs below and the schema, read again by each new one).
        database["CONN_HEALTH_CHECKS"] = False
        database["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
        return database
    if pool:
        database["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django must not
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(environ.get("PARLEY_DATABASE_POOL_MIN", "2")),
            "max_size": int(environ.get("PARLEY_DATABASE_POOL_MAX", "10")),
            "timeout": float(environ.get("PARLEY_DATABASE_POOL_TIMEOUT", "10")),
        }
    return database


DATABASES = {"default": database_settings(os.environ, DATA_DIR)}
# Read replicas (PostgreSQL streaming replicas, comma-separated URLs): timeline and search
# pages read from one of them (parley.core.replicas), everything else from the primary.
for _n, _url in enumerate(
    filter(None, (u.strip() for u in os.environ.get("PARLEY_DATABASE_REPLICA_URLS", "").split(",")))
):
    DATABASES[f"replica{_n + 1}"] = database_settings(
        {**os.environ, "PARLEY_DATABASE_URL": _url}, DATA_DIR
    )
PARLEY_READ_REPLICAS = [alias for alias in DATABASES if alias != "default"]
# After a write, the writer reads from the primary this long (a replica may lag behind).
PARLEY_REPLICA_STICKY_SECONDS = int(os.environ.get("PARLEY_REPLICA_STICKY_SECONDS", "10"))
if PARLEY_READ_REPLICAS:
    DATABASE_ROUTERS = ["parley.core.replicas.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "parley.core.replicas.StickyPrimaryMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL's extras (full-text search) need psycopg, which only the [postgres] extra
# installs: the embedded mode must start without it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    INSTALLED_APPS.append("django.contrib.postgres")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Self-service sign-ups confirm their email address before they can log in (Mastodon's way).
PARLEY_CONFIRM_EMAIL = env_bool("PARLEY_CONFIRM_EMAIL", True)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Background work goes to these queues; a worker takes them in this order, so a flood of
# posts to fan out never delays safety work. "default" holds tasks queued before queues
# had names.
PARLEY_TASK_QUEUES = ("safety", "fanout", "bulk", "default")
# Scaled out: PARLEY_REDIS_URL puts the cache (and so the rate-limit counters) and the task
# queues (RQ, through django-tasks-rq) on Redis. Nothing lives only in Redis: posts are in
# the database, and a fan-out lost with Redis is queued again (see timelines.services).
PARLEY_REDIS_URL = os.environ.get("PARLEY_REDIS_URL", "")
# Home timelines as Redis sorted sets (fan-out on write) whenever Redis is there; see
# timelines/feeds.py. Posts of authors with more followers than the limit are merged in
# at read time instead of being written to every follower's feed.
PARLEY_HOME_FEEDS = env_bool("PARLEY_HOME_FEEDS", True)
PARLEY_HOME_FEED_SIZE = int(os.environ.get("PARLEY_HOME_FEED_SIZE", "400"))
PARLEY_HOME_FEED_TTL = int(os.environ.get("PARLEY_HOME_FEED_TTL", str(14 * 86400)))  # seconds
PARLEY_FANOUT_FOLLOWER_LIMIT = int(os.environ.get("PARLEY_FANOUT_FOLLOWER_LIMIT", "10000"))
# A Redis that does not answer fails an enqueue within seconds instead of holding the
# request (the post is committed; its fan-out is queued again later). Settings already in
# PARLEY_REDIS_URL win; RQ raises a worker's read timeout above its wait for jobs.
RQ_SOCKET_TIMEOUTS = "socket_connect_timeout=1&socket_timeout=2"
if PARLEY_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "parley.core.cache.ResilientRedisCache",
            "LOCATION": PARLEY_REDIS_URL,
        }
    }
    INSTALLED_APPS.append("django_rq")
    _rq_url = PARLEY_REDIS_URL + ("&" if "?" in PARLEY_REDIS_URL else "?")
    _rq_url += RQ_SOCKET_TIMEOUTS
    RQ_QUEUES = {
        name: {
            "URL": _rq_url,
            "DEFAULT_TIMEOUT": int(os.environ.get("PARLEY_TASK_TIMEOUT", "600")),
        }
        for name in PARLEY_TASK_QUEUES
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "parley_cache",
        }
    }

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "PARLEY_TASKS_BACKEND",
            "django_tasks_rq.RQBackend" if PARLEY_REDIS_URL else "django_tasks_db.DatabaseBackend",
        ),
        "QUEUES": list(PARLEY_TASK_QUEUES),
    }
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at every start when it is missing
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = PARLEY_MAX_MEDIA_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "PARLEY_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = PARLEY_CONTACT_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "parley.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "parley.api.base.mastodon_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Parley API",
    "DESCRIPTION": "Mastodon-compatible client API plus Parley's trust & safety API.",
    "VERSION": "0.1.0",
    # Parameters, bodies and error responses come from the table in parley/api/schema.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "parley.api.schema.postprocess",
    ],
    "DISABLE_ERRORS_AND_WARNINGS": True,
    # /api/docs works offline: Redoc from drf-spectacular-sidecar's static files.
    "REDOC_DIST": "SIDECAR",
}

MASTODON_SCOPES = [
    "read",
    "write",
    "follow",
    "push",
    "profile",
    "admin:read",
    "admin:write",
    *[
        f"read:{s}"
        for s in (
            "accounts",
            "blocks",
            "bookmarks",
            "favourites",
            "filters",
            "follows",
            "lists",
            "mutes",
            "notifications",
            "search",
            "statuses",
        )
    ],
    *[
        f"write:{s}"
        for s in (
            "accounts",
            "blocks",
            "bookmarks",
            "conversations",
            "favourites",
            "filters",
            "follows",
            "lists",
            "media",
            "mutes",
            "notifications",
            "reports",
            "statuses",
        )
    ],
    *[f"admin:read:{s}" for s in ("accounts", "reports")],
    *[f"admin:write:{s}" for s in ("accounts", "reports")],
]
OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "read",
        "write": "write",
        "follow": "follow",
        "push": "push",
        "profile": "profile",
        "admin:read": "admin:read",
        "admin:write": "admin:write",
    },
    "DEFAULT_SCOPES": ["read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 365,
    "PKCE_REQUIRED": False,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https", "urn"],
    "OAUTH2_VALIDATOR_CLASS": "parley.api.oauth.MastodonOAuth2Validator",
    "OAUTH2_SERVER_CLASS": "parley.api.oauth.MastodonOAuth2Server",  # PKCE: S256 only
    "REFRESH_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 365,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PARLEY_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Trust & safety: per-category overrides of the policy table (see safety/policy.py),
# as JSON in PARLEY_POLICY_OVERRIDES, e.g. {"violence": {"hold": 0.95}}.
PARLEY_POLICY_OVERRIDES = os.environ.get("PARLEY_POLICY_OVERRIDES", "")
PARLEY_DEADLINE_PROFILE = os.environ.get("PARLEY_DEADLINE_PROFILE", "dsa")
# Model cases (opened by a score alone) moderators can take per 24 hours; once reached, the
# expected-harm bar rises so only posts outranking today's cases get one (safety/cases/harm.py).
PARLEY_REVIEW_BUDGET = os.environ.get("PARLEY_REVIEW_BUDGET", "200")
# Which DSA transparency duties apply: micro, small, or vlop (the strict default: all of them).
PARLEY_DSA_PROFILE = os.environ.get("PARLEY_DSA_PROFILE", "vlop").strip().lower()
if PARLEY_DSA_PROFILE not in {"micro", "small", "vlop"}:
    raise ImproperlyConfigured("PARLEY_DSA_PROFILE must be micro, small or vlop")
# Post views are summed in memory and written at most this often (seconds) by each process.
PARLEY_VIEW_FLUSH_SECONDS = float(os.environ.get("PARLEY_VIEW_FLUSH_SECONDS", "10"))
PARLEY_PRESERVE_DAYS = int(os.environ.get("PARLEY_PRESERVE_DAYS", "183"))
# Days between a member's request to delete the account and its purge.
PARLEY_DELETION_GRACE_DAYS = int(os.environ.get("PARLEY_DELETION_GRACE_DAYS", "30"))
# Audit chain key (HMAC), kept outside the database: the key itself, or a file holding it.
PARLEY_AUDIT_KEY = os.environ.get("PARLEY_AUDIT_KEY", "")
PARLEY_AUDIT_KEY_FILE = os.environ.get("PARLEY_AUDIT_KEY_FILE", "")
# Optional background detector: a moderation service speaking OpenAI's moderation API
# (off unless the URL is set; see parley.safety.model.backends).
PARLEY_MODERATION_API_URL = os.environ.get("PARLEY_MODERATION_API_URL", "")
PARLEY_MODERATION_API_KEY = os.environ.get("PARLEY_MODERATION_API_KEY", "")
PARLEY_MODERATION_API_MODEL = os.environ.get("PARLEY_MODERATION_API_MODEL", "")
PARLEY_MODERATION_API_TIMEOUT = float(os.environ.get("PARLEY_MODERATION_API_TIMEOUT", "10"))
# Optional background detector: a Hugging Face classifier exported to ONNX by Optimum
# (off unless the path is set); labels JSON maps model labels to policy categories.
PARLEY_TRANSFORMERS_MODEL_PATH = os.environ.get("PARLEY_TRANSFORMERS_MODEL_PATH", "")
PARLEY_TRANSFORMERS_LABELS = os.environ.get("PARLEY_TRANSFORMERS_LABELS", "")
PARLEY_TRANSFORMERS_MAX_TOKENS = int(os.environ.get("PARLEY_TRANSFORMERS_MAX_TOKENS", "256"))

# Background work that survives a crash (see README "Operations"). Seconds unless noted.
PARLEY_WORKER_RECOVERY_INTERVAL = float(os.environ.get("PARLEY_WORKER_RECOVERY_INTERVAL", "10"))
PARLEY_WORKER_HEARTBEAT_TIMEOUT = float(os.environ.get("PARLEY_WORKER_HEARTBEAT_TIMEOUT", "30"))
PARLEY_TASK_RUNNING_TIMEOUT = float(os.environ.get("PARLEY_TASK_RUNNING_TIMEOUT", "600"))
PARLEY_TASK_MAX_ATTEMPTS = int(os.environ.get("PARLEY_TASK_MAX_ATTEMPTS", "3"))  # claims
PARLEY_DISTRIBUTION_GRACE = float(os.environ.get("PARLEY_DISTRIBUTION_GRACE", "60"))
PARLEY_DISTRIBUTION_MAX_TASKS = int(os.environ.get("PARLEY_DISTRIBUTION_MAX_TASKS", "5"))

# Streaming (`parley streaming`, started by `parley serve` on port+1). The URL apps are told
# (instance urls.streaming_api): set it behind a reverse proxy, e.g. wss://example.org.
PARLEY_STREAMING_URL = os.environ.get("PARLEY_STREAMING_URL", "")
# Set by `parley serve` for its web server: without PARLEY_STREAMING_URL, apps reaching
# the server over plain HTTP are sent to ws://<its host>:<this port>.
PARLEY_STREAMING_PORT = os.environ.get("PARLEY_STREAMING_PORT", "")
PARLEY_STREAMING_POLL = float(os.environ.get("PARLEY_STREAMING_POLL", "0.2"))  # seconds
PARLEY_STREAMING_EVENT_TTL = float(os.environ.get("PARLEY_STREAMING_EVENT_TTL", "300"))
