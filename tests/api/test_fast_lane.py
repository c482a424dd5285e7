"""The fast lane answers the ping requests it can, and passes every other one to Django.

The answers themselves are checked by every test of this folder, which runs twice: once
through Django alone and once meeting the lane first (`conftest.FastLaneClient`). Here,
the same requests go both ways and their answers are compared whole: status, every
header as sent, and body.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from doorstep.api import fast_lane
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


# --- The same request through Django alone and through the lane: the same answer -----


@dataclass(frozen=True)
class Case:
    """A request, the settings it meets, and whether the lane should answer it itself."""

    method: str
    path: str
    body: bytes = b""
    content_type: str = "application/octet-stream"
    headers: dict[str, str] = field(default_factory=dict)
    secure: bool = False
    settings: dict[str, Any] = field(default_factory=dict)
    lane_answers: bool = True


KEY = "Authorization"  # the header the api_key fixture's key goes in, as "Bearer <key>"
PROXY = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}
HSTS = {
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}
PORTAL = {"ALLOWED_HOSTS": ["portal.example", "testserver"]}
MIDDLEWARE = list(django_settings.MIDDLEWARE)


def locations(technician: int | None = None, **options: Any) -> Case:
    """A post of an integration: a ping of `technician` (by default the one `ask` makes)."""
    body = b"{}" if technician == 0 else str(technician or "PING").encode()
    headers = {KEY: "", **options.pop("headers", {})}
    return Case("POST", "/api/v1/locations", body, "application/json", headers, **options)


def osmand(method: str = "GET", **options: Any) -> Case:
    when = int((timezone.now() - timedelta(seconds=5)).timestamp())
    fields = f"id=van-7&lat=39.7&lon=-104.9&timestamp={when}"
    if method == "GET":
        return Case("GET", f"/api/v1/osmand?{fields}", **options)
    options.setdefault("content_type", "application/x-www-form-urlencoded")
    return Case("POST", "/api/v1/osmand", fields.encode(), **options)


CASES = {
    "locations, a ping stored": locations(),
    "locations, nobody named": locations(0),
    "locations, an unknown technician": locations(999_999),
    "locations, a key that is not valid": locations(headers={KEY: "Bearer nope"}),
    "osmand GET": osmand("GET"),
    "osmand POST, a form": osmand("POST"),
    "osmand POST, JSON": Case(
        "POST", "/api/v1/osmand?id=van-7", b'{"location": {}}', "application/json"
    ),
    "osmand, no position": Case("GET", "/api/v1/osmand?id=van-7"),
    "osmand, too many form fields": Case(
        "POST",
        "/api/v1/osmand?id=van-7",
        "&".join(f"f{n}=1" for n in range(1_100)).encode(),
        "application/x-www-form-urlencoded",
    ),
    "in French": osmand("GET", headers={"Accept-Language": "fr-CA,fr;q=0.9"}),
    "in a language the portal does not speak": osmand("GET", headers={"Accept-Language": "ja"}),
    "https, HSTS with subdomains and preload": locations(secure=True, settings=HSTS),
    "https behind a proxy, HSTS": osmand(
        "POST", headers={"X-Forwarded-Proto": "https"}, settings={**PROXY, **HSTS}
    ),
    "http behind a proxy, HSTS": osmand(
        "GET", headers={"X-Forwarded-Proto": "http"}, settings={**PROXY, **HSTS}
    ),
    "no proxy header behind a proxy, HSTS": osmand("GET", secure=True, settings={**PROXY, **HSTS}),
    "http when HTTPS is required": osmand(
        "GET", settings={"SECURE_SSL_REDIRECT": True}, lane_answers=False
    ),
    "https behind a proxy when HTTPS is required": osmand(
        "GET",
        headers={"X-Forwarded-Proto": "https"},
        settings={**PROXY, "SECURE_SSL_REDIRECT": True},
    ),
    "a host that is not allowed": locations(headers={"Host": "evil.example"}, lane_answers=False),
    "an allowed host with a port": osmand(
        "GET", headers={"Host": "portal.example:8443"}, settings=PORTAL
    ),
    "X-Forwarded-Host allowed, read": osmand(
        "GET",
        headers={"Host": "evil.example", "X-Forwarded-Host": "portal.example"},
        settings={**PORTAL, "USE_X_FORWARDED_HOST": True},
    ),
    "X-Forwarded-Host not allowed, read": osmand(
        "GET",
        headers={"Host": "portal.example", "X-Forwarded-Host": "evil.example"},
        settings={**PORTAL, "USE_X_FORWARDED_HOST": True},
        lane_answers=False,
    ),
    "X-Forwarded-Host with two hosts, read": osmand(
        "GET",
        headers={"Host": "portal.example", "X-Forwarded-Host": "evil.example, portal.example"},
        settings={**PORTAL, "USE_X_FORWARDED_HOST": True},
        lane_answers=False,
    ),
    "X-Forwarded-Host not allowed, ignored": osmand(
        "GET",
        headers={"Host": "portal.example", "X-Forwarded-Host": "evil.example"},
        settings={**PORTAL, "USE_X_FORWARDED_HOST": False},
    ),
    "X-Forwarded-Host allowed, ignored": osmand(
        "GET",
        headers={"Host": "evil.example", "X-Forwarded-Host": "portal.example"},
        settings={**PORTAL, "USE_X_FORWARDED_HOST": False},
        lane_answers=False,
    ),
    "a browser's cookies": osmand(
        "GET", headers={"Cookie": "sessionid=; django_language=fr"}, lane_answers=False
    ),
    "a body larger than Django takes": locations(
        settings={"DATA_UPLOAD_MAX_MEMORY_SIZE": 100}, lane_answers=False
    ),
    "a middleware the lane does not know": osmand(
        "GET",
        headers={"Accept-Encoding": "gzip"},
        settings={"MIDDLEWARE": ["django.middleware.gzip.GZipMiddleware", *MIDDLEWARE]},
        lane_answers=False,
    ),
    "a user agent Django refuses": osmand(
        "GET",
        headers={"User-Agent": "HostileBot/1.0"},
        settings={"DISALLOWED_USER_AGENTS": [re.compile("hostile", re.IGNORECASE)]},
        lane_answers=False,
    ),
}


@dataclass(frozen=True)
class Seen:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def seen(response: Any) -> Seen:
    if hasattr(response, "lane_headers"):  # the lane's answer, as it sent it
        sent = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in response.lane_headers
        ]
    else:  # Django's answer, as its WSGI handler sends it
        sent = [
            *response.items(),
            *(("Set-Cookie", cookie.OutputString()) for cookie in response.cookies.values()),
        ]
    headers = sorted((name.lower(), value) for name, value in sent)
    return Seen(response.status_code, headers, response.content)


def ask(client: Client, case: Case, api_key: str, technician: int) -> Seen:
    body = case.body
    if body == b"PING" or body.isdigit():
        body = ping_body(technician if body == b"PING" else int(body)).encode()
    headers = dict(case.headers)
    if KEY in headers and not headers[KEY]:
        headers[KEY] = f"Bearer {api_key}"
    # Each way in meets the same data: what the first one recorded is undone.
    savepoint = transaction.savepoint_create()
    try:
        response = client.generic(
            case.method,
            case.path,
            body,
            content_type=case.content_type,
            secure=case.secure,
            headers=headers,
        )
    finally:
        transaction.savepoint_rollback(savepoint)
    return seen(response)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_lane_answers_as_django_does(case: Case, api_key: str) -> None:
    technician = ResourceFactory(tracking_device_id="van-7").pk
    with override_settings(**case.settings):
        django = ask(Client(), case, api_key, technician)
        lane_client = FastLaneClient()
        lane = ask(lane_client, case, api_key, technician)
    assert lane_client.lane_answered == case.lane_answers
    assert lane.status == django.status
    assert lane.headers == django.headers
    assert lane.body == django.body


def test_the_lane_keeps_what_it_learnt_apart_for_each_kind_of_request(api_key: str) -> None:
    technician = ResourceFactory(tracking_device_id="van-7").pk
    one_lane = FastLaneClient(keep_lane=True)  # as the server's, from start-up
    mixed = [
        osmand("GET"),
        osmand("GET", headers={"X-Forwarded-Proto": "https"}),
        osmand("GET", headers={"X-Forwarded-Proto": "https", "Accept-Language": "fr"}),
        osmand("GET", headers={"Accept-Language": "de"}),
        osmand("POST", headers={"Accept-Language": "fr"}),
        osmand("GET"),
        locations(headers={"X-Forwarded-Proto": "https"}),
        locations(999_999, headers={"X-Forwarded-Proto": "https"}),
        locations(headers={KEY: "Bearer nope", "X-Forwarded-Proto": "https"}),
        locations(headers={"X-Forwarded-Proto": "https"}),
    ]
    with override_settings(**PROXY, **HSTS):
        for case in mixed:
            django = ask(Client(), case, api_key, technician)
            lane = ask(one_lane, case, api_key, technician)
            assert one_lane.lane_answered
            assert (lane.status, lane.headers, lane.body) == (
                django.status,
                django.headers,
                django.body,
            ), case


@pytest.mark.parametrize("trouble", ["busy", "broken"])
def test_a_busy_or_broken_ingest_is_answered_as_django_does(
    trouble: str, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def busy(job: recording.Job) -> recording.Outcome:
        raise Busy

    def broken(job: recording.Job) -> recording.Outcome:
        raise RuntimeError("database gone")

    def run(job: recording.Job) -> recording.Outcome:
        return busy(job) if trouble == "busy" else broken(job)

    async def run_async(job: recording.Job) -> recording.Outcome:
        return run(job)

    monkeypatch.setattr(recording.INGEST, "submit", run)
    monkeypatch.setattr(recording.INGEST, "submit_async", run_async)
    technician = ResourceFactory(tracking_device_id="van-7").pk
    for case in (locations(secure=True), osmand("POST")):
        django = ask(Client(), case, api_key, technician)
        lane_client = FastLaneClient()
        lane = ask(lane_client, case, api_key, technician)
        assert lane_client.lane_answered
        assert django.status == (503 if trouble == "busy" else 500)
        assert (lane.status, lane.headers, lane.body) == (
            django.status,
            django.headers,
            django.body,
        )


def remember_not_found(get_response: Any) -> Any:
    """A middleware that does more than add headers, to some answers: a cookie on a 404."""

    def middleware(request: Any) -> Any:
        response = get_response(request)
        if response.status_code == 404:
            response.set_cookie("last_miss", request.path)
        return response

    return middleware


def test_an_answer_a_middleware_does_more_to_is_made_by_the_middleware(
    api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"{__name__}.remember_not_found"
    monkeypatch.setattr(
        fast_lane, "UNDERSTOOD_MIDDLEWARE", {*fast_lane.UNDERSTOOD_MIDDLEWARE, name}
    )
    technician = ResourceFactory(tracking_device_id="van-7").pk
    with override_settings(MIDDLEWARE=[*MIDDLEWARE, name]):
        for case in (locations(), locations(999_999)):
            django = ask(Client(), case, api_key, technician)
            lane_client = FastLaneClient()
            lane = ask(lane_client, case, api_key, technician)
            assert lane_client.lane_answered
            assert (lane.status, lane.headers, lane.body) == (
                django.status,
                django.headers,
                django.body,
            )
    assert ("set-cookie", 'last_miss="/api/v1/locations"; Path=/') in lane.headers


def test_the_lane_knows_every_middleware_of_the_project() -> None:
    # A middleware added to settings.MIDDLEWARE without a word here turns the lane off
    # for every ping, in production too: say what it does to a ping's answer above.
    unknown = set(django_settings.MIDDLEWARE) - fast_lane.UNDERSTOOD_MIDDLEWARE
    assert not unknown
