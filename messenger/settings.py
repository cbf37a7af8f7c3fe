"""Beseda settings: one module, every value from the environment (see .env.example).

With no environment at all the project runs on a laptop: SQLite under var/, the in-memory
channel layer, a local-memory cache, console email and DEBUG on. DATABASE_URL, REDIS_URL and
EMAIL_URL switch to PostgreSQL, Redis and SMTP without code changes.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)


def _dev_secret_key() -> str:
    """A random key kept in var/ so sessions survive restarts of a development server."""
    from django.core.management.utils import get_random_secret_key

    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off Beseda refuses to start without a secret key: "
            "set SECRET_KEY in the environment (see .env.example)."
        )
    SECRET_KEY = _dev_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# The name pages and mails greet people with; mails name the domain of SITE_URL (not the
# Sites framework's row, which would say example.com).
SITE_NAME = env.str("SITE_NAME", default="Beseda")

INSTALLED_APPS = [
    "daphne",
    "channels",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django_htmx",
    "csp",
    "ninja",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "allauth.usersessions",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "messenger.tasks",
    "accounts",
    "social",
    "chats",
    "exports",
    "notifications",
    "moderation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "messenger.middleware.BrowserTimezoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "moderation.middleware.ModerationNoticeMiddleware",
]

ROOT_URLCONF = "messenger.urls"
ASGI_APPLICATION = "messenger.asgi.application"
WSGI_APPLICATION = None

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
                "messenger.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The same backend with writers of one process queued on a lock (messenger/sqlite3/base.py).
    DATABASES["default"]["ENGINE"] = "messenger.sqlite3"
    # WAL lets readers and one writer work at once; the timeout rides out short write bursts.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Browser and socket tests run a real server process that must see the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A new PostgreSQL connection costs ~2 ms here against ~0.03 ms for a query. Closing a SQLite
# connection checkpoints the WAL: a fifth of a busy worker's time when every socket call
# closed its connection (py-spy, bench/RESULTS.md). Keep them, one per database thread.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ---------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Several sites (or parallel test workers) may share one Redis: each keeps to its own keys.
REDIS_PREFIX = env.str("REDIS_PREFIX", default="beseda")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": REDIS_PREFIX},
        }
    }
    CACHES = {
        "default": {
            # Fails open while Redis is down: limits let requests through (messenger/cache.py).
            "BACKEND": "messenger.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
        }
    }
else:
    # The default capacity of 100 silently drops envelopes under a burst; one process reads
    # the broadcast channel, so let it queue.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 100_000},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks (django-tasks) ---------------------------------------------------------
# RQ on the same Redis when REDIS_URL is set, the database backend otherwise; TASKS_BACKEND
# (database, rq or immediate) overrides. Workers: `manage.py tasks_worker` (docs/deployment.md).
TASKS_BACKEND = env.str("TASKS_BACKEND", default="rq" if REDIS_URL else "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}
# django-rq's dashboard in the admin (queues, failed jobs, requeue) only when RQ runs the tasks.
RQ_SHOW_ADMIN_LINK = TASKS_BACKEND == "rq"
# A failed task runs again after TASKS_RETRY_SECONDS, then twice that, ... (at most
# TASKS_MAX_ATTEMPTS runs in all).
TASKS_MAX_ATTEMPTS = env.int("TASKS_MAX_ATTEMPTS", default=5)
TASKS_RETRY_SECONDS = env.float("TASKS_RETRY_SECONDS", default=30.0)
# The scheduler task wakes this often and runs the periodic jobs that are due.
TASKS_HOUSEKEEPING_SECONDS = env.float("TASKS_HOUSEKEEPING_SECONDS", default=60.0)
# Database backend: a task RUNNING for longer than this whose worker is gone (no heartbeat, no
# such process) is marked failed, and rerun when it is idempotent (messenger/tasks/reaper.py).
TASKS_LOST_AFTER_SECONDS = env.float("TASKS_LOST_AFTER_SECONDS", default=300.0)
# Periodic jobs (0 turns one off): email digests every DIGEST_HOURS; accounts never verified
# are deleted after UNVERIFIED_ACCOUNT_DAYS; chat uploads never sent after STALE_UPLOAD_HOURS.
DIGEST_HOURS = env.int("DIGEST_HOURS", default=24)
UNVERIFIED_ACCOUNT_DAYS = env.int("UNVERIFIED_ACCOUNT_DAYS", default=7)
STALE_UPLOAD_HOURS = env.int("STALE_UPLOAD_HOURS", default=24)

# --- Realtime -------------------------------------------------------------------------------
REALTIME = {
    "MAX_FRAME_BYTES": env.int("REALTIME_MAX_FRAME_BYTES", default=64 * 1024),
    "RATE_PER_SECOND": env.float("REALTIME_RATE_PER_SECOND", default=20.0),
    "RATE_BURST": env.int("REALTIME_RATE_BURST", default=60),
    "SEND_QUEUE": env.int("REALTIME_SEND_QUEUE", default=1000),
    "PRESENCE_GRACE_SECONDS": env.float("REALTIME_PRESENCE_GRACE_SECONDS", default=5.0),
    # A chat's frame waits at most this long for the one numbered before it (a real loss then
    # leaves a gap that clients close with `sync`), and a worker remembers the last number of
    # this many chats (messenger/realtime/order.py).
    "ORDER_WAIT_SECONDS": env.float("REALTIME_ORDER_WAIT_SECONDS", default=0.5),
    "ORDER_STREAMS": env.int("REALTIME_ORDER_STREAMS", default=100_000),
    # Users are hashed into this many shards (user_id % SHARDS); a worker subscribes to the
    # shards of the users whose sockets it holds. The same number on every worker. 1 (the
    # default) is one broadcast channel: an event costs one broker message however many of
    # its recipients' shards there are; more shards spare workers the envelopes of users they
    # do not hold, at one message per shard with recipients (bench/RESULTS.md, "Routing").
    "SHARDS": env.int("REALTIME_SHARDS", default=1),
}
if REALTIME["SHARDS"] < 1:
    raise ImproperlyConfigured("REALTIME_SHARDS must be at least 1")

# --- Auth and allauth -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
SITE_ID = 1
# Django's and allauth's backends, refusing suspended accounts too (accounts/auth_backends.py).
AUTHENTICATION_BACKENDS = [
    "accounts.auth_backends.ModelBackend",
    "accounts.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Confirming the address in the browser that signed up logs the person in (allauth does it
# only when the signing-up user is still in that session; elsewhere the login form follows).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Five wrong passwords pause password logins to an account for five minutes, wherever they
# come from; the owner gets in anyway with a sign-in code emailed to the account (below) or a
# password reset, which clears the pause (docs/security.md, issue 14).
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
USERSESSIONS_TRACK_ACTIVITY = True
USERSESSIONS_ADAPTER = "accounts.adapter.UserSessionsAdapter"
HEADLESS_ONLY = False
HEADLESS_CLIENTS = ("app",)
# allauth's JWT strategy plus an email check (messenger/tokens.py). Stateful validation makes
# every access token check its session: logout and a password change end it at once.
HEADLESS_TOKEN_STRATEGY = "messenger.tokens.TokenStrategy"  # noqa: S105
HEADLESS_JWT_STATEFUL_VALIDATION_ENABLED = True


def _dev_jwt_private_key() -> str:
    """An RSA key kept in var/ for signing API tokens on a development machine."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    path = VAR_DIR / "dev-jwt-private.pem"
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return path.read_text()


HEADLESS_JWT_PRIVATE_KEY = env.str("JWT_PRIVATE_KEY", default="").replace("\\n", "\n")
if not HEADLESS_JWT_PRIVATE_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "JWT_PRIVATE_KEY is not set. With DEBUG off Beseda needs an RSA private key (PEM) to "
            "sign API tokens: see .env.example."
        )
    HEADLESS_JWT_PRIVATE_KEY = _dev_jwt_private_key()
HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = env.int("JWT_ACCESS_TOKEN_SECONDS", default=300)
HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN = env.int("JWT_REFRESH_TOKEN_SECONDS", default=86400 * 14)

# --- REST API (messenger/api.py) -------------------------------------------------------------
# Writes (POST/PUT/PATCH/DELETE) per user; "<count>/<s|m|h|d>". Over it: 429 with Retry-After.
API_WRITE_RATE = env.str("API_WRITE_RATE", default="120/m")

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Sending mail never blocks a request: the backend Django uses enqueues a task, and the task
# hands the message to the backend EMAIL_URL names (retried with backoff on SMTP errors).
EMAIL_DELIVERY_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
if env.bool("EMAIL_VIA_TASKS", default=True):
    EMAIL_BACKEND = "messenger.mail.TaskEmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Beseda <noreply@beseda.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
if DEBUG:
    # WhiteNoise warns about a missing STATIC_ROOT before the first collectstatic.
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Embedded mode serves uploads through Django; production hands them to nginx (X-Accel-Redirect).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
MEDIA_ACCEL_REDIRECT_PREFIX = env.str("MEDIA_ACCEL_REDIRECT_PREFIX", default="")
# "My data" archives (exports app): how long a finished one can be downloaded, and after how
# long a build that never finished (its process died) counts as failed.
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)
EXPORT_STALE_HOURS = env.int("EXPORT_STALE_HOURS", default=6)
# A build that has shown no progress this long lost its worker and is started again.
EXPORT_LEASE_SECONDS = env.float("EXPORT_LEASE_SECONDS", default=120.0)
# Test-only: a pause at each percent of an export, so a fault test can kill a worker mid-build.
EXPORT_STEP_PAUSE_SECONDS = env.float("EXPORT_STEP_PAUSE_SECONDS", default=0.0)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
# WebRTC ICE servers for video calls, as JSON: [{"urls": "stun:stun.example.org:3478"},
# {"urls": "turn:turn.example.org", "username": "u", "credential": "p"}]. Empty: LAN only.
ICE_SERVERS = env.json("ICE_SERVERS", default=[])
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=15 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'", "ws:", "wss:"] if DEBUG else ["'self'", "wss:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "beseda": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
