"""The fast lane answers the ping requests it can, and passes every other one to Django.

The answers themselves are checked by every test of this folder, which runs twice: once
through Django alone and once meeting the lane first (`conftest.FastLaneClient`).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from doorstep.core.group_commit import Busy
from doorstep.tracking import ingest as recording
from doorstep.tracking.models import LocationPing
from tests.api.conftest import FastLaneClient
from tests.factories import ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def ping_body(technician_id: int) -> str:
    recorded_at = (timezone.now() - timedelta(seconds=5)).isoformat()
    return json.dumps(
        {
            "technician_id": technician_id,
            "pings": [{"latitude": 39.74, "longitude": -104.99, "recorded_at": recorded_at}],
        }
    )


@pytest.fixture
def lane_client() -> FastLaneClient:
    return FastLaneClient()


def post(client: FastLaneClient, body: str, **headers: str) -> Any:
    return client.post("/api/v1/locations", body, content_type="application/json", headers=headers)


def test_the_lane_answers_an_integration_and_stores_its_pings(
    lane_client: FastLaneClient, api_key: str
) -> None:
    technician = ResourceFactory()
    response = post(lane_client, ping_body(technician.pk), Authorization=f"Bearer {api_key}")
    assert lane_client.lane_answered
    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "duplicates": 0, "refused": []}
    assert LocationPing.objects.filter(resource=technician).count() == 1
    # What Django's middleware would have added to the answer.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Type"] == "application/json"


def test_the_lane_answers_traccar_client(lane_client: FastLaneClient) -> None:
    ResourceFactory(tracking_device_id="van-7")
    when = int((timezone.now() - timedelta(seconds=5)).timestamp())
    response = lane_client.post(f"/api/v1/osmand?id=van-7&lat=39.7&lon=-104.9&timestamp={when}")
    assert lane_client.lane_answered
    assert response.status_code == 200


def test_a_signed_in_technician_goes_through_django(lane_client: FastLaneClient) -> None:
    technician = ResourceFactory(user=UserFactory())
    lane_client.force_login(technician.user)
    response = post(lane_client, ping_body(technician.pk))
    assert not lane_client.lane_answered  # the session and CSRF checks are Django's
    assert response.status_code == 200


def test_other_methods_go_through_django(lane_client: FastLaneClient, api_key: str) -> None:
    response = lane_client.get("/api/v1/locations", headers={"Authorization": f"Bearer {api_key}"})
    assert not lane_client.lane_answered
    assert response.status_code == 405
    lane_client.put("/api/v1/osmand?id=van-7")
    assert not lane_client.lane_answered


def test_a_host_that_is_not_allowed_goes_through_django(
    lane_client: FastLaneClient, api_key: str
) -> None:
    response = post(
        lane_client, ping_body(1), Authorization=f"Bearer {api_key}", Host="evil.example"
    )
    assert not lane_client.lane_answered
    assert response.status_code == 400
    assert not LocationPing.objects.exists()


def test_plain_http_goes_through_django_when_https_is_required(
    lane_client: FastLaneClient, api_key: str, settings: Any
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    response = post(lane_client, ping_body(1), Authorization=f"Bearer {api_key}")
    assert not lane_client.lane_answered
    assert response.status_code == 301


def test_a_large_body_goes_through_django(
    lane_client: FastLaneClient, api_key: str, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 300 * 1024
    body = json.dumps({"technician_id": 1, "pings": [], "padding": "x" * (257 * 1024)})
    response = post(lane_client, body, Authorization=f"Bearer {api_key}")
    assert not lane_client.lane_answered  # read in Django's thread, not on the loop
    assert response.status_code == 400


def test_too_many_form_fields_answer_400_as_django_does(lane_client: FastLaneClient) -> None:
    fields = "&".join(f"f{n}=1" for n in range(1_100))
    response = lane_client.post(
        "/api/v1/osmand?id=van-7", fields, content_type="application/x-www-form-urlencoded"
    )
    assert lane_client.lane_answered
    assert response.status_code == 400
    assert "cannot be read" in response.json()["error"]


def test_a_busy_ingest_asks_the_sender_to_come_back(
    lane_client: FastLaneClient, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def busy(job: recording.Job) -> recording.Outcome:
        raise Busy

    monkeypatch.setattr(recording.INGEST, "submit_async", busy)
    response = post(lane_client, ping_body(ResourceFactory().pk), Authorization=f"Bearer {api_key}")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "send them again" in response.json()["error"]


def test_an_ingest_failure_is_a_json_500_not_a_dropped_connection(
    lane_client: FastLaneClient, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(job: recording.Job) -> recording.Outcome:
        raise RuntimeError("database gone")

    monkeypatch.setattr(recording.INGEST, "submit_async", broken)
    response = post(lane_client, ping_body(ResourceFactory().pk), Authorization=f"Bearer {api_key}")
    assert response.status_code == 500
    assert "could not be recorded" in response.json()["error"]
