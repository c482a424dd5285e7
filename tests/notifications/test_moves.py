"""A move is announced when the visit is more than 10 minutes from the time in the
customer's latest message, whatever the moves in between."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorstep.notifications import rules
from doorstep.notifications.models import MessageType, Notification
from doorstep.notifications.outbox import told_start
from doorstep.scheduling import services
from doorstep.scheduling.models import Booking
from tests.factories import AccountFactory, ContactFactory
from tests.notifications.conftest import book

pytestmark = pytest.mark.django_db
THRESHOLD = timedelta(minutes=10)
# Moves in minutes: small nudges, near the threshold, and far moves, both ways.
MOVES = st.lists(
    st.one_of(st.integers(-12, 12), st.sampled_from([-180, -60, -11, -10, 10, 11, 60, 180, 1440])),
    min_size=1,
    max_size=8,
)


def move(booking: Booking, minutes: int) -> None:
    booking.refresh_from_db()
    shift = timedelta(minutes=minutes)
    services.reschedule(booking=booking, start=booking.start + shift, end=booking.end + shift)


def announced(booking: Booking) -> list[Notification]:
    return list(
        Notification.objects.filter(
            booking=booking, message_type=MessageType.RESCHEDULED, channel="email"
        ).order_by("pk")
    )


def test_moving_there_and_back_announces_every_move(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)

    move(booking, 120)  # A → B
    move(booking, -120)  # B → A
    move(booking, 120)  # A → B again

    assert len(announced(booking)) == 3
    starts = [row.visit_start for row in announced(booking)]
    assert starts[0] == starts[2] != starts[1]


def test_small_nudges_are_announced_once_they_add_up(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)
    first_told = booking.start

    for _ in range(4):
        move(booking, 8)

    # 8 min: no news; 16: announced; 24: 8 from what was told; 32: 16 from it, announced.
    assert [row.visit_start - first_told for row in announced(booking)] == [
        timedelta(minutes=16),
        timedelta(minutes=32),
    ]


def test_a_visit_the_customer_was_never_told_of_is_moved_silently(contact) -> None:  # type: ignore[no-untyped-def]
    from doorstep.scheduling.models import WorkOrderSource

    booking = book(contact, source=WorkOrderSource.BACK_OFFICE)
    move(booking, 120)
    assert announced(booking) == []


@given(moves=MOVES)
def test_the_rule_keeps_every_customer_within_ten_minutes_of_the_truth(moves: list[int]) -> None:
    start = datetime(2030, 3, 4, 15, 0, tzinfo=UTC)
    told = start
    for minutes in moves:
        start += timedelta(minutes=minutes)
        if rules.move_to_announce(told_start=told, start=start):
            told = start
        assert abs(start - told) <= THRESHOLD


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=MOVES)
def test_any_sequence_of_moves_keeps_the_customer_told_within_ten_minutes(
    moves: list[int],
) -> None:
    account = AccountFactory(time_zone="America/Denver")
    contact = ContactFactory(account=account, email="pat@example.test", phone="+13035550101")
    account.primary_contact = contact
    account.save()
    booking = book(contact)

    for minutes in moves:
        before = told_start(booking.pk)
        count = len(announced(booking))
        move(booking, minutes)
        booking.refresh_from_db()
        told = told_start(booking.pk)
        assert told is not None
        # The customer's latest message is never more than 10 minutes from the truth,
        assert abs(booking.start - told) <= THRESHOLD
        # and a move is announced only when it had drifted further than that.
        news = len(announced(booking)) - count
        assert news == (1 if abs(booking.start - before) > THRESHOLD else 0)


def test_staff_see_the_visit_time_each_message_gave(contact, staff_client) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    booking = book(contact)
    [email] = Notification.objects.filter(booking=booking, channel="email")

    html = staff_client.get(
        reverse("admin:notifications_notification_change", args=[email.pk])
    ).content.decode()

    assert "Visit time told" in html
    assert email.visit_start == booking.start
