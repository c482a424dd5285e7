"""The start times offered if free: a wall-clock grid of the slot length from local
midnight in the visit's time zone, the same times every day whatever the clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from doorstep.scheduling.slots.data import ONE_DAY, ZERO, SlotRequest, TimeRange, require_aware


def visit_span(request: SlotRequest) -> TimeRange:
    """From local midnight of the first day to local midnight after the last, in UTC."""
    zone = ZoneInfo(request.time_zone)
    return (
        wall_to_utc(request.first_day, time(0), zone),
        wall_to_utc(request.last_day + ONE_DAY, time(0), zone),
    )


def wall_to_utc(day: date, clock: time, zone: ZoneInfo) -> datetime:
    # fold=0: a time that happens twice means its first occurrence, and a time that does
    # not exist means the same clock reading before the change (02:30 → 03:30 in spring).
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def start_times(request: SlotRequest) -> list[datetime]:
    """Every offered-if-free start time, in UTC, in order, none before `now`.

    On the day daylight saving time starts, a time that does not exist (02:00 in Denver)
    is skipped; on the day it ends, a time that happens twice (01:00 in Denver) is two
    distinct start times, one hour apart.
    """
    zone = ZoneInfo(request.time_zone)
    length = request.slot_length
    starts: set[datetime] = set()
    day = request.first_day
    while day <= request.last_day:
        midnight = datetime.combine(day, time(0))
        offset = ZERO
        while offset < ONE_DAY:
            wall = midnight + offset
            for fold in (0, 1):
                moment = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
                # A wall time inside the spring-forward gap does not come back unchanged.
                if moment.astimezone(zone).replace(tzinfo=None) == wall:
                    starts.add(moment)
            offset += length
        day += ONE_DAY
    return sorted(start for start in starts if start >= request.now)


def is_offered_start(request: SlotRequest, start: datetime) -> bool:
    """Whether `start` is a start time of the request's grid, on its days, not before now."""
    require_aware(start, "A slot's start")
    if start < request.now:
        return False
    local = start.astimezone(ZoneInfo(request.time_zone))
    if not request.first_day <= local.date() <= request.last_day:
        return False
    since_midnight = timedelta(
        hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond
    )
    return since_midnight % request.slot_length == ZERO
