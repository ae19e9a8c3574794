"""Settings of the oracle project: SQLite at $ORACLE_DB, the seed app $ORACLE_SEED.

One seed per deployment, as in real life: each seed's tables live in their own database.
"""

import os

SECRET_KEY = "oracle-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]  # django.test.Client
ROOT_URLCONF = "oracle_site.urls"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    os.environ.get("ORACLE_SEED", "seed000"),
    "oracle",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("ORACLE_DB", "oracle.sqlite3"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast for tests
