"""Running late: one message when the ETA passes the window by the margin, again per slip."""

from __future__ import annotations

from datetime import timedelta

import pytest

from doorstep.configuration.models import PortalSettings
from doorstep.notifications.models import MessageType, Notification, RunningLate
from doorstep.notifications.running_late import check_running_late, lateness_level
from doorstep.scheduling import services
from doorstep.scheduling.models import BookingStatus
from tests.notifications.conftest import book

pytestmark = pytest.mark.django_db
MARGIN = timedelta(minutes=15)


def traveling(contact):  # type: ignore[no-untyped-def]
    settings = PortalSettings.load()
    settings.running_late_margin_minutes = 15
    settings.save()
    booking = book(contact)
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    return booking


def late_messages(booking) -> int:  # type: ignore[no-untyped-def]
    return Notification.objects.filter(
        booking=booking, message_type=MessageType.RUNNING_LATE
    ).count()


def test_levels_count_whole_margins_past_the_window() -> None:
    from datetime import UTC, datetime

    window_end = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert lateness_level(window_end=window_end, eta=window_end + MARGIN, margin=MARGIN) == 0
    assert (
        lateness_level(
            window_end=window_end, eta=window_end + MARGIN + timedelta(seconds=1), margin=MARGIN
        )
        == 1
    )
    assert (
        lateness_level(
            window_end=window_end, eta=window_end + 2 * MARGIN + timedelta(minutes=1), margin=MARGIN
        )
        == 2
    )


def test_on_time_or_within_the_margin_says_nothing(contact) -> None:  # type: ignore[no-untyped-def]
    booking = traveling(contact)

    assert not check_running_late(booking=booking, eta=booking.end)
    assert not check_running_late(booking=booking, eta=booking.end + MARGIN)
    assert late_messages(booking) == 0


def test_late_beyond_the_margin_tells_once_then_again_only_after_another_slip(contact) -> None:  # type: ignore[no-untyped-def]
    booking = traveling(contact)

    assert check_running_late(booking=booking, eta=booking.end + timedelta(minutes=20))
    first = late_messages(booking)
    assert first == 2  # email and text
    assert not check_running_late(booking=booking, eta=booking.end + timedelta(minutes=25))
    assert not check_running_late(
        booking=booking, eta=booking.end + timedelta(minutes=5)
    )  # caught up
    assert not check_running_late(booking=booking, eta=booking.end + timedelta(minutes=22))
    assert late_messages(booking) == first

    assert check_running_late(booking=booking, eta=booking.end + timedelta(minutes=31))
    assert late_messages(booking) == 2 * first
    email = Notification.objects.filter(
        booking=booking, message_type=MessageType.RUNNING_LATE, channel="email"
    ).first()
    assert email is not None
    assert "running late" in email.subject


def test_only_a_visit_on_its_way_can_be_late(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)

    assert not check_running_late(booking=booking, eta=booking.end + timedelta(hours=2))
    assert late_messages(booking) == 0


def test_the_level_told_is_kept_with_the_booking_not_read_back_from_the_log(contact) -> None:  # type: ignore[no-untyped-def]
    booking = traveling(contact)
    assert check_running_late(booking=booking, eta=booking.end + timedelta(minutes=20))

    # Staff clear the message log (or its rows are purged): the customer was still told.
    Notification.objects.filter(booking=booking).delete()

    assert not check_running_late(booking=booking, eta=booking.end + timedelta(minutes=25))
    assert late_messages(booking) == 0
    assert RunningLate.objects.get(booking=booking).level == 1
