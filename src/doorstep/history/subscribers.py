"""What the service history does when something happens elsewhere."""

from __future__ import annotations

from doorstep.core.events import Event
from doorstep.history import tasks
from doorstep.scheduling.models import BookingStatus


def on_status_changed(event: Event) -> None:
    """A completed visit gets its service report from the worker (after the commit: the
    signature's file is written by then)."""
    if event.payload.get("to_status") == BookingStatus.COMPLETED:
        tasks.make_service_report.enqueue(event.payload["booking_id"])
