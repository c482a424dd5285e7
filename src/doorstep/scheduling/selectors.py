"""Read queries for scheduling: the free times a customer can book.

`available_slots()` loads what the slot engine (`scheduling.slots`) needs in a fixed number
of queries, whatever the number of technicians and bookings, and lets the engine decide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, FloatField, OuterRef, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from doorstep.catalog.models import IncidentType, IncidentTypeSkill
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.scheduling.models import Booking
from doorstep.scheduling.slots import Slot, SlotRequest, Stop, Technician, find_slots
from doorstep.scheduling.travel import Point, TravelEstimator, default_estimator
from doorstep.workforce.models import Resource, ResourceSkill, TimeOff, WorkingHours

# Bookings and time off this far either side of the requested days are loaded too: the
# technician's previous and next stops on a visit's day may lie just outside them.
MARGIN = timedelta(days=1)


def bookable_days(
    *, time_zone: str, now: datetime, portal_settings: PortalSettings | None = None
) -> tuple[date, date]:
    """The first and last day a customer may book, as dates in the visit's time zone."""
    portal_settings = portal_settings or PortalSettings.load()
    today = now.astimezone(ZoneInfo(time_zone)).date()
    return (
        today + timedelta(days=portal_settings.minimum_lead_days),
        today + timedelta(days=portal_settings.maximum_lead_days),
    )


def slot_request_for(
    *,
    incident_type: IncidentType,
    location: Point,
    time_zone: str,
    first_day: date,
    last_day: date,
    now: datetime,
    ignore_booking_id: int | None = None,
    portal_settings: PortalSettings | None = None,
) -> SlotRequest:
    """The engine's request for a visit of this service type, within the lead times.

    Days before the earliest or after the latest bookable day are dropped, so no caller
    offers a time the portal settings forbid. One query, and one for the portal settings
    unless given (or cached).
    """
    portal_settings = portal_settings or PortalSettings.load()
    earliest, latest = bookable_days(time_zone=time_zone, now=now, portal_settings=portal_settings)
    required = dict(
        IncidentTypeSkill.objects.filter(incident_type=incident_type)
        .order_by()
        .values_list("skill_id", "minimum_proficiency")
    )
    return SlotRequest(
        location=location,
        duration=timedelta(minutes=incident_type.estimated_duration_minutes),
        time_zone=time_zone,
        first_day=max(first_day, earliest),
        last_day=min(last_day, latest),
        now=now,
        slot_length=timedelta(minutes=portal_settings.slot_length_minutes),
        required_skills=required,
        max_travel_radius_km=portal_settings.maximum_travel_radius_km,
        ignore_booking_id=ignore_booking_id,
    )


def technicians_for(
    *, request: SlotRequest, technician_ids: Collection[int] | None = None
) -> list[Technician]:
    """The active technicians with every required skill, as the engine sees them.

    With their skill levels, working hours, and the time off and open bookings that
    overlap the request's days (± one day). `technician_ids` narrows the search, for
    example to the one technician a booking service has just locked. At most five
    queries, however many technicians and bookings there are.
    """
    zone = ZoneInfo(request.time_zone)
    horizon_start = datetime.combine(request.first_day, time(0), tzinfo=zone) - MARGIN
    horizon_end = datetime.combine(request.last_day + timedelta(days=1), time(0), tzinfo=zone)
    horizon_end += MARGIN

    resources = Resource.objects.active()
    for skill_id, minimum in request.required_skills.items():
        resources = resources.filter(
            Exists(
                ResourceSkill.objects.filter(
                    resource=OuterRef("pk"), skill_id=skill_id, proficiency__gte=minimum
                )
            )
        )
    if technician_ids is not None:
        resources = resources.filter(pk__in=technician_ids)
    rows = list(
        resources.order_by("pk").values_list(
            "pk",
            # Floats straight from the database: making thousands of Decimals only to turn
            # them into floats was a fifth of a one-day search.
            Cast("home_latitude", FloatField()),
            Cast("home_longitude", FloatField()),
            "time_zone",
        )
    )
    if not rows:
        return []
    # The technicians again as a subquery rather than a list of ids: the database filters
    # as fast, and Django does not prepare hundreds of parameters four times over.
    chosen = resources.values("pk")
    home_of = {pk: Point(lat, lon) for pk, lat, lon, _ in rows}

    skills: dict[int, dict[int, int]] = defaultdict(dict)
    for resource_id, skill_id, proficiency in (
        ResourceSkill.objects.filter(
            resource_id__in=chosen, skill_id__in=list(request.required_skills)
        )
        .order_by()
        .values_list("resource_id", "skill_id", "proficiency")
    ):
        skills[resource_id][skill_id] = proficiency

    hours: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(lambda: defaultdict(list))
    for resource_id, weekday, start_time, end_time in (
        WorkingHours.objects.filter(resource_id__in=chosen)
        .order_by()
        .values_list("resource_id", "weekday", "start_time", "end_time")
    ):
        hours[resource_id][weekday].append((start_time, end_time))

    time_off: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for resource_id, start, end in (
        TimeOff.objects.filter(resource_id__in=chosen, start__lt=horizon_end, end__gt=horizon_start)
        .order_by()
        .values_list("resource_id", "start", "end")
    ):
        time_off[resource_id].append((start, end))

    stops: dict[int, list[Stop]] = defaultdict(list)
    for booking_id, resource_id, start, end, latitude, longitude in (
        Booking.objects.open()
        .filter(resource_id__in=chosen)
        .overlapping(horizon_start.astimezone(UTC), horizon_end.astimezone(UTC))
        .order_by()  # the engine sorts each technician's stops itself
        .values_list(
            "pk",
            "resource_id",
            "start",
            "end",
            Cast("work_order__latitude", FloatField()),
            Cast("work_order__longitude", FloatField()),
        )
    ):
        # A work order not yet placed on the map counts as being at the technician's home
        # base: a typical trip for them, rather than none at all.
        place = (
            home_of[resource_id]
            if latitude is None or longitude is None
            else Point(latitude, longitude)
        )
        stops[resource_id].append(Stop(start, end, place, booking_id))

    return [
        Technician(
            id=pk,
            home_base=home_of[pk],
            time_zone=time_zone,
            skills=skills[pk],
            working_hours={weekday: tuple(intervals) for weekday, intervals in hours[pk].items()},
            time_off=tuple(time_off[pk]),
            bookings=tuple(stops[pk]),
        )
        for pk, _, _, time_zone in rows
    ]


def available_slots(
    *,
    incident_type: IncidentType,
    location: Point,
    time_zone: str,
    first_day: date,
    last_day: date,
    now: datetime,
    ignore_booking_id: int | None = None,
    travel: TravelEstimator | None = None,
    portal_settings: PortalSettings | None = None,
) -> list[Slot]:
    """Every start time a qualified technician can keep for a visit at `location`.

    `first_day` and `last_day` are dates in the visit's `time_zone` and are narrowed to the
    bookable days of the portal settings. `ignore_booking_id` is the booking being moved.
    At most seven queries (two for the request, the portal settings among them unless
    given or cached; five for the technicians), whatever the number of technicians and
    bookings.
    """
    request = slot_request_for(
        portal_settings=portal_settings,
        incident_type=incident_type,
        location=location,
        time_zone=time_zone,
        first_day=first_day,
        last_day=last_day,
        now=now,
        ignore_booking_id=ignore_booking_id,
    )
    if request.first_day > request.last_day:
        return []
    technicians = technicians_for(request=request)
    return find_slots(request, technicians, travel or default_estimator(time_zone))


def booking_fit_warnings(
    *, resource: Resource, incident_type: IncidentType, start: datetime, end: datetime
) -> list[str]:
    """Why this technician is a poor fit for a visit the office books by hand; [] if none.

    The customers' booking pages only offer technicians with the skills, at work and not
    off; the office may book anyone (an emergency, a trainee shadowing), so the back
    office saves the booking and shows these as warnings. Four queries.
    """
    warnings: list[str] = []
    name = resource.display_name
    levels = dict(
        ResourceSkill.objects.filter(resource=resource).values_list("skill_id", "proficiency")
    )
    for required in IncidentTypeSkill.objects.filter(incident_type=incident_type).select_related(
        "skill"
    ):
        has = levels.get(required.skill_id, 0)
        if has < required.minimum_proficiency:
            having = f"has level {has}" if has else "does not have it"
            warnings.append(
                f"{name} is not qualified for {incident_type.name}: it needs "
                f"“{required.skill.name}” at level {required.minimum_proficiency}, "
                f"and {name} {having}."
            )

    zone = ZoneInfo(resource.time_zone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    shown = f"{local_start:%A %H:%M}–{local_end:%H:%M} ({resource.time_zone})"
    intervals: list[tuple[time, time]] = []
    for opens, closes in (
        WorkingHours.objects.filter(resource=resource, weekday=local_start.weekday())
        .order_by("start_time")
        .values_list("start_time", "end_time")
    ):
        if intervals and opens <= intervals[-1][1]:  # back to back: one stretch of work
            intervals[-1] = (intervals[-1][0], max(closes, intervals[-1][1]))
        else:
            intervals.append((opens, closes))
    if not intervals:
        warnings.append(f"{name} does not work on {local_start:%A}s: the visit is {shown}.")
    elif local_start.date() != local_end.date() or not any(
        opens <= local_start.time() and local_end.time() <= closes for opens, closes in intervals
    ):
        hours = ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in intervals)
        warnings.append(
            f"The visit, {shown}, is outside {name}'s working hours on {local_start:%A}s ({hours})."
        )

    for off in TimeOff.objects.filter(resource=resource, start__lt=end, end__gt=start):
        warnings.append(
            f"{name} is off from {off.start.astimezone(zone):%Y-%m-%d %H:%M} to "
            f"{off.end.astimezone(zone):%Y-%m-%d %H:%M}"
            + (f" ({off.reason})" if off.reason else "")
            + "."
        )
    return warnings


# --- visits as customers and technicians read them -------------------------------------


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
        return self.booking.work_order.incident_type.shown_name

    @property
    def asset(self) -> str:
        asset = self.booking.work_order.asset
        return str(asset) if asset is not None else ""

    @property
    def address(self) -> str:
        return self.booking.work_order.one_line_address


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
