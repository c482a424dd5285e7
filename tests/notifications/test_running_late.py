"""Running late: once the ETA passes the window by the margin, again once per slip, always
with the new arrival time, never before "on the way", and once whoever decides."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections

from doorstep.configuration.models import PortalSettings
from doorstep.notifications.models import MessageType, Notification, RunningLate
from doorstep.notifications.on_the_way import tell_arrival
from doorstep.notifications.running_late import check_running_late, is_new_slip, lateness_level
from doorstep.scheduling import services
from doorstep.scheduling.models import BookingStatus
from tests.notifications.conftest import book

pytestmark = pytest.mark.django_db
MARGIN = timedelta(minutes=15)


def set_off(contact, *, told_eta_after_end: timedelta | None = timedelta(minutes=-10)):  # type: ignore[no-untyped-def]
    """A visit on its way whose "on the way" message went with its first arrival time."""
    settings = PortalSettings.load()
    settings.running_late_margin_minutes = 15
    settings.save()
    booking = book(contact)
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    if told_eta_after_end is not None:
        tell_arrival(booking=booking, eta=booking.end + told_eta_after_end)
    return booking


def late_messages(booking, channel: str | None = None) -> list[Notification]:  # type: ignore[no-untyped-def]
    rows = Notification.objects.filter(booking=booking, message_type=MessageType.RUNNING_LATE)
    if channel:
        rows = rows.filter(channel=channel)
    return list(rows.order_by("pk"))


def test_levels_count_whole_margins_past_the_window() -> None:
    window_end = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert lateness_level(window_end=window_end, eta=window_end + MARGIN, margin=MARGIN) == 0
    second = timedelta(seconds=1)
    assert lateness_level(window_end=window_end, eta=window_end + MARGIN + second, margin=MARGIN)
    assert (
        lateness_level(
            window_end=window_end, eta=window_end + 2 * MARGIN + timedelta(minutes=1), margin=MARGIN
        )
        == 2
    )


def test_a_slip_is_measured_from_the_time_last_told_not_from_fixed_levels() -> None:
    end = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    told = end + timedelta(minutes=29)
    # Across the old "level 2" line, 2 minutes later than told: the same slip.
    assert not is_new_slip(
        window_end=end, eta=end + timedelta(minutes=31), told_eta=told, margin=MARGIN
    )
    assert is_new_slip(
        window_end=end, eta=end + timedelta(minutes=45), told_eta=told, margin=MARGIN
    )
    assert is_new_slip(
        window_end=end, eta=end + timedelta(minutes=16), told_eta=None, margin=MARGIN
    )


def test_on_time_or_within_the_margin_says_nothing(contact) -> None:  # type: ignore[no-untyped-def]
    booking = set_off(contact)

    assert not check_running_late(booking=booking, eta=booking.end)
    assert not check_running_late(booking=booking, eta=booking.end + MARGIN)
    assert late_messages(booking) == []


def test_late_beyond_the_margin_tells_once_then_again_only_after_another_slip(contact) -> None:  # type: ignore[no-untyped-def]
    booking = set_off(contact)

    assert check_running_late(booking=booking, eta=booking.end + timedelta(minutes=20))
    assert len(late_messages(booking)) == 2  # email and text
    assert not check_running_late(booking=booking, eta=booking.end + timedelta(minutes=25))
    assert not check_running_late(booking=booking, eta=booking.end + timedelta(minutes=5))
    assert not check_running_late(booking=booking, eta=booking.end + timedelta(minutes=31))
    assert len(late_messages(booking)) == 2

    assert check_running_late(booking=booking, eta=booking.end + timedelta(minutes=36))
    assert len(late_messages(booking)) == 4


def test_the_message_gives_the_new_arrival_time_with_its_zone(contact) -> None:  # type: ignore[no-untyped-def]
    booking = set_off(contact)
    eta = booking.end + timedelta(minutes=20)

    check_running_late(booking=booking, eta=eta, now=eta - timedelta(minutes=42))

    email, sms = late_messages(booking, "email")[0], late_messages(booking, "sms")[0]
    local = eta.astimezone(booking.time_zone).strftime("%H:%M %Z")  # Denver: MST or MDT
    assert "running late" in email.subject
    assert local in email.subject
    assert f"New arrival time: about {local}, in 42 minutes." in email.body
    assert f"about {local} (42 min)" in sms.body
    assert booking.reference in email.body
    assert booking.reference in sms.body


def test_never_before_the_customer_was_told_the_technician_is_on_the_way(contact) -> None:  # type: ignore[no-untyped-def]
    booking = set_off(contact, told_eta_after_end=None)  # "on the way" waits for its time

    assert not check_running_late(booking=booking, eta=booking.end + timedelta(minutes=40))
    assert late_messages(booking) == []


def test_a_first_arrival_time_already_late_is_told_once_by_on_the_way(contact) -> None:  # type: ignore[no-untyped-def]
    booking = set_off(contact, told_eta_after_end=timedelta(minutes=40))

    assert not check_running_late(booking=booking, eta=booking.end + timedelta(minutes=41))
    assert check_running_late(booking=booking, eta=booking.end + timedelta(minutes=60))


def test_only_a_visit_on_its_way_can_be_late(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)

    assert not check_running_late(booking=booking, eta=booking.end + timedelta(hours=2))
    assert late_messages(booking) == []


def test_what_was_told_is_kept_with_the_booking_not_read_back_from_the_log(contact) -> None:  # type: ignore[no-untyped-def]
    booking = set_off(contact)
    assert check_running_late(booking=booking, eta=booking.end + timedelta(minutes=20))

    # Staff clear the message log (or its rows are purged): the customer was still told.
    Notification.objects.filter(booking=booking).delete()

    assert not check_running_late(booking=booking, eta=booking.end + timedelta(minutes=25))
    assert late_messages(booking) == []
    assert RunningLate.objects.get(booking=booking).slips == 1


def test_a_new_trip_starts_afresh(contact) -> None:  # type: ignore[no-untyped-def]
    booking = set_off(contact)
    assert check_running_late(booking=booking, eta=booking.end + timedelta(minutes=20))

    services.set_status(booking=booking, status=BookingStatus.SCHEDULED)  # turned back
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    tell_arrival(booking=booking, eta=booking.end)

    assert check_running_late(booking=booking, eta=booking.end + timedelta(minutes=20))
    assert len(late_messages(booking, "email")) == 2


def test_two_deciders_one_after_the_other_send_one_message_per_slip(contact) -> None:  # type: ignore[no-untyped-def]
    # The ping's thread works out 29 minutes late, the routing thread 0.2 s later 31:
    # the customer is told once, not twice in identical words.
    booking = set_off(contact)

    check_running_late(booking=booking, eta=booking.end + timedelta(minutes=29))
    check_running_late(booking=booking, eta=booking.end + timedelta(minutes=31))

    assert len(late_messages(booking, "email")) == 1


# On PostgreSQL only: the suite's SQLite is an in-memory database whose shared cache
# refuses a second writer ("table is locked") where the WAL file waits for it.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_deciders_at_the_same_moment_send_one_message_per_slip(contact, round_: int) -> None:  # type: ignore[no-untyped-def]
    booking = set_off(contact)
    etas = [booking.end + timedelta(minutes=minutes) for minutes in (29, 31, 30, 33, 29, 32)]
    barrier = threading.Barrier(len(etas))
    errors: list[BaseException] = []

    def decide(eta: datetime) -> None:
        try:
            barrier.wait()
            check_running_late(booking=booking, eta=eta)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(eta,)) for eta in etas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(late_messages(booking, "email")) == 1
    assert len(late_messages(booking, "sms")) == 1
    assert RunningLate.objects.get(booking=booking).slips == 1
