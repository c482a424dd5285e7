"""The estimate that needs no network and no map data, and never fails."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from doorstep.scheduling.travel import (
    HOURS_PER_WEEK,
    OfflineEstimator,
    Point,
    SpeedProfile,
    default_estimator,
    great_circle_km,
)
from doorstep.tracking.eta.base import Route

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class OfflineProvider:
    """Great-circle distance × circuity, driven hour by hour at the profile's speeds;
    never fails."""

    estimator: OfflineEstimator = field(default_factory=default_estimator)
    name: str = "offline"

    def route(self, origin: Point, destination: Point, departure_time: datetime) -> Route:
        """The drive alone, like a routing server's answer: the estimator's stop overhead
        (parking, walking in) spaces visits in a day, but in a live ETA it made the
        estimate jump by minutes when a routed ETA fell back to this one, close to the door.

        Each hour of the trip is driven at that hour's speed: at the speed of the departure
        hour throughout, a van 10 km of road out at 06:59 was due at 07:14 and, a minute
        closer at 07:00, at 07:22 (the rush hour's speed).
        """
        road_km = great_circle_km(origin, destination) * self.estimator.circuity
        seconds = drive_seconds(self.estimator.profile, road_km, departure_time)
        return Route(
            duration=timedelta(seconds=math.ceil(seconds)),
            distance_m=road_km * 1000,
            provider=self.name,
        )

    def estimate_travel(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> timedelta:
        return self.estimator.estimate_travel(origin, destination, departure_time)


def drive_seconds(profile: SpeedProfile, road_km: float, departure: datetime) -> float:
    """How long `road_km` take from `departure`, each local hour at its own speed.

    The arrival never comes earlier for a later start or a longer way (each hour's
    speed is a speed limit, so waiting never pays), which is what keeps a live ETA from
    rising as a van that keeps to these speeds comes closer across a change of hour.
    """
    if road_km <= 0:
        return 0.0
    if departure.tzinfo is None:
        raise ValueError("A travel time needs an aware departure time.")
    moment, left, seconds = departure.astimezone(UTC), road_km, 0.0
    for _ in range(HOURS_PER_WEEK):  # a week of driving is as far as a profile repeats
        kmh = profile.speed_at(moment)
        local = moment.astimezone(profile.zone)
        # Absolute time, not wall time: across a change of clocks the next hour starts
        # an hour after this one began.
        boundary = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC) + HOUR
        hours = (boundary - moment).total_seconds() / 3600
        if left <= kmh * hours:
            return seconds + left / kmh * 3600
        seconds += hours * 3600
        left -= kmh * hours
        moment = boundary
    return seconds + left / profile.speed_at(moment) * 3600
