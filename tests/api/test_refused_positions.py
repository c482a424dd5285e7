"""Every position refused for a known technician is kept for the office to see, and why;
nothing is kept for a device nobody has."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from doorstep.tracking.models import LocationPing, PingSource, RefusedPosition
from doorstep.tracking.services import PingIn, purge_old_pings, record_pings
from tests.api.conftest import make_client
from tests.factories import ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db

DEVICE = "5J8Q2M7KX4RT"
OSMAND = "/api/v1/osmand"
LOCATIONS = "/api/v1/locations"


@pytest.fixture
def technician():  # type: ignore[no-untyped-def]
    return ResourceFactory(tracking_device_id=DEVICE, user=UserFactory())


@pytest.fixture
def phone(lane: str) -> Client:
    return make_client(lane, enforce_csrf_checks=True)


def seconds_ago(seconds: float) -> int:
    return int((timezone.now() - timedelta(seconds=seconds)).timestamp())


def osmand(phone: Client, **fields: Any) -> None:
    query = {"id": DEVICE, "lat": "39.7392", "lon": "-104.9903", "timestamp": seconds_ago(5)}
    query.update(fields)
    response = phone.get(OSMAND, {k: v for k, v in query.items() if v is not None})
    assert response.status_code == 200  # the phone is told the same whatever happened


def refused() -> RefusedPosition:
    return RefusedPosition.objects.get()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"lat": "95"}, "Latitude must be between -90 and 90."),
        ({"timestamp": "1000000"}, "The position is more than 24 hours old."),
        ({"timestamp": str(seconds_ago(-3600))}, "more than 2 minutes in the future"),
        ({"accuracy": "9000"}, "Accuracy must be between 0 and 5,000 metres."),
        ({"speed": "300"}, "Speed must be between 0 and 100 metres per second."),
        ({"altitude": "99999"}, "Altitude must be between -1,000 and 20,000 metres."),
        ({"bearing": "400"}, "Heading must be between 0 and 360 degrees."),
        ({"lat": None, "lon": None, "cell": "257,02,16,2224"}, "only cell towers or Wi-Fi"),
    ],
    ids=["latitude", "too old", "future", "accuracy", "speed", "altitude", "heading", "cell"],
)
def test_each_kind_of_refused_osmand_position_is_kept_with_its_reason(
    phone: Client, technician, fields: dict[str, Any], reason: str
) -> None:  # type: ignore[no-untyped-def]
    osmand(phone, **fields)
    row = refused()
    assert reason in row.reason
    assert (row.resource, row.device_id, row.source) == (technician, DEVICE, PingSource.OSMAND)
    assert row.received_at is not None
    assert not LocationPing.objects.exists()


def test_a_refused_position_keeps_what_it_said_when_it_can(phone: Client, technician) -> None:  # type: ignore[no-untyped-def]
    osmand(phone, accuracy="9000")
    row = refused()
    assert (float(row.latitude), float(row.longitude)) == (39.7392, -104.9903)  # type: ignore[arg-type]
    assert row.recorded_at is not None


def test_coordinates_out_of_range_are_not_kept(phone: Client, technician) -> None:  # type: ignore[no-untyped-def]
    osmand(phone, lat="1e300", lon="-1e300")
    assert (refused().latitude, refused().longitude) == (None, None)


def test_an_implausible_jump_is_kept_with_its_reason(phone: Client, technician) -> None:  # type: ignore[no-untyped-def]
    osmand(phone, lat="-6.1148096", lon="106.6837015", timestamp=seconds_ago(20))
    osmand(phone, lat="37.4219983", lon="-122.084", timestamp=seconds_ago(19))
    assert "faster than 360 km/h" in refused().reason
    assert float(refused().latitude) == pytest.approx(37.421998)  # type: ignore[arg-type]


def test_a_position_out_of_order_is_kept_with_its_reason(phone: Client, technician) -> None:  # type: ignore[no-untyped-def]
    osmand(phone, timestamp=seconds_ago(10))
    osmand(phone, timestamp=seconds_ago(30))
    assert "positions must arrive in the order they were taken" in refused().reason


def test_a_resent_position_is_no_refusal(phone: Client, technician) -> None:  # type: ignore[no-untyped-def]
    when = seconds_ago(10)
    osmand(phone, timestamp=when)
    osmand(phone, timestamp=when)
    assert not RefusedPosition.objects.exists()


def test_nothing_is_kept_for_an_unknown_device(phone: Client, technician) -> None:  # type: ignore[no-untyped-def]
    osmand(phone, id="nobody-has-this", accuracy="9000")
    osmand(phone, id="nobody-has-this", lat=None, lon=None, cell="257,02,16,2224")
    assert not RefusedPosition.objects.exists()


def post_locations(client: Client, body: object, **headers: str):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(LOCATIONS, data, content_type="application/json", headers=headers)


def a_ping(**fields: Any) -> dict[str, Any]:
    moment = timezone.now() - timedelta(seconds=5)
    return {"latitude": 39.7, "longitude": -104.9, "recorded_at": moment.isoformat(), **fields}


def test_an_unreadable_ping_from_the_technician_app_is_kept(client: Client, technician) -> None:  # type: ignore[no-untyped-def]
    client.force_login(technician.user)
    response = post_locations(client, {"pings": [a_ping(), a_ping(latitude="north")]})
    assert response.status_code == 207
    row = refused()
    assert (row.reason, row.source, row.latitude) == ("latitude must be a number.", "app", None)


def test_an_unreadable_request_from_the_technician_app_is_kept(client: Client, technician) -> None:  # type: ignore[no-untyped-def]
    client.force_login(technician.user)
    response = post_locations(client, "{not json")
    assert response.status_code == 400
    assert refused().reason.startswith("The body is not valid JSON")


def test_a_refused_ping_of_an_integration_is_kept(client: Client, technician, api_key: str) -> None:  # type: ignore[no-untyped-def]
    body = {"technician_id": technician.pk, "pings": [a_ping(accuracy=-3)]}
    response = post_locations(client, body, authorization=f"Bearer {api_key}")
    assert response.status_code == 400
    assert (refused().source, refused().reason) == (
        PingSource.API,
        "Accuracy must be between 0 and 5,000 metres.",
    )


def test_nothing_is_kept_for_a_wrong_key_or_an_unknown_technician(
    client: Client, technician, api_key: str
) -> None:  # type: ignore[no-untyped-def]
    post_locations(
        client, {"technician_id": technician.pk, "pings": "x"}, authorization="Bearer no"
    )
    body = {"technician_id": technician.pk + 1000, "pings": [a_ping(accuracy=-3)]}
    post_locations(client, body, authorization=f"Bearer {api_key}")
    assert not RefusedPosition.objects.exists()


def test_only_the_fifty_newest_refusals_of_a_technician_are_kept(technician) -> None:  # type: ignore[no-untyped-def]
    other = ResourceFactory()
    start = timezone.now() - timedelta(hours=1)
    record_pings(resource=other, pings=[bad_ping(start)], source=PingSource.API, now=start)
    for minute in range(55):
        when = start + timedelta(minutes=minute)
        record_pings(resource=technician, pings=[bad_ping(when)], source=PingSource.API, now=when)
    kept = RefusedPosition.objects.filter(resource=technician)
    assert sorted(kept.values_list("recorded_at", flat=True)) == [
        start + timedelta(minutes=minute) for minute in range(5, 55)
    ]
    # Another technician's refusals are not pushed out by these.
    assert RefusedPosition.objects.filter(resource=other).count() == 1


def bad_ping(when: datetime) -> PingIn:
    return PingIn(latitude=39.7, longitude=-104.9, recorded_at=when, accuracy_m=9000)


def test_refused_positions_are_purged_with_the_pings(technician, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DOORSTEP_PING_RETENTION_DAYS = 30
    for days in (31, 1):
        when = timezone.now() - timedelta(days=days)
        record_pings(resource=technician, pings=[bad_ping(when)], source=PingSource.API, now=when)
    purge_old_pings()
    assert RefusedPosition.objects.get().received_at > timezone.now() - timedelta(days=2)
