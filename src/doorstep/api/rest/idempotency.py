"""`Idempotency-Key` on every POST and PATCH: a client that did not hear the answer sends
the same request again with the same key and gets the first answer, and nothing is done
twice.

Keys live in the cache (shared by every process through Redis at scale) for a day, per
API key. The first request claims the key with an atomic `add`; a request that arrives
while the first is still running is refused (409) rather than run a second time, so
twenty parallel retries book one visit. The same key with another body is refused too:
it is a client's mistake that replaying would hide.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from doorstep.access.models import ApiKey
from doorstep.api.rest.problems import Conflict

HEADER = "Idempotency-Key"
METHODS = frozenset({"POST", "PATCH"})
KEPT_SECONDS = 24 * 60 * 60
# How long a claim holds if its process dies before answering: then a retry may run.
CLAIM_SECONDS = 120
MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = ("ETag", "Location", "Content-Type")
PENDING = "pending"


class Replay(Exception):
    def __init__(self, response: HttpResponse) -> None:
        super().__init__("replayed")
        self.response = response


@dataclass(frozen=True)
class Claim:
    cache_key: str
    fingerprint: str


def claim(request: Request) -> Claim | None:
    """Claim the request's Idempotency-Key, or raise: `Replay` with the stored answer for
    the same request, `Conflict` for another body or while the first is still running.
    None when the request has no key (or is not a POST or PATCH)."""
    key = request.headers.get(HEADER)
    if request.method not in METHODS or key is None or not isinstance(request.auth, ApiKey):
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise exceptions.ValidationError(
            {HEADER: [f"Send 1 to {MAX_KEY_LENGTH} printable ASCII characters, a UUID say."]}
        )
    body = request._request.body
    fingerprint = hashlib.sha256(
        b"\n".join([request.method.encode(), request.get_full_path().encode(), body])
    ).hexdigest()
    digest = hashlib.sha256(key.encode()).hexdigest()
    cache_key = f"api-idempotency:{request.auth.pk}:{digest}"
    pending = {"state": PENDING, "fingerprint": fingerprint}
    stored: dict[str, Any] | None = None
    for _ in range(2):  # a second try when the key expired between add() and get()
        if cache.add(cache_key, pending, CLAIM_SECONDS):
            return Claim(cache_key, fingerprint)
        stored = cache.get(cache_key)
        if stored is not None:
            break
    if stored is None:
        raise Conflict(f"This {HEADER} could not be claimed: send the request again.")
    if stored["fingerprint"] != fingerprint:
        raise Conflict(
            f"This {HEADER} was used for another request (another body or address) in the "
            "last 24 hours: use a new key for a new request."
        )
    if stored["state"] == PENDING:
        raise Conflict(
            f"A request with this {HEADER} is still being answered: wait a moment and send "
            "it again to get its answer."
        )
    response = HttpResponse(stored["content"], status=stored["status"])
    for name, value in stored["headers"].items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    raise Replay(response)


def keep(held: Claim, response: HttpResponse) -> None:
    """Store the answer for the claim's retries; a failure of our own (5xx) is not kept,
    so a retry runs again."""
    if response.status_code >= 500:
        cache.delete(held.cache_key)
        return
    content = response.rendered_content if isinstance(response, Response) else response.content
    headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
    cache.set(
        held.cache_key,
        {
            "state": "done",
            "fingerprint": held.fingerprint,
            "status": response.status_code,
            "content": bytes(content),
            "headers": headers,
        },
        KEPT_SECONDS,
    )
