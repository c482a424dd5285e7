"""The availability engine: which start times a qualified technician can really keep.

Plain data in, slots out: no ORM, no clock, no settings (`scheduling.selectors` loads the
data). A start time is offered when at least one active technician with every required
skill, at the required proficiency, can do the whole visit

- inside one of their working-hours intervals (wall-clock times in their own zone on
  that date);
- without overlapping any of their open bookings or time off, with time to travel there
  from the previous stop and on to the next one;
- within the maximum travel radius of their home base (0 = no limit);

and it is not before `now`. Of those technicians, the one whose day gains the least travel
gets it (the lowest id on a tie, so the answer never depends on input order).

A technician's day runs from leaving home to getting back: at the start of the day the
previous stop is the home base, left no earlier than the start of their working hours, and
at the end of the day the next stop is the home base, to be reached by the end of their
working hours. "Day" is the technician's local date; a booking on that date outside
working hours (one the office squeezed in) is still a stop. Time off counts as a stop at
the home base: the technician must be home when it starts and sets off from home when it
ends (a doctor's appointment or a half day's leave, wherever it is spent, starts and ends
about there).

Start times lie on a wall-clock grid of the slot length from local midnight in the visit's
time zone, so customers see the same times every day: on the day daylight saving time
starts, a time that does not exist (02:00 in Denver) is skipped; on the day it ends, a time
that happens twice (01:00 in Denver) is two distinct slots, one hour apart.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from doorstep.scheduling.travel import Point, TravelEstimator, great_circle_km

__all__ = [
    "Point",
    "Slot",
    "SlotRequest",
    "Stop",
    "Technician",
    "TimeRange",
    "days_with_slots",
    "find_slots",
    "is_offered_start",
    "slot_candidates",
    "slot_is_free",
    "slots_by_day",
]

ONE_DAY = timedelta(days=1)
ZERO = timedelta(0)

TimeRange = tuple[datetime, datetime]
"""A half-open period [start, end) as two aware datetimes."""


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime.")


@dataclass(frozen=True, slots=True)
class Stop:
    """A period a technician is busy at a place: an open booking."""

    start: datetime
    end: datetime
    location: Point
    booking_id: int | None = None

    def __post_init__(self) -> None:
        _require_aware(self.start, "A stop's start")
        _require_aware(self.end, "A stop's end")
        if self.end <= self.start:
            raise ValueError("A stop must end after it starts.")


@dataclass(frozen=True)
class Technician:
    """What the engine knows of one technician.

    `skills` maps skill id to proficiency (1–5). `working_hours` maps weekday (0 = Monday)
    to intervals of wall-clock times in `time_zone`. `time_off` and `bookings` may hold
    anything; only what touches the request's days matters.
    """

    id: int
    home_base: Point
    time_zone: str
    skills: Mapping[int, int] = field(default_factory=dict)
    working_hours: Mapping[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    time_off: tuple[TimeRange, ...] = ()
    bookings: tuple[Stop, ...] = ()
    active: bool = True

    def __post_init__(self) -> None:
        ZoneInfo(self.time_zone)  # refuses an unknown zone now rather than mid-search
        for weekday, intervals in self.working_hours.items():
            if not 0 <= weekday <= 6:
                raise ValueError(f"Weekdays go from 0 (Monday) to 6 (Sunday), not {weekday}.")
            for opens, closes in intervals:
                if closes <= opens:
                    raise ValueError("Working hours must end after they start.")
        for start, end in self.time_off:
            _require_aware(start, "Time off's start")
            _require_aware(end, "Time off's end")
            if end <= start:
                raise ValueError("Time off must end after it starts.")

    def has_skills(self, required: Mapping[int, int]) -> bool:
        return all(self.skills.get(skill, 0) >= level for skill, level in required.items())


@dataclass(frozen=True)
class SlotRequest:
    """What the customer asks for: a visit of `duration` at `location` on these days.

    `first_day` and `last_day` are dates in the visit's `time_zone`. `required_skills` maps
    skill id to the minimum proficiency. `ignore_booking_id` is the booking being moved,
    which must not block its own new time.
    """

    location: Point
    duration: timedelta
    time_zone: str
    first_day: date
    last_day: date
    now: datetime
    slot_length: timedelta = timedelta(hours=1)
    required_skills: Mapping[int, int] = field(default_factory=dict)
    max_travel_radius_km: float = 0
    ignore_booking_id: int | None = None

    def __post_init__(self) -> None:
        _require_aware(self.now, "`now`")
        ZoneInfo(self.time_zone)
        if self.duration <= ZERO:
            raise ValueError("A visit must last some time.")
        if not ZERO < self.slot_length <= ONE_DAY:
            raise ValueError("The slot length must be between one second and one day.")
        if self.max_travel_radius_km < 0:
            raise ValueError("The travel radius cannot be negative (0 means no limit).")


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    """A start time offered to the customer, and the technician it would go to."""

    start: datetime
    end: datetime
    technician_id: int
    added_travel: timedelta


# --- the grid ------------------------------------------------------------------------------


def _visit_span(request: SlotRequest) -> TimeRange:
    """From local midnight of the first day to local midnight after the last, in UTC."""
    zone = ZoneInfo(request.time_zone)
    return (
        _wall_to_utc(request.first_day, time(0), zone),
        _wall_to_utc(request.last_day + ONE_DAY, time(0), zone),
    )


def _wall_to_utc(day: date, clock: time, zone: ZoneInfo) -> datetime:
    # fold=0: a time that happens twice means its first occurrence, and a time that does
    # not exist means the same clock reading before the change (02:30 → 03:30 in spring).
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _grid(request: SlotRequest) -> list[datetime]:
    """Every offered-if-free start time, in UTC, in order, none before `now`."""
    zone = ZoneInfo(request.time_zone)
    length = request.slot_length
    starts: set[datetime] = set()
    day = request.first_day
    while day <= request.last_day:
        midnight = datetime.combine(day, time(0))
        offset = ZERO
        while offset < ONE_DAY:
            wall = midnight + offset
            for fold in (0, 1):
                moment = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
                # A wall time inside the spring-forward gap does not come back unchanged.
                if moment.astimezone(zone).replace(tzinfo=None) == wall:
                    starts.add(moment)
            offset += length
        day += ONE_DAY
    return sorted(start for start in starts if start >= request.now)


def is_offered_start(request: SlotRequest, start: datetime) -> bool:
    """Whether `start` is a start time of the request's grid, on its days, not before now."""
    _require_aware(start, "A slot's start")
    if start < request.now:
        return False
    local = start.astimezone(ZoneInfo(request.time_zone))
    if not request.first_day <= local.date() <= request.last_day:
        return False
    since_midnight = timedelta(
        hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond
    )
    return since_midnight % request.slot_length == ZERO


# --- one technician's calendar, prepared for fast look-ups ---------------------------------


@dataclass(frozen=True, slots=True)
class _Shift:
    """One merged working-hours interval, with the bounds of its working day."""

    start: datetime
    end: datetime
    day_start: datetime  # start of the first interval that date: leaving home
    day_end: datetime  # end of the last interval that date: back home
    midnight: datetime  # the date's local midnight, and the next one
    next_midnight: datetime


class _Calendar:
    """A technician's shifts and stops (bookings and time off), sorted once for bisecting."""

    __slots__ = (
        "busy_end",
        "busy_latest",
        "shift_starts",
        "shifts",
        "stop_starts",
        "stops",
        "technician",
    )

    def __init__(
        self,
        technician: Technician,
        request: SlotRequest,
        span: TimeRange,
        wall_cache: dict[tuple[str, date, time], datetime],
    ) -> None:
        self.technician = technician
        self.shifts = _shifts(technician, request, span, wall_cache)
        self.shift_starts = [shift.start for shift in self.shifts]

        home = technician.home_base
        stops = sorted(
            [
                *(
                    stop
                    for stop in technician.bookings
                    if stop.booking_id is None or stop.booking_id != request.ignore_booking_id
                ),
                *(Stop(start, end, home) for start, end in technician.time_off),
            ],
            key=lambda stop: (stop.start, stop.end),
        )
        self.stops = stops
        self.stop_starts = [stop.start for stop in stops]
        # busy_end[i]: the latest end among stops[0..i]; busy_latest[i]: which stop that is.
        # Stops may overlap one another (the office can double-book), so the stop just
        # before a time is not always the one that ends last.
        self.busy_end: list[datetime] = []
        self.busy_latest: list[int] = []
        for index, stop in enumerate(stops):
            if index and self.busy_end[-1] >= stop.end:
                self.busy_end.append(self.busy_end[-1])
                self.busy_latest.append(self.busy_latest[-1])
            else:
                self.busy_end.append(stop.end)
                self.busy_latest.append(index)

    def shift_holding(self, start: datetime, end: datetime) -> _Shift | None:
        index = bisect_right(self.shift_starts, start) - 1
        if index < 0 or self.shifts[index].end < end:
            return None
        return self.shifts[index]


def _shifts(
    technician: Technician,
    request: SlotRequest,
    span: TimeRange,
    wall_cache: dict[tuple[str, date, time], datetime],
) -> list[_Shift]:
    """The technician's working intervals in UTC on every local date the visits can touch."""
    zone = ZoneInfo(technician.time_zone)
    first = span[0].astimezone(zone).date()
    last = (span[1] + request.duration).astimezone(zone).date()

    def utc(day: date, clock: time) -> datetime:
        key = (technician.time_zone, day, clock)
        moment = wall_cache.get(key)
        if moment is None:
            moment = wall_cache[key] = _wall_to_utc(day, clock, zone)
        return moment

    shifts: list[_Shift] = []
    day = first
    while day <= last:
        intervals = sorted(technician.working_hours.get(day.weekday(), ()))
        merged: list[list[datetime]] = []
        for start_clock, end_clock in intervals:
            start, end = utc(day, start_clock), utc(day, end_clock)
            if end <= start:  # an interval swallowed by a spring-forward gap
                continue
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        if merged:
            midnight, next_midnight = utc(day, time(0)), utc(day + ONE_DAY, time(0))
            day_start, day_end = merged[0][0], merged[-1][1]
            shifts.extend(
                _Shift(start, end, day_start, day_end, midnight, next_midnight)
                for start, end in merged
            )
        day += ONE_DAY
    return shifts


# --- fitting one visit into one technician's day ---------------------------------------------


class _Fitter:
    """Checks visits at one place against calendars, remembering trips already estimated.

    Within a gap between two stops, the trip from the previous stop and the trip that the
    visit would save (previous → next) leave at the same time whatever the visit's start,
    so each is estimated once per gap rather than once per start time.
    """

    __slots__ = ("_cache", "location", "request", "travel")

    def __init__(self, request: SlotRequest, travel: TravelEstimator) -> None:
        self.request = request
        self.location = request.location
        self.travel = travel
        self._cache: dict[tuple[object, ...], timedelta] = {}

    def _trip(
        self, key: tuple[object, ...], origin: Point, to: Point, leave: datetime
    ) -> timedelta:
        trip = self._cache.get(key)
        if trip is None:
            trip = self._cache[key] = self.travel.estimate_travel(origin, to, leave)
        return trip

    def added_travel(
        self, calendar: _Calendar, shift: _Shift, start: datetime, end: datetime
    ) -> timedelta | None:
        """The travel the visit adds to the technician's day, or None if it does not fit."""
        home = calendar.technician.home_base
        stops = calendar.stops
        # Stops starting before the visit ends must all have ended by its start.
        after = bisect_left(calendar.stop_starts, end)
        if after and calendar.busy_end[after - 1] > start:
            return None
        # Where the technician comes from: the stop that ended last, if it was that day.
        origin, leave, origin_key = home, shift.day_start, -1
        if after:
            latest = calendar.busy_latest[after - 1]
            if stops[latest].end >= shift.midnight:
                origin, leave, origin_key = stops[latest].location, stops[latest].end, latest
                if origin == home:
                    leave = max(leave, shift.day_start)
        # Where they go next: the next stop, if it is that day.
        to, arrive_by, to_key = home, shift.day_end, -1
        if after < len(stops) and stops[after].start < shift.next_midnight:
            to, arrive_by, to_key = stops[after].location, stops[after].start, after
            if to == home:
                arrive_by = min(arrive_by, shift.day_end)

        gap = (calendar.technician.id, shift.day_start, origin_key)
        travel_in = self._trip(("in", *gap), origin, self.location, leave)
        if leave + travel_in > start:
            return None
        travel_out = self.travel.estimate_travel(self.location, to, end)
        if end + travel_out > arrive_by:
            return None
        without_visit = self._trip(("skip", *gap, to_key), origin, to, leave)
        # Never below zero: with speeds that change by the hour, leaving in a quicker hour
        # can make a detour look shorter than the direct trip, which no technician believes.
        return max(ZERO, travel_in + travel_out - without_visit)


def _qualifies(technician: Technician, request: SlotRequest) -> bool:
    if not technician.active or not technician.has_skills(request.required_skills):
        return False
    radius = request.max_travel_radius_km
    return radius <= 0 or great_circle_km(technician.home_base, request.location) <= radius


# --- the public functions ---------------------------------------------------------------------


def find_slots(
    request: SlotRequest, technicians: Iterable[Technician], travel: TravelEstimator
) -> list[Slot]:
    """Every start time on the request's days that some technician can keep, in order.

    One slot per start time, with the technician whose day gains the least travel.
    """
    grid = _grid(request)
    if not grid:
        return []
    span = _visit_span(request)
    duration = request.duration
    fitter = _Fitter(request, travel)
    wall_cache: dict[tuple[str, date, time], datetime] = {}
    best: dict[datetime, tuple[timedelta, int]] = {}
    for technician in technicians:
        if not _qualifies(technician, request):
            continue
        calendar = _Calendar(technician, request, span, wall_cache)
        for shift in calendar.shifts:
            # Grid times from the shift's start up to the last one that still ends in it.
            first = bisect_left(grid, shift.start)
            last = bisect_right(grid, shift.end - duration)
            for start in grid[first:last]:
                added = fitter.added_travel(calendar, shift, start, start + duration)
                if added is None:
                    continue
                choice = (added, technician.id)
                held = best.get(start)
                if held is None or choice < held:
                    best[start] = choice
    return [
        Slot(start=start, end=start + duration, technician_id=technician_id, added_travel=added)
        for start, (added, technician_id) in sorted(best.items())
    ]


def slot_candidates(
    request: SlotRequest,
    technicians: Iterable[Technician],
    start: datetime,
    travel: TravelEstimator,
) -> list[Slot]:
    """Every technician who can take the visit at `start`, best first (as `find_slots` picks).

    Empty when `start` is not an offered start time of the request. For the booking
    service: if the first technician was taken meanwhile, the next one may still be free.
    """
    if not is_offered_start(request, start):
        return []
    end = start + request.duration
    span = _visit_span(request)
    fitter = _Fitter(request, travel)
    wall_cache: dict[tuple[str, date, time], datetime] = {}
    found: list[Slot] = []
    for technician in technicians:
        if not _qualifies(technician, request):
            continue
        calendar = _Calendar(technician, request, span, wall_cache)
        shift = calendar.shift_holding(start, end)
        if shift is None:
            continue
        added = fitter.added_travel(calendar, shift, start, end)
        if added is not None:
            found.append(Slot(start, end, technician.id, added))
    found.sort(key=lambda slot: (slot.added_travel, slot.technician_id))
    return found


def slot_is_free(
    request: SlotRequest, technician: Technician, start: datetime, travel: TravelEstimator
) -> bool:
    """Whether this technician can take the visit at `start`, by exactly the rules above.

    Meant for the booking service's re-check inside its transaction, on freshly loaded
    data for the locked technician.
    """
    return bool(slot_candidates(request, [technician], start, travel))


def slots_by_day(slots: Iterable[Slot], time_zone: str) -> dict[date, list[Slot]]:
    """Slots grouped by their start's local date in `time_zone`, days and slots in order."""
    zone = ZoneInfo(time_zone)
    days: dict[date, list[Slot]] = {}
    for slot in sorted(slots):
        days.setdefault(slot.start.astimezone(zone).date(), []).append(slot)
    return days


def days_with_slots(slots: Sequence[Slot], time_zone: str) -> list[date]:
    """The local dates in `time_zone` that have at least one slot, in order."""
    return list(slots_by_day(slots, time_zone))
