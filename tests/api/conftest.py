from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from django.test.client import FakePayload
from django.utils import timezone

from doorstep.access.api_keys import issue_api_key
from doorstep.api import ingest
from doorstep.api.fast_lane import FastLane
from doorstep.tracking import ingest as recording


class FastLaneClient(Client):
    """A test client whose requests meet the server's fast lane first, as in production.

    A request the lane takes is answered by it (in this thread, inside the test's
    transaction: no group commit thread runs in the tests); one it passes on is
    answered by Django, as the test client always does. `lane_answered` tells which;
    the lane's answer keeps the headers it sent, as sent, in `lane_headers`.

    Each request meets a new lane, which learns Django's middleware from the settings
    of the moment; with `keep_lane`, one lane meets all of the client's requests, as the
    server's does from start-up.
    """

    lane_answered: bool = False

    def __init__(self, *args: Any, keep_lane: bool = False, **options: Any) -> None:
        super().__init__(*args, **options)
        self.lane = FastLane(self._django) if keep_lane else None
        self._passed_on = False

    async def _django(self, scope: Any, receive: Any, send: Any) -> None:
        self._passed_on = True

    def request(self, **environ: Any) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        lane = self.lane or FastLane(self._django)
        self._passed_on = False
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            else:
                chunks.append(message.get("body", b""))

        async_to_sync(lane)(_scope({**self.defaults, **environ}), receive, send)
        self.lane_answered = not self._passed_on
        if self._passed_on:
            environ["wsgi.input"] = FakePayload(body)
            return super().request(**environ)
        content = b"".join(chunks)
        response = HttpResponse(content, status=started["status"])
        for name, value in started["headers"]:
            response[name.decode("latin-1")] = value.decode("latin-1")
        response.lane_headers = started["headers"]  # type: ignore[attr-defined]
        response.json = lambda: json.loads(content)  # type: ignore[attr-defined]
        return response


def _scope(environ: dict[str, Any]) -> dict[str, Any]:
    """The ASGI scope of the request the test client would hand Django as `environ`."""
    headers = [
        (name[5:].replace("_", "-").lower().encode("latin-1"), str(value).encode("latin-1"))
        for name, value in environ.items()
        if name.startswith("HTTP_")
    ]
    if environ.get("CONTENT_TYPE"):
        headers.append((b"content-type", environ["CONTENT_TYPE"].encode("latin-1")))
    if environ.get("CONTENT_LENGTH"):
        headers.append((b"content-length", str(environ["CONTENT_LENGTH"]).encode()))
    return {
        "type": "http",
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "query_string": environ.get("QUERY_STRING", "").encode("latin-1"),
        "headers": headers,
        "http_version": "1.1",
        "root_path": "",
        "scheme": environ.get("wsgi.url_scheme", "http"),
        "server": (environ.get("SERVER_NAME", "testserver"), int(environ.get("SERVER_PORT", 80))),
        "client": (environ.get("REMOTE_ADDR", "127.0.0.1"), 50000),
    }


@pytest.fixture(autouse=True)
def nothing_remembered_from_other_tests() -> Iterator[None]:
    """Each test starts with no API key known lately and no unknown device counted."""

    def forget() -> None:
        ingest.KNOWN_KEYS.clear()
        window = recording.miss_window(timezone.now())
        cache.delete_many(
            [
                recording.misses_key(address, number)
                for address in ("127.0.0.1", *(f"203.0.113.{n}" for n in range(1, 11)))
                for number in (window - 1, window, window + 1)
            ]
        )

    forget()
    yield
    forget()


@pytest.fixture(params=["django", "fast lane"])
def lane(request: pytest.FixtureRequest) -> str:
    """Every API test runs twice: through Django alone, and meeting the fast lane first."""
    return str(request.param)


def make_client(lane: str, **options: Any) -> Client:
    return FastLaneClient(**options) if lane == "fast lane" else Client(**options)


@pytest.fixture
def client(lane: str) -> Client:
    return make_client(lane)


@pytest.fixture
def api_key(db: None) -> str:
    _, plain = issue_api_key(name="Dispatch system")
    return plain


@pytest.fixture
def strict_client(lane: str) -> Client:
    """A client that is checked for CSRF like a real browser."""
    return make_client(lane, enforce_csrf_checks=True)
