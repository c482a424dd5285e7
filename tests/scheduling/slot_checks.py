"""What the tests ask of the availability engine beyond what the product needs of it."""

from __future__ import annotations

from datetime import datetime

from doorstep.scheduling.slots import SlotRequest, Technician, slot_candidates
from doorstep.scheduling.travel import TravelEstimator


def slot_is_free(
    request: SlotRequest, technician: Technician, start: datetime, travel: TravelEstimator
) -> bool:
    """Whether this technician can take the visit at `start`: what the booking services'
    re-check (`slot_candidates`) finds when they are the only technician it is given."""
    return bool(slot_candidates(request, [technician], start, travel))
