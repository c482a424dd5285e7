"""A customer sees where the technician is only from the moment they set off.

A phone's clock may run fast, so a position taken before "On my way" can carry a time
after it: what counts is also when Doorstep received it. Such a position is dated no later
than its arrival, so the true positions after it are not refused as out of order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from doorstep.scheduling import services
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.tracking.live import viewers
from doorstep.tracking.models import LatestPosition, LocationPing, PingSource
from doorstep.tracking.services import MAX_FUTURE_SKEW, PingIn, record_pings
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


def ping(at: datetime, latitude: float = 39.70) -> PingIn:
    return PingIn(latitude=latitude, longitude=-104.95, recorded_at=at, device_id="phone")


def shown(booking: Booking, now: datetime) -> tuple[float, float] | None:
    """Where the visit's page puts the technician, if anywhere."""
    state = viewers.visit_state(booking_id=booking.pk, now=now)
    assert state is not None
    if state["latitude"] is None or state["longitude"] is None:
        return None
    return state["latitude"], state["longitude"]


def set_off(booking: Booking, at: datetime) -> None:
    services.set_status(booking=booking, status=BookingStatus.TRAVELING, now=at)


@pytest.mark.parametrize("ahead", [timedelta(seconds=1), timedelta(seconds=110), MAX_FUTURE_SKEW])
def test_a_position_dated_ahead_and_sent_before_setting_off_is_never_shown(
    ahead: timedelta,
) -> None:
    booking = BookingFactory()
    now = timezone.now().replace(microsecond=0) - timedelta(minutes=5)

    record_pings(
        resource=booking.resource, pings=[ping(now + ahead)], source=PingSource.APP, now=now
    )
    set_off(booking, now + timedelta(seconds=2))

    assert shown(booking, now + timedelta(seconds=3)) is None


def test_the_true_positions_after_a_fast_clock_are_taken_and_shown() -> None:
    booking = BookingFactory()
    now = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    record_pings(
        resource=booking.resource,
        pings=[ping(now + timedelta(seconds=110))],
        source=PingSource.APP,
        now=now,
    )
    set_off(booking, now + timedelta(seconds=2))

    result = record_pings(
        resource=booking.resource,
        pings=[ping(now + timedelta(seconds=5), latitude=39.701)],
        source=PingSource.APP,
        now=now + timedelta(seconds=5),
    )

    assert (result.accepted, result.refusals) == (1, [])
    assert shown(booking, now + timedelta(seconds=6)) == (pytest.approx(39.701), -104.95)


def test_a_position_dated_ahead_is_stored_at_its_arrival() -> None:
    booking = BookingFactory()
    now = timezone.now().replace(microsecond=0) - timedelta(minutes=5)

    record_pings(
        resource=booking.resource,
        pings=[ping(now + timedelta(seconds=90))],
        source=PingSource.APP,
        now=now,
    )

    assert LocationPing.objects.get().recorded_at == now
    assert LatestPosition.objects.get().recorded_at == now


def test_a_position_received_before_setting_off_is_hidden_whatever_its_date() -> None:
    booking = BookingFactory()
    now = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    set_off(booking, now)
    # A position stored before this rule (dated after setting off, received before it).
    LatestPosition.objects.create(
        resource=booking.resource,
        latitude="39.700000",
        longitude="-104.950000",
        recorded_at=now + timedelta(seconds=30),
        received_at=now - timedelta(seconds=1),
        source=PingSource.APP,
    )

    assert shown(booking, now + timedelta(seconds=31)) is None
