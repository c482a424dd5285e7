"""Travel time and distance on real roads, for the live ETA.

Every provider here is a `scheduling.travel.TravelEstimator` and also answers `route()`
with the distance, which the live map shows. Which one runs is a setting
(`DOORSTEP_ROUTING_PROVIDER`); `get_provider()` builds it (`selection`). Whatever is
configured is wrapped in `FallbackProvider` (`fallback`), so an ETA is always available:
a routing server that is down, slow or answers nonsense costs accuracy, never the page.

One module per provider:

- `offline`: great-circle distance × circuity at an hour-of-week speed. No data.
- `valhalla_embedded`: Valhalla inside this process (the `pyvalhalla` package) on tiles
  built by `doorstep routing build extract.osm.pbf`. The best self-hosted choice.
- `osrm`, `valhalla_http`: a self-hosted OSRM or Valhalla server, through routingpy's
  clients (`routing_server`: one attempt, a timeout, readable errors).
- `commercial`: a traffic-aware commercial API through its routingpy client.

`scaling` is the arithmetic between two routings. What all share is in `base`.
"""

from doorstep.tracking.eta.base import (
    DEFAULT_STOP_OVERHEAD,
    DEFAULT_TIMEOUT_SECONDS,
    Route,
    RouteProvider,
    RoutingError,
)
from doorstep.tracking.eta.commercial import COMMERCIAL_PROFILES, CommercialProvider
from doorstep.tracking.eta.fallback import RESTING_SECONDS, FallbackProvider
from doorstep.tracking.eta.offline import OfflineProvider
from doorstep.tracking.eta.osrm import OsrmProvider
from doorstep.tracking.eta.selection import PROVIDER_NAMES, build_provider, get_provider
from doorstep.tracking.eta.valhalla_embedded import ValhallaEmbeddedProvider
from doorstep.tracking.eta.valhalla_http import ValhallaHttpProvider

__all__ = [
    "COMMERCIAL_PROFILES",
    "DEFAULT_STOP_OVERHEAD",
    "DEFAULT_TIMEOUT_SECONDS",
    "PROVIDER_NAMES",
    "RESTING_SECONDS",
    "CommercialProvider",
    "FallbackProvider",
    "OfflineProvider",
    "OsrmProvider",
    "Route",
    "RouteProvider",
    "RoutingError",
    "ValhallaEmbeddedProvider",
    "ValhallaHttpProvider",
    "build_provider",
    "get_provider",
]
