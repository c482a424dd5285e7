"""What the customer portal reads: a contact's visits, grouped the way the home page shows them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from doorstep.customers.models import Contact
from doorstep.scheduling.models import Booking, BookingStatus


def window_label(start: datetime, end: datetime, zone: ZoneInfo, *, with_zone: bool) -> str:
    """09:00–10:00; on a day the clocks change, 01:00 MDT–01:00 MST.

    The zone's abbreviation comes from the datetime itself: Django's date format "T" is
    empty for the repeated hour, exactly when it is needed.
    """
    start, end = start.astimezone(zone), end.astimezone(zone)
    if with_zone:
        return f"{start:%H:%M} {start.tzname()}–{end:%H:%M} {end.tzname()}"
    return f"{start:%H:%M}–{end:%H:%M}"


@dataclass(frozen=True)
class Visit:
    """One booking as the customer sees it, with times in the visit's time zone."""

    booking: Booking
    start: datetime
    end: datetime

    @property
    def window(self) -> str:
        """The time window with its zone: 09:00–10:00 MST, or 01:00 MDT–01:00 MST."""
        zone = self.start.tzinfo
        if self.start.utcoffset() != self.end.utcoffset() or not isinstance(zone, ZoneInfo):
            return window_label(self.start, self.end, ZoneInfo(str(zone)), with_zone=True)
        return f"{window_label(self.start, self.end, zone, with_zone=False)} {self.start.tzname()}"

    @property
    def service_type(self) -> str:
        return self.booking.work_order.incident_type.display_name

    @property
    def asset(self) -> str:
        asset = self.booking.work_order.asset
        return str(asset) if asset is not None else ""

    @property
    def address(self) -> str:
        return self.booking.work_order.one_line_address


@dataclass
class Home:
    active: Visit | None = None
    upcoming: list[Visit] = field(default_factory=list)
    past: list[Visit] = field(default_factory=list)


def account_bookings(contact: Contact) -> QuerySet[Booking]:
    """Every booking of the contact's account, and nothing of any other account."""
    return Booking.objects.filter(work_order__account_id=contact.account_id).select_related(
        "work_order__incident_type",
        "work_order__asset",
        "work_order__account",
        "resource",
        "feedback",  # whether a past visit was rated, without a query per visit
    )


def visit(booking: Booking) -> Visit:
    zone = ZoneInfo(booking.work_order.account.time_zone)
    return Visit(
        booking=booking,
        start=timezone.localtime(booking.start, zone),
        end=timezone.localtime(booking.end, zone),
    )


def home(contact: Contact) -> Home:
    """The active visit (technician on the way), the upcoming ones and the past ones."""
    page = Home()
    for booking in account_bookings(contact).order_by("start", "pk"):
        entry = visit(booking)
        if booking.status == BookingStatus.TRAVELING and page.active is None:
            page.active = entry
        elif booking.status in (BookingStatus.COMPLETED, BookingStatus.CANCELED):
            page.past.append(entry)
        else:
            page.upcoming.append(entry)
    page.past.reverse()  # newest first
    return page
