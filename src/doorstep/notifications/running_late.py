"""The "running late" message: fed by the ETA of a Traveling visit.

Tracking works out ETAs and calls `check_running_late()` with each new one; the level the
customer was last told of is kept per booking (`RunningLate`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.notifications import outbox
from doorstep.notifications.models import MessageType, RunningLate
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
    told = RunningLate.objects.filter(booking=booking).first()
    if level == 0 or (told is not None and level <= told.level):
        return False
    now = now or timezone.now()
    rows = outbox.record(
        booking=booking, message_type=MessageType.RUNNING_LATE, version=f"late{level}", now=now
    )
    RunningLate.objects.update_or_create(booking=booking, defaults={"level": level, "told_at": now})
    return bool(rows)
