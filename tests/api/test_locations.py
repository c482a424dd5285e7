from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from doorstep.access.api_keys import issue_api_key
from doorstep.access.models import ApiKey, Scope
from doorstep.api.answers import INVALID_KEY
from doorstep.tracking.models import LatestPosition, LocationPing, PingSource
from tests.factories import ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/locations"


def iso(seconds_ago: float) -> str:
    return (timezone.now() - timedelta(seconds=seconds_ago)).isoformat().replace("+00:00", "Z")


def a_ping(seconds_ago: float = 5, **fields: Any) -> dict[str, Any]:
    return {
        "latitude": 39.7392,
        "longitude": -104.9903,
        "accuracy": 12,
        "speed": 11.2,
        "heading": 270,
        "recorded_at": iso(seconds_ago),
        **fields,
    }


def post(client: Client, body: object, **headers: str):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", headers=headers)


@pytest.fixture
def technician_client(client: Client):  # type: ignore[no-untyped-def]
    technician = ResourceFactory(user=UserFactory())
    client.force_login(technician.user)
    client.technician = technician  # type: ignore[attr-defined]
    return client


def test_signed_in_technician_posts_a_batch(technician_client) -> None:  # type: ignore[no-untyped-def]
    response = post(technician_client, {"pings": [a_ping(20), a_ping(10)]})
    assert response.status_code == 200
    assert response.json() == {"accepted": 2, "duplicates": 0, "refused": []}
    stored = LocationPing.objects.filter(resource=technician_client.technician)
    assert stored.count() == 2
    assert {ping.source for ping in stored} == {PingSource.APP}
    assert LatestPosition.objects.get(resource=technician_client.technician).heading_deg == 270


def test_a_single_ping_object_is_accepted(technician_client) -> None:  # type: ignore[no-untyped-def]
    response = post(technician_client, a_ping())
    assert response.status_code == 200
    assert response.json()["accepted"] == 1


def test_partly_refused_batch_answers_207_with_each_reason(technician_client) -> None:  # type: ignore[no-untyped-def]
    response = post(
        technician_client,
        {
            "pings": [
                a_ping(30),
                a_ping(20, latitude=123),
                a_ping(15, recorded_at="yesterday"),
                a_ping(10),
            ]
        },
    )
    assert response.status_code == 207
    body = response.json()
    assert body["accepted"] == 2
    assert body["refused"] == [
        {"index": 1, "reason": "Latitude must be between -90 and 90."},
        {
            "index": 2,
            "reason": "recorded_at must be a date and time in ISO 8601, like 2025-05-01T09:30:00Z.",
        },
    ]


def test_batch_of_only_bad_pings_answers_400_with_the_reasons(technician_client) -> None:  # type: ignore[no-untyped-def]
    response = post(
        technician_client,
        {"pings": [a_ping(speed=250), {"latitude": 39.7, "recorded_at": iso(1)}, "here"]},
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "No position was accepted.",
        "refused": [
            {"index": 0, "reason": "Speed must be between 0 and 100 metres per second."},
            {"index": 1, "reason": "longitude is missing."},
            {"index": 2, "reason": "Each ping must be a JSON object."},
        ],
    }
    assert not LocationPing.objects.exists()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"latitude": "39.7"}, "latitude must be a number."),
        ({"recorded_at": None}, "recorded_at is missing"),
        ({"recorded_at": "2025-05-01T09:30:00"}, "recorded_at must include its time zone"),
        ({"accuracy": 9000}, "Accuracy must be between 0 and 5,000 metres."),
        ({"heading": 361}, "Heading must be between 0 and 360 degrees."),
        # Seconds ago, turned into a time when the test runs, not when it is collected
        # (which on a busy machine can be minutes earlier).
        ({"recorded_at": -600}, "more than 2 minutes in the future"),
        ({"recorded_at": 2 * 86400}, "more than 24 hours old"),
    ],
)
def test_each_bad_field_is_named(technician_client, fields: dict[str, Any], reason: str) -> None:  # type: ignore[no-untyped-def]
    fields = {
        name: iso(value) if name == "recorded_at" and isinstance(value, int) else value
        for name, value in fields.items()
    }
    response = post(technician_client, {"pings": [a_ping(**fields)]})
    assert response.status_code == 400
    assert reason in response.json()["refused"][0]["reason"]


def test_resent_batch_counts_duplicates(technician_client) -> None:  # type: ignore[no-untyped-def]
    batch = {"pings": [a_ping(20), a_ping(10)]}
    post(technician_client, batch)
    response = post(technician_client, batch)
    assert response.status_code == 200
    assert response.json() == {"accepted": 0, "duplicates": 2, "refused": []}
    assert LocationPing.objects.count() == 2


def test_ping_older_than_the_latest_is_refused_as_out_of_order(technician_client) -> None:  # type: ignore[no-untyped-def]
    post(technician_client, a_ping(10))
    response = post(technician_client, a_ping(20))
    assert response.status_code == 400
    assert "order they were taken" in response.json()["refused"][0]["reason"]


@pytest.mark.parametrize("body", ["{not json", "", '["a list"]', "42"])
def test_malformed_body_answers_400_with_a_reason(technician_client, body: str) -> None:  # type: ignore[no-untyped-def]
    response = post(technician_client, body)
    assert response.status_code == 400
    assert response.json()["error"].startswith(("The body is not valid JSON", "The body must be"))


def test_empty_ping_list_is_refused(technician_client) -> None:  # type: ignore[no-untyped-def]
    response = post(technician_client, {"pings": []})
    assert response.status_code == 400
    assert response.json()["error"] == "pings must be a list of 1 to 1,000 pings."


def test_anonymous_request_answers_401(client: Client) -> None:
    response = post(client, {"pings": [a_ping()]})
    assert response.status_code == 401
    assert "Sign in as a technician" in response.json()["error"]


def test_signed_in_person_who_is_no_technician_answers_403(client: Client) -> None:
    client.force_login(UserFactory())
    response = post(client, {"pings": [a_ping()]})
    assert response.status_code == 403
    assert response.json()["error"] == "Only a technician can post locations."


def test_get_is_not_allowed(technician_client) -> None:  # type: ignore[no-untyped-def]
    assert technician_client.get(URL).status_code == 405


def test_session_request_without_csrf_token_is_refused(strict_client: Client) -> None:
    technician = ResourceFactory(user=UserFactory())
    strict_client.force_login(technician.user)
    response = post(strict_client, {"pings": [a_ping()]})
    assert response.status_code == 403
    assert "CSRF token" in response.json()["error"]
    assert not LocationPing.objects.exists()


def test_session_request_with_csrf_token_is_accepted(strict_client: Client) -> None:
    technician = ResourceFactory(user=UserFactory())
    strict_client.force_login(technician.user)
    token = get_random_string(32)  # what the csrftoken cookie holds, as the browser sends it
    strict_client.cookies["csrftoken"] = token
    response = post(strict_client, {"pings": [a_ping()]}, **{"X-CSRFToken": token})
    assert response.status_code == 200


# --- Integrations with an API key -------------------------------------------------------


def test_api_key_posts_for_the_technician_it_names_by_number(
    strict_client: Client, api_key: str
) -> None:
    technician = ResourceFactory()
    response = post(
        strict_client,
        {"technician_id": technician.pk, "pings": [a_ping()]},
        Authorization=f"Bearer {api_key}",
    )
    assert response.status_code == 200  # no CSRF token needed with a key
    assert LocationPing.objects.get().resource == technician
    assert LocationPing.objects.get().source == PingSource.API
    assert ApiKey.objects.get().last_used_at is not None


def test_api_key_names_the_technician_by_tracking_device_id(client: Client, api_key: str) -> None:
    technician = ResourceFactory(tracking_device_id="van-12")
    response = post(client, {"device_id": "van-12", **a_ping()}, Authorization=f"Token {api_key}")
    assert response.status_code == 200
    assert LocationPing.objects.get().resource == technician
    assert LocationPing.objects.get().device_id == "van-12"


def test_api_key_request_must_name_the_technician(client: Client, api_key: str) -> None:
    ResourceFactory()
    response = post(client, {"pings": [a_ping()]}, Authorization=f"Bearer {api_key}")
    assert response.status_code == 400
    assert "Name the technician" in response.json()["error"]


@pytest.mark.parametrize("body", [{"technician_id": 999999}, {"device_id": "nobody"}])
def test_api_key_naming_an_unknown_technician_answers_404(
    client: Client, api_key: str, body: dict[str, object]
) -> None:
    response = post(client, {**body, "pings": [a_ping()]}, Authorization=f"Bearer {api_key}")
    assert response.status_code == 404
    assert response.json()["error"].startswith("No technician has")


@pytest.mark.parametrize("header", ["Bearer ds_wrong", "Bearer", "Basic abc", "Token nope"])
def test_wrong_api_key_answers_401(client: Client, api_key: str, header: str) -> None:
    technician = ResourceFactory()
    response = post(client, {"technician_id": technician.pk, **a_ping()}, Authorization=header)
    assert response.status_code == 401
    assert response.json()["error"] == INVALID_KEY


def test_revoked_api_key_answers_401(client: Client, api_key: str) -> None:
    ApiKey.objects.update(active=False)
    technician = ResourceFactory()
    response = post(
        client, {"technician_id": technician.pk, **a_ping()}, Authorization=f"Bearer {api_key}"
    )
    assert response.status_code == 401


@pytest.mark.parametrize("scopes", [{Scope.READ}, {Scope.READ, Scope.WRITE, Scope.DISPATCH}])
def test_a_key_without_the_tracking_scope_cannot_send_positions(
    client: Client, scopes: set[Scope]
) -> None:
    _, key = issue_api_key(name="CRM", scopes=scopes)
    technician = ResourceFactory()
    response = post(
        client, {"technician_id": technician.pk, **a_ping()}, Authorization=f"Bearer {key}"
    )
    assert response.status_code == 401
    assert "tracking" in response.json()["error"]
    assert not LocationPing.objects.exists()


def test_wrong_api_key_is_refused_even_for_a_signed_in_technician(technician_client) -> None:  # type: ignore[no-untyped-def]
    response = post(technician_client, a_ping(), Authorization="Bearer ds_wrong")
    assert response.status_code == 401
