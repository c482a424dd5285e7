"""The searches: every start time some technician can keep, and who can keep one of them."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from doorstep.scheduling.slots.data import Slot, SlotRequest, Technician
from doorstep.scheduling.slots.fitting import Calendar, VisitFitter, WallClockCache, qualifies
from doorstep.scheduling.slots.grid import is_offered_start, start_times, visit_span
from doorstep.scheduling.travel import TravelEstimator


def find_slots(
    request: SlotRequest, technicians: Iterable[Technician], travel: TravelEstimator
) -> list[Slot]:
    """Every start time on the request's days that some technician can keep, in order.

    One slot per start time, with the technician whose day gains the least travel.
    """
    grid = start_times(request)
    if not grid:
        return []
    span = visit_span(request)
    duration = request.duration
    fitter = VisitFitter(request, travel)
    wall_cache: WallClockCache = {}
    best: dict[datetime, tuple[timedelta, int]] = {}
    for technician in technicians:
        if not qualifies(technician, request):
            continue
        calendar = Calendar(technician, request, span, wall_cache)
        for shift in calendar.shifts:
            # Grid times from the shift's start up to the last one that still ends in it.
            first = bisect_left(grid, shift.start)
            last = bisect_right(grid, shift.end - duration)
            for start in grid[first:last]:
                added = fitter.added_travel(calendar, shift, start, start + duration)
                if added is None:
                    continue
                choice = (added, technician.id)
                held = best.get(start)
                if held is None or choice < held:
                    best[start] = choice
    return [
        Slot(start=start, end=start + duration, technician_id=technician_id, added_travel=added)
        for start, (added, technician_id) in sorted(best.items())
    ]


def slot_candidates(
    request: SlotRequest,
    technicians: Iterable[Technician],
    start: datetime,
    travel: TravelEstimator,
) -> list[Slot]:
    """Every technician who can take the visit at `start`, best first (as `find_slots` picks).

    Empty when `start` is not an offered start time of the request. For the booking
    service's re-check inside its transaction, on freshly loaded data for the locked
    technicians: if the first technician was taken meanwhile, the next one may still be
    free.
    """
    if not is_offered_start(request, start):
        return []
    end = start + request.duration
    span = visit_span(request)
    fitter = VisitFitter(request, travel)
    wall_cache: WallClockCache = {}
    found: list[Slot] = []
    for technician in technicians:
        if not qualifies(technician, request):
            continue
        calendar = Calendar(technician, request, span, wall_cache)
        shift = calendar.shift_holding(start, end)
        if shift is None:
            continue
        added = fitter.added_travel(calendar, shift, start, end)
        if added is not None:
            found.append(Slot(start, end, technician.id, added))
    found.sort(key=lambda slot: (slot.added_travel, slot.technician_id))
    return found


def slots_by_day(slots: Iterable[Slot], time_zone: str) -> dict[date, list[Slot]]:
    """Slots grouped by their start's local date in `time_zone`, days and slots in order."""
    zone = ZoneInfo(time_zone)
    days: dict[date, list[Slot]] = {}
    for slot in sorted(slots):
        days.setdefault(slot.start.astimezone(zone).date(), []).append(slot)
    return days
