"""Where a technician was last seen, as the back office shows it: times in the company's
zone, a link to a map of the position, and the list filter by when they were last seen."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from doorstep.configuration.models import PortalSettings

MAP_ZOOM = 16
OPENSTREETMAP_TILES = "https://tile.openstreetmap.org/"


def company_time(moment: datetime | None) -> str:
    """A moment in the company's time zone, with the zone's label."""
    if moment is None:
        return ""
    local = timezone.localtime(moment, PortalSettings.load().zone)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"


def map_url(latitude: float, longitude: float) -> str:
    """A map of a position: OpenStreetMap's own page when its tiles are the ones
    configured, else the configured provider's tile around the position."""
    tile_url = settings.DOORSTEP_MAP_TILE_URL
    if not tile_url or tile_url.startswith(OPENSTREETMAP_TILES):
        return (
            f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}"
            f"#map={MAP_ZOOM}/{latitude:.6f}/{longitude:.6f}"
        )
    scale = 2**MAP_ZOOM
    x = int((longitude + 180) / 360 * scale) % scale
    lat = math.radians(max(-85.05, min(85.05, latitude)))
    y = int((1 - math.asinh(math.tan(lat)) / math.pi) / 2 * scale)
    return (
        tile_url.replace("{s}", "a")
        .replace("{z}", str(MAP_ZOOM))
        .replace("{x}", str(x))
        .replace("{y}", str(y))
        .replace("{r}", "")
    )


class LastSeenFilter(admin.SimpleListFilter):
    title = "last seen"
    parameter_name = "last_seen"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [
            ("hour", "In the last hour"),
            ("day", "In the last 24 hours"),
            ("older", "More than 24 hours ago"),
            ("never", "Never"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        value = self.value() or ""
        since = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
        if value in since:
            return queryset.filter(latest_position__received_at__gte=now - since[value])
        if value == "older":
            return queryset.filter(latest_position__received_at__lt=now - timedelta(days=1))
        if value == "never":
            return queryset.filter(latest_position__isnull=True)
        return queryset
