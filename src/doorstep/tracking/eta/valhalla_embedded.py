"""Valhalla inside this process, on tiles built by `doorstep routing build`: no server."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from doorstep.scheduling.travel import Point
from doorstep.tracking.eta.base import (
    DEFAULT_STOP_OVERHEAD,
    Drive,
    RoadProvider,
    RoutingError,
    valhalla_drive,
    valhalla_location,
)


class ValhallaEmbeddedProvider(RoadProvider):
    """Valhalla running inside this process on tiles in `tiles_dir`; no server at all.

    Each thread gets its own `valhalla.Actor` (creating one takes milliseconds; sharing
    one between threads is not documented as safe). Valhalla's `date_time` is a local
    time at the origin, whose zone is unknown here, and tiles built from an OSM extract
    carry no traffic, so the departure time does not change the answer.
    """

    name = "valhalla-embedded"

    def __init__(
        self, tiles_dir: Path, *, stop_overhead: timedelta = DEFAULT_STOP_OVERHEAD
    ) -> None:
        self.tiles_dir = Path(tiles_dir)
        self.stop_overhead = stop_overhead
        self._local = threading.local()

    def _actor(self) -> Any:
        actor = getattr(self._local, "actor", None)
        if actor is None:
            if not any(self.tiles_dir.rglob("*.gph")):
                raise RoutingError(
                    f"there are no Valhalla tiles in {self.tiles_dir}; "
                    "build them with `doorstep routing build <extract.osm.pbf>`"
                )
            import valhalla  # type: ignore[import-untyped]

            actor = valhalla.Actor(valhalla.get_config(tile_extract="", tile_dir=self.tiles_dir))
            self._local.actor = actor
        return actor

    def drive(self, origin: Point, destination: Point, departure_time: datetime) -> Drive:
        request = {
            "locations": [valhalla_location(origin), valhalla_location(destination)],
            "costing": "auto",
            "units": "kilometers",
            "directions_type": "none",
        }
        try:
            answer = self._actor().route(request)
        except RoutingError:
            raise
        except Exception as error:  # ValhallaError (a RuntimeError): no road near, no path
            raise RoutingError(f"Valhalla found no route: {error}") from error
        return valhalla_drive(answer)
