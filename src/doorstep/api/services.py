"""Issuing and checking API keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from doorstep.api.models import ApiKey

KEY_PREFIX = "ds_"
SHOWN_PREFIX_LENGTH = 11  # "ds_" and eight characters of the secret
# Writing "last used" on every request would turn each read into a write; to the
# minute is precise enough to tell whether a key is still in use.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_api_key(*, name: str) -> tuple[ApiKey, str]:
    """Create a key; the key itself is returned once here and never stored."""
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        name=name, prefix=plain[:SHOWN_PREFIX_LENGTH], key_hash=hash_key(plain)
    )
    return api_key, plain


def authenticate_key(*, key: str, now: datetime | None = None) -> ApiKey | None:
    """The active key matching `key`, its last use noted; None for an unknown or revoked key."""
    if not key.startswith(KEY_PREFIX):
        return None
    api_key = ApiKey.objects.filter(key_hash=hash_key(key), active=True).first()
    if api_key is None:
        return None
    now = now or timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
