"""Reading times in the time zone of the person they concern, not the server's."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone


def wall_clock_in(moment: datetime, zone: ZoneInfo) -> datetime:
    """The same date and clock time as typed, read in `zone` instead of the current zone."""
    return timezone.make_aware(timezone.make_naive(moment), zone)
