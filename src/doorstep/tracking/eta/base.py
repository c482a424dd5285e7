"""What every routing provider shares: the answer, the error, the Protocol, sanity checks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from doorstep.scheduling.travel import OfflineEstimator, Point

DEFAULT_STOP_OVERHEAD = OfflineEstimator().stop_overhead
DEFAULT_TIMEOUT_SECONDS = 3.0


class RoutingError(Exception):
    """A routing provider gave no usable answer; the message says why."""


@dataclass(frozen=True, slots=True)
class Route:
    """A trip as a provider sees it: door-to-door duration, road distance, who said so."""

    duration: timedelta
    distance_m: float
    provider: str


class RouteProvider(Protocol):
    """A `TravelEstimator` that also knows the road distance."""

    @property
    def name(self) -> str:
        """Which provider answered, as `Route.provider` and the log say it."""
        ...

    def route(self, origin: Point, destination: Point, departure_time: datetime) -> Route: ...

    def estimate_travel(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> timedelta: ...


class RoadProvider:
    """What every road-network provider shares: zero for no trip, overhead, sanity checks.

    Routed durations get the same stop overhead as the offline estimate (parking, walking
    to the door), so that falling back does not make an ETA jump by minutes.
    """

    name = "routed"
    stop_overhead: timedelta = DEFAULT_STOP_OVERHEAD

    def route(self, origin: Point, destination: Point, departure_time: datetime) -> Route:
        if origin == destination:
            return Route(duration=timedelta(0), distance_m=0.0, provider=self.name)
        seconds, metres = self.drive(origin, destination, departure_time)
        return Route(
            duration=timedelta(seconds=math.ceil(seconds)) + self.stop_overhead,
            distance_m=metres,
            provider=self.name,
        )

    def estimate_travel(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> timedelta:
        return self.route(origin, destination, departure_time).duration

    def drive(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> tuple[float, float]:
        """Driving seconds and metres on the road network; raises `RoutingError`."""
        raise NotImplementedError


def figure(value: object, what: str) -> float:
    """A duration or distance from an answer, refused unless it is a finite number ≥ 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RoutingError(f"the answer has no numeric {what} ({value!r})")
    if not (math.isfinite(value) and value >= 0):
        raise RoutingError(f"the answer has an impossible {what} ({value!r})")
    return float(value)


def valhalla_location(point: Point) -> dict[str, float]:
    return {"lat": point.latitude, "lon": point.longitude}


def valhalla_summary(answer: object) -> tuple[float, float]:
    """Seconds and metres from a Valhalla /route answer (lengths there are in km)."""
    try:
        summary = answer["trip"]["summary"]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        raise RoutingError("the answer is not a Valhalla route (no trip.summary)") from None
    if not isinstance(summary, dict):
        raise RoutingError("the answer is not a Valhalla route (no trip.summary)")
    return figure(summary.get("time"), "time"), figure(summary.get("length"), "length") * 1000
