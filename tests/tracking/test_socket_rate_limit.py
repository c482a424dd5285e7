"""Guessing visit codes on the live socket: wrong codes are limited per client address.

The counter is Django's cache: local memory on the SQLite run, Redis (shared by every
process) on the PostgreSQL run; `test_two_processes` checks it across two servers.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from django.test import override_settings

from doorstep.project.asgi import application
from doorstep.tracking import consumers
from tests.tracking.test_consumers import WAIT, WebsocketCommunicator, traveling_visit

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 3
_addresses = itertools.count(1)


@pytest.fixture(autouse=True)
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(consumers, "VISIT_CODE_LIMIT", LIMIT)


@pytest.fixture
def address() -> str:
    """A client address no other test used (the cache may be shared with other runs)."""
    return f"10.{next(_addresses)}.{id(object()) % 250}.7"


class FromAddress(WebsocketCommunicator):
    def __init__(self, path: str, address: str, forwarded_for: str = "") -> None:
        headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
        if forwarded_for:
            headers.append((b"x-forwarded-for", forwarded_for.encode()))
        scope = {
            "type": "websocket",
            "path": path,
            "query_string": b"",
            "headers": headers,
            "client": (address, 50123),
        }
        ApplicationCommunicator.__init__(self, application, scope)


async def answer_to(code: str, address: str, forwarded_for: str = "") -> list[dict[str, Any]]:
    """What a socket opened on `code` hears: up to its close, or the visit's state."""
    communicator = FromAddress(f"/ws/visits/{code}/", address, forwarded_for)
    await communicator.send_input({"type": "websocket.connect"})
    answer = [await communicator.receive_output(WAIT)]
    answer.append(await communicator.receive_output(WAIT))
    await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
    await communicator.wait(WAIT)
    # What a client can observe: accepted, then closed with a code or sent the state.
    return [{"type": m["type"], "code": m.get("code")} for m in answer]


REFUSED = [
    {"type": "websocket.accept", "code": None},
    {"type": "websocket.close", "code": consumers.NOT_AVAILABLE},
]
STREAMING = [
    {"type": "websocket.accept", "code": None},
    {"type": "websocket.send", "code": None},
]


async def test_past_the_limit_of_wrong_codes_a_valid_code_gets_the_wrong_code_answer(
    address: str,
) -> None:
    _, code = await traveling_visit()
    assert await answer_to(code, address) == STREAMING
    for attempt in range(LIMIT):
        assert await answer_to(f"guess-{attempt}", address) == REFUSED

    assert await answer_to(code, address) == REFUSED


async def test_a_wrong_code_gets_the_same_answer_whether_held_back_or_not(address: str) -> None:
    await traveling_visit()
    before = [await answer_to(f"guess-{attempt}", address) for attempt in range(LIMIT)]

    after = await answer_to("guess-after", address)

    assert before == [after] * LIMIT


async def test_valid_codes_are_never_counted(address: str) -> None:
    _, code = await traveling_visit()

    answers = [await answer_to(code, address) for _ in range(LIMIT * 3)]

    assert answers == [STREAMING] * (LIMIT * 3)


async def test_another_address_is_not_held_back(address: str) -> None:
    _, code = await traveling_visit()
    for attempt in range(LIMIT):
        await answer_to(f"guess-{attempt}", address)

    assert await answer_to(code, address + "1") == STREAMING


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
async def test_behind_the_proxy_the_address_it_saw_counts_not_what_the_client_claims(
    address: str,
) -> None:
    _, code = await traveling_visit()
    proxy = "192.0.2.1"
    for attempt in range(LIMIT):
        claimed = f"203.0.113.{attempt}"  # a new address made up for each guess
        await answer_to(f"guess-{attempt}", proxy, forwarded_for=f"{claimed}, {address}")

    assert await answer_to(code, proxy, forwarded_for=f"198.51.100.9, {address}") == REFUSED
    assert await answer_to(code, proxy, forwarded_for=address + "1") == STREAMING
