"""The "on the way" message says when: it waits for the trip's first arrival time.

Setting off writes the message at once, in the same transaction (so it cannot be lost),
but held back for `ARRIVAL_WAIT`. Tracking works out the first arrival time right after
and calls `tell_arrival()`, which writes the time into the held message and sends it
now. When no time comes (the visit's address has no position), the message goes when
the wait is over, without one. "Running late" waits until the customer was told the
technician is on the way.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.notifications import rendering
from doorstep.notifications.models import (
    MessageType,
    Notification,
    NotificationState,
    RunningLate,
)
from doorstep.notifications.outbox import load_for_messages, wake_sender
from doorstep.scheduling.models import Booking

# The first arrival time is routed within the routing provider's timeout (3 s by default).
ARRIVAL_WAIT = timedelta(seconds=30)


def arrival(*, booking: Booking, eta: datetime, now: datetime) -> dict[str, object]:
    """What a message says of an arrival: the time in the visit's zone, and the minutes."""
    zone = ZoneInfo(booking.work_order.account.time_zone)
    minutes = max(1, math.ceil((eta - now).total_seconds() / 60))
    return {"eta": timezone.localtime(eta, zone), "eta_minutes": minutes}


def held_on_the_way(booking_id: int, *, now: datetime) -> QuerySet[Notification]:
    """The booking's "on the way" messages still waiting for an arrival time."""
    return Notification.objects.filter(
        booking_id=booking_id,
        message_type=MessageType.TRAVELING,
        state=NotificationState.PENDING,
        attempts=0,
        next_attempt_at__gt=now,
    )


def tell_arrival(*, booking: Booking, eta: datetime, now: datetime | None = None) -> int:
    """Write the trip's first arrival time into its held "on the way" message and send it
    now; remember the time told, which "running late" starts from. How many were sent.

    Called by tracking inside the transaction that stores the trip's first ETA.
    """
    now = now or timezone.now()
    held = list(held_on_the_way(booking.pk, now=now).select_related("contact"))
    if not held:
        return 0
    [loaded] = load_for_messages(Booking.objects.filter(pk=booking.pk))
    portal = PortalSettings.load()
    extra = arrival(booking=loaded, eta=eta, now=now)
    released = 0
    for row in held:
        rendered = rendering.render(
            booking=loaded,
            message_type=MessageType.TRAVELING,
            channel=row.channel,
            contact=row.contact,
            language=row.language,
            portal=portal,
            extra=extra,
        )
        # Only while still held: a sender that took it meanwhile sends what it took.
        released += Notification.objects.filter(
            pk=row.pk, state=NotificationState.PENDING, attempts=0
        ).update(
            subject=rendered.subject,
            body=rendered.body,
            body_html=rendered.body_html,
            next_attempt_at=now,
        )
    if released:
        RunningLate.objects.filter(booking_id=booking.pk).update(told_eta=eta, told_at=now)
        wake_sender()
    return released
