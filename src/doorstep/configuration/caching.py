"""The portal settings kept in Django's cache between requests, forgotten on every write.

Every page reads the settings, and they change a few times a year, so they are read from
the database once and then from the cache (Redis when REDIS_URL is set, shared by every
process; local memory otherwise). The cached value carries the version it was read
under; a write stores a new version, which every process sees at its next read. The
version is renewed at the write and again when its transaction commits: a reader that
loaded the old row in between has stored it under a version nobody asks for any more.
A read inside a transaction may see that transaction's own uncommitted write, so it is
never stored for others.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import django
from django.core.cache import cache
from django.db import connection, transaction

logger = logging.getLogger(__name__)

# A backstop for writes that bypass the model (raw SQL, loaddata): seen within a minute.
TIMEOUT_SECONDS = 60
VERSION_KEY = "doorstep:portal-settings:version"
# This process's copy of each value, with the version it was read under.
_in_process: dict[str, tuple[str, Any]] = {}


def value_key(field_names: Iterable[str]) -> str:
    """The value's key, which changes with the model's fields and Django's version.

    A process that runs newer code never reads a pickle of an older shape of the row.
    """
    shape = ",".join([django.get_version(), *field_names])
    return f"doorstep:portal-settings:{hashlib.sha256(shape.encode()).hexdigest()[:16]}"


def read_through[T](key: str, fetch: Callable[[], T], copy: Callable[[T], T]) -> T:
    """The cached value under `key` while it is the latest, else `fetch()` (kept for others).

    Each call returns an object of its own (`copy` makes one): changing it changes nothing
    for any other request or thread. The process also keeps the value it last read with
    its version, so that while the version stands, a read asks the cache for the version
    only and copies the value instead of unpickling it (a twentieth of a page's time).
    """
    try:
        version = cache.get(VERSION_KEY)
        mine = _in_process.get(key)
        if version is not None and mine is not None and mine[0] == version:
            return copy(mine[1])
        kept = cache.get(key)
    except Exception:
        # A cache that is down must not take every page with it: read the database.
        logger.exception("Cache unavailable; reading the portal settings from the database")
        return fetch()
    if version is not None and kept is not None and kept[0] == version:
        _in_process[key] = (version, copy(kept[1]))
        return kept[1]  # type: ignore[no-any-return]
    value = fetch()
    if connection.in_atomic_block:
        return value
    try:
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)  # another process may have added its own first
        if version is not None:
            cache.set(key, (version, value), timeout=TIMEOUT_SECONDS)
            _in_process[key] = (version, copy(value))
    except Exception:
        logger.exception("Cache unavailable; the portal settings are not kept")
    return value


def forget() -> None:
    """Every process reads the settings afresh: from now, and again after the commit."""
    _in_process.clear()
    _new_version()
    if connection.in_atomic_block:
        transaction.on_commit(_new_version)


def _new_version() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        # Without the cache nothing is read from it either; the write itself stands.
        logger.exception("Cache unavailable; could not mark the portal settings as changed")
