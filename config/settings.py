"""Settings for SIM TPBIS, read from the environment (see README "Configuration")."""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
SRC_DIR = BASE_DIR / "src"
if str(SRC_DIR) not in sys.path:
    sys.path.insert(0, str(SRC_DIR))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


DEBUG = env_bool("DEBUG", False)
# Test runs and type checks import these settings but never serve anyone.
TOOLING = "pytest" in sys.modules or "mypy" in sys.modules
# The published fallback key only exists so a fresh clone runs (`make run` sets DEBUG=1, the Makefile's
# other development targets DJANGO_ALLOW_INSECURE_KEY=1); with DEBUG off a server must have its own key.
SECRET_KEY = env_str("SECRET_KEY")
DEVELOPMENT_KEY = not SECRET_KEY
if DEVELOPMENT_KEY:
    if not (DEBUG or TOOLING or env_bool("DJANGO_ALLOW_INSECURE_KEY")):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off SIM TPBIS refuses the published development key: set "
            "SECRET_KEY to a long random value, e.g. the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'` (or DEBUG=1 on a developer's machine)."
        )
    SECRET_KEY = "insecure-dev-key-set-SECRET_KEY-in-production"
if TOOLING:
    os.environ.setdefault("DJANGO_ALLOW_INSECURE_KEY", "1")  # for the servers and commands tests start
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The address in links sent out (activation links, WhatsApp texts, QR codes, emails). Unset: a link made while
# answering a request uses the address that request came on (tpbis/core/links.py); one made without a
# request (the worker's reminders, commands) uses http://127.0.0.1:$PORT. A server sets it (docs/deployment.md).
SITE_URL = env_str("SITE_URL").rstrip("/")
BACKGROUND_SITE_URL = f"http://127.0.0.1:{env_int('PORT', 8000)}"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "tpbis.core",
    "tpbis.audit",
    "tpbis.regions",
    "tpbis.accounts",
    "tpbis.notifications",
    "tpbis.libraries",
    "tpbis.reports",
    "tpbis.kpi",
    "tpbis.reportcards",
    "tpbis.dashboards",
    "tpbis.quality",
    "tpbis.duplicates",
    "tpbis.elis",
    "tpbis.practices",
    "tpbis.reminders",
    "tpbis.worklists",
    "tpbis.gatherings",
    "tpbis.surveys",
    "tpbis.profiles",
    "tpbis.demo",
    "django_tasks",
    "django_tasks_db",
    "tpbis.exports",
    "ninja",
    "tpbis.api",
    "tpbis.ops",
    "tpbis.search",
    "tpbis.help",
    "tpbis.offline",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tpbis.core.compression.TextGZipMiddleware",
    "tpbis.core.links.RequestAddressMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # A database outage in a view is a 503 (config/urls.py's handler500 covers the middlewares).
    "tpbis.core.middleware.DatabaseUnavailableMiddleware",
    "tpbis.core.middleware.IgnoreBrowserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tpbis.accounts.middleware.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tpbis.accounts.context_processors.navigation",
                "tpbis.notifications.context_processors.bell",
            ],
            "builtins": ["tpbis.core.templatetags.core_tags"],
        },
    },
]

DEFAULT_SQLITE_PATH = BASE_DIR / "var" / "db.sqlite3"
if not env_str("DATABASE_URL"):
    DEFAULT_SQLITE_PATH.parent.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        # A kept connection the database dropped (restart, failover) is replaced, not reused to fail.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one request writes; the timeout rides out short write bursts.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A streaming replica (PostgreSQL hot standby) for dashboard, export and API reads (tpbis/core/db_router.py,
# docs/scaling.md). A client that wrote reads from the primary for REPLICA_PIN_SECONDS after (read-your-writes).
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 5)
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("DATABASE_REPLICA_URL"), conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests see one database through both aliases
    DATABASE_ROUTERS = ["tpbis.core.db_router.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "tpbis.core.db_router.ReplicaMiddleware",
    )

# Cached API answers: in-process memory by default, Redis when REDIS_URL is set.
CACHES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 200}}
}
if env_str("REDIS_URL"):
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("REDIS_URL")}
# The real-SIM-compatible API (/api/pelibatan3513, ...) is public like the real one unless this is set;
# then it wants a personal API token (?token= or Authorization: Bearer).
SIM_API_REQUIRE_TOKEN = env_bool("SIM_API_REQUIRE_TOKEN", False)
# Cached API answers are dropped after writes; this bounds their life in any case.
SIM_API_CACHE_SECONDS = env_int("SIM_API_CACHE_SECONDS", 600)
# How long a worker trusts what it last read of the data's version (writes in other processes show
# within this time; see tpbis/api/cache.py).
SIM_API_TOKEN_SECONDS = float(env_str("SIM_API_TOKEN_SECONDS", "1"))
# Guessed API tokens (tpbis/api/throttle.py): after this many invalid tokens from one address within the
# window (seconds), every token from that address is refused (429, Retry-After) until the window ends.
API_TOKEN_FAILURE_LIMIT = env_int("API_TOKEN_FAILURE_LIMIT", 20)
API_TOKEN_FAILURE_WINDOW = env_int("API_TOKEN_FAILURE_WINDOW", 900)

# Background jobs (large exports) wait in the database; `python manage.py db_worker` runs them
# (`make run` starts one). No extra service to install.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Exports of more rows than this run in the background, with a progress page and a download link.
EXPORT_SYNC_LIMIT = env_int("EXPORT_SYNC_LIMIT", 5000)
# The daily reminder run (tpbis/reminders/tasks.py) starts at this hour of TIME_ZONE (Asia/Jakarta).
REMINDERS_HOUR = env_int("REMINDERS_HOUR", 7)
# A month's visitor report is on time when entered by this day of the following month (reporting rates).
REPORTING_DEADLINE_DAY = env_int("REPORTING_DEADLINE_DAY", 10)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# The throttle (django-axes) goes first so a locked-out client never reaches the password check.
AUTHENTICATION_BACKENDS = ["tpbis.accounts.throttle.ThrottledBackend", "tpbis.accounts.backends.EmailBackend"]
# Sign-in throttle (tpbis/accounts/throttle.py): an account is locked at one address after
# LOGIN_FAILURE_LIMIT wrong passwords, an address for every account after LOGIN_ADDRESS_FAILURE_LIMIT,
# each for LOGIN_LOCKOUT_MINUTES after the last failure; a successful sign-in forgives that account.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "tpbis.accounts.throttle.LoginThrottleHandler"
AXES_LOCKOUT_CALLABLE = "tpbis.accounts.throttle.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "tpbis.accounts.throttle.login_username"
AXES_CLIENT_IP_CALLABLE = "tpbis.core.net.client_ip"
AXES_RESET_ON_SUCCESS = True
# Tries during a lock do not extend it, so the time the page promises stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# The number of reverse proxies (nginx, a load balancer) in front of the app that append the client's
# address to X-Forwarded-For. 0 (the default): the header is ignored, as anyone can send it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Activation links and password-reset links stay valid this long.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as the programme writes them, "6 Des 2026" (Django's Indonesian default adds a dot: "6 Des. 2026").
FORMAT_MODULE_PATH = ["tpbis.core.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# A deployment (DEBUG off, its own SECRET_KEY) and `make run` (STATIC_COLLECTED=1) serve what `collectstatic`
# gathered: hashed names cached for good and gzipped copies made once. `make dev`, tests and benchmarks serve
# straight from the source folders, so they need no collectstatic step.
STATIC_COLLECTED = env_bool("STATIC_COLLECTED", not (DEBUG or DEVELOPMENT_KEY or TOOLING))
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads (photos, pending imports) live under MEDIA_ROOT unless S3_BUCKET names a bucket of an
# S3-compatible store (AWS, MinIO, Wasabi, ...). Then: S3_ENDPOINT_URL (empty for AWS), S3_REGION,
# S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (empty: boto3's usual credential chain), S3_PREFIX (folder in
# the bucket, default "media"), S3_URL_EXPIRE (seconds a signed photo link stays valid, default 3600).
# Objects stay private; the app checks scope and then redirects to a signed link.
if env_str("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("S3_URL_EXPIRE", 3600),
            "file_overwrite": False,
            "location": env_str("S3_PREFIX", "media"),
        },
    }
# Uploaded spreadsheets larger than this are refused before parsing.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Limits checked while a spreadsheet is read (tpbis.core.import_limits): an XLSX is a zip whose sheets may
# unpack to far more than the upload; reading stops at the first row past a limit.
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 60)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 2_000)
# An import preview never applied is deleted after this many hours (manage.py imports_cleanup).
IMPORT_PENDING_HOURS = env_int("IMPORT_PENDING_HOURS", 24)
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SIM TPBIS <noreply@sim-tpbis.local>")

SESSION_COOKIE_AGE = 60 * 60 * 24 * 30  # village managers should not have to log in every visit
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"  # activation links and ?token= never leave in a Referer
# HTTPS=1 behind a TLS proxy (nginx sets X-Forwarded-Proto, see docs/deployment.md): cookies only over
# TLS, plain HTTP redirected, and browsers told to use TLS for a year (HSTS_SECONDS=3600 for a first try).
if env_bool("HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    # The preload flag only matters once the domain's owner submits it to hstspreload.org.
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)

# Every page runs only our own scripts and styles: no inline code, no CDN (templates put behaviour in
# static/js and looks in static/css; computed colours are SVG fill attributes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Photos in an S3 store are shown through a redirect to a signed link: the images come from the store.
if env_str("S3_BUCKET"):
    store = urlsplit(env_str("S3_ENDPOINT_URL") or "https://amazonaws.com")  # bucket.s3.<region>.amazonaws.com
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += [
        f"{store.scheme}://{store.netloc}",
        f"{store.scheme}://*.{store.netloc}",
    ]
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += env_list("CSP_EXTRA_IMG_SRC", [])

# Background tiles of the libraries' map (OpenStreetMap unless set; empty: points on a plain background).
# Its host, with a {s} subdomain as a wildcard, is the only outside address images may come from.
TILE_URL = env_str("TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
TILE_ATTRIBUTION = env_str(
    "TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
if TILE_URL:
    tiles = urlsplit(TILE_URL.replace("{s}", "*"))
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += [f"{tiles.scheme}://{tiles.netloc}"]

# Request lines may carry `?token=` (the compatible API still accepts it): the filter masks its value
# in Django's request logs and the development server's (gunicorn's access log format leaves out the
# query string, see config/gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_tokens": {"()": "tpbis.core.logfilters.MaskTokens"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_tokens"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "loggers": {
        "django.request": {"filters": ["mask_tokens"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "filters": ["mask_tokens"],
            "propagate": False,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
