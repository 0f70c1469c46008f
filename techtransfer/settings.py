"""Settings for the techtransfer platform.

Every deploy-time value is read from the environment (documented in .env.example) through the small
typed helpers below; a wrong value fails at start-up with ImproperlyConfigured.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: str = "False") -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def envsecret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


DEBUG = envbool("DEBUG", "False")
SECRET_KEY = envsecret("SECRET_KEY", "insecure-dev-key-change-me")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set")
ALLOWED_HOSTS = [h.strip() for h in envstr("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in envstr("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "techtransfer.core",
    "techtransfer.accounts",
    "techtransfer.search",
    "techtransfer.matching",
    "techtransfer.achievements",
    "techtransfer.market",
    "techtransfer.challenges",
    "techtransfer.matchmaking",
    "techtransfer.subscriptions",
    "techtransfer.portal",
    "techtransfer.api",
    "techtransfer.demo",  # the top layer: imports the apps above, none imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "techtransfer.urls"
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
            ],
        },
    },
]
WSGI_APPLICATION = "techtransfer.wsgi.application"

# SQLite by default (one machine); DATABASE_URL=postgres://... selects PostgreSQL.
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", "0"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two concurrent writers queue instead of
    # failing with "database is locked" half-way through (matters for registration numbering).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"].setdefault("TEST", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["techtransfer.accounts.backends.EmailOrUsernameBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language (techtransfer/formats/<locale>/formats.py): |date:"DATE_FORMAT" everywhere.
FORMAT_MODULE_PATH = ["techtransfer.formats"]

# The platform's name in each language: the end of every page title and the signature of e-mails. One
# setting, so that a deployment renames the platform in one place (the templates read it by language).
PLATFORM_NAME = {
    "zh-hans": envstr("PLATFORM_NAME_ZH", "北京市科技成果转移转化平台"),
    "en": envstr("PLATFORM_NAME_EN", "Beijing S&T Achievement Transfer Platform"),
}
if set(PLATFORM_NAME) != {code for code, _name in LANGUAGES} or not all(PLATFORM_NAME.values()):
    raise ImproperlyConfigured("PLATFORM_NAME_ZH and PLATFORM_NAME_EN must not be empty.")
TIME_ZONE = envstr("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even when serving from finders
# Front-end packages are installed from npm by `make install` (pinned in package-lock.json) and served
# from node_modules; nothing is fetched from a CDN at run time.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "noreply@techtransfer.local")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "techtransfer.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "techtransfer.api.exceptions.exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Techtransfer API",
    "DESCRIPTION": "Open data-service API of the S&T achievement transfer platform (科技成果转移转化平台).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # No call to the public validator service: the docs page talks to this server only.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    # Two choice sets share the field name "kind"; name their enums explicitly.
    "ENUM_NAME_OVERRIDES": {
        "IPKindEnum": "techtransfer.achievements.choices.IPKind",
        "AttachmentKindEnum": "techtransfer.achievements.choices.AttachmentKind",
    },
}

# Attachments: only PDF, at most this many bytes.
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}
JOBS_BACKEND = envstr("JOBS_BACKEND", "inline")
REDIS_URL = envstr("REDIS_URL", "redis://127.0.0.1:6379/0")
# Sentence embedder of the matching engine: "fuse" (multilingual USE, fast), "e5" (multilingual-e5-small,
# better, ~3 abstracts/s on two cores) or "hash" (tests only). Both models ship inside their PyPI packages.
MATCHING_EMBEDDER = envstr("MATCHING_EMBEDDER", "fuse")
# How often a process checks for new vectors (seconds): new records show in matches at most this late.
MATCHING_STORE_CHECK_SECONDS = float(envstr("MATCHING_STORE_CHECK_SECONDS", "5"))
# How often it counts the vectors to find deleted records (a count over a million rows takes ~0.5 s).
MATCHING_STORE_RECOUNT_SECONDS = float(envstr("MATCHING_STORE_RECOUNT_SECONDS", "600"))
# Ranking weights and boosts (techtransfer/matching/engine.py DEFAULTS); override any of them here.
MATCHING_WEIGHTS: dict[str, float] = {}
# How the lexical side ranks ("relevance" or "coverage") and how the two sides' scores are scaled before
# they are added ("max", "minmax" or "absolute"); measured choices in BENCHMARKS.md.
MATCHING_LEXICAL = envstr("MATCHING_LEXICAL", "relevance")
MATCHING_FUSION = envstr("MATCHING_FUSION", "minmax")
# Empty: chosen from the database vendor; or "sqlite_fts5" / "postgres" (techtransfer/search/backends/).
SEARCH_BACKEND = envstr("SEARCH_BACKEND", "")
