"""The configured provider, or the offline estimate when it fails: an ETA is always there."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from doorstep.scheduling.travel import Point
from doorstep.tracking.eta.base import Route, RouteProvider
from doorstep.tracking.eta.offline import OfflineProvider

logger = logging.getLogger(__name__)

RESTING_SECONDS = 60  # how long a failed routing provider is left alone


def _clock() -> float:
    return time.monotonic()


class FallbackProvider:
    """`primary`, or the offline estimate when it fails, saying so in the log.

    Any exception counts, not only `RoutingError`: an ETA must never break a page or a
    ping. The `Route.provider` of the answer tells which one answered. After a failure
    the primary is left alone for `RESTING_SECONDS`: a routing server that is down would
    otherwise cost its whole timeout on every ETA.
    """

    def __init__(self, primary: RouteProvider, fallback: RouteProvider | None = None) -> None:
        self.primary = primary
        self.fallback = fallback or OfflineProvider()
        self.name = primary.name
        self.resting_until = 0.0

    def route(self, origin: Point, destination: Point, departure_time: datetime) -> Route:
        if _clock() < self.resting_until:
            return self.fallback.route(origin, destination, departure_time)
        try:
            return self.primary.route(origin, destination, departure_time)
        except Exception as error:
            self.resting_until = _clock() + RESTING_SECONDS
            logger.warning(
                "Routing provider %s failed (%s); using the %s estimate instead for the "
                "next %s seconds.",
                self.primary.name,
                error,
                self.fallback.name,
                RESTING_SECONDS,
            )
            return self.fallback.route(origin, destination, departure_time)

    def estimate_travel(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> timedelta:
        return self.route(origin, destination, departure_time).duration
