"""The offline ETA along a technician's approach: it never rises on a free road, nor when
the approach crosses into a slower traffic hour, and at the door it is the drive alone (it
once added five minutes of parking, so a technician 0.79 km away was "6 minutes" away right
after a routed "5 minutes" at 1.8 km; and it once drove the whole way at the departure
hour's speed, so a van 10 km of road out at 06:59 was due at 07:14, and a minute closer at
07:22)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doorstep.scheduling.travel import Point, default_estimator, great_circle_km
from doorstep.tracking.eta.offline import OfflineProvider, drive_seconds

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


@settings(max_examples=300, deadline=None)
@given(
    bearing_lat=st.floats(-0.6, 0.6),
    bearing_lon=st.floats(-0.6, 0.6),
    faster=st.floats(1, 2),
    departure=st.datetimes(
        min_value=datetime(2026, 1, 1),
        max_value=datetime(2027, 12, 31),
    ),
    time_zone=st.sampled_from(["UTC", "America/Denver", "Asia/Kolkata", "Europe/Berlin"]),
    steps=st.integers(2, 80),
)
def test_an_approach_across_traffic_hours_never_raises_the_eta(  # noqa: PLR0917 (drawn values)
    bearing_lat: float,
    bearing_lon: float,
    faster: float,
    departure: datetime,
    time_zone: str,
    steps: int,
) -> None:
    provider = OfflineProvider(default_estimator(time_zone))
    start = Point(DESTINATION.latitude + bearing_lat, DESTINATION.longitude + bearing_lon)
    length_km = great_circle_km(start, DESTINATION)
    departure = departure.replace(tzinfo=UTC)
    # As fast as the road allows in any hour it crosses, or faster: the approach spans up
    # to a few hours (night into rush hour, rush hour into day, a change of clocks).
    estimator = provider.estimator
    fastest = max(estimator.profile.kmh) / estimator.circuity * faster
    drive = timedelta(hours=length_km / fastest)
    arrivals: list[datetime] = []
    for step in range(steps + 1):
        share = step / steps
        now = departure + drive * share
        route = provider.route(toward(start, share), DESTINATION, now)
        arrivals.append(now + route.duration)
    for before, after in itertools.pairwise(arrivals):
        assert after <= before + timedelta(seconds=1), arrivals


def test_the_drive_takes_each_hour_at_its_own_speed() -> None:
    profile = default_estimator("UTC").profile
    monday_0650 = datetime(2026, 11, 23, 6, 50, tzinfo=UTC)
    # 10 minutes at the day's 40 km/h (6.67 km), then the rush hour's 25 km/h for the
    # 3.33 km left (8 minutes).
    assert drive_seconds(profile, 10.0, monday_0650) == pytest.approx(1080)
    assert drive_seconds(profile, 0.0, monday_0650) == 0


def test_across_a_change_of_clocks_the_next_hour_starts_an_hour_later() -> None:
    profile = default_estimator("America/Denver").profile
    # 2026-11-01 01:30 MDT (07:30 UTC); clocks go back at 02:00 MDT to 01:00 MST. Night
    # speed throughout: 55 km/h for 110 km is two hours, whatever the clock says.
    assert drive_seconds(profile, 110.0, datetime(2026, 11, 1, 7, 30, tzinfo=UTC)) == pytest.approx(
        7200
    )


def test_at_the_door_the_eta_is_the_drive_alone() -> None:
    at = datetime(2026, 12, 4, 15, tzinfo=UTC)
    near = PROVIDER.route(toward(Point(39.76, -104.97), 0.999), DESTINATION, at)
    assert near.duration < timedelta(seconds=30)
    assert PROVIDER.route(DESTINATION, DESTINATION, at).duration == timedelta(0)
