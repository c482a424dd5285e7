"""The availability engine: which start times a qualified technician can really keep.

Plain data in, slots out: no ORM, no clock, no settings (`scheduling.selectors` loads the
data). A start time is offered when at least one active technician with every required
skill, at the required proficiency, can do the whole visit

- inside one of their working-hours intervals (wall-clock times in their own zone on
  that date);
- without overlapping any of their open bookings or time off, with time to travel there
  from the previous stop and on to the next one;
- within the maximum travel radius of their home base (0 = no limit);

and it is not before `now`. Of those technicians, the one whose day gains the least travel
gets it (the lowest id on a tie, so the answer never depends on input order).

A technician's day runs from leaving home to getting back: at the start of the day the
previous stop is the home base, left no earlier than the start of their working hours, and
at the end of the day the next stop is the home base, to be reached by the end of their
working hours. "Day" is the technician's local date; a booking on that date outside
working hours (one the office squeezed in) is still a stop. Time off counts as a stop at
the home base: the technician must be home when it starts and sets off from home when it
ends (a doctor's appointment or a half day's leave, wherever it is spent, starts and ends
about there).

Start times lie on a wall-clock grid of the slot length from local midnight in the visit's
time zone, so customers see the same times every day: on the day daylight saving time
starts, a time that does not exist (02:00 in Denver) is skipped; on the day it ends, a time
that happens twice (01:00 in Denver) is two distinct slots, one hour apart.

Its modules: `data` (what the engine is asked, knows and answers), `grid` (the start
times), `fitting` (whether a visit fits into one technician's day, and the travel it
adds) and `search` (the searches over every technician).
"""

from __future__ import annotations

from doorstep.scheduling.slots.data import Slot, SlotRequest, Stop, Technician, TimeRange
from doorstep.scheduling.slots.grid import is_offered_start
from doorstep.scheduling.slots.search import find_slots, slot_candidates, slots_by_day
from doorstep.scheduling.travel import Point

__all__ = [
    "Point",
    "Slot",
    "SlotRequest",
    "Stop",
    "Technician",
    "TimeRange",
    "find_slots",
    "is_offered_start",
    "slot_candidates",
    "slots_by_day",
]
