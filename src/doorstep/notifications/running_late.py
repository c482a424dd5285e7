"""The "running late" message: fed by the ETA of a Traveling visit.

Tracking works out ETAs and calls `check_running_late()` with each new one. What the
customer was told of the trip (the arrival time, how many slips) is kept per booking
(`RunningLate`), set afresh when the technician sets off.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.core import events
from doorstep.notifications import outbox
from doorstep.notifications.models import MessageType, RunningLate
from doorstep.notifications.on_the_way import arrival, held_on_the_way
from doorstep.scheduling.models import Booking, BookingStatus


def lateness_level(*, window_end: datetime, eta: datetime, margin: timedelta) -> int:
    """0 while on time; 1 once the ETA is past the window's end by more than the margin,
    2 once it is past by more than twice the margin, and so on."""
    if eta <= window_end + margin:
        return 0
    return int((eta - window_end) / margin)


def is_new_slip(
    *, window_end: datetime, eta: datetime, told_eta: datetime | None, margin: timedelta
) -> bool:
    """Whether the customer must hear of this ETA: it is past the window's end by more than
    the margin, and later than the arrival time they were last told by more than it."""
    late = lateness_level(window_end=window_end, eta=eta, margin=margin) > 0
    return late and (told_eta is None or eta > told_eta + margin)


@transaction.atomic
def check_running_late(*, booking: Booking, eta: datetime, now: datetime | None = None) -> bool:
    """Tell the customer when the technician will arrive after the window, once per slip.

    A message goes when the ETA passes the end of the arrival window by more than the
    configured margin and is later than the arrival time last told by more than the
    margin; never while the trip's "on the way" message waits for its arrival time.
    Returns whether a message was written.

    Two deciders at once (the ping's thread and the routing thread, or two processes)
    queue on the booking's row; were they not to, the slip's number in the message's
    idempotency key still lets the outbox's unique key keep one.
    """
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != BookingStatus.TRAVELING:
        return False
    now = now or timezone.now()
    margin = timedelta(minutes=PortalSettings.load().running_late_margin_minutes)
    told = RunningLate.objects.filter(booking=booking).first()
    told_eta = told.told_eta if told else None
    if not is_new_slip(window_end=booking.end, eta=eta, told_eta=told_eta, margin=margin):
        return False
    if held_on_the_way(booking.pk, now=now).exists():
        return False
    trip, slip = (told.trip, told.slips + 1) if told else (0, 1)
    rows = outbox.record(
        booking=booking,
        message_type=MessageType.RUNNING_LATE,
        version=f"trip{trip}-late{slip}",
        now=now,
        extra=arrival(booking=booking, eta=eta, now=now),
    )
    RunningLate.objects.update_or_create(
        booking=booking, defaults={"trip": trip, "told_eta": eta, "slips": slip, "told_at": now}
    )
    events.publish("booking.running_late", booking_id=booking.pk, eta=eta.isoformat(), slip=slip)
    return bool(rows)
