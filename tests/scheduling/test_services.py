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
