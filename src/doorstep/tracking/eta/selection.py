"""Which provider runs: the `DOORSTEP_ROUTING_*` settings, built once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from doorstep.scheduling.travel import default_estimator
from doorstep.tracking.eta.base import DEFAULT_TIMEOUT_SECONDS, RouteProvider
from doorstep.tracking.eta.commercial import COMMERCIAL_PROFILES, CommercialProvider
from doorstep.tracking.eta.fallback import FallbackProvider
from doorstep.tracking.eta.offline import OfflineProvider
from doorstep.tracking.eta.osrm import OsrmProvider
from doorstep.tracking.eta.valhalla_embedded import ValhallaEmbeddedProvider
from doorstep.tracking.eta.valhalla_http import ValhallaHttpProvider

PROVIDER_NAMES = ("offline", "valhalla-embedded", "osrm", "valhalla", "commercial")


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
        server_class = OsrmProvider if name == "osrm" else ValhallaHttpProvider
        primary = server_class(url, timeout=timeout)
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
