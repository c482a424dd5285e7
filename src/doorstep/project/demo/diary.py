"""Each technician's working time over the demo's days, and the visits placed in it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from doorstep.project.demo import data
from doorstep.project.demo.geography import local

# Travel time kept free between two visits of one technician, and the grid visits start on.
TRAVEL_GAP = timedelta(minutes=30)
START_GRID = timedelta(minutes=30)

Interval = tuple[datetime, datetime]


def time_off(leave: data.TimeOffData, *, today: date) -> Interval:
    """When the leave is, for the demo loaded on `today`."""
    (start_day, start_time), (end_day, end_time) = leave.start, leave.end
    return (
        local(today + timedelta(days=start_day), start_time),
        local(today + timedelta(days=end_day), end_time),
    )


class Diary:
    """The working time of the technicians on the demo's days, and their visits so far."""

    def __init__(
        self, technicians: Sequence[data.TechnicianData], days: Sequence[date], today: date
    ) -> None:
        self.hours: dict[tuple[str, date], list[Interval]] = {}
        self.busy: dict[str, list[Interval]] = defaultdict(list)
        for tech in technicians:
            leave = [time_off(off, today=today) for off in tech.time_off]
            for day in days:
                intervals = sorted(
                    (local(day, start), local(day, end))
                    for weekdays, start, end in data.WORKING_HOURS[tech.hours]
                    if day.weekday() in weekdays
                )
                for cut in leave:
                    intervals = _minus(intervals, cut)
                if intervals:
                    self.hours[tech.email, day] = intervals

    def intervals(self, technician: str, day: date) -> list[Interval]:
        """The technician's working time on the day, time off taken out."""
        return self.hours.get((technician, day), [])

    def fits(self, technician: str, day: date, start: datetime, end: datetime) -> bool:
        if not any(a <= start and end <= b for a, b in self.intervals(technician, day)):
            return False
        return all(
            end + TRAVEL_GAP <= a or b + TRAVEL_GAP <= start for a, b in self.busy[technician]
        )

    def starts(
        self, technician: str, day: date, length: timedelta, step: timedelta = START_GRID
    ) -> list[datetime]:
        """The starts on the grid at which a visit of `length` fits the technician's day."""
        found = []
        for a, b in self.intervals(technician, day):
            start = a
            while start + length <= b:
                if self.fits(technician, day, start, start + length):
                    found.append(start)
                start += step
        return found

    def place(self, technician: str, start: datetime, end: datetime) -> None:
        self.busy[technician].append((start, end))


def _minus(intervals: list[Interval], cut: Interval) -> list[Interval]:
    kept: list[Interval] = []
    for start, end in intervals:
        if cut[1] <= start or cut[0] >= end:
            kept.append((start, end))
            continue
        if start < cut[0]:
            kept.append((start, cut[0]))
        if cut[1] < end:
            kept.append((cut[1], end))
    return kept
