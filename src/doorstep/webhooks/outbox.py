"""Writing webhook deliveries into the outbox, inside the transaction of the change.

One event becomes one row per endpoint that wants it, all with the same event id (the
`webhook-id` header), so a receiver tells a retry from a new event. Each event also
carries the time it happened, a sequence number counted per resource (a receiver orders
a visit's events by it) and the actor (who did it: a receiver skips its own changes).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from doorstep.core import events
from doorstep.webhooks.models import (
    DeliveryState,
    ResourceSequence,
    WebhookDelivery,
    WebhookEndpoint,
)


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def next_sequence(resource: str) -> int:
    """The next number of the resource's events: 1, 2, 3 …, never twice the same."""
    if not ResourceSequence.objects.filter(resource=resource).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                ResourceSequence.objects.create(resource=resource, last=1)
            return 1
        except IntegrityError:  # another transaction made it first
            ResourceSequence.objects.filter(resource=resource).update(last=F("last") + 1)
    return ResourceSequence.objects.values_list("last", flat=True).get(resource=resource)


def endpoints_for(
    event_type: str, *, service_type_id: int | None, any_type: bool = False
) -> list[WebhookEndpoint]:
    """The active endpoints that want this event. One filtered by service type hears only
    of visits of that type (`any_type`: whatever their filter, for the caller to apply)."""
    endpoints = WebhookEndpoint.objects.filter(active=True).only(
        "pk", "event_types", "service_type_id"
    )
    if not any_type:
        about_type = Q(service_type__isnull=True)
        if service_type_id is not None:
            about_type |= Q(service_type_id=service_type_id)
        endpoints = endpoints.filter(about_type)
    return [endpoint for endpoint in endpoints if endpoint.wants(event_type)]


def record_event(
    *,
    event_type: str,
    resource: str,
    data: Mapping[str, Any],
    actor: Mapping[str, Any],
    service_type_id: int | None = None,
    endpoints: list[WebhookEndpoint] | None = None,
    now: datetime | None = None,
) -> list[WebhookDelivery]:
    """Write the event's deliveries for every endpoint that wants it (or those given);
    nothing when none does."""
    if endpoints is None:
        endpoints = endpoints_for(event_type, service_type_id=service_type_id)
    if not endpoints:
        return []
    now = now or timezone.now()
    event_id = new_event_id()
    payload = {
        "id": event_id,
        "type": event_type,
        "timestamp": now.isoformat().replace("+00:00", "Z"),
        "sequence": next_sequence(resource),
        "actor": dict(actor),
        "data": dict(data),
    }
    rows = [
        WebhookDelivery(
            endpoint=endpoint,
            event_id=event_id,
            event_type=event_type,
            resource=resource,
            payload=payload,
            state=DeliveryState.PENDING,
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint in endpoints
    ]
    WebhookDelivery.objects.bulk_create(rows)
    wake_sender()
    return rows


def wake_sender() -> None:
    """Have a worker send what is pending once the transaction commits (`apps.py`)."""
    events.publish("webhooks.pending")
