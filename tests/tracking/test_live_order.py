"""Live updates carry their change's number in commit order, and whoever holds a state
drops an older one: a position sent as the technician turned back never shows the visit
on its way again (issue: 2 of 20 rounds of pings racing "Turn back")."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from doorstep.scheduling import services
from doorstep.scheduling.models import BookingStatus
from doorstep.tracking import live
from doorstep.tracking.live import viewers
from doorstep.tracking.live.sequences import current_number, next_numbers
from doorstep.tracking.models import BookingEta
from tests.factories import BookingFactory
from tests.tracking.test_consumers import WAIT, connect_to, move, ping, traveling_visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_numbers_rise_per_booking_in_the_order_changes_commit() -> None:
    first, second = BookingFactory(), BookingFactory()
    assert current_number(first.pk) == 0
    assert next_numbers([first.pk, second.pk]) == {first.pk: 1, second.pk: 1}
    assert next_numbers([first.pk]) == {first.pk: 2}

    def change_rolled_back() -> None:
        with transaction.atomic():
            next_numbers([first.pk])
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_rolled_back()  # a change rolled back takes no number
    assert current_number(first.pk) == 2
    assert next_numbers([second.pk, first.pk, first.pk]) == {first.pk: 3, second.pk: 2}


def test_every_push_and_every_read_state_carries_its_number(monkeypatch: Any) -> None:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(viewers, "push_all", lambda updates: sent.extend(u for _, u in updates))
    booking = BookingFactory()
    viewers.push_after_commit([(booking.pk, {"type": "visit.update", "status": "scheduled"})])
    viewers.push_after_commit([(booking.pk, {"type": "visit.update", "status": "traveling"})])
    assert [update["seq"] for update in sent] == [1, 2]
    state = live.visit_state(booking_id=booking.pk)
    assert state is not None
    assert state["seq"] == 2


async def test_a_socket_drops_an_update_older_than_the_state_it_holds() -> None:
    booking, code = await traveling_visit()
    communicator = connect_to(f"/ws/visits/{code}/")
    assert (await communicator.connect())[0]
    first = await communicator.receive_json_from(WAIT)
    assert first["status"] == BookingStatus.TRAVELING

    # A ping's update, numbered before the technician turned back...
    await ping(booking, 39.72, -104.97)
    stale = await communicator.receive_json_from(WAIT)
    assert stale["latitude"] == 39.72
    await move(booking, BookingStatus.SCHEDULED)
    turned_back = await communicator.receive_json_from(WAIT)
    assert turned_back["status"] == BookingStatus.SCHEDULED
    assert turned_back["seq"] > stale["seq"]

    # ...delivered again after it (late, out of order): the socket does not pass it on.
    layer = get_channel_layer()
    await layer.group_send(live.group_name(booking.pk), stale)
    newer = {**turned_back, "seq": turned_back["seq"] + 1}
    await layer.group_send(live.group_name(booking.pk), newer)
    assert await communicator.receive_json_from(WAIT) == newer
    assert await communicator.receive_nothing(0.3)
    await communicator.disconnect()


async def test_the_state_a_socket_starts_with_is_not_undone_by_an_older_update() -> None:
    booking, code = await traveling_visit()
    await ping(booking, 39.72, -104.97)
    number = await database_sync_to_async(current_number)(booking.pk)
    communicator = connect_to(f"/ws/visits/{code}/")
    assert (await communicator.connect())[0]
    state = await communicator.receive_json_from(WAIT)
    assert state["seq"] == number
    older = {**state, "seq": number - 1, "status": BookingStatus.SCHEDULED}
    await get_channel_layer().group_send(live.group_name(booking.pk), older)
    assert await communicator.receive_nothing(0.3)
    await communicator.disconnect()


def test_clearing_an_earlier_trip_leaves_the_new_trip_eta() -> None:
    booking = BookingFactory()
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    services.set_status(booking=booking, status=BookingStatus.SCHEDULED)
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    live.start_eta(booking_id=booking.pk)
    assert BookingEta.objects.filter(booking=booking).exists()
    # The turn back's clearing, handled late: the visit is on its way again.
    live.clear_eta(booking_id=booking.pk)
    assert BookingEta.objects.filter(booking=booking).exists()
    assert live.visit_state(booking_id=booking.pk)["eta"] is not None  # type: ignore[index]

    services.set_status(booking=booking, status=BookingStatus.SCHEDULED)
    live.clear_eta(booking_id=booking.pk)
    assert not BookingEta.objects.filter(booking=booking).exists()
