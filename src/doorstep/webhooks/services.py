"""What staff and integrations do with webhook endpoints: create, rotate, replay, test."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from doorstep.core import records
from doorstep.core.errors import DomainError
from doorstep.users.models import User
from doorstep.webhooks import guard, payloads
from doorstep.webhooks.models import (
    DeliveryState,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
)
from doorstep.webhooks.outbox import record_event, wake_sender

ROTATION_OVERLAP = timedelta(hours=24)
EVENT_TYPES = [value for value in EventType.values if value != EventType.TEST]


class WebhookRefused(DomainError):
    pass


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_endpoint(endpoint: WebhookEndpoint) -> None:
    """The model's checks, known event types, and a URL the guard accepts now."""
    unknown = sorted(set(endpoint.event_types or []) - set(EVENT_TYPES))
    if not isinstance(endpoint.event_types, list) or unknown:
        raise ValidationError(
            {"event_types": f"Unknown event types: {', '.join(map(str, unknown))}."}
        )
    endpoint.full_clean(exclude=None if endpoint.secret else ["secret"])
    try:
        guard.check(endpoint.url, allow_private=settings.DOORSTEP_WEBHOOKS_ALLOW_PRIVATE)
    except guard.Refused as refusal:
        raise ValidationError({"url": str(refusal)}) from None


@transaction.atomic
def save_endpoint(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Save after checking; a new endpoint gets its secret, and one switched on again
    loses its disabled reason and failing streak."""
    if not endpoint.secret:
        endpoint.secret = new_secret()
    if endpoint.active:
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
    check_endpoint(endpoint)
    endpoint.save()
    return endpoint


@transaction.atomic
def rotate_secret(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> str:
    """A new secret; the old one keeps signing beside it for 24 hours. The new secret."""
    now = now or timezone.now()
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.previous_secret, locked.previous_secret_until = locked.secret, now + ROTATION_OVERLAP
    locked.secret = new_secret()
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"])
    endpoint.secret = locked.secret
    return locked.secret


@transaction.atomic
def replay(*, deliveries: Sequence[WebhookDelivery], now: datetime | None = None) -> int:
    """Send these deliveries again soon, with their event ids; those being sent are left.
    How many will go."""
    now = now or timezone.now()
    count = (
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in deliveries])
        .exclude(state=DeliveryState.SENDING)
        .update(state=DeliveryState.PENDING, next_attempt_at=now, claimed_by="", claimed_at=None)
    )
    if count:
        wake_sender()
    return count


def replay_failed(*, endpoint: WebhookEndpoint, since: datetime) -> int:
    """Send again every delivery to the endpoint that failed, made since then."""
    failed = WebhookDelivery.objects.filter(
        endpoint=endpoint, state=DeliveryState.FAILED, created_at__gte=since
    )
    return replay(deliveries=list(failed.only("pk")))


@transaction.atomic
def send_test_event(*, endpoint: WebhookEndpoint, by: User | None = None) -> WebhookDelivery:
    """A `webhook.test` event to this endpoint alone, to check the receiver; `by` is the
    member of staff who sent it (none: an integration, through the API)."""
    if not endpoint.active:
        raise WebhookRefused("Switch the endpoint on before sending it a test event.")
    [delivery] = record_event(
        event_type=EventType.TEST,
        resource=f"webhook_endpoint:{endpoint.pk}",
        data={"message": "A test event from Doorstep."},
        actor=payloads.actor(by),
        endpoints=[endpoint],
    )
    return delivery


def remove_endpoint(*, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint with its deliveries; the API's deletions feed lists it."""
    records.delete(endpoint)
