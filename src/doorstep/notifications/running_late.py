"""The "running late" message: fed by the ETA of a Traveling visit.

The tracking work computes ETAs and calls `check_running_late()` with each new one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from doorstep.configuration.models import PortalSettings
from doorstep.notifications import outbox
from doorstep.notifications.models import MessageType, Notification
from doorstep.scheduling.models import Booking, BookingStatus


def lateness_level(*, window_end: datetime, eta: datetime, margin: timedelta) -> int:
    """0 while on time; 1 once the ETA is past the window's end by more than the margin,
    2 once it is past by more than twice the margin, and so on."""
    if eta <= window_end + margin:
        return 0
    return int((eta - window_end) / margin)


@transaction.atomic
def check_running_late(*, booking: Booking, eta: datetime, now: datetime | None = None) -> bool:
    """Tell the customer when the technician will arrive after the window, once per slip.

    A message goes when the ETA passes the end of the arrival window by more than the
    configured margin, and again only when it slips by another margin. Returns whether
    a message was written.
    """
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != BookingStatus.TRAVELING:
        return False
    margin = timedelta(minutes=PortalSettings.load().running_late_margin_minutes)
    level = lateness_level(window_end=booking.end, eta=eta, margin=margin)
    if level == 0 or level <= _last_level(booking):
        return False
    rows = outbox.record(
        booking=booking, message_type=MessageType.RUNNING_LATE, version=f"late{level}", now=now
    )
    return bool(rows)


def _last_level(booking: Booking) -> int:
    keys = Notification.objects.filter(
        booking=booking, message_type=MessageType.RUNNING_LATE
    ).values_list("idempotency_key", flat=True)
    levels = [int(key.rsplit(":late", 1)[1]) for key in keys if ":late" in key]
    return max(levels, default=0)
