"""Whatever path a WebSocket asks for, it is closed cleanly, never answered with an error.

A path no route knows, or a known route with a malformed or out-of-range part, gets
what a refused visit gets: the socket is accepted and closed with `NOT_AVAILABLE`, and
nothing is logged as an error.
"""

from __future__ import annotations

import logging

import pytest
from channels.db import database_sync_to_async

from doorstep.tracking.consumers import NOT_AVAILABLE
from tests.tracking.test_consumers import (
    WAIT,
    connect_to,
    signed_in_contact_cookie,
    traveling_visit,
)

pytestmark = pytest.mark.django_db(transaction=True)

ODD_PATHS = [
    "/ws/bookings/abc/",
    "/ws/bookings/-1/",
    "/ws/bookings/99999999999999999999999999/",
    "/ws/bookings/1",
    "/ws/bookings/1/extra/",
    "/ws/visits/",
    "/ws/visits/a/b/",
    "/ws/visits/" + "x" * 5000 + "/",
    "/ws/visits/\x00/",
    "/ws/visits/%00/",
    "/ws/visits/é☃/",
    "/ws/unknown/",
    "/ws/",
    "/",
    "",
    "/t/abc/",
    "/api/v1/locations",
]


async def assert_closed_cleanly(path: str, cookie: str = "") -> None:
    communicator = connect_to(path, cookie)
    connected, _ = await communicator.connect(WAIT)
    assert connected, path
    closed = await communicator.receive_output(WAIT)
    assert (closed["type"], closed.get("code")) == ("websocket.close", NOT_AVAILABLE), path
    # The server tells the application the socket is gone; the application ends, or
    # this raises what it raised.
    await communicator.send_input({"type": "websocket.disconnect", "code": NOT_AVAILABLE})
    await communicator.wait(WAIT)


@pytest.mark.parametrize("path", ODD_PATHS)
async def test_an_odd_path_is_closed_without_an_error(
    path: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)

    await assert_closed_cleanly(path)

    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    "booking_part", ["99999999999999999999999999", "9223372036854775808", "0", "00012"]
)
async def test_a_signed_in_contact_asking_for_an_impossible_booking_is_closed(
    booking_part: str, caplog: pytest.LogCaptureFixture
) -> None:
    booking, _ = await traveling_visit()
    cookie = await signed_in_contact_cookie(
        await database_sync_to_async(lambda: booking.work_order.account)()
    )
    caplog.set_level(logging.WARNING)

    await assert_closed_cleanly(f"/ws/bookings/{booking_part}/", cookie)

    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
