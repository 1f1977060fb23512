"""Server configuration, read from the environment.

Every variable is documented in docs/configuration.md; keep the two in step. Organisation policy
(languages, SLA targets, routing, retention) is *not* here: it lives in the database and is
edited in the UI (STYLE.md, habit 7).
"""

from __future__ import annotations

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from samen.core.env import env_bool

BASE_DIR = Path(__file__).resolve().parent


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "samen"


DATA_DIR = Path(os.environ.get("SAMEN_DATA_DIR") or _default_data_dir()).expanduser()
DEMO = env_bool("SAMEN_DEMO")
DEBUG = env_bool("SAMEN_DEBUG")
TESTING = "pytest" in sys.modules or os.environ.get("SAMEN_TESTING") == "1"


def _secret_key() -> str:
    key = os.environ.get("SAMEN_SECRET_KEY", "")
    if key:
        return key
    if DEMO or DEBUG or TESTING:
        # Demo and development keep a generated key in the data dir so sessions survive restarts.
        path = DATA_DIR / "demo-secret-key"
        if TESTING:
            return "samen-tests-only-" + "x" * 40
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        return path.read_text().strip()
    raise ImproperlyConfigured(
        "SAMEN_SECRET_KEY is not set. Samen refuses to start in production without a secret "
        "key. Generate one with `python -c \"import secrets; print(secrets.token_urlsafe(50))\"` "
        "and set SAMEN_SECRET_KEY (see docs/configuration.md); to try Samen, run `samen demo`."
    )


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = _env_list("SAMEN_ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEMO or DEBUG) else "")
if TESTING:
    ALLOWED_HOSTS = ["*"]
CSRF_TRUSTED_ORIGINS = _env_list("SAMEN_CSRF_TRUSTED_ORIGINS")
BASE_URL = os.environ.get("SAMEN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "samen.core",
    "samen.sources",
    "samen.understanding",
    "samen.inbox",
    "samen.ambassadors",
    "samen.learning",
    "samen.insights",
    "samen.archive",
    "samen.api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "samen.core.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

if TESTING:  # the test server serves static files itself
    MIDDLEWARE.remove("whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "samen.urls"
WSGI_APPLICATION = "samen.wsgi.application"
AUTH_USER_MODEL = "core.Person"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

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
                "samen.core.context_processors.samen",
            ],
        },
    },
]

# --- databases -----------------------------------------------------------------------------
_default_db_url = f"sqlite:///{DATA_DIR / 'samen.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("SAMEN_DATABASE_URL") or _default_db_url, conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the writer work at once; IMMEDIATE avoids lock-upgrade deadlocks.
    # A 64 MiB page cache (default 2 MiB) per connection: the listener keeps its connection,
    # and the random inserts into the rule-match index by rule stay in memory (ADR 0146).
    # The WAL is copied back into the database every 10,000 pages (40 MiB; default 1,000):
    # pages that every batch touches again are then copied once instead of at nearly every
    # batch. After a checkpoint the file is cut back to 64 MiB at most (ADR 0148).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; PRAGMA cache_size=-65536; "
        "PRAGMA wal_autocheckpoint=10000; PRAGMA journal_size_limit=67108864;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if not TESTING and not os.environ.get("SAMEN_DATABASE_URL"):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
else:
    # A test database per process, so several test runs can share one server.
    DATABASES["default"]["TEST"] = {
        "NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background work (Django's tasks API) ---------------------------------------------------
REDIS_URL = os.environ.get("SAMEN_REDIS_URL", "")
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- caches -------------------------------------------------------------------------------
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- auth and log-in throttling ----------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AXES_FAILURE_LIMIT = int(os.environ.get("SAMEN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SAMEN_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SAMEN_SECURE_COOKIES", default=not (DEMO or DEBUG or TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("SAMEN_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- e-mail -------------------------------------------------------------------------------
# Without a mail server, e-mails are printed in short (who, subject, text, attachments).
EMAIL_BACKEND = os.environ.get("SAMEN_EMAIL_BACKEND", "samen.core.mail.ConsoleSummaryBackend")
EMAIL_HOST = os.environ.get("SAMEN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("SAMEN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SAMEN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SAMEN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SAMEN_EMAIL_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("SAMEN_EMAIL_FROM", "samen@localhost")

# --- languages ----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))]
LANGUAGE_COOKIE_NAME = "samen_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("SAMEN_TIME_ZONE", "Europe/Brussels")

# --- static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = TESTING

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAMEN_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django.request": {"level": "ERROR"}},
}
