"""Start-up settings, checked the way a server starts: `manage.py` in a fresh process with the real settings
(not the test settings) and only the environment the test gives it.

No secret key means no start, with DEBUG off or on: the source holds no default key anyone could sign
sessions or e-mail confirmation links with. The documented production environment passes Django's deployment
checks, while the demo's defaults do not (so the check is a real one).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "SECRET_KEY_FILE", "DEBUG", "DJANGO_SETTINGS_MODULE"}
        and not k.startswith(("SECURE_", "SESSION_", "CSRF_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "techtransfer.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("debug", ["false", "true"])
def test_without_a_secret_key_the_site_refuses_to_start(debug: str) -> None:
    result = manage("check", DEBUG=debug)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "No secret key: set SECRET_KEY" in result.stderr and "SECRET_KEY_FILE" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr  # says how to make one


def test_an_empty_key_or_a_missing_key_file_is_refused(tmp_path: Path) -> None:
    assert "No secret key" in manage("check", SECRET_KEY="").stderr
    missing = manage("check", SECRET_KEY_FILE=str(tmp_path / "nowhere"))
    assert missing.returncode != 0
    assert "SECRET_KEY_FILE=" in missing.stderr and "cannot be read" in missing.stderr


def test_with_a_key_file_it_starts(tmp_path: Path) -> None:
    key = tmp_path / "secret_key"
    key.write_text("k" * 10 + os.urandom(24).hex() + "\n")
    key.chmod(0o600)
    result = manage("check", DEBUG="false", SECRET_KEY_FILE=str(key))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_documented_production_environment_passes_the_deployment_checks() -> None:
    result = subprocess.run(
        [str(ROOT / "deploy" / "check-production-env"), "deploy/production.env.example", "--tag", "security"],
        cwd=ROOT,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_demo_defaults_do_not_pass_them(tmp_path: Path) -> None:
    key = tmp_path / "secret_key"
    key.write_text(os.urandom(40).hex())
    result = manage("check", "--deploy", "--tag", "security", "--fail-level", "WARNING", SECRET_KEY_FILE=str(key))
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):  # HSTS, HTTPS, cookies
        assert warning in result.stderr
