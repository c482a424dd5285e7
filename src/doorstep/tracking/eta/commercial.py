"""A traffic-aware commercial routing API, through its `routingpy` client."""

from __future__ import annotations

import inspect
from datetime import datetime, timedelta
from typing import Any

from routingpy.routers import get_router_by_name  # type: ignore[import-untyped]

from doorstep.scheduling.travel import Point
from doorstep.tracking.eta.base import (
    DEFAULT_STOP_OVERHEAD,
    DEFAULT_TIMEOUT_SECONDS,
    Drive,
    RoadProvider,
    figure,
    readable_shape,
)
from doorstep.tracking.eta.routing_server import ask, router_options
from doorstep.tracking.eta.shapes import from_lonlat

# The routingpy profile for a car, and how each service takes a departure time (the point
# of paying for a commercial API is its traffic model).
COMMERCIAL_PROFILES = {
    "google": "driving",
    "heremaps": "car",
    "graphhopper": "car",
    "openrouteservice": "driving-car",
    "mapbox": "driving-traffic",
}


class CommercialProvider(RoadProvider):
    """A commercial routing API through `routingpy`'s client for `service`.

    `service` is one of `COMMERCIAL_PROFILES`. `base_url` replaces the service's address
    where routingpy allows it (graphhopper, openrouteservice: self-hosted or EU endpoints).
    Google and HERE get the departure time, so their answer includes predicted traffic;
    routingpy sums Google's plain `duration`, so `duration_in_traffic` is read from the raw
    answer when Google sends it.
    """

    def __init__(
        self,
        service: str,
        *,
        api_key: str,
        base_url: str = "",
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        stop_overhead: timedelta = DEFAULT_STOP_OVERHEAD,
    ) -> None:
        service = service.lower()
        if service not in COMMERCIAL_PROFILES:
            raise ValueError(
                f"Unknown commercial routing service {service!r}; "
                f"choose one of {', '.join(COMMERCIAL_PROFILES)}."
            )
        router_class = get_router_by_name(service)
        options: dict[str, Any] = {"api_key": api_key, **router_options(timeout)}
        if base_url:
            if "base_url" not in inspect.signature(router_class).parameters:
                raise ValueError(f"routingpy's {service} client has a fixed address.")
            options["base_url"] = base_url.rstrip("/")
        self.service = service
        self.name = f"commercial:{service}"
        self.router = router_class(**options)
        self.timeout = timeout
        self.stop_overhead = stop_overhead

    def drive(self, origin: Point, destination: Point, departure_time: datetime) -> Drive:
        extra: dict[str, Any] = {}
        if self.service == "google":
            extra["departure_time"] = int(departure_time.timestamp())
        elif self.service == "heremaps":
            extra["departure"] = departure_time.isoformat(timespec="seconds")
        direction = ask(
            lambda: self.router.directions(
                locations=[[p.longitude, p.latitude] for p in (origin, destination)],
                profile=COMMERCIAL_PROFILES[self.service],
                **extra,
            ),
            where=self.service,
            timeout=self.timeout,
        )
        seconds = figure(direction.duration, "duration")
        if self.service == "google":
            seconds = _google_traffic_seconds(direction.raw) or seconds
        # routingpy decodes each service's own shape into [lon, lat] pairs.
        return Drive(
            seconds,
            figure(direction.distance, "distance"),
            readable_shape(lambda: from_lonlat(direction.geometry)),
        )


def _google_traffic_seconds(raw: object) -> float | None:
    try:
        legs = raw["routes"][0]["legs"]  # type: ignore[index]
        return float(sum(leg["duration_in_traffic"]["value"] for leg in legs))
    except (KeyError, TypeError, IndexError, ValueError):
        return None
