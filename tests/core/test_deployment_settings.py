"""Production settings, loaded fresh in a subprocess: `liaison check --deploy` is clean, SQLite is refused
unless evaluation mode is set, Argon2 hashes passwords, and demo mode stays usable over plain http.

Settings are read once per process, and the test run's own are test settings (a fast hasher, plain
http); so each case starts `liaison` with a production-like environment and reads what it says.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest

from liaison.core.checks import SQLITE_IN_PRODUCTION

PRODUCTION = {
    "LIAISON_SECRET_KEY": secrets.token_urlsafe(64),
    "LIAISON_DEBUG": "0",
    "LIAISON_DEMO": "0",
    "LIAISON_ALLOWED_HOSTS": "liaison.example.nhs.uk",
    # Never connected to: the deployment checks read the settings only.
    "DATABASE_URL": "postgres://liaison@db.invalid:5432/liaison",
}


def _environment(tmp_path, **overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "DATABASE_URL", "PYTEST"))}
    env.update(PRODUCTION)
    env["LIAISON_VAR_DIR"] = str(tmp_path)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _liaison(tmp_path, *args: str, **overrides: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "liaison.cli", *args],
        env=_environment(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _settings(tmp_path, *names: str, **overrides: str | None) -> dict[str, object]:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code],
        env={**_environment(tmp_path, **overrides), "DJANGO_SETTINGS_MODULE": "liaison.config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _liaison(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("setting", "value", "check_id"),
    [
        ("LIAISON_SECURE_COOKIES", "0", "security.W012"),
        ("LIAISON_HSTS_SECONDS", "0", "security.W004"),
        ("LIAISON_SSL_REDIRECT", "0", "security.W008"),
        ("LIAISON_DEBUG", "1", "security.W018"),
    ],
)
def test_check_deploy_notices_a_weakened_setting(tmp_path, setting, value, check_id):
    """The clean result above is the checks passing, not the checks not running."""
    result = _liaison(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **{setting: value})
    assert result.returncode != 0
    assert check_id in result.stdout + result.stderr


def test_check_deploy_refuses_sqlite_in_production(tmp_path):
    result = _liaison(tmp_path, "check", "--deploy", DATABASE_URL=None)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert SQLITE_IN_PRODUCTION in output
    assert "SQLite, which is not for production" in output
    assert "LIAISON_EVALUATION_MODE" in output


def test_check_deploy_accepts_sqlite_in_evaluation_mode(tmp_path):
    result = _liaison(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DATABASE_URL=None,
        LIAISON_EVALUATION_MODE="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_sqlite_check_only_runs_as_a_deployment_check(tmp_path):
    """A developer's `liaison check` (no --deploy) on SQLite is not an error."""
    result = _liaison(tmp_path, "check", DATABASE_URL=None)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_hashes_passwords_with_argon2id(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.contrib.auth.hashers import make_password; "
        "print(settings.PASSWORD_HASHERS[0]); print(make_password('a long enough passphrase'))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code],
        env={**_environment(tmp_path), "DJANGO_SETTINGS_MODULE": "liaison.config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    hasher, encoded = result.stdout.split()[-2:]
    assert hasher == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert encoded.startswith("argon2$argon2id$")


def test_production_cookies_and_transport(tmp_path):
    values = _settings(
        tmp_path,
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "DEBUG",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
    )
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_SSL_REDIRECT": True,
        "DEBUG": False,
        "SESSION_COOKIE_NAME": "__Host-liaison-session",
        "CSRF_COOKIE_NAME": "__Host-liaison-csrf",
    }


def test_demo_mode_works_over_plain_http(tmp_path):
    """`make demo` serves http://127.0.0.1: Secure cookies, HSTS or an https redirect would break it."""
    values = _settings(
        tmp_path,
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_NAME",
        LIAISON_DEMO="1",
        LIAISON_SECRET_KEY=None,
        DATABASE_URL=None,
    )
    assert values == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_HTTPONLY": True,
        # The __Host- prefix needs https; a browser would drop the cookie over plain http.
        "SESSION_COOKIE_NAME": "liaison-session",
    }
