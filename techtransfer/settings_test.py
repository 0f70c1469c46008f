"""Test settings: the real settings, with a fast hasher, in-memory mail and a throw-away media folder."""

import os
import secrets
import tempfile
from pathlib import Path

# The real settings refuse to start without a key; tests get a random one (inherited by the manage.py
# subprocesses some tests start), unless the caller gave one.
if not os.environ.get("SECRET_KEY") and not os.environ.get("SECRET_KEY_FILE"):
    os.environ["SECRET_KEY"] = "test-" + secrets.token_urlsafe(50)

from techtransfer.settings import *  # noqa: F403

# Static files from their folders, as in the demo: no collectstatic before a test run.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="techtransfer-media-"))

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: the concurrency tests and the browser tests use several threads and connections.
    _test_db = Path(tempfile.gettempdir()) / f"techtransfer-test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db)}  # noqa: F405

# Assertions read English messages; tests of the Chinese default switch language explicitly.
LANGUAGE_CODE = "en"
MATCHING_EMBEDDER = "hash"  # tests that measure matching quality choose "fuse" themselves
MATCHING_PREPARED_EMBEDDERS: list[str] = []  # no background e5 work in tests; the switch's test names its own
MATCHING_STORE_CHECK_SECONDS = 0.0  # see every change at once
MATCHING_STORE_RECOUNT_SECONDS = 0.0
# Indexes kept on disk belong to each test run, never to the developer's var/ (one folder per process).
MATCHING_INDEX_DIR = Path(tempfile.mkdtemp(prefix="techtransfer-vectors-"))
MATCHING_INDEX_MARGIN_SECONDS = 0.0
SEARCH_INDEX_DIR = Path(tempfile.mkdtemp(prefix="techtransfer-search-index-"))
# Each test process its own memory cache (no files shared between runs), and public pages computed afresh:
# a page cached in one test must not show the (rolled back) data of another.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PUBLIC_DATA_CACHE = False
JOBS_BACKGROUND_SYNC = True  # imports and exports finish inside the request that starts them
