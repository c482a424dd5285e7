"""The .ics file behind "Add to calendar", and attached to the messages that change a visit."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress

from doorstep.configuration.models import PortalSettings
from doorstep.scheduling.models import Booking


@dataclass(frozen=True)
class Attendee:
    """The person a calendar file is sent to."""

    email: str
    name: str = ""


def event_uid(booking: Booking) -> str:
    """The same for every file about this visit, so a calendar updates instead of duplicating."""
    host = urlsplit(settings.DOORSTEP_BASE_URL).hostname or "doorstep"
    return f"visit-{booking.reference}@{host}"


def organizer(portal: PortalSettings) -> vCalAddress:
    """The company, as the organizer of its visits: its contact email, else the sender's."""
    email = portal.contact_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = portal.word("company_name", translation.get_language())
    return address


def attendee_address(attendee: Attendee) -> vCalAddress:
    address = vCalAddress(f"mailto:{attendee.email}")
    if attendee.name:
        address.params["cn"] = attendee.name
    address.params["role"] = "REQ-PARTICIPANT"
    address.params["partstat"] = "ACCEPTED"
    # The visit is booked already: no reply is asked for, and none would be read.
    address.params["rsvp"] = "FALSE"
    return address


def visit_calendar(
    booking: Booking,
    *,
    method: str = "PUBLISH",
    sequence: int = 0,
    attendee: Attendee | None = None,
) -> bytes:
    """The visit as a calendar event: PUBLISH to download, REQUEST or CANCEL in messages.

    Every file about one visit has the same UID, and `sequence` counts the versions sent
    (0 for the first), so calendars move or remove the event they already have. The
    company is the ORGANIZER; a REQUEST or CANCEL names its recipient as the ATTENDEE,
    as RFC 5546 requires.
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
    company = portal.word("company_name", translation.get_language())
    event.add("summary", f"{work_order.incident_type.shown_name} – {company}")
    event.add("location", work_order.one_line_address)
    event.add(
        "description",
        gettext("Reference %(reference)s. The technician arrives during this time window.")
        % {"reference": booking.reference},
    )
    event.add("organizer", organizer(portal))
    if attendee is not None:
        event.add("attendee", attendee_address(attendee))
    canceled = method == "CANCEL" or booking.status == "canceled"
    event.add("status", "CANCELLED" if canceled else "CONFIRMED")
    event.add("sequence", sequence)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
