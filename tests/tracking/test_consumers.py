"""The live visit WebSocket: who may follow a visit, and what they receive.

Runs on the configured channel layer: in memory, or Redis when REDIS_URL is set.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from doorstep.access.visit_links import (
    block,
    expire_now,
    hash_visit_code,
    issue_visit_link,
    valid_link_facts,
)
from doorstep.core import events
from doorstep.project.asgi import application
from doorstep.scheduling import services
from doorstep.scheduling.models import BookingStatus
from doorstep.tracking import consumers, live
from doorstep.tracking.consumers import NOT_AVAILABLE
from doorstep.tracking.eta import FallbackProvider, OfflineProvider
from doorstep.tracking.models import PingSource
from doorstep.tracking.services import PingIn, record_pings
from tests.factories import BookingFactory, ContactFactory, UserFactory

# The consumer reads the database from another thread: the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 5  # seconds; Redis carries the messages between tasks


class WebsocketCommunicator(ApplicationCommunicator):  # type: ignore[misc]
    """`channels.testing.WebsocketCommunicator`, cut down to what these tests use.

    Importing anything from `channels.testing` imports daphne (for its live server
    test case), which Doorstep does not install; with daphne in the test extras, this
    class gives way to the real one.
    """

    def __init__(self, application, path: str, headers=None) -> None:  # type: ignore[no-untyped-def]
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": headers or []}
        super().__init__(application, scope)

    async def connect(self, timeout: float = 1) -> tuple[bool, object]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        return True, response.get("subprotocol")

    async def receive_json_from(self, timeout: float = 1):  # type: ignore[no-untyped-def]
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


@pytest.fixture(autouse=True)
def offline_routing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live.etas, "get_provider", lambda: FallbackProvider(OfflineProvider()))


def connect_to(path: str, cookie: str = "") -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, path, headers=headers)


@database_sync_to_async
def traveling_visit():  # type: ignore[no-untyped-def]
    booking = BookingFactory()
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    return booking, issue_visit_link(booking=booking)


@database_sync_to_async
def ping(booking, latitude: float, longitude: float) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    record_pings(
        resource=booking.resource,
        # The tests' positions jump kilometres at once: fixes this uncertain are not
        # refused as faster than any van.
        pings=[PingIn(latitude=latitude, longitude=longitude, recorded_at=now, accuracy_m=5000)],
        source=PingSource.APP,
        now=now + timedelta(seconds=1),
    )


@database_sync_to_async
def move(booking, status: str) -> None:  # type: ignore[no-untyped-def]
    services.set_status(booking=booking, status=status)


async def assert_closed_not_available(communicator: WebsocketCommunicator) -> None:
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_output(WAIT) == {
        "type": "websocket.close",
        "code": NOT_AVAILABLE,
    }
    await communicator.wait()


async def test_a_valid_code_gets_the_state_at_once_then_each_update() -> None:
    booking, code = await traveling_visit()
    communicator = connect_to(f"/ws/visits/{code}/")
    connected, _ = await communicator.connect()
    assert connected

    state = await communicator.receive_json_from(WAIT)
    assert state["type"] == "visit.update"
    assert state["status"] == BookingStatus.TRAVELING
    assert state["eta"] is not None
    assert state["latitude"] is None  # nothing taken since setting off yet

    await ping(booking, 39.72, -104.97)
    update = await communicator.receive_json_from(WAIT)
    assert update["status"] == BookingStatus.TRAVELING
    assert (update["latitude"], update["longitude"]) == (39.72, -104.97)
    assert update["minutes"] >= 0
    await communicator.disconnect()


async def test_leaving_traveling_pushes_the_new_status_without_position() -> None:
    booking, code = await traveling_visit()
    await ping(booking, 39.72, -104.97)
    communicator = connect_to(f"/ws/visits/{code}/")
    await communicator.connect()
    state = await communicator.receive_json_from(WAIT)
    assert state["latitude"] == 39.72

    await move(booking, BookingStatus.IN_PROGRESS)
    update = await communicator.receive_json_from(WAIT)
    assert update["status"] == BookingStatus.IN_PROGRESS
    assert update["eta"] is update["latitude"] is update["longitude"] is None
    await communicator.disconnect()


async def test_an_unknown_code_is_closed() -> None:
    await traveling_visit()
    await assert_closed_not_available(connect_to("/ws/visits/not-a-code-of-ours/"))


async def test_a_blocked_code_is_closed() -> None:
    booking, code = await traveling_visit()
    await database_sync_to_async(lambda: block(link=booking.visit_links.get()))()
    await assert_closed_not_available(connect_to(f"/ws/visits/{code}/"))


async def open_stream(code: str) -> WebsocketCommunicator:
    communicator = connect_to(f"/ws/visits/{code}/")
    connected, _ = await communicator.connect()
    assert connected
    await communicator.receive_json_from(WAIT)
    return communicator


async def assert_stream_closed(communicator: WebsocketCommunicator) -> None:
    assert await communicator.receive_output(WAIT) == {
        "type": "websocket.close",
        "code": NOT_AVAILABLE,
    }
    await communicator.wait()


@pytest.mark.parametrize("revoke", [block, expire_now])
async def test_a_code_staff_revoke_while_its_page_is_open_stops_its_stream_at_once(
    revoke: Any,
) -> None:
    booking, code = await traveling_visit()
    other_code = await database_sync_to_async(issue_visit_link)(booking=booking)
    revoked = await open_stream(code)
    other = await open_stream(other_code)

    link = await database_sync_to_async(
        lambda: booking.visit_links.get(code_hash=hash_visit_code(code))
    )()
    await database_sync_to_async(revoke)(link=link)

    await assert_stream_closed(revoked)  # no update needed: staff's action is pushed
    await ping(booking, 39.72, -104.97)
    update = await other.receive_json_from(WAIT)  # the booking's other code goes on
    assert update["latitude"] == 39.72
    await other.disconnect()


async def test_a_code_extended_while_its_page_is_open_keeps_streaming() -> None:
    booking, code = await traveling_visit()
    link = await database_sync_to_async(booking.visit_links.get)()
    link.valid_until = timezone.now() + timedelta(seconds=1)
    await database_sync_to_async(link.save)()
    communicator = await open_stream(code)
    link.valid_until = timezone.now() + timedelta(days=1)  # staff extend it
    await database_sync_to_async(link.save)()

    await asyncio.sleep(1.1)
    await ping(booking, 39.72, -104.97)

    assert (await communicator.receive_json_from(WAIT))["latitude"] == 39.72
    await communicator.disconnect()


async def test_a_lost_revocation_is_caught_by_the_periodic_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(consumers.VisitLinkConsumer, "recheck_seconds", 0.0)
    booking, code = await traveling_visit()
    communicator = await open_stream(code)
    events.unsubscribe("visit_link.revoked", live.on_link_revoked)  # the message is lost
    try:
        await database_sync_to_async(lambda: block(link=booking.visit_links.get()))()
    finally:
        events.subscribe("visit_link.revoked", live.on_link_revoked)

    await ping(booking, 39.72, -104.97)

    await assert_stream_closed(communicator)


async def test_a_code_whose_end_passes_stops_at_the_next_update() -> None:
    booking, code = await traveling_visit()
    link = await database_sync_to_async(booking.visit_links.get)()
    link.valid_until = timezone.now() + timedelta(seconds=1)
    await database_sync_to_async(link.save)()
    communicator = await open_stream(code)

    await asyncio.sleep(1.1)
    await ping(booking, 39.72, -104.97)

    await assert_stream_closed(communicator)


async def test_following_a_visit_checks_the_code_once_not_at_each_update(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks: list[str] = []

    def counting(code: str) -> Any:
        checks.append(code)
        return valid_link_facts(code)

    monkeypatch.setattr(consumers, "valid_link_facts", counting)
    booking, code = await traveling_visit()
    communicator = await open_stream(code)
    for step in range(5):
        await ping(booking, 39.72 + step / 100, -104.97)
        assert (await communicator.receive_json_from(WAIT))["status"] == "traveling"

    assert checks == [code]
    await communicator.disconnect()


async def test_another_site_cannot_open_the_socket() -> None:
    _, code = await traveling_visit()
    communicator = WebsocketCommunicator(
        application, f"/ws/visits/{code}/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected


@database_sync_to_async
def signed_in_contact_cookie(account) -> str:  # type: ignore[no-untyped-def]
    user = UserFactory()
    ContactFactory(account=account, user=user)
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


async def test_a_contact_of_the_account_follows_its_visit() -> None:
    booking, _ = await traveling_visit()
    cookie = await signed_in_contact_cookie(
        await database_sync_to_async(lambda: booking.work_order.account)()
    )
    communicator = connect_to(f"/ws/bookings/{booking.pk}/", cookie)
    connected, _ = await communicator.connect()
    assert connected
    state = await communicator.receive_json_from(WAIT)
    assert state["status"] == BookingStatus.TRAVELING
    await communicator.disconnect()


async def test_a_contact_of_another_account_is_closed() -> None:
    booking, _ = await traveling_visit()
    other, _ = await traveling_visit()
    cookie = await signed_in_contact_cookie(
        await database_sync_to_async(lambda: other.work_order.account)()
    )
    await assert_closed_not_available(connect_to(f"/ws/bookings/{booking.pk}/", cookie))


async def test_an_anonymous_visitor_cannot_follow_a_booking_by_id() -> None:
    booking, _ = await traveling_visit()
    await assert_closed_not_available(connect_to(f"/ws/bookings/{booking.pk}/"))
