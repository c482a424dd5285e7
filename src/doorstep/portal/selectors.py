"""What the customer portal's home page reads: a contact's visits, grouped as it shows them."""

from __future__ import annotations

from dataclasses import dataclass, field

from doorstep.customers.models import Contact
from doorstep.scheduling.models import BookingStatus
from doorstep.scheduling.selectors import Visit, account_bookings, visit


@dataclass
class Home:
    active: Visit | None = None
    upcoming: list[Visit] = field(default_factory=list)
    past: list[Visit] = field(default_factory=list)


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
