"""`Idempotency-Key` on every POST and PATCH: a client that did not hear the answer sends
the same request again with the same key and gets the first answer, and nothing is done
twice.

Keys are rows (`api.models.IdempotencyKey`), per API key, so every process sees the
same ones: the first request claims its key by inserting the row (the unique constraint
lets one insert win), and the answer is stored on it for a day. A request that arrives
while the first is still running is refused (409) rather than run a second time, so
twenty parallel retries book one visit; a claim whose request died lapses after
CLAIM_SECONDS, and a retry may then run. The same key with another body is refused too:
it is a client's mistake that replaying would hide. Rows past their day are purged daily
(`api.tasks`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from doorstep.access.models import ApiKey
from doorstep.api.models import IdempotencyKey, IdempotencyKeyState
from doorstep.api.rest.problems import Conflict

HEADER = "Idempotency-Key"
METHODS = frozenset({"POST", "PATCH"})
KEPT = timedelta(hours=24)
# How long a claim holds if its process dies before answering: then a retry may run.
CLAIM = timedelta(seconds=120)
MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = ("ETag", "Location", "Content-Type")


class Replay(Exception):
    def __init__(self, response: HttpResponse) -> None:
        super().__init__("replayed")
        self.response = response


@dataclass(frozen=True)
class Claim:
    key_id: int
    # The claim's own lapse time: the answer is stored only while the row still holds it,
    # never over a claim another request took after this one lapsed.
    claimed_until: datetime


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
    stored = _claim_or_read(api_key=request.auth, digest=digest, fingerprint=fingerprint)
    if isinstance(stored, Claim):
        return stored
    if stored.fingerprint != fingerprint:
        raise Conflict(
            f"This {HEADER} was used for another request (another body or address) in the "
            "last 24 hours: use a new key for a new request."
        )
    if stored.state == IdempotencyKeyState.PENDING:
        raise Conflict(
            f"A request with this {HEADER} is still being answered: wait a moment and send "
            "it again to get its answer."
        )
    response = HttpResponse(bytes(stored.content), status=stored.status_code)
    for name, value in stored.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    raise Replay(response)


def _claim_or_read(*, api_key: ApiKey, digest: str, fingerprint: str) -> Claim | IdempotencyKey:
    """A claim of the key, or the row of the request that holds it (answered or not)."""
    for _ in range(3):
        now = timezone.now()
        stored = IdempotencyKey.objects.filter(api_key=api_key, key_digest=digest).first()
        if stored is None:
            try:
                with transaction.atomic():
                    row = IdempotencyKey.objects.create(
                        api_key=api_key,
                        key_digest=digest,
                        fingerprint=fingerprint,
                        state=IdempotencyKeyState.PENDING,
                        expires_at=now + CLAIM,
                    )
                return Claim(row.pk, row.expires_at)
            except IntegrityError:
                continue  # another request claimed it first: read its row
        if stored.expires_at > now:
            return stored
        # A day-old answer, or the claim of a request that died: claim the key afresh,
        # unless another request does so first.
        if IdempotencyKey.objects.filter(pk=stored.pk, expires_at=stored.expires_at).update(
            fingerprint=fingerprint,
            state=IdempotencyKeyState.PENDING,
            status_code=None,
            content=b"",
            headers={},
            expires_at=now + CLAIM,
        ):
            return Claim(stored.pk, now + CLAIM)
    raise Conflict(f"This {HEADER} could not be claimed: send the request again.")


def keep(held: Claim, response: HttpResponse) -> None:
    """Store the answer for the claim's retries; a failure of our own (5xx) is not kept,
    so a retry runs again."""
    ours = IdempotencyKey.objects.filter(
        pk=held.key_id, state=IdempotencyKeyState.PENDING, expires_at=held.claimed_until
    )
    if response.status_code >= 500:
        ours.delete()
        return
    content = response.rendered_content if isinstance(response, Response) else response.content
    headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
    ours.update(
        state=IdempotencyKeyState.DONE,
        status_code=response.status_code,
        content=bytes(content),
        headers=headers,
        expires_at=timezone.now() + KEPT,
    )


def forget_expired(*, now: datetime | None = None) -> int:
    """Delete the keys whose day (or whose lapsed claim) is over; how many."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
