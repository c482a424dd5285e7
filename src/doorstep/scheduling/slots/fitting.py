"""Whether one visit fits into one technician's day, and how much travel it adds.

A technician's shifts and stops (bookings and time off) are sorted once into a
`Calendar` for bisecting; a `VisitFitter` then checks each start time against it: the
visit must lie inside a shift, clear of every stop, with time to travel there from the
previous stop (or from home, left no earlier than the day's first shift) and on to the
next one (or home, by the end of the day's last shift).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from doorstep.scheduling.slots.data import (
    ONE_DAY,
    ZERO,
    SlotRequest,
    Stop,
    Technician,
    TimeRange,
)
from doorstep.scheduling.slots.grid import wall_to_utc
from doorstep.scheduling.travel import Point, TravelEstimator, great_circle_km

WallClockCache = dict[tuple[str, date, time], datetime]
"""UTC moments of (time zone, date, wall-clock time), shared by the calendars of one search."""


@dataclass(frozen=True, slots=True)
class Shift:
    """One merged working-hours interval, with the bounds of its working day."""

    start: datetime
    end: datetime
    day_start: datetime  # start of the first interval that date: leaving home
    day_end: datetime  # end of the last interval that date: back home
    midnight: datetime  # the date's local midnight, and the next one
    next_midnight: datetime


class Calendar:
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
        wall_cache: WallClockCache,
    ) -> None:
        self.technician = technician
        self.shifts = working_shifts(technician, request, span, wall_cache)
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

    def shift_holding(self, start: datetime, end: datetime) -> Shift | None:
        index = bisect_right(self.shift_starts, start) - 1
        if index < 0 or self.shifts[index].end < end:
            return None
        return self.shifts[index]


def working_shifts(
    technician: Technician,
    request: SlotRequest,
    span: TimeRange,
    wall_cache: WallClockCache,
) -> list[Shift]:
    """The technician's working intervals in UTC on every local date the visits can touch."""
    zone = ZoneInfo(technician.time_zone)
    first = span[0].astimezone(zone).date()
    last = (span[1] + request.duration).astimezone(zone).date()

    def utc(day: date, clock: time) -> datetime:
        key = (technician.time_zone, day, clock)
        moment = wall_cache.get(key)
        if moment is None:
            moment = wall_cache[key] = wall_to_utc(day, clock, zone)
        return moment

    shifts: list[Shift] = []
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
                Shift(start, end, day_start, day_end, midnight, next_midnight)
                for start, end in merged
            )
        day += ONE_DAY
    return shifts


class VisitFitter:
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
        self, calendar: Calendar, shift: Shift, start: datetime, end: datetime
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


def qualifies(technician: Technician, request: SlotRequest) -> bool:
    """Whether the technician may take the visit at all: active, skilled, near enough."""
    if not technician.active or not technician.has_skills(request.required_skills):
        return False
    radius = request.max_travel_radius_km
    return radius <= 0 or great_circle_km(technician.home_base, request.location) <= radius
