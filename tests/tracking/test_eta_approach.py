"""The offline ETA along a technician's approach: it never rises on a free road, and at the
door it is the drive alone (it once added five minutes of parking, so a technician 0.79 km
away was "6 minutes" away right after a routed "5 minutes" at 1.8 km)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from doorstep.scheduling.travel import Point, great_circle_km
from doorstep.tracking.eta.offline import OfflineProvider

DESTINATION = Point(39.7392, -104.9903)
PROVIDER = OfflineProvider()


def toward(start: Point, share: float) -> Point:
    """The point `share` of the way from `start` to the destination, on a straight line."""
    return Point(
        start.latitude + (DESTINATION.latitude - start.latitude) * share,
        start.longitude + (DESTINATION.longitude - start.longitude) * share,
    )


@settings(max_examples=200, deadline=None)
@given(
    bearing_lat=st.floats(-0.2, 0.2),
    bearing_lon=st.floats(-0.2, 0.2),
    faster=st.floats(1, 3),
    hour=st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2027, 12, 31),
    ),
    steps=st.integers(2, 40),
)
def test_along_a_straight_approach_at_constant_speed_the_eta_never_rises(
    bearing_lat: float, bearing_lon: float, faster: float, hour: datetime, steps: int
) -> None:
    start = Point(DESTINATION.latitude + bearing_lat, DESTINATION.longitude + bearing_lon)
    length_km = great_circle_km(start, DESTINATION)
    # The whole approach inside one hour of the traffic profile: a free road, whose speed
    # does not change on the way.
    departure = hour.replace(minute=0, second=0, microsecond=0, tzinfo=UTC)
    # At the road's speed or faster (a slower van is later than any estimate says).
    estimator = PROVIDER.estimator
    kmh = estimator.profile.speed_at(departure) / estimator.circuity * faster
    drive = timedelta(hours=length_km / kmh)
    drive = min(timedelta(minutes=59), drive)
    arrivals: list[datetime] = []
    for step in range(steps + 1):
        share = step / steps
        now = departure + drive * share
        route = PROVIDER.route(toward(start, share), DESTINATION, now)
        arrivals.append(now + route.duration)
    for before, after in itertools.pairwise(arrivals):
        # Whole seconds: one second of rounding either way is not a rise.
        assert after <= before + timedelta(seconds=1), arrivals


def test_at_the_door_the_eta_is_the_drive_alone() -> None:
    at = datetime(2026, 12, 4, 15, tzinfo=UTC)
    near = PROVIDER.route(toward(Point(39.76, -104.97), 0.999), DESTINATION, at)
    assert near.duration < timedelta(seconds=30)
    assert PROVIDER.route(DESTINATION, DESTINATION, at).duration == timedelta(0)
