from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from doorstep.core import events
from doorstep.tracking import selectors
from doorstep.tracking.models import LatestPosition, LocationPing, PingSource
from doorstep.tracking.selectors import latest_position
from doorstep.tracking.services import PingBatch, PingIn, record_batches, record_pings
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)


def ping(seconds_ago: float = 0, **fields: object) -> PingIn:
    values: dict[str, object] = {
        "latitude": 39.74,
        "longitude": -104.99,
        "recorded_at": NOW - timedelta(seconds=seconds_ago),
        "accuracy_m": 8.0,
        "speed_mps": 12.5,
        "heading_deg": 90.0,
    }
    values.update(fields)
    return PingIn(**values)  # type: ignore[arg-type]


def record(technician, *pings: PingIn):  # type: ignore[no-untyped-def]
    return record_pings(resource=technician, pings=list(pings), source=PingSource.APP, now=NOW)


def test_valid_ping_is_stored_and_becomes_the_latest_position() -> None:
    technician = ResourceFactory()
    result = record(technician, ping(5))
    assert (result.accepted, result.duplicates, result.refusals) == (1, 0, [])
    stored = LocationPing.objects.get()
    assert stored.latitude == Decimal("39.740000")
    assert stored.received_at == NOW
    assert stored.source == PingSource.APP
    position = latest_position(technician_id=technician.pk)
    assert position is not None
    assert position.coordinates == (39.74, -104.99)
    assert position.recorded_at == NOW - timedelta(seconds=5)


def test_latest_position_moves_to_the_newest_ping() -> None:
    technician = ResourceFactory()
    record(technician, ping(60, latitude=39.70))
    record(technician, ping(30, latitude=39.71), ping(10, latitude=39.72))
    position = LatestPosition.objects.get(resource=technician)
    assert position.latitude == Decimal("39.720000")
    assert LocationPing.objects.count() == 3


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"latitude": 90.5}, "Latitude must be between -90 and 90."),
        ({"latitude": -91.0}, "Latitude must be between -90 and 90."),
        ({"longitude": 180.01}, "Longitude must be between -180 and 180."),
        ({"longitude": float("nan")}, "Longitude must be between -180 and 180."),
        ({"accuracy_m": -1.0}, "Accuracy must be between 0 and 5,000 metres."),
        ({"accuracy_m": 5000.5}, "Accuracy must be between 0 and 5,000 metres."),
        ({"speed_mps": -0.1}, "Speed must be between 0 and 100 metres per second."),
        ({"speed_mps": 100.1}, "Speed must be between 0 and 100 metres per second."),
        ({"heading_deg": -1.0}, "Heading must be between 0 and 360 degrees."),
        ({"heading_deg": 360.5}, "Heading must be between 0 and 360 degrees."),
        ({"battery_percent": 101.0}, "Battery level must be between 0 and 100 %."),
    ],
)
def test_out_of_range_field_is_refused_with_its_reason(
    fields: dict[str, float], reason: str
) -> None:
    technician = ResourceFactory()
    result = record(technician, ping(**fields))
    assert result.accepted == 0
    assert [(r.index, r.reason) for r in result.refusals] == [(0, reason)]
    assert result.nothing_accepted
    assert not LocationPing.objects.exists()
    assert not LatestPosition.objects.exists()


def test_limits_themselves_are_accepted() -> None:
    technician = ResourceFactory()
    result = record(
        technician,
        # Twenty minutes apart: from pole to pole is no jump to compare then.
        ping(
            2400,
            latitude=90.0,
            longitude=-180.0,
            accuracy_m=5000.0,
            speed_mps=100.0,
            heading_deg=360.0,
        ),
        ping(1200, latitude=-90.0, longitude=180.0, accuracy_m=0.0, speed_mps=0.0, heading_deg=0.0),
        ping(1, accuracy_m=None, speed_mps=None, heading_deg=None),
    )
    assert result.accepted == 3


def test_ping_from_more_than_two_minutes_ahead_is_refused() -> None:
    technician = ResourceFactory()
    result = record(technician, ping(-121))
    assert "more than 2 minutes in the future" in result.refusals[0].reason
    assert record(technician, ping(-119)).accepted == 1  # a clock a little fast is fine


def test_ping_older_than_a_day_is_refused() -> None:
    technician = ResourceFactory()
    result = record(technician, ping(24 * 3600 + 1))
    assert result.refusals[0].reason == "The position is more than 24 hours old."
    assert record(technician, ping(24 * 3600 - 1)).accepted == 1


def test_ping_without_time_zone_is_refused() -> None:
    technician = ResourceFactory()
    result = record(technician, ping(recorded_at=datetime(2025, 5, 1, 9, 29)))
    assert "time zone" in result.refusals[0].reason


def test_ping_older_than_the_latest_position_is_refused_as_out_of_order() -> None:
    technician = ResourceFactory()
    record(technician, ping(10))
    result = record(technician, ping(20, latitude=39.0))
    assert result.accepted == 0
    assert "positions must arrive in the order they were taken" in result.refusals[0].reason
    assert LatestPosition.objects.get().latitude == Decimal("39.740000")
    assert LocationPing.objects.count() == 1


def test_order_is_judged_per_device_and_the_latest_position_never_moves_back() -> None:
    technician = ResourceFactory()
    record(technician, ping(10, device_id="phone", latitude=39.5))

    older_from_another_device = record(technician, ping(20, device_id="traccar", latitude=39.1))
    older_from_the_same_device = record(technician, ping(15, device_id="phone"))

    assert older_from_another_device.accepted == 1
    assert LatestPosition.objects.get().latitude == Decimal("39.500000")
    assert "order" in older_from_the_same_device.refusals[0].reason


def test_batch_is_taken_oldest_first_whatever_its_order() -> None:
    technician = ResourceFactory()
    result = record(
        technician, ping(10, latitude=39.703), ping(30, latitude=39.701), ping(20, latitude=39.702)
    )
    assert result.accepted == 3
    assert LatestPosition.objects.get().latitude == Decimal("39.703000")


def test_exact_duplicate_is_counted_not_stored_twice() -> None:
    technician = ResourceFactory()
    record(technician, ping(30, device_id="phone"), ping(20, device_id="phone"))
    # The device lost the answer and resends its buffer, then a new ping.
    result = record(
        technician,
        ping(30, device_id="phone"),
        ping(20, device_id="phone"),
        ping(10, device_id="phone"),
    )
    assert (result.accepted, result.duplicates, result.refusals) == (1, 2, [])
    assert LocationPing.objects.count() == 3
    assert not result.nothing_accepted


def test_duplicate_inside_one_batch_is_stored_once() -> None:
    technician = ResourceFactory()
    result = record(technician, ping(10), ping(10))
    assert (result.accepted, result.duplicates) == (1, 1)


def test_same_time_from_another_technician_is_no_duplicate() -> None:
    one, other = ResourceFactory(), ResourceFactory()
    record(one, ping(10))
    assert record(other, ping(10)).accepted == 1


def test_refusal_index_is_the_place_in_the_list_given() -> None:
    technician = ResourceFactory()
    result = record(technician, ping(30), ping(20, latitude=95.0), ping(10))
    assert result.accepted == 2
    assert [r.index for r in result.refusals] == [1]


def test_accepted_batch_publishes_one_position_event_for_the_newest_ping(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    technician = ResourceFactory()
    seen: list[events.Event] = []
    events.subscribe("tracking.positions", seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            record(technician, ping(20, latitude=39.701), ping(10, latitude=39.702))
        with django_capture_on_commit_callbacks(execute=True):
            record(technician, ping(5, latitude=99.0))  # refused: nothing to tell
    finally:
        events.unsubscribe("tracking.positions", seen.append)
    assert [event.payload for event in seen] == [
        {
            "positions": [
                {
                    "resource_id": technician.pk,
                    "latitude": 39.702,
                    "longitude": -104.99,
                    "recorded_at": (NOW - timedelta(seconds=10)).isoformat(),
                }
            ]
        }
    ]


# --- Many requests in one transaction (the ingest group commit) ----------------------


def batches(technicians, seconds_ago: float):  # type: ignore[no-untyped-def]
    return [
        PingBatch(technician, [ping(seconds_ago)], PingSource.API) for technician in technicians
    ]


def requests_with_devices(technicians, devices: int, seconds_ago: float):  # type: ignore[no-untyped-def]
    """One request per technician, with a ping from each of `devices` device ids."""
    return [
        PingBatch(
            technician,
            [ping(seconds_ago, device_id=f"traccar-{number}") for number in range(devices)],
            PingSource.OSMAND,
        )
        for technician in technicians
    ]


@pytest.mark.parametrize("devices", [1, 5, 40])
@pytest.mark.parametrize("count", [1, 40])
def test_a_batch_of_requests_costs_the_same_queries_as_one(
    count: int, devices: int, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    technicians = ResourceFactory.create_batch(count)
    # Each technician, and each of their devices, has a stored position already.
    record_batches(requests_with_devices(technicians, devices, 30), now=NOW)
    with django_assert_max_num_queries(8):
        results = record_batches(requests_with_devices(technicians, devices, 20), now=NOW)
    assert [result.accepted for result in results] == [devices] * count
    assert LocationPing.objects.count() == 2 * count * devices
    assert {p.recorded_at for p in LatestPosition.objects.all()} == {NOW - timedelta(seconds=20)}


@pytest.mark.parametrize("pairs_per_query", [1, selectors.PAIRS_PER_QUERY])
def test_order_is_judged_per_technician_and_device_in_a_batch(
    pairs_per_query: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "PAIRS_PER_QUERY", pairs_per_query)
    one, other = ResourceFactory.create_batch(2)
    record_batches(
        [
            PingBatch(one, [ping(10, device_id="a"), ping(30, device_id="b")], PingSource.OSMAND),
            PingBatch(other, [ping(30, device_id="a"), ping(10, device_id="b")], PingSource.OSMAND),
        ],
        now=NOW,
    )
    results = record_batches(
        [
            PingBatch(one, [ping(20, device_id="a"), ping(20, device_id="b")], PingSource.OSMAND),
            PingBatch(other, [ping(20, device_id="a"), ping(20, device_id="b")], PingSource.OSMAND),
        ],
        now=NOW,
    )
    # Each ping is 20 s old: after the newest of its own technician and device or not.
    assert [r.index for r in results[0].refusals] == [0]
    assert [r.index for r in results[1].refusals] == [1]
    assert [result.accepted for result in results] == [1, 1]
    assert "(2025-05-01 09:29:50 UTC)" in results[0].refusals[0].reason


def test_two_requests_of_one_technician_in_a_batch_are_taken_in_order() -> None:
    technician = ResourceFactory()
    first = PingBatch(technician, [ping(20, latitude=39.701)], PingSource.APP)
    resent = PingBatch(technician, [ping(20, latitude=39.701)], PingSource.APP)
    older = PingBatch(technician, [ping(30)], PingSource.APP)
    newer = PingBatch(technician, [ping(10, latitude=39.703)], PingSource.APP)
    results = record_batches([first, resent, older, newer], now=NOW)
    assert [(r.accepted, r.duplicates, len(r.refusals)) for r in results] == [
        (1, 0, 0),
        (0, 1, 0),  # the same ping again: a duplicate, not stored twice
        (0, 0, 1),  # older than what the first request brought: out of order
        (1, 0, 0),
    ]
    assert LocationPing.objects.count() == 2
    assert LatestPosition.objects.get(resource=technician).latitude == Decimal("39.703000")
    assert all(result.latest is not None for result in results)


def test_a_refused_request_in_a_batch_does_not_stop_the_others() -> None:
    technician, other = ResourceFactory.create_batch(2)
    results = record_batches(
        [
            PingBatch(technician, [ping(5, latitude=95.0)], PingSource.API),
            PingBatch(other, [ping(5)], PingSource.API),
        ],
        now=NOW,
    )
    assert results[0].nothing_accepted
    assert results[1].accepted == 1
    assert not LocationPing.objects.filter(resource=technician).exists()


def test_a_jump_no_van_could_make_is_refused_whichever_door_it_came_by() -> None:
    technician = ResourceFactory()
    record(technician, ping(20))
    result = record(technician, ping(10, latitude=48.85, longitude=2.35))  # Paris, 10 s later
    assert result.accepted == 0
    assert "faster than 360 km/h" in result.refusals[0].reason
    assert LatestPosition.objects.get().latitude == Decimal("39.740000")
    assert record(technician, ping(5, latitude=39.7401)).accepted == 1  # the true one still is
