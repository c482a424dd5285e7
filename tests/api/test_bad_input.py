"""No request body or query makes the location endpoints fail: each problem is a 400 that
says what is wrong, and an API key is checked before its request's body is read."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from doorstep.access.models import ApiKey
from doorstep.api import answers, ingest
from doorstep.tracking.models import LocationPing
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

LOCATIONS = "/api/v1/locations"
OSMAND = "/api/v1/osmand"
DEEP = "[" * 100_000 + "]" * 100_000
DIGITS_400 = "1" * 400
DIGITS_5000 = "1" * 5_000
LATE_IN_9999 = "9999-12-31T23:59:59-23:59"  # the year 10000 in UTC


def recent() -> str:
    return (timezone.now() - timedelta(seconds=5)).isoformat()


def ping(**fields: str) -> str:
    """One ping as JSON text, each field's value given as JSON text."""
    values = {"latitude": "39.74", "longitude": "-104.99", "recorded_at": json.dumps(recent())}
    values.update(fields)
    return "{" + ", ".join(f'"{name}": {value}' for name, value in values.items()) + "}"


def locations_body(technician_id: str = "TECHNICIAN", **fields: str) -> str:
    return f'{{"technician_id": {technician_id}, "pings": [{ping(**fields)}]}}'


LOCATIONS_CASES: dict[str, tuple[str, str]] = {
    "nested 100,000 deep": (DEEP, "nested too deeply"),
    "a 400-digit latitude": (locations_body(latitude=DIGITS_400), "latitude is out of range"),
    "a 5,000-digit latitude": (locations_body(latitude=DIGITS_5000), "too many digits"),
    "a 400-digit technician number": (locations_body(DIGITS_400), "technician's number"),
    "a 5,000-digit technician number": (locations_body(DIGITS_5000), "too many digits"),
    "a technician number of ²": (locations_body('"²"'), "technician's number"),
    "a NaN latitude": (locations_body(latitude="NaN"), "NaN is not a number JSON allows"),
    "NUL in the device id": (
        '{"device_id": "van\\u0000", "pings": []}',
        "device_id must be printable characters only",
    ),
    "a lone surrogate in the device id": (
        '{"device_id": "\\ud800", "pings": []}',
        "device_id must be printable characters only",
    ),
    "a device id of 65 characters": (
        json.dumps({"device_id": "x" * 65, "pings": []}),
        "device_id must be at most 64 characters",
    ),
    "a device id that is an object": (
        '{"device_id": {"a": [[[1]]]}, "pings": []}',
        "device_id must be text",
    ),
    "a time in the year 10000 in UTC": (
        locations_body(recorded_at=json.dumps(LATE_IN_9999)),
        "recorded_at is out of range",
    ),
}


@pytest.mark.parametrize("case", LOCATIONS_CASES.values(), ids=LOCATIONS_CASES.keys())
def test_a_body_that_cannot_be_read_answers_400_with_the_reason(
    client: Client, api_key: str, case: tuple[str, str]
) -> None:
    technician = ResourceFactory(tracking_device_id="van-7")
    body, reason = case
    body = body.replace("TECHNICIAN", str(technician.pk))
    response = client.post(
        LOCATIONS,
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert response.status_code == 400
    assert reason in json.dumps(response.json(), ensure_ascii=False)
    assert not LocationPing.objects.exists()


@pytest.mark.parametrize("case", LOCATIONS_CASES.values(), ids=LOCATIONS_CASES.keys())
def test_an_invalid_key_answers_401_whatever_the_body(
    client: Client, case: tuple[str, str]
) -> None:
    body, _ = case
    response = client.post(
        LOCATIONS, body, content_type="application/json", headers={"Authorization": "Bearer ds_x"}
    )
    assert response.status_code == 401
    assert response.json() == {"error": answers.INVALID_KEY}


def test_the_body_of_a_request_with_an_invalid_key_is_not_read(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_locations(body: bytes, **kwargs: Any) -> None:
        raise AssertionError("the body was read")

    monkeypatch.setattr(ingest, "read_locations", read_locations)
    for header in ("Bearer ds_not-a-key", "Bearer", "Basic abc"):
        response = client.post(
            LOCATIONS, DEEP, content_type="application/json", headers={"Authorization": header}
        )
        assert response.status_code == 401


def test_a_revoked_key_is_refused_at_once_and_then_before_its_body_is_read(
    client: Client, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    technician = ResourceFactory()
    body = locations_body(str(technician.pk))
    headers = {"Authorization": f"Bearer {api_key}"}
    assert (
        client.post(LOCATIONS, body, content_type="application/json", headers=headers).status_code
        == 200
    )
    ApiKey.objects.update(active=False)  # as staff do in the back office
    # Known as valid a moment ago: its body is read, and the batch refuses the key.
    response = client.post(LOCATIONS, body, content_type="application/json", headers=headers)
    assert response.status_code == 401
    # From then on the key is checked before anything else.
    read = []
    monkeypatch.setattr(ingest, "read_locations", lambda *args, **kwargs: read.append(args))
    response = client.post(LOCATIONS, DEEP, content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert read == []
    assert LocationPing.objects.count() == 1


def osmand_json(**location: Any) -> str:
    return json.dumps({"device_id": "van-7", "location": location})


OSMAND_BODIES: dict[str, tuple[str, str]] = {
    "nested 100,000 deep": (DEEP, "nested too deeply"),
    "a 400-digit latitude": (
        '{"device_id": "van-7", "location": {"coords": {"latitude": '
        + DIGITS_400
        + ', "longitude": 1}}}',
        "coords.latitude must be a finite number",
    ),
    "a 5,000-digit latitude": (
        '{"device_id": "van-7", "location": {"coords": {"latitude": '
        + DIGITS_5000
        + ', "longitude": 1}}}',
        "too many digits",
    ),
    "a 400-digit timestamp": (
        '{"device_id": "van-7", "location": {"timestamp": '
        + DIGITS_400
        + ', "coords": {"latitude": 1, "longitude": 1}}}',
        "is out of range",
    ),
    "NUL in the device id": (
        '{"device_id": "van-7\\u0000", "location": {}}',
        "device_id must be printable characters only",
    ),
    "a device id of 65 characters": (
        json.dumps({"device_id": "x" * 65, "location": {}}),
        "device_id must be at most 64 characters",
    ),
    "a device id nested deep": (
        '{"device_id": ' + "[" * 5_000 + "]" * 5_000 + ', "location": {}}',
        "device_id must be text",
    ),
    "a timestamp in the year 10000 in UTC": (
        osmand_json(timestamp=LATE_IN_9999, coords={"latitude": 1, "longitude": 1}),
        "timestamp is out of range",
    ),
    "a timestamp that is a list": (
        osmand_json(timestamp=[[1]], coords={"latitude": 1, "longitude": 1}),
        "timestamp must be a number or a date and time",
    ),
}


@pytest.mark.parametrize("case", OSMAND_BODIES.values(), ids=OSMAND_BODIES.keys())
def test_an_osmand_body_that_cannot_be_read_answers_400_with_the_reason(
    client: Client, case: tuple[str, str]
) -> None:
    ResourceFactory(tracking_device_id="van-7")
    body, reason = case
    response = client.post(OSMAND, body, content_type="application/json")
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert not LocationPing.objects.exists()


OSMAND_QUERIES: dict[str, tuple[str, str]] = {
    "NUL in the device id": ("id=van-7%00&lat=1&lon=1", "id must be printable characters only"),
    "a device id of 65 characters": (f"id={'x' * 65}&lat=1&lon=1", "at most 64 characters"),
    "a 400-digit latitude": (f"id=van-7&lat={DIGITS_400}&lon=1", "lat must be a finite number"),
    "a 5,000-digit timestamp": (
        f"id=van-7&lat=1&lon=1&timestamp={DIGITS_5000}",
        "is out of range",
    ),
    "a timestamp in the year 10000 in UTC": (
        f"id=van-7&lat=1&lon=1&timestamp={quote(LATE_IN_9999)}",
        "timestamp is out of range",
    ),
}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("case", OSMAND_QUERIES.values(), ids=OSMAND_QUERIES.keys())
def test_an_osmand_query_that_cannot_be_read_answers_400_with_the_reason(
    client: Client, case: tuple[str, str], method: str
) -> None:
    ResourceFactory(tracking_device_id="van-7")
    query, reason = case
    response = client.generic(method, f"{OSMAND}?{query}")
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert not LocationPing.objects.exists()


def test_a_refusal_quotes_a_long_value_cut_short(client: Client) -> None:
    response = client.get(f"{OSMAND}?id=van-7&lat=1&lon={'e' * 10_000}")
    assert response.status_code == 400
    assert len(response.content) < 200


def test_a_body_larger_than_django_reads_answers_413_with_the_reason(
    client: Client, api_key: str, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 300 * 1024
    body = json.dumps({"technician_id": 1, "pings": [], "padding": "x" * (400 * 1024)})
    for path, headers in ((LOCATIONS, {"Authorization": f"Bearer {api_key}"}), (OSMAND, {})):
        response = client.post(path, body, content_type="application/json", headers=headers)
        assert response.status_code == 413
        assert "larger than 307,200 bytes" in response.json()["error"]
