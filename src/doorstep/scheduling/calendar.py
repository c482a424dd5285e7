"""The .ics file behind "Add to calendar"."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from doorstep.configuration.models import PortalSettings
from doorstep.scheduling.models import Booking


def event_uid(booking: Booking) -> str:
    """The same for every file about this visit, so a calendar updates instead of duplicating."""
    host = urlsplit(settings.DOORSTEP_BASE_URL).hostname or "doorstep"
    return f"visit-{booking.reference}@{host}"


def visit_calendar(booking: Booking, *, method: str = "PUBLISH") -> bytes:
    """The visit as a calendar event: PUBLISH to download, REQUEST or CANCEL in messages.

    Every file about one visit has the same UID, and a higher SEQUENCE for each change,
    so calendars move or remove the event they already have.
    """
    portal = PortalSettings.load()
    work_order = booking.work_order
    calendar = Calendar()
    calendar.add("prodid", "-//Doorstep//Customer portal//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", event_uid(booking))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    event.add("summary", f"{work_order.incident_type.display_name} – {portal.company_name}")
    event.add("location", work_order.one_line_address)
    event.add(
        "description",
        f"Reference {booking.reference}. The technician arrives during this time window.",
    )
    canceled = method == "CANCEL" or booking.status == "canceled"
    event.add("status", "CANCELLED" if canceled else "CONFIRMED")
    event.add("sequence", int(booking.updated_at.timestamp()) if booking.updated_at else 0)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
