"""What the availability engine is asked, what it knows of each technician, what it answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from doorstep.scheduling.travel import Point

ONE_DAY = timedelta(days=1)
ZERO = timedelta(0)

TimeRange = tuple[datetime, datetime]
"""A half-open period [start, end) as two aware datetimes."""


def require_aware(value: datetime, what: str) -> None:
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
        require_aware(self.start, "A stop's start")
        require_aware(self.end, "A stop's end")
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
            require_aware(start, "Time off's start")
            require_aware(end, "Time off's end")
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
        require_aware(self.now, "`now`")
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
