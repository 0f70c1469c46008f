"""Test settings: the real settings, with a fast hasher, in-memory mail and a throw-away media folder."""

import os
import tempfile
from pathlib import Path

from techtransfer.settings import *  # noqa: F403

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
MATCHING_STORE_CHECK_SECONDS = 0.0  # see every change at once
MATCHING_STORE_RECOUNT_SECONDS = 0.0
