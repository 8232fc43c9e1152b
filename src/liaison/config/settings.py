"""Liaison settings: one module, every value from the environment with a safe default.

Parsing is strict: a malformed value stops start-up with a message naming the variable,
rather than running with a silently wrong configuration.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent  # src/liaison
PROJECT_DIR = BASE_DIR.parent.parent  # the checkout
VAR_DIR = Path(os.environ.get("LIAISON_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("LIAISON_DEBUG", False)
# Under pytest (or with LIAISON_TESTING set) a throwaway key and the static finders are used.
TESTING = "pytest" in sys.modules or env_bool("LIAISON_TESTING", False)
# Demo mode: relaxes only what a laptop over plain http needs (insecure cookies). Never in production.
DEMO = env_bool("LIAISON_DEMO", False)
# Evaluation mode: a production-like trial that has accepted SQLite's limits (one server, no triggers
# on the audit table). Without it the deployment check refuses SQLite (core/checks.py).
EVALUATION_MODE = env_bool("LIAISON_EVALUATION_MODE", False)

SECRET_KEY = os.environ.get("LIAISON_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or DEMO or TESTING:
        SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105 - dev/test only
    else:
        raise ImproperlyConfigured("LIAISON_SECRET_KEY must be set outside demo, debug and test runs")

# Keys the audit log's hash chain. Keep it out of the database and stable: changing it makes older
# events fail `liaison audit-verify`. Defaults to a key derived from the secret key.
AUDIT_KEY = os.environ.get("LIAISON_AUDIT_KEY", "") or f"derived:{SECRET_KEY}"

ALLOWED_HOSTS = env_list("LIAISON_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "liaison.core",
    "liaison.people",
    "liaison.episodes",
    "liaison.identification",
    "liaison.screening",
    "liaison.assessment",
    "liaison.rights",
    "liaison.monitoring",
    "liaison.partners",
    "liaison.matching",
    "liaison.directory",
    "liaison.referrals",
    "liaison.support",
    "liaison.outreach",
    "liaison.advice",
    "liaison.consent",
    "liaison.reports",
    "liaison.training",
    "liaison.outcomes",
    "liaison.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # request.user.is_verified(): has this session passed the second factor?
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: ends idle, over-long and deactivated sessions with a message.
    "liaison.core.middleware.SessionSecurityMiddleware",
    # A password alone reaches nothing but the second-factor pages (core/mfa.py).
    "liaison.core.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "liaison.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "liaison.config.urls"
WSGI_APPLICATION = "liaison.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "liaison.core.context_processors.liaison",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# --- database --------------------------------------------------------------------------------
# SQLite (WAL) under var/ by default; PostgreSQL when DATABASE_URL is set.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 60)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database address: {exc}") from exc
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # No JIT compilation: its cost model switches it on for the KPI aggregates over a few
        # thousand episodes, then spends ~1.3 s compiling a query that runs in 0.5 s (measured on
        # the national set, docs/performance.md). Every query here is short; none gains from it.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off"]))
else:
    sqlite_path = Path(os.environ.get("LIAISON_SQLITE_PATH", VAR_DIR / "liaison.sqlite3"))
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(sqlite_path),
            "OPTIONS": {
                # WAL lets readers carry on while one writer writes; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing half-way with "locked".
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            # A file, not Django's shared in-memory database: concurrency tests use real threads,
            # and in-memory SQLite answers "table is locked" at once instead of waiting.
            # One file per test run, so two runs on one machine never share it.
            "TEST": {"NAME": str(VAR_DIR / f"test_liaison_{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth --------------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "worklist"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING and not env_bool("LIAISON_TEST_REAL_HASHER", False):
    # Argon2 is deliberately slow; the suite creates hundreds of users. Tests of hashing opt back in.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- sessions and security ---------------------------------------------------------------------
# Sessions end after 15 minutes without a request, and 12 hours after signing in whatever happens:
# both are enforced on the server by SessionSecurityMiddleware (the cookie's age is only a backstop).
SESSION_IDLE_SECONDS = env_int("LIAISON_SESSION_IDLE_MINUTES", 15) * 60
SESSION_ABSOLUTE_SECONDS = env_int("LIAISON_SESSION_ABSOLUTE_HOURS", 12) * 60 * 60
# How long before the idle timeout the page offers "Stay signed in".
SESSION_WARNING_SECONDS = env_int("LIAISON_SESSION_WARNING_SECONDS", 120)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
# A shared custody-suite computer: closing the browser drops the cookie.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("LIAISON_SECURE_COOKIES", not (DEBUG or DEMO))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The __Host- prefix makes browsers refuse the cookie unless it is Secure, set by this host alone and
# for the whole site: no other subdomain can plant or read it. It needs https, so not in demo.
SESSION_COOKIE_NAME = "__Host-liaison-session" if SESSION_COOKIE_SECURE else "liaison-session"
CSRF_COOKIE_NAME = "__Host-liaison-csrf" if CSRF_COOKIE_SECURE else "liaison-csrf"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("LIAISON_HSTS_SECONDS", 0 if (DEBUG or DEMO) else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LIAISON_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading commits the whole domain (every subdomain, for months) to HTTPS in every browser: a
# decision for whoever owns the domain, not a default. Off unless set; the deploy check's reminder
# about it (security.W021) is silenced below only while it is off by that decision.
SECURE_HSTS_PRELOAD = env_bool("LIAISON_HSTS_PRELOAD", False)
# Production answers plain http with a redirect to https; the health check stays reachable over
# http for load balancers. Demo, debug and test runs serve plain http.
SECURE_SSL_REDIRECT = env_bool("LIAISON_SSL_REDIRECT", not (DEBUG or DEMO or TESTING))
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# How many reverse proxies stand in front of Liaison and append to X-Forwarded-For. Sign-in
# throttling counts attempts per client address: 0 uses the connection's own address.
TRUSTED_PROXY_COUNT = env_int("LIAISON_TRUSTED_PROXY_COUNT", 0)

# Content Security Policy (django-csp): scripts and styles come only from our own static files, never
# inline; nothing may frame the service or receive its forms.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- sign-in throttling ------------------------------------------------------------------------
# After SIGNIN_USERNAME_LIMIT failures for one username within the window, that username cannot sign
# in (even with the right password) for SIGNIN_LOCKOUT_MINUTES; likewise per client address, with a
# higher limit because a custody suite's computers may share one address.
SIGNIN_USERNAME_LIMIT = env_int("LIAISON_SIGNIN_USERNAME_LIMIT", 5)
SIGNIN_IP_LIMIT = env_int("LIAISON_SIGNIN_IP_LIMIT", 50)
SIGNIN_WINDOW_MINUTES = env_int("LIAISON_SIGNIN_WINDOW_MINUTES", 15)
SIGNIN_LOCKOUT_MINUTES = env_int("LIAISON_SIGNIN_LOCKOUT_MINUTES", 15)
# Flash messages live server-side: a cookie could carry what a message says about a person.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# Big enough for a custody list upload, small enough to refuse a runaway body.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- i18n and time -----------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

# --- static files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("LIAISON_STATIC_ROOT", VAR_DIR / "static"))
if DEBUG or DEMO or TESTING:
    # Static files come from the finders here; the folder only has to exist for WhiteNoise.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# `make assets` copies the built NHS.UK frontend here from node_modules; never committed.
STATICFILES_DIRS = [PROJECT_DIR / "build" / "static"] if (PROJECT_DIR / "build" / "static").exists() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or DEMO or TESTING

# --- Liaison's own -----------------------------------------------------------------------------
# How long a "break the glass" grant lasts before the practitioner must give a reason again.
BREAK_GLASS_MINUTES = env_int("LIAISON_BREAK_GLASS_MINUTES", 60)
PAGE_SIZE = env_int("LIAISON_PAGE_SIZE", 25)
IDEMPOTENCY_KEY_HOURS = env_int("LIAISON_IDEMPOTENCY_KEY_HOURS", 24)
# Background work (`liaison worker`): Django's tasks API. The database queue needs nothing more;
# LIAISON_TASK_QUEUE=redis puts the queue in Redis (RQ) for larger deployments.
TASK_QUEUE = os.environ.get("LIAISON_TASK_QUEUE", "database")
if TASK_QUEUE == "redis":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": os.environ.get("LIAISON_REDIS_URL", "redis://127.0.0.1:6379/0")}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASK_QUEUE == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured("LIAISON_TASK_QUEUE is 'database' or 'redis'")
# How often the worker evaluates the outreach rules and tidies up, in minutes.
WORKER_EVERY_MINUTES = env_int("LIAISON_WORKER_EVERY_MINUTES", 15)
# The largest custody or court list (CSV) accepted for import: a day's list is a few kilobytes.
ARRIVALS_IMPORT_MAX_BYTES = env_int("LIAISON_ARRIVALS_IMPORT_MAX_BYTES", 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIAISON_LOG_LEVEL", "INFO")},
    # Pinned whatever LIAISON_LOG_LEVEL says, because at DEBUG they write personal data: the SQL
    # logger every query's parameters, and the template logger the whole page context (names,
    # clinical notes) with every missing-variable lookup. The log canary test holds them to this.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.template": {"level": "INFO"},
    },
}
