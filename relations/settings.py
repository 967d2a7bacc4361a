"""Settings for Relations Timeline, read from the environment.

Local defaults are safe for a developer machine (SQLite, DEBUG on). ``DJANGO_DEBUG=0``
switches on production hardening and then requires ``DJANGO_SECRET_KEY``.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DJANGO_DEBUG", True)
# Plain HTTP on loopback for benchmarks and local checks of the production settings.
HTTPS = env_flag("DJANGO_HTTPS", True)
# Behind a reverse proxy that sets X-Forwarded-Proto and appends to X-Forwarded-For.
BEHIND_PROXY = env_flag("DJANGO_BEHIND_PROXY", False)
# The addresses that proxy connects from: only their X-Forwarded-For is believed (when set;
# `check --deploy` warns while it is not, see relations/checks.py).
PROXY_ADDRESSES = env_list("DJANGO_PROXY_ADDRESSES")

_DEV_SECRET_KEY = "django-insecure-local-development-only"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "" if not DEBUG else _DEV_SECRET_KEY)
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a long random value when DJANGO_DEBUG=0 "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_extensions",
    "django_filters",
    "django_htmx",
    "simple_history",
    "relations.apps.SignInLockoutsConfig",
    "timeline",
]

MIDDLEWARE = [
    # Outermost, so every response carries them: even the 400 for a disallowed host, which
    # SecurityMiddleware's HTTPS redirect or CommonMiddleware raises before any view runs.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and fragments compressed (static files come compressed from WhiteNoise). Django
    # pads compressed responses against BREACH; public pages carry no secrets anyway.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Vary on htmx's headers and Cache-Control: no-cache on every public page and fragment.
    "timeline.public_caching.public_caching",
    # Records the signed-in editor as the author of each historical record.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "relations.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "timeline.versioning.context_processor",
            ],
        },
    },
]

WSGI_APPLICATION = "relations.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers continue while an editor writes; IMMEDIATE takes the write lock at
    # the start of a transaction so concurrent writers queue instead of failing mid-way.
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if DEBUG else DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 10,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Every statement is short: a parallel worker costs more to start than it saves, and its
    # promise led the planner to probe each event of a theme for a search's words instead of
    # reading the words' matches from the index (docs/performance.md, "How it stays fast").
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("options", "-c max_parallel_workers_per_gather=0")

# Rendered pages and fragments: with REDIS_URL in one Redis that every process and server
# shares, else in each process's memory (at most 300, Django's default). Their keys hold the
# data version, read from the database per request, so no server can serve another's stale
# page. A short timeout: a stuck Redis fails a request instead of holding a worker's thread.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Apart from other sites or test runs sharing the Redis server.
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_KEY_PREFIX", ""),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Finished downloads in a cache of their own, a few files at most (each up to 8 MB), so
    # large ones never push the pages out; per process even with Redis, where each repeat
    # would carry megabytes over the network and evict thousands of fragments.
    "exports": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "exports",
        "OPTIONS": {"MAX_ENTRIES": 8},
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Where a sign-in lands when its next= is missing or points off the site (not Django's
# /accounts/profile/, which does not exist here).
LOGIN_REDIRECT_URL = "admin:index"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account and address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Brute-force protection of the admin login (django-axes): after 5 failed attempts for one
# account from one address, that pair is refused, even with the right password, until
# AXES_COOLOFF_TIME has passed since the last failure; after 30 from all addresses together,
# the account is refused from every address (relations/sign_in_limits.py).
AXES_FAILURE_LIMIT = "relations.sign_in_limits.failure_limit"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_CLIENT_IP_CALLABLE = "relations.client_address.client_address"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Content Security Policy: scripts only from this origin (or carrying this response's nonce),
# no inline styles, no framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
# The pages that may be framed, /embed/ alone, may be by these origins (CSP frame-ancestors
# sources, comma-separated): any by default, a school's own sites if it chooses.
EMBED_ORIGINS = env_list("DJANGO_EMBED_ORIGINS", "*")
for origin in EMBED_ORIGINS:
    if not re.fullmatch(r"\*|'self'|https?://(\*\.)?[A-Za-z0-9.-]+(:\d+)?", origin):
        raise ImproperlyConfigured(
            f"DJANGO_EMBED_ORIGINS: {origin!r} is not an origin such as "
            "https://school.example.org, https://*.example.edu, 'self' or *."
        )
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG and HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix binds the cookies to this exact host over HTTPS.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
