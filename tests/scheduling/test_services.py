from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from doorstep.core.errors import DomainError
from doorstep.scheduling import services
from doorstep.scheduling.models import Booking, BookingStatus, WorkOrder, WorkOrderSource
from tests.factories import (
    AccountFactory,
    AssetFactory,
    BookingFactory,
    ContactFactory,
    FunctionalLocationFactory,
    IncidentTypeFactory,
    ResourceFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db


def test_work_order_is_at_the_accounts_address_without_an_asset() -> None:
    account = AccountFactory(address_line1="1200 Pearl St", city="Denver", postal_code="80203")

    work_order = services.create_work_order(account=account, incident_type=IncidentTypeFactory())

    assert work_order.one_line_address == "1200 Pearl St, Denver 80203"
    assert work_order.coordinates == account.coordinates
    assert re.fullmatch(r"WO-\d{6}", work_order.number or "")
    assert WorkOrder.objects.get(pk=work_order.pk).number == work_order.number


def test_work_order_goes_to_the_assets_functional_location() -> None:
    account = AccountFactory()
    location = FunctionalLocationFactory(account=account, address_line1="Plant room, 55 Wynkoop")
    asset = AssetFactory(account=account, functional_location=location)

    work_order = services.create_work_order(
        account=account, incident_type=IncidentTypeFactory(), asset=asset
    )

    assert work_order.address_line1 == "Plant room, 55 Wynkoop"
    assert work_order.coordinates == location.coordinates


def test_work_order_refuses_another_accounts_asset_or_contact() -> None:
    account = AccountFactory()
    with pytest.raises(DomainError, match="asset must belong"):
        services.create_work_order(
            account=account, incident_type=IncidentTypeFactory(), asset=AssetFactory()
        )
    with pytest.raises(DomainError, match="contact of the account"):
        services.create_work_order(
            account=account, incident_type=IncidentTypeFactory(), reported_by=ContactFactory()
        )
    assert not WorkOrder.objects.exists()


def test_booking_gets_a_short_readable_reference_and_a_first_history_entry() -> None:
    start = timezone.now() + timedelta(days=1)

    booking = services.create_booking(
        work_order=WorkOrderFactory(source=WorkOrderSource.PORTAL),
        resource=ResourceFactory(),
        start=start,
        end=start + timedelta(hours=1),
    )

    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{7}", booking.reference)
    assert booking.status == BookingStatus.SCHEDULED
    assert [(c.from_status, c.to_status) for c in booking.status_changes.all()] == [
        ("", BookingStatus.SCHEDULED)
    ]


def test_booking_refuses_a_technician_who_is_already_booked() -> None:
    existing = BookingFactory()
    resource = existing.resource

    with pytest.raises(services.BookingConflict, match=existing.reference):
        services.create_booking(
            work_order=WorkOrderFactory(),
            resource=resource,
            start=existing.start + timedelta(minutes=30),
            end=existing.end + timedelta(minutes=30),
        )
    assert Booking.objects.count() == 1


def test_booking_may_follow_another_or_reuse_a_canceled_time() -> None:
    existing = BookingFactory()
    BookingFactory(
        resource=existing.resource,
        start=existing.end,
        end=existing.end + timedelta(hours=1),
        status=BookingStatus.CANCELED,
    )

    services.create_booking(
        work_order=WorkOrderFactory(),
        resource=existing.resource,
        start=existing.end,
        end=existing.end + timedelta(hours=1),
    )

    assert existing.resource.bookings.open().count() == 2


def test_booking_refuses_end_before_start_and_inactive_technicians() -> None:
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(DomainError, match="end after it starts"):
        services.create_booking(
            work_order=WorkOrderFactory(), resource=ResourceFactory(), start=start, end=start
        )
    with pytest.raises(DomainError, match="not an active technician"):
        services.create_booking(
            work_order=WorkOrderFactory(),
            resource=ResourceFactory(active=False),
            start=start,
            end=start + timedelta(hours=1),
        )


def test_timeline_note_needs_text() -> None:
    with pytest.raises(DomainError, match="needs some text"):
        services.add_timeline_note(work_order=WorkOrderFactory(), text="  ")


def test_work_order_entered_after_the_fact_keeps_its_time() -> None:
    opened = timezone.now() - timedelta(days=12)

    work_order = services.create_work_order(
        account=AccountFactory(), incident_type=IncidentTypeFactory(), now=opened
    )

    assert WorkOrder.objects.get(pk=work_order.pk).created_at == opened


def test_reschedule_moves_the_visit_notes_it_and_publishes_old_and_new_times(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from doorstep.core import events

    booking = BookingFactory()
    old_start = booking.start
    received: list[events.Event] = []
    events.subscribe("booking.rescheduled", received.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.reschedule(
                booking=booking,
                start=old_start + timedelta(days=1),
                end=booking.end + timedelta(days=1),
            )
    finally:
        events.unsubscribe("booking.rescheduled", received.append)

    booking.refresh_from_db()
    assert booking.start == old_start + timedelta(days=1)
    assert "moved from" in booking.work_order.notes.get().text
    [event] = received
    assert event.payload["old_start"] == old_start.isoformat()
    assert event.payload["new_start"] == booking.start.isoformat()


def test_a_move_of_ten_minutes_or_less_is_a_correction_not_a_reschedule(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from doorstep.core import events

    booking = BookingFactory()
    heard: list[str] = []

    def listen(event: events.Event) -> None:
        heard.append(event.name)

    for name in ("booking.rescheduled", "booking.moved"):
        events.subscribe(name, listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.reschedule(
                booking=booking,
                start=booking.start + timedelta(minutes=10),
                end=booking.end + timedelta(minutes=10),
            )
    finally:
        for name in ("booking.rescheduled", "booking.moved"):
            events.unsubscribe(name, listen)

    # Every move is told as one (whether the customer hears of it is for what they
    # were last told to decide); only a move of more than ten minutes is a reschedule.
    assert heard == ["booking.moved"]
    assert not booking.work_order.notes.exists()


@pytest.mark.parametrize(
    "status", [BookingStatus.IN_PROGRESS, BookingStatus.COMPLETED, BookingStatus.CANCELED]
)
def test_reschedule_is_refused_once_work_started_or_ended(status: str) -> None:
    booking = BookingFactory(status=status, completed_at=timezone.now())
    original = booking.start

    with pytest.raises(services.InvalidBooking, match="can no longer be moved"):
        services.reschedule(
            booking=booking, start=original + timedelta(days=1), end=booking.end + timedelta(days=1)
        )

    booking.refresh_from_db()
    assert booking.start == original


def test_reschedule_refuses_a_time_the_technician_is_booked() -> None:
    first = BookingFactory()
    second = BookingFactory(
        resource=first.resource, start=first.end, end=first.end + timedelta(hours=1)
    )

    with pytest.raises(services.BookingConflict, match=first.reference):
        services.reschedule(booking=second, start=first.start, end=first.end)
    # Moving within its own time is fine: a booking never clashes with itself.
    services.reschedule(
        booking=second,
        start=second.start + timedelta(minutes=5),
        end=second.end + timedelta(minutes=5),
    )
