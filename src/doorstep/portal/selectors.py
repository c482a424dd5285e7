"""What the customer portal's home page reads: a contact's visits, grouped as it shows them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from doorstep.core.prepared import PreparedQuery
from doorstep.customers.models import Contact
from doorstep.scheduling.models import Booking, BookingStatus, TimelineNote
from doorstep.scheduling.selectors import Visit, account_bookings, visit

# The columns the home page shows of each visit, and nothing else: reading every column
# of the six tables took a third of the page's time. A template that shows one more must
# name it here, or it costs a query per visit (tests/portal/test_page_queries.py fails).
HOME_COLUMNS = (
    "status",
    "start",
    "end",
    "reference",
    "cancel_reason",
    "resource",
    "work_order",
    "work_order__address_line1",
    "work_order__address_line2",
    "work_order__city",
    "work_order__postal_code",
    "work_order__country",
    "work_order__account__time_zone",
    "work_order__incident_type__display_name",
    "work_order__incident_type__translations",
    "work_order__asset__name",
    "work_order__asset__serial_number",
    "resource__display_name",
    "resource__photo",
    "feedback__id",
)


@dataclass
class Home:
    active: Visit | None = None
    upcoming: list[Visit] = field(default_factory=list)
    past: list[Visit] = field(default_factory=list)


def _home_bookings(account_id: int) -> QuerySet[Booking]:
    return (
        account_bookings(Contact(account_id=account_id)).only(*HOME_COLUMNS).order_by("start", "pk")
    )


# Compiled once: building this six-table query cost the home page more than running it.
_account_home_bookings = PreparedQuery(_home_bookings, int)


def home(contact: Contact) -> Home:
    """The active visit (technician on the way), the upcoming ones and the past ones."""
    page = Home()
    for booking in _account_home_bookings(contact.account_id):
        entry = visit(booking)
        if booking.status == BookingStatus.TRAVELING and page.active is None:
            page.active = entry
        elif booking.status in (BookingStatus.COMPLETED, BookingStatus.CANCELED):
            page.past.append(entry)
        else:
            page.upcoming.append(entry)
    page.past.reverse()  # newest first
    return page


def customer_notes(booking: Booking) -> list[TimelineNote]:
    """The notes the customer may read: their own comments and the office's, oldest first."""
    return list(
        TimelineNote.objects.filter(work_order_id=booking.work_order_id, customer_visible=True)
        .only("text", "author_id", "created_at")
        .order_by("created_at", "pk")
    )


# Not canceled, not done: what is still to come for a piece of equipment.
UPCOMING = (BookingStatus.SCHEDULED, BookingStatus.TRAVELING, BookingStatus.IN_PROGRESS)


def equipment_upcoming(contact: Contact, *, asset_id: int) -> list[Visit]:
    """The visits still to come for one of the account's pieces of equipment, soonest
    first, in one query however many."""
    bookings = (
        account_bookings(contact)
        .filter(work_order__asset_id=asset_id, status__in=UPCOMING)
        .only(*HOME_COLUMNS)
        .order_by("start", "pk")
    )
    return [visit(booking) for booking in bookings]
