"""What the booking page offers: the bookable days, and the free times of the chosen day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from doorstep.catalog.models import IncidentType
from doorstep.configuration.models import PortalSettings
from doorstep.core.errors import DomainError
from doorstep.customers.models import Asset, Contact
from doorstep.scheduling import selectors, self_scheduling
from doorstep.scheduling.models import Booking
from doorstep.scheduling.slots import Slot, slots_by_day

NEAREST_ALTERNATIVES = 3


@dataclass
class Availability:
    """The bookable days for the chosen service and place, and the times of the chosen day."""

    days: list[tuple[date, bool]] = field(default_factory=list)  # (day, has free times)
    times: list[Slot] = field(default_factory=list)
    day: date | None = None
    place: str = ""
    problem: str = ""
    # On the days clocks change, the same wall-clock time can occur twice: then each
    # time shows its zone abbreviation (MDT, MST) so the two can be told apart.
    clock_changes: bool = False
    choices: list[tuple[Slot, str]] = field(default_factory=list)  # each time and its label
    all_slots: list[Slot] = field(default_factory=list)  # every free time of every day


def availability_for(
    *,
    contact: Contact,
    portal: PortalSettings,
    service_type: IncidentType | None,
    asset: Asset | None,
    day: date | None,
    booking: Booking | None = None,
) -> Availability:
    """Where the visit will be, and what can be booked there for the choices made so far.

    `booking` is the visit being moved: its own time counts as free.
    """
    found = Availability(day=day)
    account = contact.account
    place = self_scheduling.visit_place(account=account, asset=asset)
    if booking is not None:
        place_text = booking.work_order.one_line_address
    else:
        place_text = place.one_line_address
    found.place = place_text
    if service_type is None:
        return found
    now = timezone.now()
    try:
        location = self_scheduling.visit_point(booking.work_order if booking else place)
    except DomainError as refusal:
        found.problem = refusal.message
        return found
    first, last = selectors.bookable_days(
        time_zone=account.time_zone, now=now, portal_settings=portal
    )
    slots = selectors.available_slots(
        portal_settings=portal,
        incident_type=service_type,
        location=location,
        time_zone=account.time_zone,
        first_day=first,
        last_day=last,
        now=now,
        ignore_booking_id=booking.pk if booking else None,
    )
    found.all_slots = slots
    by_day = slots_by_day(slots, account.time_zone)
    found.days = [
        (first + timedelta(days=n), first + timedelta(days=n) in by_day)
        for n in range((last - first).days + 1)
    ]
    if day is not None:
        found.times = by_day.get(day, [])
        zone = ZoneInfo(account.time_zone)
        found.clock_changes = clock_changes(found.times, zone)
        found.choices = [
            (slot, time_label(slot, zone, with_zone=found.clock_changes)) for slot in found.times
        ]
    return found


def mark_current_time(availability: Availability, booking: Booking | None) -> None:
    """On the day of the visit being moved, its own time is a choice (the page marks it).

    Offered or not (a time booked by the office may sit off the portal's grid), so that
    the page can show it chosen; choosing it again changes nothing.
    """
    if booking is None or availability.day is None:
        return
    zone = ZoneInfo(booking.work_order.account.time_zone)
    if booking.start.astimezone(zone).date() != availability.day:
        return
    choices = list(availability.choices)
    if not any(slot.start == booking.start for slot, _label in choices):
        current = Slot(
            start=booking.start,
            end=booking.end,
            technician_id=booking.resource_id or 0,
            added_travel=timedelta(0),
        )
        label = time_label(current, zone, with_zone=availability.clock_changes)
        choices = sorted([*choices, (current, label)], key=lambda c: c[0].start)
    availability.choices = choices


def zone_name(zone: ZoneInfo) -> str:
    """America/New_York reads "New York"."""
    return zone.key.rsplit("/", 1)[-1].replace("_", " ")


def clock_changes(times: list[Slot], zone: ZoneInfo) -> bool:
    offsets = {
        moment.astimezone(zone).utcoffset() for slot in times for moment in (slot.start, slot.end)
    }
    return len(offsets) > 1


def time_label(slot: Slot, zone: ZoneInfo, *, with_zone: bool) -> str:
    """09:00–10:00; on a day the clocks change, 01:00 MDT–01:00 MST."""
    return selectors.window_label(slot.start, slot.end, zone, with_zone=with_zone)


def nearest(slots: list[Slot], wanted: datetime, zone: ZoneInfo) -> list[tuple[Slot, str]]:
    """The free times closest to the one just taken, on any bookable day, with their day."""
    others = [slot for slot in slots if slot.start != wanted]
    closest = sorted(others, key=lambda slot: abs(slot.start - wanted))[:NEAREST_ALTERNATIVES]
    return [
        (
            slot,
            f"{slot.start.astimezone(zone):%A %-d %B}, "
            + time_label(slot, zone, with_zone=clock_changes([slot], zone)),
        )
        for slot in sorted(closest)
    ]
