"""Settings for the test suite.

Tests use PostgreSQL when it is reachable (``DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/landkreis_social``) and fall back to SQLite otherwise; tests
that need PostgreSQL carry the ``postgres`` marker and are skipped then (an error when ``CI=true``,
see ``tests/conftest.py``). The Celery broker is kombu's in-memory transport unless a test starts
a real worker on Redis.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("LANDKREIS_CREDENTIALS_KEYS", "P44T7emdiHUDAMAkgNATPA3m2iKaOFSF3rlIsBSCSAw=")
os.environ.setdefault("DJANGO_HTTPS", "false")
os.environ.setdefault(
    "LANDKREIS_VAR_DIR", os.path.join(tempfile.gettempdir(), f"landkreis-test-{os.getpid()}")
)
os.environ.setdefault("EMAIL_URL", "consolemail://")
# The fake networks run on 127.0.0.1 over http (tests that check the refusal switch it off).
os.environ.setdefault("LANDKREIS_NETWORKS_ALLOW_LOCAL", "true")
# One e-mail per notification at once (tests of the digest set a delay).
os.environ.setdefault("LANDKREIS_EMAIL_DIGEST_SECONDS", "0")

from landkreis_social.testing import postgres_reachable, test_database_url

if postgres_reachable(test_database_url()):
    os.environ["DATABASE_URL"] = test_database_url()
    TEST_DATABASE_VENDOR = "postgresql"
else:
    os.environ["DATABASE_URL"] = "sqlite:///" + os.path.join(os.environ["LANDKREIS_VAR_DIR"], "test.sqlite3")
    TEST_DATABASE_VENDOR = "sqlite"

from landkreis_social.settings import *  # noqa: F403
from landkreis_social.settings import CACHES as _CACHES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
del _CACHES
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests log in with client.force_login()/client.login() without a second factor or a lockout
# counter; tests/security turns both on where they test them (accounts/testing.py).
TWO_FACTOR_REQUIRED = False
AXES_ENABLED = False
# Messages stay in this process unless a test starts a real worker (tests/conftest.py). Set here, not
# through the environment: Celery lets the CELERY_BROKER_URL variable override the configuration.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns about a missing folder
# Each test process counts API rate limits in its own memory (tests of the limit set a small one).
LANDKREIS_API_RATE_LIMIT_STORAGE = "memory://"
LANDKREIS_API_IDEMPOTENCY_WAIT = 20.0
