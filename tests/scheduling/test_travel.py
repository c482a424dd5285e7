from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorstep.scheduling.travel import (
    OfflineEstimator,
    Point,
    SpeedProfile,
    TravelEstimator,
    default_estimator,
    great_circle_km,
)

DENVER = ZoneInfo("America/Denver")
PARIS = Point(48.8566, 2.3522)
LONDON = Point(51.5074, -0.1278)
UNION_STATION = Point(39.7527, -105.0002)
CAPITOL = Point(39.7393, -104.9848)

DETERMINISTIC = settings(
    derandomize=True,
    database=None,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

points = st.builds(
    Point,
    latitude=st.floats(min_value=39.0, max_value=40.5),
    longitude=st.floats(min_value=-105.5, max_value=-104.0),
)
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)


def constant_speed(kmh: float) -> SpeedProfile:
    return SpeedProfile(kmh=(kmh,) * 168)


def test_great_circle_distance_paris_london() -> None:
    assert great_circle_km(PARIS, LONDON) == pytest.approx(343.5, abs=1.0)
    assert great_circle_km(LONDON, PARIS) == pytest.approx(great_circle_km(PARIS, LONDON))


def test_no_travel_and_no_stop_overhead_when_staying_put() -> None:
    estimator = OfflineEstimator()

    assert estimator.estimate_travel(CAPITOL, CAPITOL, datetime(2026, 3, 2, tzinfo=UTC)) == (
        timedelta(0)
    )


def test_travel_is_distance_times_circuity_over_speed_plus_stop_overhead() -> None:
    estimator = OfflineEstimator(
        profile=constant_speed(30), circuity=1.3, stop_overhead=timedelta(minutes=5)
    )
    road_km = great_circle_km(UNION_STATION, CAPITOL) * 1.3

    travel = estimator.estimate_travel(UNION_STATION, CAPITOL, datetime(2026, 3, 2, tzinfo=UTC))

    expected_seconds = math.ceil(road_km / 30 * 3600) + 5 * 60
    assert travel == timedelta(seconds=expected_seconds)


def test_weekday_rush_hour_is_slower_than_midday_and_than_the_weekend() -> None:
    estimator = OfflineEstimator(profile=SpeedProfile.default("America/Denver"))
    monday_rush = datetime(2026, 3, 2, 8, 0, tzinfo=DENVER)
    monday_midday = datetime(2026, 3, 2, 11, 0, tzinfo=DENVER)
    monday_evening_rush = datetime(2026, 3, 2, 17, 30, tzinfo=DENVER)
    saturday_morning = datetime(2026, 3, 7, 8, 0, tzinfo=DENVER)

    def trip(when: datetime) -> timedelta:
        return estimator.estimate_travel(PARIS, LONDON, when)

    assert trip(monday_rush) > trip(monday_midday)
    assert trip(monday_evening_rush) > trip(monday_midday)
    assert trip(saturday_morning) == trip(monday_midday)


def test_rush_hours_are_read_in_the_profiles_time_zone() -> None:
    # 14:00 UTC on a Monday is 08:00 in Denver (rush) but 15:00 in Paris (not yet).
    moment = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)

    assert SpeedProfile.default("America/Denver").speed_at(moment) == 25
    assert SpeedProfile.default("Europe/Paris").speed_at(moment) == 40


def test_default_profile_rush_hours_are_seven_to_nine_and_four_to_six() -> None:
    profile = SpeedProfile.default("UTC")
    monday = [profile.kmh[hour] for hour in range(24)]
    sunday = [profile.kmh[6 * 24 + hour] for hour in range(24)]

    slow_hours = [hour for hour, speed in enumerate(monday) if speed == min(monday)]
    assert slow_hours == [7, 8, 16, 17]
    assert min(sunday) > min(monday)


def test_profile_needs_168_positive_speeds() -> None:
    with pytest.raises(ValueError, match="168"):
        SpeedProfile(kmh=(40.0,) * 24)
    with pytest.raises(ValueError, match="positive"):
        SpeedProfile(kmh=(40.0,) * 167 + (0.0,))


def test_profile_is_plain_data_that_compares_by_value() -> None:
    assert SpeedProfile.default("Europe/Paris") == SpeedProfile(
        kmh=SpeedProfile.default("Europe/Paris").kmh, time_zone="Europe/Paris"
    )


def test_naive_departure_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        OfflineEstimator().estimate_travel(PARIS, LONDON, datetime(2026, 3, 2, 8, 0))


def test_points_outside_the_globe_are_refused() -> None:
    with pytest.raises(ValueError, match="Latitude"):
        Point(91, 0)
    with pytest.raises(ValueError, match="Longitude"):
        Point(0, 181)


def test_offline_estimator_is_a_travel_estimator() -> None:
    estimator: TravelEstimator = default_estimator("America/Denver")

    assert estimator.estimate_travel(CAPITOL, UNION_STATION, datetime.now(UTC)) > timedelta(0)
    assert default_estimator("America/Denver") is estimator


@DETERMINISTIC
@given(origin=points, destination=points, departure=moments)
def test_travel_is_symmetric_and_never_negative(
    origin: Point, destination: Point, departure: datetime
) -> None:
    estimator = OfflineEstimator(profile=SpeedProfile.default("America/Denver"))

    there = estimator.estimate_travel(origin, destination, departure)

    assert there >= timedelta(0)
    assert there == estimator.estimate_travel(destination, origin, departure)
    if origin != destination:
        assert there >= estimator.stop_overhead


@DETERMINISTIC
@given(a=points, b=points, c=points, departure=moments)
def test_a_detour_is_never_quicker_at_constant_speed(
    a: Point, b: Point, c: Point, departure: datetime
) -> None:
    estimator = OfflineEstimator(profile=constant_speed(40))

    direct = estimator.estimate_travel(a, c, departure)
    detour = estimator.estimate_travel(a, b, departure) + estimator.estimate_travel(b, c, departure)

    assert direct <= detour
