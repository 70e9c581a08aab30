"""Dangol settings: one module, driven by environment variables.

SQLite (WAL) under var/ by default; DATABASE_URL switches to PostgreSQL.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DANGOL_VAR_DIR", BASE_DIR / "var"))


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def database_config(url, *, conn_max_age=0):
    """dj-database-url's parse, plus libpq's multi-host form for a primary and its standby:
    postgres://user@db1:5432,db2:5432/dangol?target_session_attrs=read-write
    (psycopg takes comma-separated HOST and PORT and keeps the host that accepts writes)."""
    parts = urlsplit(url)
    userinfo, at, hostlist = parts.netloc.rpartition("@")
    if "," not in hostlist:
        return dj_database_url.parse(url, conn_max_age=conn_max_age)
    hosts = []
    for item in hostlist.split(","):
        if item.startswith("["):
            host, _, rest = item[1:].partition("]")
            hosts.append((host, rest.removeprefix(":")))
        else:
            host, _, port = item.partition(":")
            hosts.append((host, port))
    first = urlunsplit(parts._replace(netloc=f"{userinfo}{at}{hostlist.split(',')[0]}"))
    config = dj_database_url.parse(first, conn_max_age=conn_max_age)
    config["HOST"] = ",".join(host for host, _ in hosts)
    config["PORT"] = ",".join(port or "5432" for _, port in hosts)
    return config


def env_secret(name, default=""):
    """Read NAME, or the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


DEBUG = env_bool("DANGOL_DEBUG", default=False)
# A public demo may run with DEBUG off on the console SMS adapter and the test payment provider; nothing else may.
DEMO = env_bool("DANGOL_DEMO", default=False)
DEV_SECRET_KEY = "dev-only-insecure-key-set-DANGOL_SECRET_KEY-in-production"  # noqa: S105 (refused in production)
SECRET_KEY = env_secret("DANGOL_SECRET_KEY") or DEV_SECRET_KEY
ALLOWED_HOSTS = [h for h in env("DANGOL_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("DANGOL_CSRF_TRUSTED_ORIGINS").split(",") if o]
SITE_URL = env("DANGOL_SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' scripts from our own static files, not a CDN
    "csp",
    "django_tasks",
    "django_tasks_db",
    "dangol.lib",
    "dangol.accounts",
    "dangol.markets",
    "dangol.channels",
    "dangol.messaging",
    "dangol.coupons",
    "dangol.stamps",
    "dangol.together",
    "dangol.fund",
    "dangol.ledger",
    "dangol.payments",
    "dangol.delivery",
    "dangol.program",
    "dangol.printing",
    "dangol.reports",
    "dangol.core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dangol.core.middleware.SitePolicyCSPMiddleware",
    "dangol.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dangol.core.middleware.SlidingSessionMiddleware",
    "dangol.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dangol.core.middleware.LazyMessageMiddleware",
    "dangol.core.middleware.InputGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dangol.urls"
WSGI_APPLICATION = "dangol.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dangol" / "templates"],
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

DATABASES = {
    "default": database_config(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'dangol.sqlite3'}",
        conn_max_age=env_int("DANGOL_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that doesn't answer must not hang a request or the worker: fail fast, then 503.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # lib.sql's fixed statements (the hot paths) are prepared on their connection after five runs; Django's own
    # cursors bind on the client and never prepare. Behind PgBouncer in transaction pooling, use PgBouncer 1.21 or
    # newer with max_prepared_statements set, or turn this off (DANGOL_DB_PREPARED=0).
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5 if env_bool("DANGOL_DB_PREPARED", True) else None)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] > 0
    # Django's backend, whose check of a kept connection asks its socket before sending SELECT 1.
    DATABASES["default"]["ENGINE"] = "dangol.lib.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the web server reads; IMMEDIATE avoids
    # lock upgrades failing half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "dangol.accounts.backends.PhoneCodeBackend",
    # Model permissions for staff in the admin; nobody signs in with a password.
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "messaging:inbox"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Signed in on the phone for 30 days after the last visit: the session is renewed once half of it has passed.
SESSION_ENGINE = "dangol.accounts.sessions"  # database sessions, read with their person by one fixed statement
SESSION_COOKIE_AGE = env_int("DANGOL_SESSION_DAYS", 30) * 24 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
# Behind TLS (production): Secure cookies, HSTS and a redirect from http. Secure cookies are on whenever DEBUG is off.
HTTPS = env_bool("DANGOL_HTTPS", default=False)
SESSION_COOKIE_SECURE = env_bool("DANGOL_SECURE_COOKIES", default=HTTPS or not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# The reverse proxy terminates TLS and says so in X-Forwarded-Proto; trust it only when it is there.
if env_bool("DANGOL_BEHIND_PROXY", default=HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Submitting the site to browsers' HSTS preload list is the operator's decision, made once, outside Dangol.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # the stall screen's stamp QR alone allows its own origin
# Camera for scanning QR codes at the stall; nothing else a market page needs.
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(self), usb=()"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Templates set a few style attributes (progress bars); no script runs inline.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("한국어")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "dangol" / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "dangol" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DANGOL_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# A JSON or form body beyond this is refused with 413 (core's input guard); photos go as multipart,
# up to five of 10 MB each (a proposal's images).
MAX_BODY_BYTES = env_int("DANGOL_MAX_BODY_BYTES", 1024 * 1024)
MAX_UPLOAD_BYTES = env_int("DANGOL_MAX_UPLOAD_BYTES", 52 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

TASKS = {
    "default": {
        "BACKEND": env("DANGOL_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# One-time sign-in codes
SMS_BACKEND = env("DANGOL_SMS_BACKEND", "dangol.accounts.sms.ConsoleSMS")
# SOLAPI (DANGOL_SMS_BACKEND=dangol.accounts.sms.SolapiSMS): keys from its console, a registered sender number.
SOLAPI_API_KEY = env("DANGOL_SOLAPI_API_KEY")
SOLAPI_API_SECRET = env_secret("DANGOL_SOLAPI_API_SECRET")
SOLAPI_BASE_URL = env("DANGOL_SOLAPI_BASE_URL", "https://api.solapi.com")
SMS_SENDER = env("DANGOL_SMS_SENDER")  # registered sender number
SMS_OPT_OUT_NUMBER = env("DANGOL_SMS_OPT_OUT_NUMBER")  # free 080 number printed on advertising texts
SMS_PRICE_WON = env_int("DANGOL_SMS_PRICE_WON", 20)  # a short text (90 bytes), drawn from the market's credit
LMS_PRICE_WON = env_int("DANGOL_LMS_PRICE_WON", 50)  # a longer text
# Web Push: the contact push services may use about our pushes (VAPID "sub").
VAPID_SUBJECT = env("DANGOL_VAPID_SUBJECT", "mailto:dangol@example.com")
PUSH_CONCURRENCY = env_int("DANGOL_PUSH_CONCURRENCY", 32)  # requests in flight per push service per process
# The push services a browser's subscription may name (host, or ".suffix" for its subdomains): the worker
# posts to these only, never to a host a visitor picks (an address inside our network, say).
PUSH_SERVICE_HOSTS = [
    h.strip().lower()
    for h in env(
        "DANGOL_PUSH_SERVICE_HOSTS", "fcm.googleapis.com,.push.services.mozilla.com,.push.apple.com,.notify.windows.com"
    ).split(",")
    if h.strip()
]
DELIVERY_TICK_SECONDS = env_int("DANGOL_DELIVERY_TICK_SECONDS", 10)  # how long each tick keeps sending
SMS_REPORT_BATCH = env_int("DANGOL_SMS_REPORT_BATCH", 100)  # texts asked about per tick (delivery reports)
SIGN_IN_CODE_TTL_SECONDS = env_int("DANGOL_SIGN_IN_CODE_TTL", 300)
SIGN_IN_CODES_PER_PHONE = env_int("DANGOL_SIGN_IN_CODES_PER_PHONE", 5)  # per 15 minutes
SIGN_IN_CODES_PER_ADDRESS = env_int("DANGOL_SIGN_IN_CODES_PER_ADDRESS", 20)  # per hour
SIGN_IN_MAX_ATTEMPTS = 5
SIGN_IN_CODES_PER_DAY = env_int("DANGOL_SIGN_IN_CODES_PER_DAY", 10)  # per phone, per Seoul day
# Wrong codes across all of a phone's codes in a Seoul day; then the phone is locked until midnight and its owner texted.
SIGN_IN_WRONG_CODES_PER_DAY = env_int("DANGOL_SIGN_IN_WRONG_CODES_PER_DAY", 10)
SIGN_IN_FOREIGN_NUMBERS = env_bool("DANGOL_SIGN_IN_FOREIGN_NUMBERS", default=False)  # paid foreign texts
# Reverse proxies in front of Dangol (IPs or CIDRs, outermost first). Empty: X-Forwarded-For is never believed.
TRUSTED_PROXIES = [p.strip() for p in env("DANGOL_TRUSTED_PROXIES").split(",") if p.strip()]

# Abuse limits, each exact under concurrency
COUPON_CLAIMS_PER_ADDRESS_PER_HOUR = env_int("DANGOL_COUPON_CLAIMS_PER_ADDRESS_PER_HOUR", 30)  # first-come, lottery
TOGETHER_PROPOSALS_PER_DAY = env_int("DANGOL_TOGETHER_PROPOSALS_PER_DAY", 3)  # per phone number
TOGETHER_PHOTOS_PER_DAY = env_int("DANGOL_TOGETHER_PHOTOS_PER_DAY", 20)  # proposal photos and receipts

# Reports on stores and messages: this many people's reports hide the target until a moderator decides.
REPORTS_TO_HIDE = env_int("DANGOL_REPORTS_TO_HIDE", 5)
# Keys "one report per person" to a phone number; keep it stable across SECRET_KEY rotations.
REPORTS_PHONE_KEY = env_secret("DANGOL_REPORTS_PHONE_KEY")

# A coupon use or stamp recorded on a stall phone without a network must reach the server within this many days.
OFFLINE_RECORD_DAYS = env_int("DANGOL_OFFLINE_RECORD_DAYS", 7)

# The market program
PROGRAM_INVITATION_DAYS = env_int("DANGOL_PROGRAM_INVITATION_DAYS", 14)  # how long a merchant's invitation works
PROGRAM_STILL_DAYS = env_int("DANGOL_PROGRAM_STILL_DAYS", 14)  # no progress for this long: listed as stuck
PROGRAM_SILENT_DAYS = env_int("DANGOL_PROGRAM_SILENT_DAYS", 30)  # no message for this long: "stopped sending"

# Payments for Together (같이) donations: "test" (built-in checkout) or "toss" (Toss Payments)
PAYMENTS_PROVIDER = env("DANGOL_PAYMENTS_PROVIDER", "test")
TOSS_CLIENT_KEY = env("DANGOL_TOSS_CLIENT_KEY")
TOSS_SECRET_KEY = env_secret("DANGOL_TOSS_SECRET_KEY")
TOSS_API_BASE = env("DANGOL_TOSS_API_BASE", "https://api.tosspayments.com")
TOSS_TIMEOUT_SECONDS = env_int("DANGOL_TOSS_TIMEOUT_SECONDS", 30)
# Keys agreements to a phone number; must outlive SECRET_KEY rotations or people could agree twice.
TOGETHER_PHONE_KEY = env_secret("DANGOL_TOGETHER_PHONE_KEY")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DANGOL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Every heartbeat task would print two lines; failures still show.
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}
