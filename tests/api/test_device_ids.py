"""Tracking device ids cannot be found by trying: an unknown id is answered as a known one,
and an address that keeps naming unknown ids is made to wait."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from doorstep.tracking import ingest as recording
from doorstep.tracking.models import LocationPing
from tests.api.conftest import make_client
from tests.api.test_fast_lane import seen
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/osmand"
DEVICE = "k7m2x-9qp4h-vtc8r-wn3df"


def query(device_id: str, *, seconds_ago: int = 5, **extra: str) -> str:
    when = timezone.now() - timedelta(seconds=seconds_ago)
    fields = {
        "id": device_id,
        "lat": "39.74",
        "lon": "-104.99",
        "timestamp": str(int(when.timestamp())),
    }
    return urlencode({**fields, **extra})


def json_body(device_id: str, *, seconds_ago: int = 5) -> str:
    when = timezone.now() - timedelta(seconds=seconds_ago)
    return json.dumps(
        {
            "device_id": device_id,
            "location": {
                "timestamp": when.isoformat(),
                "coords": {"latitude": 39.74, "longitude": -104.99, "accuracy": 5},
            },
        }
    )


def send(client: Client, shape: str, device_id: str, *, seconds_ago: int = 5) -> Any:
    if shape == "query string":
        return client.post(f"{URL}?{query(device_id, seconds_ago=seconds_ago)}")
    return client.post(
        URL, json_body(device_id, seconds_ago=seconds_ago), content_type="application/json"
    )


@pytest.mark.parametrize("shape", ["query string", "json"])
def test_an_unknown_device_gets_the_answer_of_a_known_one_whatever_became_of_its_position(
    client: Client, shape: str
) -> None:
    ResourceFactory(tracking_device_id=DEVICE)
    unknown = seen(send(client, shape, "k7m2x-9qp4h-vtc8r-wn3dg"))
    refused = seen(send(client, shape, DEVICE, seconds_ago=2 * 24 * 3600))  # two days old
    stored = seen(send(client, shape, DEVICE))
    assert LocationPing.objects.count() == 1
    assert unknown.status == refused.status == stored.status == 200
    assert unknown == refused == stored  # status, every header, body


def test_a_guessing_address_is_made_to_wait_whatever_device_it_names(
    lane: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_the_clock(monkeypatch)
    ResourceFactory(tracking_device_id=DEVICE)
    guesser = make_client(lane, REMOTE_ADDR="203.0.113.1")
    for number in range(recording.DEVICE_MISSES_PER_WINDOW):
        assert guesser.post(f"{URL}?{query(f'{number:08}')}").status_code == 200

    # Past the limit, a known id gets the same answer as an unknown one: no hint either way.
    for device_id in ("99999999", DEVICE):
        response = guesser.post(f"{URL}?{query(device_id)}")
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= recording.DEVICE_MISS_WINDOW_SECONDS
        assert "named a tracking device id that no technician has" in response.json()["error"]
    assert not LocationPing.objects.exists()

    # Another address is not held up.
    phone = make_client(lane, REMOTE_ADDR="203.0.113.2")
    assert phone.post(f"{URL}?{query(DEVICE)}").status_code == 200
    assert LocationPing.objects.count() == 1


def test_known_devices_are_never_counted(lane: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_the_clock(monkeypatch)
    ResourceFactory(tracking_device_id=DEVICE)
    phone = make_client(lane, REMOTE_ADDR="203.0.113.3")
    # Older than the pinned clock's moment, which is up to half a window behind.
    for seconds_ago in range(2 * recording.DEVICE_MISSES_PER_WINDOW + 60, 60, -1):
        assert phone.post(f"{URL}?{query(DEVICE, seconds_ago=seconds_ago)}").status_code == 200
    assert LocationPing.objects.count() == 2 * recording.DEVICE_MISSES_PER_WINDOW


def test_both_ways_in_count_for_the_same_address(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_the_clock(monkeypatch)
    django = make_client("django", REMOTE_ADDR="203.0.113.4")
    lane = make_client("fast lane", REMOTE_ADDR="203.0.113.4")
    half = recording.DEVICE_MISSES_PER_WINDOW // 2
    for number in range(half):
        assert django.post(f"{URL}?{query(f'{number:08}')}").status_code == 200
    for number in range(half, recording.DEVICE_MISSES_PER_WINDOW):
        assert lane.post(f"{URL}?{query(f'{number:08}')}").status_code == 200
    assert lane.post(f"{URL}?{query('99999999')}").status_code == 429
    assert lane.lane_answered  # type: ignore[attr-defined]
    assert django.post(f"{URL}?{query('99999999')}").status_code == 429


def test_the_wait_is_answered_alike_by_either_way_in(monkeypatch: pytest.MonkeyPatch) -> None:
    pin_the_clock(monkeypatch)
    django = make_client("django", REMOTE_ADDR="203.0.113.7")
    lane = make_client("fast lane", REMOTE_ADDR="203.0.113.7")
    for number in range(recording.DEVICE_MISSES_PER_WINDOW):
        django.post(f"{URL}?{query(f'{number:08}')}")
    by_django = seen(django.post(f"{URL}?id=99999999&lat=39.74&lon=-104.99"))
    by_lane = seen(lane.post(f"{URL}?id=99999999&lat=39.74&lon=-104.99"))
    assert lane.lane_answered  # type: ignore[attr-defined]
    assert by_django.status == 429
    assert by_lane == by_django  # status, every header (Retry-After among them), body


def test_behind_the_proxy_the_address_is_the_one_it_forwards(
    lane: str, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    pin_the_clock(monkeypatch)
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxy = make_client(lane, REMOTE_ADDR="10.0.0.1")
    for number in range(recording.DEVICE_MISSES_PER_WINDOW):
        response = proxy.post(
            f"{URL}?{query(f'{number:08}')}", headers={"X-Forwarded-For": "203.0.113.5"}
        )
        assert response.status_code == 200
    waits = proxy.post(f"{URL}?{query('99999999')}", headers={"X-Forwarded-For": "203.0.113.5"})
    assert waits.status_code == 429
    other = proxy.post(f"{URL}?{query('99999999')}", headers={"X-Forwarded-For": "203.0.113.6"})
    assert other.status_code == 200


class PinnedClock:
    """`django.utils.timezone` with `now()` held in the middle of a counting window, so
    that a test never straddles two windows."""

    def __init__(self) -> None:
        window_seconds = recording.DEVICE_MISS_WINDOW_SECONDS
        start = int(timezone.now().timestamp()) // window_seconds * window_seconds
        self.moment = datetime.fromtimestamp(start + window_seconds // 2, tz=timezone.UTC)

    def now(self) -> datetime:
        return self.moment

    def __getattr__(self, name: str) -> Any:
        return getattr(timezone, name)


def pin_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recording, "timezone", PinnedClock())
