"""Sending what the webhook outbox holds: claim due deliveries, sign, post, record.

Claiming and retry jitter are the outbox's shared pieces (`core.outbox`), as for
messages. A delivery keeps its event id on every attempt, so a receiver that got an
event and answered too late (or a worker killed after posting) sees a retry it can drop.
The retry schedule is the Standard Webhooks one.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import urllib3
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from doorstep.core import outbox
from doorstep.webhooks import alerts, guard
from doorstep.webhooks.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

logger = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=2)  # past the 15 s timeout of the slowest post
SENDING_TURN = timedelta(seconds=5)
BATCH_SIZE = 100
# After the first attempt (at once), the waits before each next one.
RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
LONGEST_WAIT = timedelta(hours=24)
DISABLE_AFTER = timedelta(days=5)


@dataclass(frozen=True)
class BatchResult:
    claimed: int
    delivered: int
    retried: int
    failed: int


def retry_delay(attempts: int, *, retry_after: str = "", now: datetime) -> timedelta:
    """The wait after the `attempts`-th attempt failed: the schedule's, give or take a
    tenth, or longer when the receiver asked for longer (Retry-After), up to a day."""
    scheduled = outbox.jittered(RETRY_SCHEDULE[min(attempts, MAX_ATTEMPTS - 1) - 1], spread=0.1)
    return min(max(scheduled, asked_wait(retry_after, now=now)), LONGEST_WAIT)


def asked_wait(retry_after: str, *, now: datetime) -> timedelta:
    """A Retry-After header's wait: seconds or an HTTP date; zero when absent or unreadable."""
    value = retry_after.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        return max(parsedate_to_datetime(value) - now, timedelta(0))
    except (TypeError, ValueError, IndexError, OverflowError):
        return timedelta(0)


def claim(*, worker: str, limit: int = BATCH_SIZE, now: datetime) -> list[WebhookDelivery]:
    due = Q(state=DeliveryState.PENDING, next_attempt_at__lte=now) | Q(
        state=DeliveryState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )
    ids = outbox.claim_due(
        WebhookDelivery.objects.filter(due).order_by("next_attempt_at", "pk"),
        limit=limit,
        state=DeliveryState.SENDING,
        claimed_by=worker,
        claimed_at=now,
    )
    return list(
        WebhookDelivery.objects.filter(pk__in=ids)
        .select_related("endpoint")
        .order_by("next_attempt_at", "pk")
    )


def sign(delivery: WebhookDelivery, *, body: str, now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers; one signature per secret in use (rotation)."""
    signatures = [
        Webhook(secret).sign(delivery.event_id, now, body)
        for secret in delivery.endpoint.secrets(now=now)
    ]
    return {
        "webhook-id": delivery.event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
        "Content-Type": "application/json",
        "User-Agent": "Doorstep-Webhooks/1",
    }


def send_due(
    *,
    worker: str,
    limit: int = BATCH_SIZE,
    now: datetime | None = None,
    stop_at: float | None = None,
) -> BatchResult:
    """Claim one batch and post it, reusing a connection per endpoint. Past `stop_at`
    (a `time.monotonic()` value) the rest is handed back for any worker to claim."""
    rows = claim(worker=worker, limit=limit, now=now or timezone.now())
    poster = guard.Poster(allow_private=settings.DOORSTEP_WEBHOOKS_ALLOW_PRIVATE)
    counts: dict[str, int] = {
        DeliveryState.DELIVERED: 0,
        DeliveryState.PENDING: 0,
        DeliveryState.FAILED: 0,
    }
    try:
        for index, row in enumerate(rows):
            if index and stop_at is not None and time.monotonic() >= stop_at:
                WebhookDelivery.objects.filter(
                    pk__in=[r.pk for r in rows[index:]],
                    state=DeliveryState.SENDING,
                    claimed_by=worker,
                ).update(state=DeliveryState.PENDING, claimed_by="", claimed_at=None)
                break
            state = deliver(row, worker=worker, poster=poster)
            counts[state] = counts.get(state, 0) + 1
    finally:
        poster.close()
    return BatchResult(
        claimed=len(rows),
        delivered=counts[DeliveryState.DELIVERED],
        retried=counts[DeliveryState.PENDING],
        failed=counts[DeliveryState.FAILED],
    )


def deliver(row: WebhookDelivery, *, worker: str, poster: guard.Poster) -> str:
    """Post one claimed delivery and record the attempt; the delivery's new state."""
    endpoint = row.endpoint
    started = timezone.now()
    if not endpoint.active:
        return _record(
            row, worker=worker, started=started, error="The endpoint is disabled.", give_up=True
        )
    body = json.dumps(row.payload, separators=(",", ":"), ensure_ascii=False)
    try:
        answer = poster.post(
            endpoint.url, body=body.encode(), headers=sign(row, body=body, now=started)
        )
    except guard.Refused as refusal:
        return _record(row, worker=worker, started=started, error=str(refusal))
    except (OSError, urllib3.exceptions.HTTPError) as error:
        message = _readable(error)
        return _record(
            row,
            worker=worker,
            started=started,
            error=message,
            duration_ms=int((timezone.now() - started).total_seconds() * 1000),
        )
    return _record(row, worker=worker, started=started, answer=answer)


def _readable(error: Exception) -> str:
    # A refused connection is a NewConnectionError, which urllib3 also makes a timeout.
    if isinstance(error, urllib3.exceptions.NewConnectionError):
        reason = str(error).rpartition("new connection: ")[2]
        return f"Could not connect: {reason}"[:300]
    if isinstance(error, urllib3.exceptions.TimeoutError):
        return f"No answer within {guard.TIMEOUT_SECONDS:.0f} seconds."
    return f"Could not connect: {getattr(error, 'reason', None) or error}"[:300]


def _record(
    row: WebhookDelivery,
    *,
    worker: str,
    started: datetime,
    answer: guard.Answer | None = None,
    error: str = "",
    duration_ms: int = 0,
    give_up: bool = False,
) -> str:
    now = timezone.now()
    attempts = row.attempts + 1
    status = answer.status if answer else None
    delivered = status is not None and 200 <= status < 300
    gone = status == 410
    if answer is not None and not delivered:
        error = f"The endpoint answered {status}."
    give_up = give_up or gone or (not delivered and attempts >= MAX_ATTEMPTS)
    state = (
        DeliveryState.DELIVERED
        if delivered
        else DeliveryState.FAILED
        if give_up
        else DeliveryState.PENDING
    )
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=row,
            started_at=started,
            duration_ms=answer.duration_ms if answer else duration_ms,
            status_code=status,
            error=error[:300],
            response_body=answer.body_start if answer else "",
            worker=worker,
        )
        # Only while this worker still holds the row: one that stalled past the claim
        # timeout lost it to another, whose outcome stands.
        WebhookDelivery.objects.filter(pk=row.pk, claimed_by=worker).update(
            state=state,
            attempts=attempts,
            last_error=error[:300],
            claimed_by="",
            claimed_at=None,
            delivered_at=now if delivered else None,
            next_attempt_at=None
            if state != DeliveryState.PENDING
            else now
            + retry_delay(attempts, retry_after=answer.retry_after if answer else "", now=now),
        )
        if row.endpoint.active:
            _endpoint_outcome(row.endpoint, delivered=delivered, gone=gone, now=now)
    row.state, row.attempts = state, attempts
    return state


def _endpoint_outcome(
    endpoint: WebhookEndpoint, *, delivered: bool, gone: bool, now: datetime
) -> None:
    """A success clears the endpoint's failing streak; 410 or 5 days of failures disable it."""
    if delivered:
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            endpoint.failing_since = None
        return
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=now
        )
        endpoint.failing_since = now
    reason = ""
    if gone:
        reason = "The endpoint answered 410 Gone: it asked to receive no more events."
    elif now - endpoint.failing_since >= DISABLE_AFTER:
        reason = "Every attempt failed for 5 days."
    if reason:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
            active=False, disabled_reason=reason
        )
        endpoint.active = False
        alerts.tell_staff_disabled(endpoint=endpoint, reason=reason)
