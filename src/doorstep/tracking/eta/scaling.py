"""Between two routings: the last routed trip, scaled by the straight line still to go.

Plain numbers in and out: no ORM, no clock, no settings.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

# Below this straight-line distance, scaling by the distance to go is noise.
MIN_SCALE_DISTANCE_M = 1.0


def scaled_trip(
    *,
    routed_duration: timedelta,
    routed_distance_m: float,
    routed_straight_m: float,
    straight_m: float,
) -> tuple[timedelta, float]:
    """Duration and road distance still to go, when the routed trip was `routed_straight_m`
    long in a straight line and `straight_m` of it are left."""
    share = straight_m / routed_straight_m if routed_straight_m >= MIN_SCALE_DISTANCE_M else 1.0
    return routed_duration * share, routed_distance_m * share


def arrival(*, departure: datetime, duration: timedelta) -> datetime:
    """When a trip of `duration` that starts at `departure` arrives, to the next second."""
    return departure + timedelta(seconds=math.ceil(duration.total_seconds()))
