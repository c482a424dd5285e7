"""The booking status machine, enforced by the service whoever calls it."""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest
from django.db import transaction
from django.utils import timezone, translation

from doorstep.core import events
from doorstep.scheduling import refusals, services
from doorstep.scheduling.models import ALLOWED_STATUS_MOVES, BookingStatus, BookingStatusChange
from tests.factories import BookingFactory, ResourceFactory, UserFactory, WorkOrderFactory

S = BookingStatus
ALLOWED = {
    (S.SCHEDULED, S.TRAVELING),
    (S.SCHEDULED, S.CANCELED),
    (S.TRAVELING, S.IN_PROGRESS),
    (S.TRAVELING, S.CANCELED),
    (S.TRAVELING, S.SCHEDULED),
    (S.IN_PROGRESS, S.COMPLETED),
}
REFUSED = sorted(set(product(S.values, S.values)) - {(a.value, b.value) for a, b in ALLOWED})


def booking_in(status: str):  # type: ignore[no-untyped-def]
    extra = {"completed_at": timezone.now()} if status == S.COMPLETED else {}
    return BookingFactory(status=status, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), sorted(ALLOWED))
def test_allowed_move_changes_status_and_is_recorded(from_status: str, to_status: str) -> None:
    booking = booking_in(from_status)
    user = UserFactory()

    reason = "Customer away" if to_status == S.CANCELED else ""
    services.set_status(booking=booking, status=to_status, changed_by=user, cancel_reason=reason)

    booking.refresh_from_db()
    assert booking.status == to_status
    change = BookingStatusChange.objects.get(booking=booking)
    assert (change.from_status, change.to_status, change.changed_by) == (
        from_status,
        to_status,
        user,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_refused_move_leaves_booking_unchanged(from_status: str, to_status: str) -> None:
    booking = booking_in(from_status)

    with pytest.raises(services.InvalidStatusMove) as refusal:
        services.set_status(booking=booking, status=to_status, cancel_reason="Because")

    booking.refresh_from_db()
    assert booking.status == from_status
    assert not BookingStatusChange.objects.filter(booking=booking).exists()
    # The message names both states, so whoever reads it knows what was tried.
    message = str(refusal.value)
    assert str(S(from_status).label) in message
    assert str(S(to_status).label) in message


@pytest.mark.django_db
def test_refusal_explains_the_moves_that_are_allowed() -> None:
    booking = booking_in(S.SCHEDULED)

    with pytest.raises(services.InvalidStatusMove, match="only become Traveling or Canceled"):
        services.set_status(booking=booking, status=S.COMPLETED)


@pytest.mark.django_db
def test_unknown_status_is_refused() -> None:
    booking = booking_in(S.SCHEDULED)

    with pytest.raises(services.InvalidStatusMove, match="not a booking status"):
        services.set_status(booking=booking, status="lost")


@pytest.mark.django_db
def test_cancel_needs_a_reason() -> None:
    booking = booking_in(S.SCHEDULED)

    with pytest.raises(services.InvalidStatusMove, match="Say why"):
        services.set_status(booking=booking, status=S.CANCELED, cancel_reason="   ")

    booking.refresh_from_db()
    assert booking.status == S.SCHEDULED


@pytest.mark.django_db
def test_cancel_keeps_the_reason_and_writes_a_customer_visible_note() -> None:
    booking = booking_in(S.SCHEDULED)

    services.set_status(booking=booking, status=S.CANCELED, cancel_reason=" Moved house ")

    booking.refresh_from_db()
    assert booking.cancel_reason == "Moved house"
    note = booking.work_order.notes.get()
    assert note.customer_visible
    assert "Moved house" in note.text


@pytest.mark.django_db
def test_completion_stamps_the_time_and_keeps_the_note() -> None:
    booking = booking_in(S.IN_PROGRESS)
    finished = timezone.now().replace(microsecond=0)

    services.set_status(
        booking=booking, status=S.COMPLETED, completion_note="Replaced the valve.", now=finished
    )

    booking.refresh_from_db()
    assert booking.completed_at == finished
    assert booking.work_order.notes.get().text == "Replaced the valve."


@pytest.mark.django_db
def test_the_service_reads_the_current_status_not_the_callers_copy() -> None:
    booking = booking_in(S.SCHEDULED)
    stale_copy = type(booking).objects.get(pk=booking.pk)
    services.set_status(booking=booking, status=S.CANCELED, cancel_reason="Duplicate")

    with pytest.raises(services.InvalidStatusMove, match="Canceled"):
        services.set_status(booking=stale_copy, status=S.TRAVELING)


@pytest.mark.django_db
def test_modify_is_possible_until_work_starts() -> None:
    assert booking_in(S.SCHEDULED).can_modify()
    assert booking_in(S.TRAVELING).can_modify()
    for status in (S.IN_PROGRESS, S.COMPLETED, S.CANCELED):
        assert not booking_in(status).can_modify()


@pytest.mark.django_db(transaction=True)
def test_status_event_is_published_only_after_commit() -> None:
    booking = booking_in(S.SCHEDULED)
    received: list[events.Event] = []
    events.subscribe("booking.status_changed", received.append)
    try:
        with transaction.atomic():
            services.set_status(booking=booking, status=S.TRAVELING)
            assert received == []
        assert [e.payload["to_status"] for e in received] == [S.TRAVELING]

        def move_then_fail() -> None:
            with transaction.atomic():
                services.set_status(booking=booking, status=S.IN_PROGRESS)
                raise RuntimeError("roll back")

        with pytest.raises(RuntimeError):
            move_then_fail()
        assert len(received) == 1
    finally:
        events.unsubscribe("booking.status_changed", received.append)


@pytest.mark.django_db(transaction=True)
def test_nothing_is_published_while_muted() -> None:
    received: list[events.Event] = []
    events.subscribe("booking.status_changed", received.append)
    try:
        with events.muted():
            services.set_status(booking=booking_in(S.SCHEDULED), status=S.TRAVELING)
        services.set_status(booking=booking_in(S.SCHEDULED), status=S.TRAVELING)
    finally:
        events.unsubscribe("booking.status_changed", received.append)

    assert len(received) == 1


@pytest.mark.django_db
def test_history_of_a_back_dated_visit_reads_in_order() -> None:
    booked = timezone.now() - timedelta(days=10)
    start = booked + timedelta(days=2)
    booking = services.create_booking(
        work_order=WorkOrderFactory(),
        resource=ResourceFactory(),
        start=start,
        end=start + timedelta(hours=1),
        now=booked,
    )
    for step, status in enumerate((S.TRAVELING, S.IN_PROGRESS, S.COMPLETED)):
        services.set_status(
            booking=booking,
            status=status,
            now=start + timedelta(minutes=step),
            completion_note="Done.",
        )

    history = [change.to_status for change in booking.status_changes.order_by("changed_at")]
    assert history == [S.SCHEDULED, S.TRAVELING, S.IN_PROGRESS, S.COMPLETED]
    assert booking.work_order.notes.get().created_at == start + timedelta(minutes=2)


@pytest.mark.django_db
def test_a_technician_is_on_the_way_to_one_visit_at_a_time() -> None:
    technician = ResourceFactory()
    first = BookingFactory(resource=technician, status=BookingStatus.TRAVELING)
    second = BookingFactory(
        resource=technician,
        start=first.start + timedelta(hours=2),
        end=first.end + timedelta(hours=2),
    )

    with pytest.raises(
        services.InvalidStatusMove, match=f"already on the way to visit {first.reference}"
    ):
        services.set_status(booking=second, status=BookingStatus.TRAVELING)
    second.refresh_from_db()
    assert second.status == BookingStatus.SCHEDULED

    # Once the first trip has ended (work started there), the next one may begin.
    services.set_status(booking=first, status=BookingStatus.IN_PROGRESS)
    services.set_status(booking=second, status=BookingStatus.TRAVELING)
    assert second.status == BookingStatus.TRAVELING


@pytest.mark.django_db
def test_another_technician_on_the_way_does_not_hold_anyone_back() -> None:
    BookingFactory(status=BookingStatus.TRAVELING)
    mine = BookingFactory()

    services.set_status(booking=mine, status=BookingStatus.TRAVELING)

    mine.refresh_from_db()
    assert mine.status == BookingStatus.TRAVELING


@pytest.mark.parametrize("language", ["es", "fr", "de", "ar"])
def test_every_refused_move_is_a_whole_sentence_in_each_language(language: str) -> None:
    # A status name slotted into an English sentence ("A Programada booking…") is what
    # this prevents: each refusal is translated as one sentence.
    for old in S.values:
        for new in S.values:
            if new in ALLOWED_STATUS_MOVES[old]:
                continue
            english = refusals.status_move_refusal(old, new)
            with translation.override(language):
                translated = refusals.status_move_refusal(old, new)
            assert translated != english, (old, new)
            assert "booking" not in translated, (old, new)
