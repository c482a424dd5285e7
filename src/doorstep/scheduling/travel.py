"""How long a technician takes to drive from one place to another.

Everything that needs a travel time (the slot engine, later the live ETA) asks a
`TravelEstimator`. `OfflineEstimator` needs no network and no map data: the great-circle
distance, stretched by a circuity factor because roads are not straight, driven at a speed
that depends on the local hour of the week, plus a few minutes to park and walk to the door.
Routing providers (OSRM, Valhalla, commercial APIs) plug in behind the same Protocol.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo

EARTH_RADIUS_KM = 6371.0088
HOURS_PER_WEEK = 7 * 24

# Rush hours of the default profile, weekdays only, as local hours of the day: 07:00–09:00
# and 16:00–18:00.
RUSH_HOURS = frozenset({7, 8, 16, 17})


@dataclass(frozen=True, slots=True)
class Point:
    """A place on the map, in decimal degrees (WGS 84)."""

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not -90 <= self.latitude <= 90:
            raise ValueError(f"Latitude must be between -90 and 90, not {self.latitude}.")
        if not -180 <= self.longitude <= 180:
            raise ValueError(f"Longitude must be between -180 and 180, not {self.longitude}.")


class TravelEstimator(Protocol):
    """Anything that can say how long a trip takes when it starts at a given time."""

    def estimate_travel(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> timedelta:
        """The door-to-door duration of the trip, zero when origin and destination are equal.

        `departure_time` is an aware datetime.
        """
        ...


def great_circle_km(origin: Point, destination: Point) -> float:
    """The haversine distance between two points, in kilometres."""
    lat1 = math.radians(origin.latitude)
    lat2 = math.radians(destination.latitude)
    half_dlat = (lat2 - lat1) / 2
    half_dlon = math.radians(destination.longitude - origin.longitude) / 2
    h = math.sin(half_dlat) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def hour_of_week(moment: datetime) -> int:
    """0 for Monday 00:00–01:00 up to 167 for Sunday 23:00–24:00, in `moment`'s own zone."""
    return moment.weekday() * 24 + moment.hour


@dataclass(frozen=True)
class SpeedProfile:
    """Average driving speed in km/h for each local hour of the week, as plain data.

    `kmh[hour_of_week]` with Monday 00:00 as hour 0 (the same weekday numbering as
    working hours), read in `time_zone`. Kept to a zone name and 168 numbers so that the
    back office can later store and edit it.
    """

    kmh: tuple[float, ...]
    time_zone: str = "UTC"
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.kmh) != HOURS_PER_WEEK:
            raise ValueError(
                f"A speed profile has {HOURS_PER_WEEK} hourly speeds, not {len(self.kmh)}."
            )
        if any(not (speed > 0 and math.isfinite(speed)) for speed in self.kmh):
            raise ValueError("Every speed of a speed profile must be a positive number of km/h.")
        object.__setattr__(self, "kmh", tuple(float(speed) for speed in self.kmh))
        object.__setattr__(self, "zone", ZoneInfo(self.time_zone))

    @classmethod
    def from_daily(
        cls, time_zone: str, weekday: Sequence[float], weekend: Sequence[float]
    ) -> SpeedProfile:
        """A profile from 24 hourly speeds for Monday to Friday and 24 for the weekend."""
        if len(weekday) != 24 or len(weekend) != 24:
            raise ValueError("Give 24 hourly speeds for weekdays and 24 for the weekend.")
        return cls(kmh=tuple(weekday) * 5 + tuple(weekend) * 2, time_zone=time_zone)

    @classmethod
    def default(
        cls,
        time_zone: str = "UTC",
        *,
        day_kmh: float = 40.0,
        rush_kmh: float = 25.0,
        night_kmh: float = 55.0,
    ) -> SpeedProfile:
        """Town driving: slower in weekday rush hours (07–09, 16–18), faster at night."""

        def speed(hour: int, *, workday: bool) -> float:
            if hour < 6 or hour >= 22:
                return night_kmh
            if workday and hour in RUSH_HOURS:
                return rush_kmh
            return day_kmh

        return cls.from_daily(
            time_zone,
            weekday=[speed(hour, workday=True) for hour in range(24)],
            weekend=[speed(hour, workday=False) for hour in range(24)],
        )

    def speed_at(self, moment: datetime) -> float:
        """The speed in km/h for the local hour of the week that `moment` falls in."""
        if moment.tzinfo is None:
            raise ValueError("A travel time needs an aware departure time.")
        return self.kmh[hour_of_week(moment.astimezone(self.zone))]


@dataclass(frozen=True)
class OfflineEstimator:
    """Travel time from distance and an hour-of-week speed, without any routing data.

    The speed of the departure hour applies to the whole trip: trips between customers of
    one company last minutes, not hours, so a change of hour on the way hardly matters.
    """

    profile: SpeedProfile = field(default_factory=SpeedProfile.default)
    circuity: float = 1.3
    stop_overhead: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        if not self.circuity >= 1:
            raise ValueError("Roads are never shorter than a straight line: circuity must be ≥ 1.")
        if self.stop_overhead < timedelta(0):
            raise ValueError("The stop overhead cannot be negative.")

    def estimate_travel(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> timedelta:
        if origin == destination:
            return timedelta(0)
        road_km = great_circle_km(origin, destination) * self.circuity
        hours = road_km / self.profile.speed_at(departure_time)
        # Whole seconds: the same trip gives the same figure however it is added up.
        return timedelta(seconds=math.ceil(hours * 3600)) + self.stop_overhead


@cache
def default_estimator(time_zone: str = "UTC") -> OfflineEstimator:
    """The estimator used when no other is configured: offline, traffic read in `time_zone`."""
    return OfflineEstimator(profile=SpeedProfile.default(time_zone))
