"""Settings for the techtransfer platform.

Every deploy-time value is read from the environment (documented in .env.example) through the small
typed helpers below; a wrong value fails at start-up with ImproperlyConfigured.
"""

from __future__ import annotations

import datetime
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
    """Read a secret from NAME, or from the file named by NAME_FILE (for container secrets).

    A relative NAME_FILE is taken from the project folder, so it names the same file whatever the
    working directory (systemd units, cron)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return (BASE_DIR / path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc.strerror}") from exc
    return os.environ.get(name, default)


DEBUG = envbool("DEBUG", "False")
# No default key, not even with DEBUG on: a key in the source is public, and with it anyone can sign
# sessions and e-mail confirmation links. `make run` makes a random one in var/secret_key.
SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "No secret key: set SECRET_KEY to a long random value, or SECRET_KEY_FILE to a file that holds one. "
        "Make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key && "
        "chmod 600 var/secret_key, then export SECRET_KEY_FILE=var/secret_key (`make run` does this for the demo)."
    )
ALLOWED_HOSTS = [h.strip() for h in envstr("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in envstr("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

# HTTPS and browser hardening. The defaults suit the demo on http://127.0.0.1; a production environment
# (deploy/production.env.example) turns on HTTPS redirects, secure cookies and HSTS, and
# `manage.py check --deploy --fail-level WARNING` passes with it (.ci/run checks that).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "False")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "False")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "False")
# Opt-in, only behind a proxy that sets this header itself on every request (otherwise a client could claim
# HTTPS): "HTTP_X_FORWARDED_PROTO,https".
_proxy_ssl_header = [part.strip() for part in envstr("SECURE_PROXY_SSL_HEADER", "").split(",") if part.strip()]
if _proxy_ssl_header and (len(_proxy_ssl_header) != 2 or not _proxy_ssl_header[0].startswith("HTTP_")):
    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be HEADER,VALUE such as HTTP_X_FORWARDED_PROTO,https")
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header[0], _proxy_ssl_header[1]) if _proxy_ssl_header else None
USE_X_FORWARDED_HOST = envbool("USE_X_FORWARDED_HOST", "False")
SECURE_REFERRER_POLICY = envstr("SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = envstr("SECURE_CROSS_ORIGIN_OPENER_POLICY", "same-origin")
X_FRAME_OPTIONS = envstr("X_FRAME_OPTIONS", "DENY").upper()
if X_FRAME_OPTIONS not in {"DENY", "SAMEORIGIN"}:
    raise ImproperlyConfigured(f"X_FRAME_OPTIONS must be DENY or SAMEORIGIN, not {X_FRAME_OPTIONS!r}")
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(14 * 24 * 3600))

# Content-Security-Policy (django-csp 4): this server only. No inline scripts (page scripts are static files
# under static/js; data goes in json_script blocks), no eval (htmx's allowEval is off in base.html), no inline
# <style> (htmx's indicator styles are in site.css). Inline style *attributes* stay allowed: ECharts' SVG
# renderer and tooltips write them, and they cannot run script. data: images are Pico's form icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'" if X_FRAME_OPTIONS == "DENY" else "'self'"],
        **({"report-uri": [envstr("CSP_REPORT_URI")]} if envstr("CSP_REPORT_URI") else {}),
    },
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",  # login lockout (AXES_* below)
    "techtransfer.core",
    "techtransfer.accounts",
    "techtransfer.search",
    "techtransfer.matching",
    "techtransfer.achievements",
    "techtransfer.market",
    "techtransfer.challenges",
    "techtransfer.matchmaking",
    "techtransfer.subscriptions",
    "techtransfer.contracts",
    "techtransfer.stats",
    "techtransfer.deals",
    "techtransfer.scireports",
    "techtransfer.reports",
    "techtransfer.ipr",
    "techtransfer.carriers",
    "techtransfer.talent",
    "techtransfer.packages",
    "techtransfer.facilities",
    "techtransfer.vouchers",
    "techtransfer.agencies",
    "techtransfer.investment",
    "techtransfer.portal",
    "techtransfer.api",
    "techtransfer.demo",  # the top layer: imports the apps above, none imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "techtransfer.accounts.abuse.AbuseMiddleware",  # rate limits reached in services: 429 page, not 500
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
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
# AxesStandaloneBackend first: a locked-out client is refused before any password is hashed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "techtransfer.accounts.backends.EmailOrUsernameBackend",
]
# Login lockout (django-axes 8.3): 5 failures for one account from one address lock that pair for the
# cool-off; a success resets the count. Locking per pair, not per account, keeps others from locking a user
# out; the per-address limit in accounts.abuse ("login") stops one address from trying many accounts.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "techtransfer.accounts.abuse.lockout_response"
AXES_CLIENT_IP_CALLABLE = "techtransfer.accounts.abuse.client_ip"
# Rate limits (accounts.abuse): "db" counts in a table every worker shares; "redis" in REDIS_URL.
RATELIMIT_BACKEND = envstr("RATELIMIT_BACKEND", "db")
RATE_LIMITS: dict[str, tuple[int, int]] = {}  # scope → (limit, seconds), overriding accounts.abuse.DEFAULT_RATES
# At most this many password hashes at once per process; a login waiting longer gets 503 "try again".
PASSWORD_CHECK_CONCURRENCY = envint("PASSWORD_CHECK_CONCURRENCY", "4")
PASSWORD_CHECK_WAIT_SECONDS = float(envstr("PASSWORD_CHECK_WAIT_SECONDS", "2"))
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
# STATIC_MANIFEST=true (production, after `manage.py collectstatic`; `make serve` runs it): hashed, gzipped
# copies in STATIC_ROOT, served by WhiteNoise with a year's cache. Off (the demo and the tests): served
# straight from the folders above, nothing to collect first.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", "False")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
MEDIA_URL = "media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Uploaded files go out only through permission-checked routes (techtransfer/core/downloads.py), never from
# MEDIA_URL. Who sends the bytes once Django has said yes: "django" streams them itself; "nginx" answers with
# X-Accel-Redirect to PROTECTED_FILES_PREFIX (an `internal` location aliasing MEDIA_ROOT); "apache" with
# X-Sendfile (mod_xsendfile).
PROTECTED_FILES_SERVER = envstr("PROTECTED_FILES_SERVER", "django").strip().lower()
if PROTECTED_FILES_SERVER not in {"django", "nginx", "apache"}:
    raise ImproperlyConfigured(
        f"PROTECTED_FILES_SERVER must be django, nginx or apache, not {PROTECTED_FILES_SERVER!r}"
    )
PROTECTED_FILES_PREFIX = "/" + envstr("PROTECTED_FILES_PREFIX", "/_protected/").strip("/") + "/"

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "noreply@techtransfer.local")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")  # STARTTLS (port 587)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "False")  # TLS from the start (port 465)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")

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
    # DRF's JSON parser with a nesting limit (a 5,000-deep body was a RecursionError, a 500).
    "DEFAULT_PARSER_CLASSES": [
        "techtransfer.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
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
        "IPFeeKindEnum": "techtransfer.ipr.models.FeeEvent.Kind",
        "FacilityKindEnum": "techtransfer.facilities.choices.FacilityKind",
        "InvestorKindEnum": "techtransfer.investment.choices.InvestorKind",
        "InvestmentStageEnum": "techtransfer.investment.choices.Stage",
    },
}

# Attachments: only PDF, at most this many bytes.
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
# Table imports of at least IMPORT_PARALLEL_MIN_ROWS rows are read by IMPORT_WORKERS helper processes while
# the importing process saves (core.import_pool); 0 workers reads every file in the importing process.
_CORES = os.cpu_count() or 1
IMPORT_WORKERS = envint("IMPORT_WORKERS", str(min(4, _CORES) if _CORES > 1 else 0))
IMPORT_PARALLEL_MIN_ROWS = envint("IMPORT_PARALLEL_MIN_ROWS", "5000")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}
JOBS_BACKEND = envstr("JOBS_BACKEND", "inline")
REDIS_URL = envstr("REDIS_URL", "redis://127.0.0.1:6379/0")
# One cache for every worker process: a folder on this machine by default (file://PATH), or Redis
# (CACHE_URL=redis://...) when the web runs on several machines. PUBLIC_DATA_CACHE=false turns off the
# caching of public pages' data (techtransfer/search/generation.py).
CACHE_URL = envstr("CACHE_URL", f"file://{BASE_DIR / 'var' / 'cache'}")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL.startswith("file://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_URL.removeprefix("file://"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(f"CACHE_URL must be file://PATH, redis://... or locmem://, not {CACHE_URL!r}")
PUBLIC_DATA_CACHE = envbool("PUBLIC_DATA_CACHE", "True")
# Prefix of every Redis key of the job queue (JOBS_BACKEND=redis); the queue list is the bare prefix.
JOBS_REDIS_KEY = envstr("JOBS_REDIS_KEY", "techtransfer:jobs")
# Seconds a worker's claim on a job (db) or its heartbeat (redis) lasts unless renewed: a job of a killed
# worker runs again after at most this long. Workers renew it every third of it while a job runs.
JOBS_VISIBILITY_TIMEOUT = float(envstr("JOBS_VISIBILITY_TIMEOUT", "300"))
# Days each kind of short-lived thing is kept before the daily `manage.py purge_expired` removes it, overriding
# the defaults its app registers (exports: 7, form_tokens: 2); e.g. {"exports": 30}.
PURGE_AFTER_DAYS: dict[str, float] = {}
# Long jobs (imports, exports) of the inline backend run in a thread; true runs them in the request.
JOBS_BACKGROUND_SYNC = envbool("JOBS_BACKGROUND_SYNC", "False")
# Sentence embedder of the matching engine: "fuse" (multilingual USE, fast), "e5" (multilingual-e5-small,
# better, ~3 abstracts/s on two cores) or "hash" (tests only). Both models ship inside their PyPI packages.
MATCHING_EMBEDDER = envstr("MATCHING_EMBEDDER", "fuse")
# Embedders whose vectors the background jobs also keep, after MATCHING_EMBEDDER's and at their own pace
# (comma-separated; "" for none). Matching a kind uses the first of them whose vectors cover
# MATCHING_SWITCH_SHARE of its documents: e5 ranks better (BENCHMARKS.md) but embeds about 4 records a second,
# so the fast MATCHING_EMBEDDER serves until e5 has caught up (matching.engine.embedder_for).
MATCHING_PREPARED_EMBEDDERS = [
    name.strip() for name in envstr("MATCHING_PREPARED_EMBEDDERS", "e5").split(",") if name.strip()
]
MATCHING_SWITCH_SHARE = float(envstr("MATCHING_SWITCH_SHARE", "0.98"))
# How often a process checks for new vectors (seconds): new records show in matches at most this late.
MATCHING_STORE_CHECK_SECONDS = float(envstr("MATCHING_STORE_CHECK_SECONDS", "5"))
# How often it counts the vectors to find deleted records (a count over a million rows takes ~0.5 s).
MATCHING_STORE_RECOUNT_SECONDS = float(envstr("MATCHING_STORE_RECOUNT_SECONDS", "600"))
# The memory-mapped vector snapshots every process shares (techtransfer/matching/vector_index.py), one folder
# per kind and embedder; `manage.py build_vector_index` writes them, and a job rebuilds one when more than
# MATCHING_INDEX_DELTA_ROWS vectors were embedded after it (those are held in each process's memory meanwhile).
MATCHING_INDEX_DIR = Path(envstr("MATCHING_INDEX_DIR", "") or BASE_DIR / "var" / "vectors")
MATCHING_INDEX_DELTA_ROWS = envint("MATCHING_INDEX_DELTA_ROWS", "20000")
# From this many vectors a snapshot also gets an approximate (HNSW) index, searched instead of every row.
MATCHING_ANN_MIN_ROWS = envint("MATCHING_ANN_MIN_ROWS", "200000")
# The delta also re-reads vectors stamped this long before the snapshot's newest one (slow commits).
MATCHING_INDEX_MARGIN_SECONDS = float(envstr("MATCHING_INDEX_MARGIN_SECONDS", "30"))
# Ranking weights and boosts (techtransfer/matching/engine.py DEFAULTS); override any of them here.
MATCHING_WEIGHTS: dict[str, float] = {}
# How the lexical side ranks ("relevance" or "coverage") and how the two sides' scores are scaled before
# they are added ("max", "minmax" or "absolute"); measured choices in BENCHMARKS.md.
MATCHING_LEXICAL = envstr("MATCHING_LEXICAL", "relevance")
MATCHING_FUSION = envstr("MATCHING_FUSION", "minmax")
# The relevance floor of a match, per embedder: the cosine under which meaning alone is no reason to show a
# record ("text": a typed query against records; "record": one record against another). Calibrated on CSL
# (BENCHMARKS.md, "Relevance floor"); with an embedder not listed, only a shared keyword makes a match strong
# and the search page does not fall back on meaning. Matches under the floor with no shared keyword (for a
# record's matches: not even one specific one, see matching.engine.SPECIFIC_WORD_CHARS) are folded under
# "weaker matches".
# e5's cosines crowd high (unrelated pairs near 0.8), hence its own floors.
MATCHING_SEMANTIC_FLOORS: dict[str, dict[str, float]] = {
    "fuse": {"text": 0.25, "record": 0.40},
    "e5": {"text": 0.86, "record": 0.88},
}
# Empty: chosen from the database vendor; or "sqlite_fts5" / "postgres" (techtransfer/search/backends/).
SEARCH_BACKEND = envstr("SEARCH_BACKEND", "")
# "database" (the backend above) or "tantivy": an embedded full-text index under SEARCH_INDEX_DIR, kept in
# step with the database by jobs (search/tasks.py); build it with `manage.py rebuild_search_engine`.
SEARCH_ENGINE = envstr("SEARCH_ENGINE", "database")
SEARCH_INDEX_DIR = Path(envstr("SEARCH_INDEX_DIR", "") or BASE_DIR / "var" / "search-index")
# The technology-market statistics' store (techtransfer/stats/engine.py): "duckdb" (one machine: monthly
# Parquet partitions under STATS_DIR, read by an in-process DuckDB), "postgres" (several machines: a fact
# table read through STATS_PG_READ_ALIAS, e.g. a reporting replica) or "orm" (no store; slow at scale).
STATS_ENGINE = envstr("STATS_ENGINE", "duckdb")
STATS_DIR = Path(envstr("STATS_DIR", "") or BASE_DIR / "var" / "analytics")
# "memory": each process loads the facts into DuckDB (fast, ~50 bytes a contract); "parquet": scans the files.
STATS_DUCKDB_MODE = envstr("STATS_DUCKDB_MODE", "memory")
# Monthly pre-aggregates beside the facts (whole-month questions on their columns read them); DuckDB threads
# per process (empty: DuckDB's default, the cores); how long code labels are cached (seconds).
STATS_DUCKDB_CUBES = envbool("STATS_DUCKDB_CUBES", "True")
STATS_DUCKDB_THREADS = envint("STATS_DUCKDB_THREADS", "0") or None
STATS_LABEL_SECONDS = float(envstr("STATS_LABEL_SECONDS", "300"))
# How often a process looks for changed months (seconds): a registration shows in the figures this late at most.
STATS_CHECK_SECONDS = float(envstr("STATS_CHECK_SECONDS", "1"))
STATS_PG_TABLE = envstr("STATS_PG_TABLE", "stats_fact")
STATS_PG_WRITE_ALIAS = envstr("STATS_PG_WRITE_ALIAS", "default")
STATS_PG_READ_ALIAS = envstr("STATS_PG_READ_ALIAS", "default")
# Public figures suppress a cell counted from fewer contracts than this (and a complementary one).
STATS_MIN_CELL = envint("STATS_MIN_CELL", "3")
# Where the monthly exchange files for the tax, commerce and statistics offices go (docs/data-exchange.md).
EXCHANGE_DIR = Path(envstr("EXCHANGE_DIR", "") or BASE_DIR / "var" / "exchange")
