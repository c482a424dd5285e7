"""A self-hosted OSRM server (`osrm-routed`), through routingpy's `OSRM` client."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from routingpy.routers import OSRM  # type: ignore[import-untyped]

from doorstep.scheduling.travel import Point
from doorstep.tracking.eta.base import Drive, RoutingError, figure, readable_shape
from doorstep.tracking.eta.routing_server import RoutingServerProvider, router_options
from doorstep.tracking.eta.shapes import LatLon, decode_polyline, from_lonlat


class OsrmProvider(RoutingServerProvider):
    """A self-hosted OSRM server, car profile ("driving")."""

    name = "osrm"

    def make_router(self) -> Any:
        return OSRM(base_url=self.base_url, **router_options(self.timeout))

    def drive(self, origin: Point, destination: Point, departure_time: datetime) -> Drive:
        direction = self.ask(
            lambda router: router.directions(
                locations=[[p.longitude, p.latitude] for p in (origin, destination)],
                profile="driving",
            )
        )
        # routingpy rounds down to whole seconds and metres; the answer has them exact.
        answer = direction.raw
        if not isinstance(answer, dict) or answer.get("code") != "Ok":
            code = answer.get("code") if isinstance(answer, dict) else None
            raise RoutingError(f"OSRM answered {code or 'something that is not a route'}")
        route = answer["routes"][0]
        return Drive(
            figure(route.get("duration"), "duration"),
            figure(route.get("distance"), "distance"),
            readable_shape(lambda: osrm_shape(route.get("geometry"))),
        )


def osrm_shape(geometry: object) -> list[LatLon]:
    """OSRM's road: a polyline of precision 5 (its default), or GeoJSON when asked for."""
    if isinstance(geometry, dict):
        return from_lonlat(geometry.get("coordinates"))
    return decode_polyline(geometry, precision=5)
