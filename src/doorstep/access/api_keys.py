"""Issuing and checking API keys."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from doorstep.access.models import ApiKey, Scope

KEY_PREFIX = "ds_"
SHOWN_PREFIX_LENGTH = 11  # "ds_" and eight characters of the secret
# Writing "last used" on every request would turn each read into a write; to the
# minute is precise enough to tell whether a key is still in use.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_api_key(
    *,
    name: str,
    scopes: Collection[Scope] = (Scope.TRACKING,),
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; the key itself is returned once here and never stored."""
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        name=name,
        prefix=plain[:SHOWN_PREFIX_LENGTH],
        key_hash=hash_key(plain),
        scopes=[scope.value for scope in Scope if scope in scopes],
        expires_at=expires_at,
    )
    return api_key, plain


def authenticate_keys(*, keys: Collection[str], now: datetime | None = None) -> dict[str, ApiKey]:
    """The active, unexpired keys among `keys`, by key, their last use noted: one query for
    any number of keys. What each may do is its `scopes`."""
    hashes = {hash_key(key): key for key in keys if key.startswith(KEY_PREFIX)}
    if not hashes:
        return {}
    now = now or timezone.now()
    found = {
        hashes[api_key.key_hash]: api_key
        for api_key in ApiKey.objects.filter(key_hash__in=hashes, active=True)
        if api_key.expires_at is None or api_key.expires_at > now
    }
    stale = [
        api_key
        for api_key in found.values()
        if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_PRECISION
    ]
    if stale:
        ApiKey.objects.filter(pk__in=[api_key.pk for api_key in stale]).update(last_used_at=now)
        for api_key in stale:
            api_key.last_used_at = now
    return found
