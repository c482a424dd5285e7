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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, as `doorstep serve` uses (WAL, a busy timeout, IMMEDIATE transactions), on
    # tmpfs where there is one, not Django's shared in-memory database: there, every
    # thread's connection (the live server's, a test's helper threads) takes table locks
    # that fail at once instead of waiting ("database table is locked"), and the live
    # server shares the test's one connection, transaction state and all.
    _tmpfs = Path("/dev/shm")  # noqa: S108 (a file named by user and process, below)
    _test_dir = _tmpfs if _tmpfs.is_dir() and os.access(_tmpfs, os.W_OK) else _data
    _test_dir.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(_test_dir / f"doorstep-test-{os.getuid()}-{os.getpid()}.sqlite3")
    }
    # Django deletes the file at the end of a run; a run that was killed leaves it, in
    # memory on tmpfs. Files of runs whose process is gone are deleted here.
    for _left in _test_dir.glob(f"doorstep-test-{os.getuid()}-*.sqlite3*"):
        _pid = _left.name.split("-")[3].split(".")[0]
        if not _pid.isdigit():
            continue
        try:
            os.kill(int(_pid), 0)  # asks only whether the process is there
        except ProcessLookupError:
            _left.unlink(missing_ok=True)
        except OSError:
            pass  # there, and someone else's
