"""The estimate that needs no network and no map data, and never fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from doorstep.scheduling.travel import OfflineEstimator, Point, default_estimator, great_circle_km
from doorstep.tracking.eta.base import Route


@dataclass(frozen=True)
class OfflineProvider:
    """Great-circle distance × circuity, at the speed of the departure hour; never fails."""

    estimator: OfflineEstimator = field(default_factory=default_estimator)
    name: str = "offline"

    def route(self, origin: Point, destination: Point, departure_time: datetime) -> Route:
        """The drive alone, like a routing server's answer: the estimator's stop overhead
        (parking, walking in) spaces visits in a day, but in a live ETA it made the
        estimate jump by minutes when a routed ETA fell back to this one, close to the door.
        """
        travel = self.estimator.estimate_travel(origin, destination, departure_time)
        return Route(
            duration=max(timedelta(0), travel - self.estimator.stop_overhead),
            distance_m=great_circle_km(origin, destination) * self.estimator.circuity * 1000,
            provider=self.name,
        )

    def estimate_travel(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> timedelta:
        return self.estimator.estimate_travel(origin, destination, departure_time)
