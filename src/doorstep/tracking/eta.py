"""Travel time and distance on real roads, for the live ETA.

Every provider here is a `scheduling.travel.TravelEstimator` and also answers `route()`
with the distance, which the live map shows. Which one runs is a setting
(`DOORSTEP_ROUTING_PROVIDER`); `get_provider()` builds it. Whatever is configured is
wrapped in `FallbackProvider`, so an ETA is always available: a routing server that is
down, slow or answers nonsense costs accuracy, never the page.

- `OfflineProvider`: great-circle distance × circuity at an hour-of-week speed. No data.
- `ValhallaEmbeddedProvider`: Valhalla inside this process (the `pyvalhalla` package) on
  tiles built by `doorstep routing build extract.osm.pbf`. The best self-hosted choice.
- `OsrmProvider`, `ValhallaHttpProvider`: a self-hosted OSRM or Valhalla server.
- `CommercialProvider`: a traffic-aware commercial API through its `routingpy` client.

Routed durations get the same stop overhead as the offline estimate (parking, walking to
the door), so that falling back does not make an ETA jump by minutes.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from doorstep.scheduling.travel import OfflineEstimator, Point, default_estimator, great_circle_km

logger = logging.getLogger(__name__)

DEFAULT_STOP_OVERHEAD = OfflineEstimator().stop_overhead
DEFAULT_TIMEOUT_SECONDS = 3.0
PROVIDER_NAMES = ("offline", "valhalla-embedded", "osrm", "valhalla", "commercial")


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


class _RoutedProvider:
    """What every road-network provider shares: zero for no trip, overhead, sanity checks."""

    name = "routed"
    stop_overhead: timedelta = DEFAULT_STOP_OVERHEAD

    def route(self, origin: Point, destination: Point, departure_time: datetime) -> Route:
        if origin == destination:
            return Route(duration=timedelta(0), distance_m=0.0, provider=self.name)
        seconds, metres = self._drive(origin, destination, departure_time)
        return Route(
            duration=timedelta(seconds=math.ceil(seconds)) + self.stop_overhead,
            distance_m=metres,
            provider=self.name,
        )

    def estimate_travel(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> timedelta:
        return self.route(origin, destination, departure_time).duration

    def _drive(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> tuple[float, float]:
        """Driving seconds and metres on the road network; raises `RoutingError`."""
        raise NotImplementedError


def _figure(value: object, what: str) -> float:
    """A duration or distance from an answer, refused unless it is a finite number ≥ 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RoutingError(f"the answer has no numeric {what} ({value!r})")
    if not (math.isfinite(value) and value >= 0):
        raise RoutingError(f"the answer has an impossible {what} ({value!r})")
    return float(value)


@dataclass(frozen=True)
class OfflineProvider:
    """Great-circle distance × circuity, at the speed of the departure hour; never fails."""

    estimator: OfflineEstimator = field(default_factory=default_estimator)
    name: str = "offline"

    def route(self, origin: Point, destination: Point, departure_time: datetime) -> Route:
        return Route(
            duration=self.estimator.estimate_travel(origin, destination, departure_time),
            distance_m=great_circle_km(origin, destination) * self.estimator.circuity * 1000,
            provider=self.name,
        )

    def estimate_travel(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> timedelta:
        return self.estimator.estimate_travel(origin, destination, departure_time)


class ValhallaEmbeddedProvider(_RoutedProvider):
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

    def _drive(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> tuple[float, float]:
        request = {
            "locations": [_valhalla_location(origin), _valhalla_location(destination)],
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
        return _valhalla_summary(answer)


def _valhalla_location(point: Point) -> dict[str, float]:
    return {"lat": point.latitude, "lon": point.longitude}


def _valhalla_summary(answer: object) -> tuple[float, float]:
    """Seconds and metres from a Valhalla /route answer (lengths there are in km)."""
    try:
        summary = answer["trip"]["summary"]  # type: ignore[index]
    except (KeyError, TypeError, IndexError):
        raise RoutingError("the answer is not a Valhalla route (no trip.summary)") from None
    return _figure(summary.get("time"), "time"), _figure(summary.get("length"), "length") * 1000


class _HttpProvider(_RoutedProvider):
    """A routing server over HTTP, with a timeout and readable errors."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        stop_overhead: timedelta = DEFAULT_STOP_OVERHEAD,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"A routing server URL starts with http:// or https://: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.stop_overhead = stop_overhead

    def _fetch(self, url: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            url,
            data=data,
            headers={"Accept": "application/json", "Content-Type": "application/json"},
            method="GET" if body is None else "POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            # Both OSRM and Valhalla explain a refusal in the body ("NoRoute", "No path…").
            detail = error.read()[:300].decode(errors="replace")
            raise RoutingError(f"HTTP {error.code} from {self.base_url}: {detail}") from error
        except TimeoutError as error:
            raise RoutingError(f"no answer from {self.base_url} within {self.timeout} s") from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError):
                raise RoutingError(
                    f"no answer from {self.base_url} within {self.timeout} s"
                ) from error
            raise RoutingError(f"cannot reach {self.base_url}: {reason}") from error
        try:
            return json.loads(raw)
        except ValueError:
            raise RoutingError(f"the answer from {self.base_url} is not JSON") from None


class OsrmProvider(_HttpProvider):
    """A self-hosted OSRM server (`osrm-routed`), car profile."""

    name = "osrm"

    def _drive(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> tuple[float, float]:
        coordinates = ";".join(
            f"{point.longitude:.6f},{point.latitude:.6f}" for point in (origin, destination)
        )
        answer = self._fetch(f"{self.base_url}/route/v1/driving/{coordinates}?overview=false")
        if not isinstance(answer, dict) or answer.get("code") != "Ok":
            code = answer.get("code") if isinstance(answer, dict) else None
            raise RoutingError(f"OSRM answered {code or 'something that is not a route'}")
        routes = answer.get("routes")
        if not isinstance(routes, list) or not routes or not isinstance(routes[0], dict):
            raise RoutingError("OSRM answered Ok without a route")
        return (
            _figure(routes[0].get("duration"), "duration"),
            _figure(routes[0].get("distance"), "distance"),
        )


class ValhallaHttpProvider(_HttpProvider):
    """A self-hosted Valhalla server (`valhalla_service`), costing "auto"."""

    name = "valhalla"

    def _drive(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> tuple[float, float]:
        answer = self._fetch(
            f"{self.base_url}/route",
            {
                "locations": [_valhalla_location(origin), _valhalla_location(destination)],
                "costing": "auto",
                "units": "kilometers",
                "directions_type": "none",
            },
        )
        return _valhalla_summary(answer)


# The routingpy profile for a car, and how each service takes a departure time (the point
# of paying for a commercial API is its traffic model).
COMMERCIAL_PROFILES = {
    "google": "driving",
    "heremaps": "car",
    "graphhopper": "car",
    "openrouteservice": "driving-car",
    "mapbox": "driving-traffic",
}


class CommercialProvider(_RoutedProvider):
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
        import inspect

        from routingpy.routers import get_router_by_name  # type: ignore[import-untyped]

        service = service.lower()
        if service not in COMMERCIAL_PROFILES:
            raise ValueError(
                f"Unknown commercial routing service {service!r}; "
                f"choose one of {', '.join(COMMERCIAL_PROFILES)}."
            )
        router_class = get_router_by_name(service)
        options: dict[str, Any] = {
            "api_key": api_key,
            "timeout": timeout,
            # One attempt: a slow answer is worth less than the offline estimate now.
            "retry_timeout": timeout,
            "retry_over_query_limit": False,
        }
        if base_url:
            if "base_url" not in inspect.signature(router_class).parameters:
                raise ValueError(f"routingpy's {service} client has a fixed address.")
            options["base_url"] = base_url.rstrip("/")
        self.service = service
        self.name = f"commercial:{service}"
        self.router = router_class(**options)
        self.stop_overhead = stop_overhead

    def _drive(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> tuple[float, float]:
        extra: dict[str, Any] = {}
        if self.service == "google":
            extra["departure_time"] = int(departure_time.timestamp())
        elif self.service == "heremaps":
            extra["departure"] = departure_time.isoformat(timespec="seconds")
        try:
            direction = self.router.directions(
                locations=[[p.longitude, p.latitude] for p in (origin, destination)],
                profile=COMMERCIAL_PROFILES[self.service],
                **extra,
            )
        except Exception as error:  # routingpy's RouterError, Timeout, JSONParseError…
            raise RoutingError(f"{self.service} failed: {type(error).__name__} {error}") from error
        seconds = _figure(direction.duration, "duration")
        if self.service == "google":
            seconds = _google_traffic_seconds(direction.raw) or seconds
        return seconds, _figure(direction.distance, "distance")


def _google_traffic_seconds(raw: object) -> float | None:
    try:
        legs = raw["routes"][0]["legs"]  # type: ignore[index]
        return float(sum(leg["duration_in_traffic"]["value"] for leg in legs))
    except (KeyError, TypeError, IndexError, ValueError):
        return None


RESTING_SECONDS = 60  # how long a failed routing provider is left alone


def _clock() -> float:
    return time.monotonic()


class FallbackProvider:
    """`primary`, or the offline estimate when it fails, saying so in the log.

    Any exception counts, not only `RoutingError`: an ETA must never break a page or a
    ping. The `Route.provider` of the answer tells which one answered. After a failure
    the primary is left alone for `RESTING_SECONDS`: a routing server that is down would
    otherwise cost its whole timeout on every ETA, and hold up every ping behind it.
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


def build_provider(
    name: str,
    *,
    url: str = "",
    api_key: str = "",
    commercial: str = "",
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    tiles_dir: Path | None = None,
    time_zone: str = "UTC",
) -> FallbackProvider:
    """The provider called `name` (one of `PROVIDER_NAMES`), wrapped in the offline fallback.

    Raises `ValueError` with the setting to fix when the configuration is incomplete.
    """
    offline = OfflineProvider(default_estimator(time_zone))
    primary: RouteProvider
    if name == "offline":
        primary = offline
    elif name == "valhalla-embedded":
        if tiles_dir is None:
            raise ValueError("The embedded Valhalla provider needs DOORSTEP_VALHALLA_TILES.")
        primary = ValhallaEmbeddedProvider(tiles_dir)
    elif name in {"osrm", "valhalla"}:
        if not url:
            raise ValueError(f"The {name} provider needs DOORSTEP_ROUTING_URL.")
        http_class = OsrmProvider if name == "osrm" else ValhallaHttpProvider
        primary = http_class(url, timeout=timeout)
    elif name == "commercial":
        if not commercial:
            raise ValueError(
                "The commercial provider needs DOORSTEP_ROUTING_COMMERCIAL "
                f"({', '.join(COMMERCIAL_PROFILES)})."
            )
        primary = CommercialProvider(commercial, api_key=api_key, base_url=url, timeout=timeout)
    else:
        choices = ", ".join(PROVIDER_NAMES)
        raise ValueError(f"Unknown DOORSTEP_ROUTING_PROVIDER {name!r}; choose one of {choices}.")
    return FallbackProvider(primary, offline)


@cache
def get_provider() -> FallbackProvider:
    """The configured provider, built once per process (`get_provider.cache_clear()` resets)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        return build_provider(
            settings.DOORSTEP_ROUTING_PROVIDER,
            url=settings.DOORSTEP_ROUTING_URL,
            api_key=settings.DOORSTEP_ROUTING_API_KEY,
            commercial=settings.DOORSTEP_ROUTING_COMMERCIAL,
            timeout=settings.DOORSTEP_ROUTING_TIMEOUT,
            tiles_dir=Path(settings.DOORSTEP_VALHALLA_TILES),
            time_zone=settings.DOORSTEP_DEFAULT_TIME_ZONE,
        )
    except ValueError as error:
        raise ImproperlyConfigured(str(error)) from error
