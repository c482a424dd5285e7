"""Who is calling the API: an integration with a key, or a signed-in person."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from doorstep.api import services
from doorstep.api.models import ApiKey

SCHEMES = ("bearer", "token")


@dataclass(frozen=True)
class KeyCheck:
    """What the Authorization header said: no key at all, a valid key, or a bad one."""

    presented: bool
    api_key: ApiKey | None = None


def api_key_from_request(request: HttpRequest) -> KeyCheck:
    """Read `Authorization: Bearer <key>` (or `Token <key>`) and check the key."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return KeyCheck(presented=False)
    scheme, _, key = header.partition(" ")
    if scheme.lower() not in SCHEMES or not key.strip():
        return KeyCheck(presented=True)
    return KeyCheck(presented=True, api_key=services.authenticate_key(key=key.strip()))
