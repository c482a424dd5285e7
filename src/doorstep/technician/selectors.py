"""What the technician app reads: a technician's visits today and tomorrow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from doorstep.customers.models import Contact
from doorstep.scheduling.models import Booking, BookingStatus, TimelineNote
from doorstep.scheduling.selectors import Visit, visit
from doorstep.workforce.models import Resource


@dataclass(frozen=True)
class Move:
    """A status change the technician may make, as its button shows it."""

    status: str
    label: str | Promise  # in the page's language
    primary: bool = False
    needs_note: bool = False


# The moves a technician makes from the app, in the order their buttons appear. Canceling
# is the office's decision (it needs a reason the customer reads), so it is not offered.
TECHNICIAN_MOVES: tuple[Move, ...] = (
    Move(BookingStatus.TRAVELING, gettext_lazy("On my way"), primary=True),
    Move(BookingStatus.IN_PROGRESS, gettext_lazy("Start work"), primary=True),
    Move(BookingStatus.COMPLETED, gettext_lazy("Complete"), primary=True, needs_note=True),
    Move(BookingStatus.SCHEDULED, gettext_lazy("Turn back")),
)
TECHNICIAN_STATUSES = frozenset(move.status for move in TECHNICIAN_MOVES)


@dataclass(frozen=True)
class TechnicianVisit:
    """One booking as the technician needs it on the doorstep."""

    visit: Visit
    moves: list[Move]
    notes: list[TimelineNote]

    @property
    def booking(self) -> Booking:
        return self.visit.booking

    @property
    def customer(self) -> Contact | None:
        """Who to ask for: the person who reported the work, else the account's main contact."""
        work_order = self.booking.work_order
        return work_order.reported_by or work_order.account.primary_contact

    @property
    def geo_url(self) -> str:
        """A geo: link, which Android hands to the phone's navigation app."""
        work_order = self.booking.work_order
        label = quote(self.visit.address)
        if work_order.coordinates is None:
            return f"geo:0,0?q={label}"
        lat, lon = work_order.coordinates
        return f"geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}({label})"

    @property
    def maps_url(self) -> str:
        """Directions on the web, for phones that do not open geo: links (iPhones)."""
        coordinates = self.booking.work_order.coordinates
        destination = (
            f"{coordinates[0]:.6f},{coordinates[1]:.6f}" if coordinates else self.visit.address
        )
        return "https://www.google.com/maps/dir/?" + urlencode(
            {"api": "1", "destination": destination}
        )


@dataclass
class Day:
    date: datetime
    visits: list[TechnicianVisit] = field(default_factory=list)


@dataclass
class Agenda:
    today: Day
    tomorrow: Day

    @property
    def traveling(self) -> bool:
        """Whether a visit is Traveling: the page then shares the phone's location."""
        return any(
            entry.booking.status == BookingStatus.TRAVELING
            for day in (self.today, self.tomorrow)
            for entry in day.visits
        )


def agenda(technician: Resource, *, now: datetime | None = None) -> Agenda:
    """Today's and tomorrow's visits of the technician, each in order of start.

    "Today" is the technician's own day. A visit from an earlier day that is still under
    way (Traveling or In Progress) is listed under today, so it can still be finished.
    """
    zone = ZoneInfo(technician.time_zone)
    local_now = timezone.localtime(now or timezone.now(), zone)
    today_start = datetime.combine(local_now.date(), time(), tzinfo=zone)
    tomorrow_start = datetime.combine(local_now.date() + timedelta(days=1), time(), tzinfo=zone)
    day_after_start = datetime.combine(local_now.date() + timedelta(days=2), time(), tzinfo=zone)
    bookings = (
        Booking.objects.filter(resource_id=technician.pk, start__lt=day_after_start)
        .filter(
            Q(start__gte=today_start)
            | Q(status__in=[BookingStatus.TRAVELING, BookingStatus.IN_PROGRESS])
        )
        .select_related(
            "work_order__incident_type",
            "work_order__asset",
            "work_order__account__primary_contact",
            "work_order__reported_by",
        )
        .prefetch_related(
            Prefetch(
                "work_order__notes",
                queryset=TimelineNote.objects.filter(customer_visible=True).order_by(
                    "created_at", "pk"
                ),
                to_attr="customer_visible_notes",
            )
        )
        .order_by("start", "pk")
    )
    page = Agenda(today=Day(today_start), tomorrow=Day(tomorrow_start))
    for booking in bookings:
        allowed = set(booking.allowed_moves())
        entry = TechnicianVisit(
            visit=visit(booking),
            moves=[move for move in TECHNICIAN_MOVES if move.status in allowed],
            notes=booking.work_order.customer_visible_notes,  # type: ignore[attr-defined]
        )
        (page.today if booking.start < tomorrow_start else page.tomorrow).visits.append(entry)
    return page
