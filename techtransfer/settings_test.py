"""Test settings: the real settings, with a fast hasher, in-memory mail and a throw-away media folder."""

import tempfile
from pathlib import Path

from techtransfer.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="techtransfer-media-"))
