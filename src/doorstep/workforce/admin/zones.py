"""Times on the technicians' pages, in the technician's own time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone

from doorstep.core.validators import time_zone_names
from doorstep.workforce.models import Resource


def in_zone(moment: datetime, zone_name: str) -> str:
    return f"{timezone.localtime(moment, ZoneInfo(zone_name)):%Y-%m-%d %H:%M}"


def zone_of_technician(technician_id: str | int | None) -> ZoneInfo | None:
    if technician_id is None or not str(technician_id).isdigit():
        return None
    name = Resource.objects.filter(pk=technician_id).values_list("time_zone", flat=True).first()
    return ZoneInfo(name) if name else None


def zone_posted(request: HttpRequest) -> ZoneInfo | None:
    name = request.POST.get("time_zone", "") if request.method == "POST" else ""
    return ZoneInfo(name) if name in time_zone_names() else None
