"""Peerhaven settings: one module, configured from environment variables.

Locally nothing needs setting: SQLite under var/, e-mail to the console, DEBUG only
when PEERHAVEN_DEBUG=1 (``make run`` sets it). In production set at least
PEERHAVEN_SECRET_KEY, PEERHAVEN_ENCRYPTION_KEYS, PEERHAVEN_ALLOWED_HOSTS and
DATABASE_URL, then run ``manage.py check --deploy``.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from peerhaven.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env_str("PEERHAVEN_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("PEERHAVEN_DEBUG")

# The fallback is deliberately marked insecure: `check --deploy` rejects it (security.W009).
INSECURE_SECRET_KEY = "django-insecure-peerhaven-local-development-only-never-in-production"
SECRET_KEY = env_str("PEERHAVEN_SECRET_KEY", INSECURE_SECRET_KEY)

# Fernet keys for confidential content, newest first; older keys still decrypt (rotation).
# Unset, a key is derived from SECRET_KEY so local runs work; `check --deploy` flags that.
ENCRYPTION_KEYS = env_list("PEERHAVEN_ENCRYPTION_KEYS")

# Keys the pseudonyms of survey responses and research exports (outcomes/pseudonyms.py). It
# never rotates: a new key would unlink every earlier wave. Unset, it is derived from
# SECRET_KEY so local runs work; `check --deploy` flags that.
PSEUDONYM_KEY = env_str("PEERHAVEN_PSEUDONYM_KEY", "")

ALLOWED_HOSTS = env_list("PEERHAVEN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("PEERHAVEN_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "peerhaven.accounts",
    "peerhaven.orgs",
    "peerhaven.notifications",
    "peerhaven.circles",
    "peerhaven.programs",
    "peerhaven.communities",
    "peerhaven.outcomes",
    "peerhaven.sponsorship",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "peerhaven.accounts.middleware.RequireMultiFactorMiddleware",
    "peerhaven.lib.middleware.NoStoreForSignedInMiddleware",
    "peerhaven.lib.middleware.ViewerTimeZoneMiddleware",
]

ROOT_URLCONF = "peerhaven.urls"
WSGI_APPLICATION = "peerhaven.wsgi.application"

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
                "peerhaven.lib.context_processors.navigation",
            ],
        },
    },
]

# Demo data for `make run`: each feature app's seeder, in order (manage.py seed_demo).
DEMO_SEEDERS = [
    "peerhaven.circles.demo.seed",
    "peerhaven.programs.demo.seed",
    "peerhaven.communities.demo.seed",
    "peerhaven.outcomes.demo.seed",
    "peerhaven.sponsorship.demo.seed",
]

# --- Database: SQLite unless DATABASE_URL says otherwise -------------------------------

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'peerhaven.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and a writer work at once; IMMEDIATE takes the write lock at BEGIN
    # so two writers queue (up to the timeout) instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: shared across processes (login throttling lives here) ---------------------

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "peerhaven_cache",
        }
    }

# --- Background work ------------------------------------------------------------------

TASKS = {
    "default": {"BACKEND": env_str("PEERHAVEN_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}
}

# --- Accounts and sign-in -------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

ACCOUNT_ADAPTER = "peerhaven.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "peerhaven.accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Peerhaven] "
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts:profile_edit"
# Throttles live in the shared cache, so they hold across web processes.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_ADAPTER = "peerhaven.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Peerhaven"
# Roles that must set up a second factor: "site_admin", the organization roles (admin,
# coordinator, facilitator, researcher) and "member" (everyone). Staff roles reach other
# people's data, so production requires it of them; the local demo does not.
STAFF_ROLES = ["site_admin", "admin", "coordinator", "facilitator", "researcher"]
MFA_REQUIRED_ROLES = env_list("PEERHAVEN_MFA_REQUIRED_ROLES", [] if DEBUG else STAFF_ROLES)

# --- Sessions, cookies and security headers -------------------------------------------

SESSION_COOKIE_AGE = env_int("PEERHAVEN_SESSION_IDLE_SECONDS", 8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # makes SESSION_COOKIE_AGE an idle timeout
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = env_bool("PEERHAVEN_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("PEERHAVEN_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("PEERHAVEN_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- E-mail: queued as a task after commit, delivered by the worker -------------------

EMAIL_BACKEND = "peerhaven.notifications.backends.QueuedEmailBackend"
EMAIL_DELIVERY_BACKEND = env_str(
    "PEERHAVEN_EMAIL_DELIVERY_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env_str("PEERHAVEN_FROM_EMAIL", "Peerhaven <no-reply@peerhaven.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in e-mails and calendar feeds point here.
PEERHAVEN_BASE_URL = env_str("PEERHAVEN_BASE_URL", "http://127.0.0.1:8000")

# --- Internationalisation and time ----------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # also creates VAR_DIR for the SQLite file
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PEERHAVEN_LOG_LEVEL", "INFO")},
    "loggers": {"django_tasks": {"level": "WARNING"}},
}
