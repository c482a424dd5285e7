"""Settings for the test suite: the real settings with fast, isolated local parts."""

import os
import tempfile
from pathlib import Path

_data = Path(tempfile.gettempdir()) / f"doorstep-tests-{os.getuid()}"
os.environ.setdefault("DOORSTEP_DATA_DIR", str(_data))
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DOORSTEP_HTTPS", "false")

from doorstep.project.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
SMS_BACKEND = "doorstep.notifications.sms.LocmemBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Connections that stay open in helper threads (the WebSocket consumers' database
# thread) would keep PostgreSQL from dropping the test database at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
