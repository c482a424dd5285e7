"""A self-hosted Valhalla server (`valhalla_service`), through routingpy's `Valhalla` client."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from routingpy.routers import Valhalla  # type: ignore[import-untyped]

from doorstep.scheduling.travel import Point
from doorstep.tracking.eta.base import Drive, valhalla_drive
from doorstep.tracking.eta.routing_server import RoutingServerProvider, router_options


class ValhallaHttpProvider(RoutingServerProvider):
    """A self-hosted Valhalla server, costing "auto"."""

    name = "valhalla"

    def make_router(self) -> Any:
        return Valhalla(base_url=self.base_url, **router_options(self.timeout))

    def drive(self, origin: Point, destination: Point, departure_time: datetime) -> Drive:
        direction = self.ask(
            lambda router: router.directions(
                locations=[[p.longitude, p.latitude] for p in (origin, destination)],
                profile="auto",
                units="km",
                directions_type="none",
            )
        )
        # routingpy rounds down to whole seconds and metres; the summary has them exact.
        return valhalla_drive(direction.raw)
