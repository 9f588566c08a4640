"""Settings for jisheng: one module, the environment decides.

Environment:
- ``JISHENG_HOME``: instance folder (SQLite file, keys, uploads); default ``./var``.
- ``DATABASE_URL``: PostgreSQL instead of the embedded SQLite file.
- ``JISHENG_ENV``: ``production`` (default), ``demo`` or ``test``. Only ``production``
  turns on HTTPS-only cookies and HSTS; demo accounts are refused there.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from jisheng.core.instance import instance_home, load_or_create_secret_key

BASE_DIR = Path(__file__).resolve().parent
JISHENG_HOME = instance_home()
JISHENG_ENV = os.environ.get("JISHENG_ENV", "production")
if JISHENG_ENV not in {"production", "demo", "test"}:
    raise RuntimeError(f"JISHENG_ENV must be production, demo or test, not {JISHENG_ENV!r}")
PRODUCTION = JISHENG_ENV == "production"

SECRET_KEY = os.environ.get("JISHENG_SECRET_KEY") or load_or_create_secret_key(JISHENG_HOME)
DEBUG = os.environ.get("JISHENG_DEBUG") == "1" and not PRODUCTION
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("JISHENG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("JISHENG_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "ninja",
    "django_otp",
    "jisheng.core",
    "jisheng.accounts",
    "jisheng.audit",
    "jisheng.registry",
    "jisheng.benefits",
    "jisheng.prepregnancy",
    "jisheng.contraceptives",
    "jisheng.publicity",
    "jisheng.funds",
    "jisheng.targets",
    "jisheng.migrants",
    "jisheng.governance",
    "jisheng.reports",
    "jisheng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jisheng.accounts.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Also holds a half-signed-in session (password given, second factor not yet) to the
    # sign-in pages: accounts/two_factor.py.
    "jisheng.accounts.middleware.LoginRequiredMiddleware",
    "jisheng.accounts.access.SessionAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jisheng.core.middleware.ContentSecurityPolicyMiddleware",
    "jisheng.core.middleware.HtmxCacheMiddleware",
    "jisheng.core.exceptions.JishengErrorMiddleware",
]

ROOT_URLCONF = "jisheng.urls"
WSGI_APPLICATION = "jisheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jisheng.core.context_processors.shell",
            ],
        },
    },
    {
        # The rows of long lists only (core/rows.py): <app>/jinja2/<app>/*_rows.html.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "jisheng.core.rows.environment"},
    },
]
# Forms and widgets drawn by Jinja2: Django ships the same widget and form templates for both
# engines (the same HTML, compared over every page without parameters for two roles), and
# drawing them through Django templates took most of a form page's time.
FORM_RENDERER = "django.forms.renderers.Jinja2"

_sqlite_path = JISHENG_HOME / "jisheng.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{_sqlite_path}",
        conn_max_age=int(os.environ.get("JISHENG_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept as on PostgreSQL (CONN_MAX_AGE above): opening one and running its
    # PRAGMAs cost about 2 ms of CPU, more than a whole cached report page, on every request
    # that read the database (bench/README.md "Reports").
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the worker write while pages read; IMMEDIATE avoids lock upgrades
        # that fail with "database is locked" under concurrent writers.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # No JIT: eligibility rules compile to many correlated subqueries, whose cost estimates
    # trip PostgreSQL's JIT; compiling took 0.9 s of a 2.5 s "find eligible" and 10 s of a
    # 14 s payment batch at 1,000,000 residents (bench/README.md), and saves nothing here.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Same backend; the per-request health check is a local look at the socket instead of a
    # SELECT 1 round trip (a dropped connection is still replaced: core/postgresql/base.py).
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "jisheng.core.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:home"
AUTHENTICATION_BACKENDS = ["jisheng.accounts.access.AccessBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jisheng.accounts.passwords.CharacterClassValidator"},
    {"NAME": "jisheng.accounts.passwords.UsernameRepetitionValidator"},
    {"NAME": "jisheng.accounts.passwords.CurrentPasswordValidator"},
]
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
LOGIN_LOCK_SECONDS = 15 * 60
# Second factor (accounts/two_factor.py; devices in accounts.AuthenticatorDevice, not django-otp's
# plugin tables, which kept keys in plain text). Wrong codes count toward the sign-in lockout
# above: one lockout policy for both factors, no per-device back-off.
OTP_TOTP_ISSUER = "jisheng"

# Django's database sessions, with the read every request makes compiled to SQL once.
# Each process keeps report figures (core.figures_cache) and home panels here. Django's
# default would be the same LocMem store with room for only 300 entries. Count for ~200
# users: one entry of home panels each (reports/views.py; none kept when empty), and per
# area and duty set (~30 among them) the home figures, the dashboard, each of the 4 standard
# forms' table and page for a few periods and both audiences, and a handful of pivot
# questions: ~50 each, ~1,500. 3,000 leaves room for twice as many; a drawn page is 5 to
# 30 kB, so the store stays under ~100 MB per process. Entries live 5 minutes at most.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": 3000},
    }
}
SESSION_ENGINE = "jisheng.core.sessions"
# Idle timeout: requests push the expiry forward (at most once a minute, so a page does not
# write the session row every time: accounts.middleware.SessionRefreshMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("JISHENG_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = JISHENG_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start without it
MEDIA_ROOT = JISHENG_HOME / "uploads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Demo and tests serve straight from the app folders, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = False

# Uploads hold personal data: spill them into the instance folder, never the shared /tmp.
FILE_UPLOAD_TEMP_DIR = JISHENG_HOME / "uploads" / "tmp"
FILE_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)
# A 1,000,000-row resident CSV is about 140 MB.
JISHENG_IMPORT_MAX_BYTES = int(os.environ.get("JISHENG_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
# An import with errors keeps its upload (encrypted) this long for the bad-rows download.
JISHENG_IMPORT_UPLOAD_DAYS = int(os.environ.get("JISHENG_IMPORT_UPLOAD_DAYS", "7"))
# Work on another host silent this long is taken as dead by the worker's recovery.
JISHENG_STALE_TASK_MINUTES = int(os.environ.get("JISHENG_STALE_TASK_MINUTES", "30"))
# A find-eligible snapshot older than this is stale (refresh before applying from it), even
# when no registry event in its scope came after it.
JISHENG_SNAPSHOT_MAX_AGE_HOURS = int(os.environ.get("JISHENG_SNAPSHOT_MAX_AGE_HOURS", "24"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("JISHENG_TASKS_IMMEDIATE") == "1"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

NINJA_PAGINATION_PER_PAGE = 50
# A bare @paginate uses the bounded pages (core.api_helpers.Pages).
NINJA_PAGINATION_CLASS = "jisheng.core.api_helpers.Pages"

# Text messages (pre-pregnancy notices): the default backend writes each message to a
# file under the instance folder; a real gateway is a dotted path to another backend.
JISHENG_SMS_BACKEND = os.environ.get("JISHENG_SMS_BACKEND", "jisheng.prepregnancy.sms.FileBackend")
JISHENG_SMS_DIR = JISHENG_HOME / "sms"

# Refused requests (403, 404) are audited as "denied": at most this many rows per user (or
# address) and minute, then one summary row; a burst alerts the security administrator.
JISHENG_DENIED_AUDIT_PER_MINUTE = int(os.environ.get("JISHENG_DENIED_AUDIT_PER_MINUTE", "10"))
JISHENG_DENIED_BURST = int(os.environ.get("JISHENG_DENIED_BURST", "20"))
JISHENG_DENIED_BURST_MINUTES = int(os.environ.get("JISHENG_DENIED_BURST_MINUTES", "5"))

# Retention (docs/retention.md), in days. The task worker runs the purge every
# JISHENG_PURGE_EVERY_HOURS; `jisheng purge` runs it at once (cron, where no worker runs).
# The Cybersecurity Law (Art. 21) requires network logs for at least six months: a shorter
# audit retention fails the system check (audit/checks.py) and the purge refuses to run.
JISHENG_RETENTION_DAYS = {
    "audit": int(os.environ.get("JISHENG_RETAIN_AUDIT_DAYS", "1095")),
    "uploads": int(os.environ.get("JISHENG_RETAIN_UPLOADS_DAYS", "30")),
    "sms": int(os.environ.get("JISHENG_RETAIN_SMS_DAYS", "90")),
    "closed": int(os.environ.get("JISHENG_RETAIN_CLOSED_DAYS", "365")),
}
JISHENG_PURGE_EVERY_HOURS = int(os.environ.get("JISHENG_PURGE_EVERY_HOURS", "24"))

# The exchange between instances (migrants/exchange): this deployment's region (a GB/T 2260
# division code; peers whose code starts with a record's region receive its notices), how
# far a message's signing time may be from our clock, the working days a notice has to be
# answered with feedback, and the outbox retry back-off (doubling from the first delay).
JISHENG_REGION_CODE = os.environ.get("JISHENG_REGION_CODE", "370404")
JISHENG_EXCHANGE_WINDOW_SECONDS = int(os.environ.get("JISHENG_EXCHANGE_WINDOW_SECONDS", "300"))
JISHENG_FEEDBACK_WORKING_DAYS = int(os.environ.get("JISHENG_FEEDBACK_WORKING_DAYS", "10"))
JISHENG_EXCHANGE_RETRY_SECONDS = float(os.environ.get("JISHENG_EXCHANGE_RETRY_SECONDS", "5"))
JISHENG_EXCHANGE_RETRY_MAX_SECONDS = float(
    os.environ.get("JISHENG_EXCHANGE_RETRY_MAX_SECONDS", "3600")
)
JISHENG_EXCHANGE_TIMEOUT_SECONDS = float(os.environ.get("JISHENG_EXCHANGE_TIMEOUT_SECONDS", "10"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"jisheng": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
