"""Settings, read from the environment.

Every value has an embedded default so that a newcomer configures nothing: SQLite under ``var/``,
kombu's filesystem broker, the local sandbox channel. Production sets ``DATABASE_URL``,
``REDIS_URL`` (or ``CELERY_BROKER_URL``) and ``DJANGO_SECRET_KEY``; each secret may instead be read
from a file named by ``<NAME>_FILE`` (Docker/Kubernetes secrets). A wrong value stops the start
with a message that names the variable. The README lists every variable.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.FileAwareEnv()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A boolean that must be spelled as one: django-environ reads any typo as False."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def service_url(name: str, schemes: tuple[str, ...], example: str, default: str = "") -> str:
    """An address of a service (database, Redis, mail server) that must be one: a typo stops the start
    with one line naming the variable – never with the value, which may hold a password (issue 14: an
    empty or malformed DATABASE_URL ended in a KeyError traceback)."""
    raw = env.str(name, default=None)
    if raw is None:
        if os.environ.get(name) is not None:  # django-environ reads "" as unset
            raise ImproperlyConfigured(
                f"{name} is set but empty; leave it unset for the default or set it, e.g. {example}."
            )
        return default
    value = raw.strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is set but empty; leave it unset for the default or set it, e.g. {example}."
        )
    scheme, separator, rest = value.partition("://")
    if not separator or scheme.lower() not in schemes:
        shown = f"{scheme!r}" if separator else "none"
        raise ImproperlyConfigured(
            f"{name} is not a valid address (scheme {shown}; allowed: {', '.join(schemes)}), e.g. {example}."
        )
    if not rest.strip("/") and scheme.lower() not in ("filesystem", "memory", "consolemail", "dummymail"):
        raise ImproperlyConfigured(f"{name} names no server or database, e.g. {example}.")
    return value


VAR_DIR = Path(env.str("LANDKREIS_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) must be set when DJANGO_DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-demo-key-only-for-DJANGO_DEBUG-mode"  # noqa: S105 - demo only, refused in production

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Public address of the app, used in e-mails, iCal feeds and Instagram media URLs.
SITE_URL = env.str("LANDKREIS_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The county this installation serves: its name (top bar, page titles, e-mails), an optional logo
# (a path below static/ or an absolute https address of the same site) and the primary colour of
# buttons, links and the top bar. Another county sets these three and nothing else.
COUNTY_NAME = env.str("LANDKREIS_COUNTY_NAME", default="Landkreis Rotenburg (Wümme)")
COUNTY_APP_NAME = env.str("LANDKREIS_APP_NAME", default="Landkreis Social")
COUNTY_LOGO = env.str("LANDKREIS_LOGO", default="")
COUNTY_PRIMARY_COLOR = env.str("LANDKREIS_PRIMARY_COLOR", default="#0b4f71").strip().lower()
if not re.fullmatch(r"#[0-9a-f]{6}", COUNTY_PRIMARY_COLOR):
    raise ImproperlyConfigured(
        f"LANDKREIS_PRIMARY_COLOR={COUNTY_PRIMARY_COLOR!r} is not a colour like #0b4f71 (six hex digits)."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "landkreis_social",
    "accounts",
    "departments",
    "audit",
    "notifications",
    "channels",
    "etiquette",
    "publishing",
    "posts",
    "approvals",
    "reports",
    "inbox",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "landkreis_social.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the login page with the reason
]

ROOT_URLCONF = "landkreis_social.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "landkreis_social.context_processors.shell",
            ],
        },
    },
]

WSGI_APPLICATION = "landkreis_social.wsgi.application"

# --- Database -------------------------------------------------------------------------------------
_database_url = service_url(
    "DATABASE_URL",
    ("postgres", "postgresql", "pgsql", "sqlite"),
    "postgres://user:password@host:5432/landkreis",
    default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
)
try:
    DATABASES = {"default": env.db_url_config(_database_url)}
except Exception:  # django-environ raises KeyError/ValueError on what it cannot read
    raise ImproperlyConfigured(
        "DATABASE_URL cannot be read, e.g. postgres://user:password@host:5432/landkreis."
    ) from None
if not DATABASES["default"].get("NAME"):
    raise ImproperlyConfigured(
        "DATABASE_URL names no database, e.g. postgres://user:password@host:5432/landkreis."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: web, worker and beat share one file. WAL lets readers and one writer
    # work at once; IMMEDIATE transactions and a busy timeout make writers queue instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # SQLite creates the file but not its folder (a fresh clone has no var/).
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------------
REDIS_URL = service_url("REDIS_URL", ("redis", "rediss", "unix"), "redis://redis:6379/0")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Auth -------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out logins before the password check
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = (
    None  # django-guardian: no anonymous user object; anonymous users have no object rights.
)
GUARDIAN_RAISE_403 = False

# Second factor (django-otp, accounts): required for Koordination, Pressestelle and
# Administration while this is on; anyone may set one up voluntarily.
TWO_FACTOR_REQUIRED = env_bool("LANDKREIS_2FA_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Landkreis Social"
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes, wait 2^(n-1) seconds before the next try
OTP_STATIC_THROTTLE_FACTOR = 1

# Login throttling (django-axes): 5 wrong passwords for one user name from one address lock that
# combination for 15 minutes; a successful login resets the count. Failures live in the database.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_DISABLE_ACCESS_LOG = True  # keep only failures (data minimisation); logins are not logged
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"

# --- Internationalisation --------------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
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
# Channel API addresses in private networks (loopback, 10/8, 169.254/16 …) and http links from networks:
# refused unless this is on – only for the local fake servers of the tests or a trial on one machine.
NETWORKS_ALLOW_LOCAL = env.bool("LANDKREIS_NETWORKS_ALLOW_LOCAL", default=False)
UPLOAD_MAX_IMAGE_BYTES = env.int("LANDKREIS_UPLOAD_MAX_IMAGE_BYTES", default=8 * 1024 * 1024)
UPLOAD_MAX_VIDEO_BYTES = env.int("LANDKREIS_UPLOAD_MAX_VIDEO_BYTES", default=200 * 1024 * 1024)
# Memory an image may need once decoded (pixels × bytes per pixel, read from the header before decoding):
# a 16-bit 59-megapixel PNG of 461 KB took a worker to 1 GB (issue 14). 128 MiB: 33 megapixels RGB(A);
# larger JPEGs (cameras) are decoded at half or a quarter of their size, other formats are refused.
UPLOAD_MAX_IMAGE_DECODED_BYTES = env.int(
    "LANDKREIS_UPLOAD_MAX_IMAGE_DECODED_BYTES", default=128 * 1024 * 1024
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -----------------------------------------------------------------------------------------
_email_url = service_url(
    "EMAIL_URL",
    ("smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "memorymail", "dummymail"),
    "smtp+tls://user:password@mail.example:587",
    default="consolemail://" if DEBUG else "smtp://localhost:25",
)
try:
    EMAIL_CONFIG = env.email_url_config(_email_url)
except Exception:
    raise ImproperlyConfigured(
        "EMAIL_URL cannot be read, e.g. smtp+tls://user:password@mail.example:587."
    ) from None
vars().update(EMAIL_CONFIG)
# A one-time code (link) an administrator issues for setting up the second factor; valid this long.
TWO_FACTOR_ENROLMENT_CODE_SECONDS = env.int("LANDKREIS_2FA_ENROLMENT_CODE_SECONDS", default=72 * 3600)
# When a reviewer changed the post during the review, someone else must approve it (the approval always
# names the change in the timeline and the author's notification).
REVIEW_EDIT_NEEDS_SECOND_PERSON = env_bool("LANDKREIS_REVIEW_EDIT_NEEDS_SECOND_PERSON", default=False)
# Notification e-mails: each recipient gets one digest of what arrived within this many seconds (the
# in-app list is immediate); 0 sends one e-mail per notification at once.
NOTIFICATION_EMAIL_DIGEST_SECONDS = env.int("LANDKREIS_EMAIL_DIGEST_SECONDS", default=120)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Landkreis Social <social@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------------------------------
# The database is the source of truth; the broker only wakes workers (see publishing/tasks.py).
# Without REDIS_URL/CELERY_BROKER_URL, kombu's filesystem transport needs no server at all.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = service_url(
    "CELERY_BROKER_URL",
    ("redis", "rediss", "unix", "filesystem", "memory", "amqp", "amqps"),
    "redis://redis:6379/0",
    default=REDIS_URL or "filesystem://",
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Redis hands a message that was not acknowledged within this time to another worker. It
        # must be longer than a delivery task (at most the lease, LANDKREIS_DELIVERY_LEASE_SECONDS)
        # plus the longest countdown a task is queued with (PUBLISHING_MAX_COUNTDOWN_SECONDS),
        # else Redis hands out the same message twice. Twice would still be harmless: the claim in
        # the database (not this timeout) is what prevents double sending.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
    }
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# acks_late: a message is acknowledged after its task ran, so a worker that dies before claiming
# loses no message. A task that already claimed its delivery is not run again because of that (the
# claim is a conditional UPDATE); what happens to a claim whose worker died is the sweep's job
# (lease expired → "uncertain", or sent again where the network deduplicates).
CELERY_TASK_ACKS_LATE = True
# A worker process killed mid-task: do not re-queue the message (it would only find the claim).
CELERY_TASK_REJECT_ON_WORKER_LOST = False
# One message per worker process at a time: a slow network does not hold messages other workers
# could run at once.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery closes a worker's database connection after every task unless told to reuse it; a new
# PostgreSQL connection per delivery cost more than the delivery's own queries (bench/publishing_bench.py).
# Reconnect after this many tasks; a broken connection is replaced at the next task anyway.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Security ---------------------------------------------------------------------------------------
# Production runs behind a TLS-terminating proxy. Set DJANGO_HTTPS=false only for a trial on plain HTTP.
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
# Offices share computers: closing the browser ends the session (and it ends after 8 hours anyway).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# Content-Security-Policy: no inline scripts or styles anywhere; all JavaScript lives in static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Application settings -----------------------------------------------------------------------------
# Key(s) that encrypt channel credentials at rest (Fernet, comma-separated; the first encrypts,
# all decrypt, so a new key can be put in front and old data re-encrypted with
# `manage.py rotate_credentials_key`). The demo derives a key from SECRET_KEY.
CREDENTIALS_KEYS = env.list("LANDKREIS_CREDENTIALS_KEYS", default=[])
if not CREDENTIALS_KEYS and not DEBUG:
    raise ImproperlyConfigured(
        "LANDKREIS_CREDENTIALS_KEYS (or LANDKREIS_CREDENTIALS_KEYS_FILE) must be set when DJANGO_DEBUG is off. "
        "Generate one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
    )

# --- Publishing (publishing/tasks.py; docs/publishing.md explains the numbers) ---------------------
# How often the sweep turns expired leases into "uncertain"/"retrying" and queues every due delivery:
# a post goes out at most this late when workers run, and a lost message costs at most this
# (plus PUBLISHING_REQUEUE_SECONDS).
PUBLISHING_SWEEP_SECONDS = env.float("LANDKREIS_SWEEP_SECONDS", default=30.0)
# Seconds a network adapter waits for a social network to connect and to answer.
PUBLISHING_NETWORK_TIMEOUT = env.float("LANDKREIS_NETWORK_TIMEOUT", default=30.0)
# How long a claimed delivery ("sending") belongs to its worker; after it the sweep counts the worker
# as gone. Prefork workers stop the task at 90 % of it; with threads the network timeouts bound it (a
# later answer still counts, see publishing/tasks.py). At least four network timeouts: a post with
# media makes several requests.
PUBLISHING_LEASE_SECONDS = env.float("LANDKREIS_DELIVERY_LEASE_SECONDS", default=300.0)
if PUBLISHING_LEASE_SECONDS < 4 * PUBLISHING_NETWORK_TIMEOUT:
    raise ImproperlyConfigured(
        "LANDKREIS_DELIVERY_LEASE_SECONDS must be at least four times LANDKREIS_NETWORK_TIMEOUT "
        f"({PUBLISHING_LEASE_SECONDS:g} < 4 × {PUBLISHING_NETWORK_TIMEOUT:g})."
    )
# While a worker sends, it renews its lease every third of this; a worker that died (kill -9, out of
# memory) is noticed this long after its last renewal instead of after the whole lease (issue 14).
PUBLISHING_LEASE_RENEW_SECONDS = min(
    env.float("LANDKREIS_DELIVERY_LEASE_RENEW_SECONDS", default=60.0), PUBLISHING_LEASE_SECONDS
)
# A deduplicating network (Mastodon keeps an Idempotency-Key about an hour) is sent the same request again
# only within this many seconds of the first attempt whose outcome is unknown; later the delivery is
# "uncertain" and a person checks (issue 14).
PUBLISHING_IDEMPOTENCY_WINDOW_SECONDS = env.float("LANDKREIS_IDEMPOTENCY_WINDOW_SECONDS", default=3000.0)
# Retryable errors: at most this many attempts, waiting a random time between 0 and
# min(max, base × 2^(attempt-1)) seconds ("full jitter"), or longer where the network says so.
PUBLISHING_MAX_ATTEMPTS = env.int("LANDKREIS_DELIVERY_MAX_ATTEMPTS", default=8)
PUBLISHING_RETRY_BASE_SECONDS = env.float("LANDKREIS_RETRY_BASE_SECONDS", default=30.0)
PUBLISHING_RETRY_MAX_SECONDS = env.float("LANDKREIS_RETRY_MAX_SECONDS", default=3600.0)
# A delivery put on the broker is put there again by the sweep only after this long (a message lost
# with a flushed Redis); keeps a backlog from being queued again on every sweep.
PUBLISHING_REQUEUE_SECONDS = env.float("LANDKREIS_REQUEUE_SECONDS", default=120.0)
# Waits up to this long are queued as a countdown; longer ones are left to the sweep (Redis would
# hand out a longer-waiting message again after the visibility timeout).
PUBLISHING_MAX_COUNTDOWN_SECONDS = 300.0
# Posting limits per network kind, overriding the adapters' (NETWORKS.md), e.g. for X's paid tiers:
# LANDKREIS_RATE_LIMITS="x=100/86400,mastodon=300/300" (posts/seconds).
PUBLISHING_RATE_LIMITS: dict[str, tuple[int, int]] = {}
for _kind, _limit in env.dict("LANDKREIS_RATE_LIMITS", default={}).items():
    try:
        _count, _seconds = (int(part) for part in _limit.split("/"))
        if _count < 1 or _seconds < 1:
            raise ValueError
    except ValueError:
        raise ImproperlyConfigured(
            f"LANDKREIS_RATE_LIMITS: {_kind}={_limit!r} is not posts/seconds, e.g. x=100/86400."
        ) from None
    PUBLISHING_RATE_LIMITS[_kind.strip()] = (_count, _seconds)

# Reports (reports/): the county's name and logo on the committee report, who gets it by e-mail,
# how often the daily figures catch up with changes.
REPORTS_COUNTY_NAME = env.str("LANDKREIS_COUNTY_NAME", default="Landkreis Rotenburg (Wümme)")
REPORTS_LOGO = env.str(
    "LANDKREIS_REPORT_LOGO", default=str(BASE_DIR / "reports" / "static" / "reports" / "logo.png")
)
REPORTS_RECIPIENTS = env.list("LANDKREIS_REPORT_RECIPIENTS", default=[])
REPORTS_ROLLUP_SECONDS = env.float("LANDKREIS_REPORT_ROLLUP_SECONDS", default=300.0)
# A change is rolled up although its transaction committed up to this long after its time stamp.
REPORTS_ROLLUP_MARGIN_SECONDS = env.float("LANDKREIS_REPORT_ROLLUP_MARGIN_SECONDS", default=900.0)
# Network figures: reads per channel and hourly run (within the networks' rate limits), and the reads
# per month of networks that charge for them (X; 0 = X figures off).
REPORTS_METRICS_PER_CHANNEL_RUN = env.int("LANDKREIS_REPORT_READS_PER_CHANNEL_RUN", default=200)
REPORTS_X_READS_PER_MONTH = env.int("LANDKREIS_REPORT_X_READS_PER_MONTH", default=0)

CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "landkreis_social.tasks.heartbeat", "schedule": 60.0},
    "reports-rollup": {
        "task": "reports.tasks.rollup",
        "schedule": REPORTS_ROLLUP_SECONDS,
        "options": {"expires": REPORTS_ROLLUP_SECONDS},
    },
    # Every morning; the task makes last month's report from the first working day on, once.
    "reports-network": {"task": "reports.tasks.network_snapshots", "schedule": crontab(minute=17)},
    "reports-monthly": {"task": "reports.tasks.monthly_report", "schedule": crontab(hour=6, minute=30)},
    # An unrun sweep expires: a busy worker does not run a pile of stale sweeps later.
    "publishing-sweep": {
        "task": "publishing.tasks.sweep",
        "schedule": PUBLISHING_SWEEP_SECONDS,
        "options": {"expires": PUBLISHING_SWEEP_SECONDS},
    },
}
# --- Inbox (Posteingang, docs: README "Posteingang") ---------------------------------------------------
# How often beat asks every live channel for new comments, mentions and direct messages.
INBOX_FETCH_SECONDS = env.float("LANDKREIS_INBOX_FETCH_SECONDS", default=120.0)
# A fetch holds its channel this long (a worker killed mid-fetch frees it after the lease).
INBOX_FETCH_LEASE_SECONDS = env.float("LANDKREIS_INBOX_FETCH_LEASE_SECONDS", default=240.0)
# Pages per run and channel (the rest follows in the next run: one busy channel never holds a worker long).
INBOX_MAX_PAGES_PER_RUN = env.int("LANDKREIS_INBOX_MAX_PAGES", default=20)
# First reaction within this many staffed hours (per channel and per department in the admin); a
# reminder to the department this many staffed hours before.
INBOX_RESPONSE_HOURS = env.float("LANDKREIS_INBOX_RESPONSE_HOURS", default=4.0)
INBOX_DUE_SOON_HOURS = env.float("LANDKREIS_INBOX_DUE_SOON_HOURS", default=1.0)
INBOX_OFFICE_HOURS = env.str("LANDKREIS_INBOX_OFFICE_HOURS", default="mon-thu 08:00-16:00; fri 08:00-13:00")
# A channel's first read skips what was written longer ago than this (0 = take everything).
INBOX_BACKFILL_DAYS = env.int("LANDKREIS_INBOX_BACKFILL_DAYS", default=14)
# Closed items (citizens' personal data) are deleted this many days after closing.
INBOX_RETENTION_DAYS = env.int("LANDKREIS_INBOX_RETENTION_DAYS", default=180)
# Spike alert: more new items than this within an hour on one post notify Koordination (once an hour).
INBOX_SPIKE_PER_HOUR = env.int("LANDKREIS_INBOX_SPIKE_PER_HOUR", default=20)
# The monthly read budget a new X channel gets (X charges for every read); 0 = none.
INBOX_X_MONTHLY_READS = env.int("LANDKREIS_INBOX_X_MONTHLY_READS", default=3000)
# Facebook/Instagram webhooks: the app secret (X-Hub-Signature-256) and the verify token of the handshake.
INBOX_META_APP_SECRET = env.str("LANDKREIS_META_APP_SECRET", default="")
INBOX_META_VERIFY_TOKEN = env.str("LANDKREIS_META_VERIFY_TOKEN", default="")
# Demo only: a page where a person writes a comment as a citizen on the sandbox feed.
INBOX_DEMO_CITIZEN = env_bool("LANDKREIS_DEMO_CITIZEN", default=DEBUG)

CELERY_BEAT_SCHEDULE.update(
    {
        "inbox-fetch": {
            "task": "inbox.tasks.fetch_due",
            "schedule": INBOX_FETCH_SECONDS,
            "options": {"expires": INBOX_FETCH_SECONDS},
        },
        "inbox-clock": {
            "task": "inbox.tasks.clock_notices",
            "schedule": 300.0,
            "options": {"expires": 300.0},
        },
        "inbox-retention": {
            "task": "inbox.tasks.retention",
            "schedule": 86400.0,
            "options": {"expires": 3600.0},
        },
        # Replies are sent like deliveries: the sweep queues what is due and settles expired leases.
        "inbox-spikes": {
            "task": "inbox.tasks.spike_alerts",
            "schedule": 300.0,
            "options": {"expires": 300.0},
        },
        "inbox-replies-sweep": {
            "task": "inbox.tasks.replies_sweep",
            "schedule": PUBLISHING_SWEEP_SECONDS,
            "options": {"expires": PUBLISHING_SWEEP_SECONDS},
        },
    }
)

# Optional public address of MEDIA_ROOT (e.g. a public mirror) for networks that fetch images
# themselves (Instagram). Without it, the publishing task passes each image's signed URL.
PUBLIC_MEDIA_URL = env.str("LANDKREIS_PUBLIC_MEDIA_URL", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every login at INFO; failures and lockouts come as WARNING.
        "axes": {"level": "WARNING"},
        # The networks' client libraries log requests and answers – URLs with citizens' account ids
        # (httpx at INFO), whole bodies with their texts (tweepy, urllib3, oauthlib at DEBUG): never
        # below WARNING, whatever DJANGO_LOG_LEVEL says (citizens' data is never logged).
        **{
            name: {"level": "WARNING"}
            for name in ("httpx", "httpcore", "tweepy", "urllib3", "oauthlib", "requests_oauthlib")
        },
    },
}

# --- The REST API (integrations/, /api/v1/) ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["integrations.api.authentication.IntegrationTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": ["integrations.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "integrations.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Landkreis Social API",
    "DESCRIPTION": (
        "Create posts, follow their review and deliveries, run the etiquette check. Authenticate with "
        "an integration token (Authorization: Bearer lks_…). Errors are application/problem+json."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Self-hosted Swagger UI assets (no CDN: the Content-Security-Policy allows 'self' only).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Where the per-token rate limits are counted: Redis when there is one (all web processes share it).
LANDKREIS_API_RATE_LIMIT_STORAGE = env.str(
    "LANDKREIS_API_RATE_LIMIT_STORAGE", default=REDIS_URL or "memory://"
)
# How long a request waits for a running request with the same Idempotency-Key (seconds).
LANDKREIS_API_IDEMPOTENCY_WAIT = env.float("LANDKREIS_API_IDEMPOTENCY_WAIT", default=30.0)
# Webhooks to private, loopback and link-local addresses are refused unless this is on (SSRF).
LANDKREIS_WEBHOOKS_ALLOW_PRIVATE = env.bool("LANDKREIS_WEBHOOKS_ALLOW_PRIVATE", default=False)
CELERY_BEAT_SCHEDULE["integrations-purge-idempotency-keys"] = {
    "task": "integrations.tasks.purge_idempotency_keys",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["integrations-dispatch-webhooks"] = {
    "task": "integrations.tasks.dispatch_webhooks",
    "schedule": 5.0,
    "options": {"expires": 5.0},
}
# Official data feeds (integrations.FeedSource, enabled in the admin): how often they are read.
LANDKREIS_FEEDS_SECONDS = env.int("LANDKREIS_FEEDS_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["integrations-import-feeds"] = {
    "task": "integrations.tasks.import_feeds",
    "schedule": float(LANDKREIS_FEEDS_SECONDS),
    "options": {"expires": float(LANDKREIS_FEEDS_SECONDS)},
}
