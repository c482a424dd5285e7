"""What every routing provider shares: the answer, the error, the Protocol, sanity checks."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from doorstep.scheduling.travel import OfflineEstimator, Point
from doorstep.tracking.eta.shapes import LatLon, ShapeError, decode_polyline, thin

logger = logging.getLogger(__name__)

DEFAULT_STOP_OVERHEAD = OfflineEstimator().stop_overhead
DEFAULT_TIMEOUT_SECONDS = 3.0


class RoutingError(Exception):
    """A routing provider gave no usable answer; the message says why."""


@dataclass(frozen=True, slots=True)
class Route:
    """A trip as a provider sees it: door-to-door duration, road distance, who said so,
    and the road itself when the provider drew it (thinned, `[(lat, lon), ...]`)."""

    duration: timedelta
    distance_m: float
    provider: str
    shape: tuple[LatLon, ...] | None = None


class Drive(NamedTuple):
    """A routing answer as read: driving seconds, metres, and the road when there is one."""

    seconds: float
    metres: float
    shape: list[LatLon] | None = None


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
        seconds, metres, shape = self.drive(origin, destination, departure_time)
        return Route(
            duration=timedelta(seconds=math.ceil(seconds)) + self.stop_overhead,
            distance_m=metres,
            provider=self.name,
            shape=tuple(thin(shape)) if shape and len(shape) >= 2 else None,
        )

    def estimate_travel(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> timedelta:
        return self.route(origin, destination, departure_time).duration

    def drive(self, origin: Point, destination: Point, departure_time: datetime) -> Drive:
        """Driving seconds, metres and road on the network; raises `RoutingError`."""
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


def valhalla_drive(answer: object) -> Drive:
    """Seconds, metres and road from a Valhalla /route answer (lengths there are in km,
    each leg's road a polyline of precision 6)."""
    try:
        summary = answer["trip"]["summary"]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        raise RoutingError("the answer is not a Valhalla route (no trip.summary)") from None
    if not isinstance(summary, dict):
        raise RoutingError("the answer is not a Valhalla route (no trip.summary)")
    seconds = figure(summary.get("time"), "time")
    metres = figure(summary.get("length"), "length") * 1000
    return Drive(seconds, metres, readable_shape(lambda: _valhalla_shape(answer)))


def _valhalla_shape(answer: object) -> list[LatLon]:
    legs = answer["trip"]["legs"]  # type: ignore[index]
    if not isinstance(legs, list):
        raise ShapeError("the legs are not a list")
    points: list[LatLon] = []
    for leg in legs:
        points.extend(decode_polyline(leg["shape"], precision=6))
    return points


def readable_shape(read: Callable[[], list[LatLon]]) -> list[LatLon] | None:
    """The road `read()` finds in an answer, or None when it has none that can be read:
    the duration and distance are worth having without it."""
    try:
        return read()
    except (ShapeError, KeyError, IndexError, TypeError, ValueError) as error:
        logger.info("A routing answer's road could not be read (%s); no line is drawn.", error)
        return None
