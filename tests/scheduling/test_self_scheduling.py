"""Customers booking, moving and canceling: the services behind the portal."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from doorstep.configuration.models import PortalSettings
from doorstep.core.errors import DomainError
from doorstep.scheduling import selectors, self_scheduling
from doorstep.scheduling.models import Booking, BookingStatus, WorkOrderSource
from doorstep.scheduling.travel import Point
from tests.factories import (
    AccountFactory,
    AssetFactory,
    BookingFactory,
    ContactFactory,
    FunctionalLocationFactory,
    IncidentTypeFactory,
    IncidentTypeSkillFactory,
    ResourceFactory,
    ResourceSkillFactory,
    UserFactory,
    WorkingHoursFactory,
)

pytestmark = pytest.mark.django_db
DENVER = ZoneInfo("America/Denver")


def technician_all_week(skill, proficiency: int = 3, **fields):  # type: ignore[no-untyped-def]
    technician = ResourceFactory(**fields)
    ResourceSkillFactory(resource=technician, skill=skill, proficiency=proficiency)
    for weekday in range(7):
        WorkingHoursFactory(
            resource=technician, weekday=weekday, start_time=time(8), end_time=time(17)
        )
    return technician


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    settings = PortalSettings.load()
    settings.minimum_lead_days, settings.maximum_lead_days, settings.slot_length_minutes = 1, 14, 60
    settings.save()
    service = IncidentTypeFactory(estimated_duration_minutes=60)
    requirement = IncidentTypeSkillFactory(incident_type=service, minimum_proficiency=2)
    technician = technician_all_week(requirement.skill)
    contact = ContactFactory(user=UserFactory(), account=AccountFactory(time_zone="America/Denver"))
    return {
        "service": service,
        "skill": requirement.skill,
        "technician": technician,
        "contact": contact,
    }


def first_offered(world, day_offset: int = 2):  # type: ignore[no-untyped-def]
    contact = world["contact"]
    day = timezone.now().astimezone(DENVER).date() + timedelta(days=day_offset)
    slots = selectors.available_slots(
        incident_type=world["service"],
        location=Point(float(contact.account.latitude), float(contact.account.longitude)),
        time_zone="America/Denver",
        first_day=day,
        last_day=day,
        now=timezone.now(),
    )
    assert slots, "the fixture's technician should be free"
    return slots[0]


def test_booking_an_offered_time_creates_the_work_order_and_the_portal_booking(world) -> None:  # type: ignore[no-untyped-def]
    slot = first_offered(world)

    booking = self_scheduling.book(
        contact=world["contact"],
        incident_type=world["service"],
        start=slot.start,
        details="Dog in the yard.",
    )

    assert booking.start == slot.start
    assert booking.end - booking.start == timedelta(minutes=60)
    assert booking.created_via_portal
    assert booking.resource == world["technician"]
    work_order = booking.work_order
    assert (work_order.source, work_order.reported_by) == (WorkOrderSource.PORTAL, world["contact"])
    note = work_order.notes.get()
    assert (note.text, note.customer_visible) == ("Dog in the yard.", True)


def test_booking_goes_to_the_assets_location(world) -> None:  # type: ignore[no-untyped-def]
    contact = world["contact"]
    location = FunctionalLocationFactory(account=contact.account, address_line1="9 Boiler Row")
    asset = AssetFactory(account=contact.account, functional_location=location)
    slot = first_offered(world)

    booking = self_scheduling.book(
        contact=contact, incident_type=world["service"], start=slot.start, asset=asset
    )

    assert booking.work_order.address_line1 == "9 Boiler Row"


def test_the_engine_picks_a_qualified_technician_only(world) -> None:  # type: ignore[no-untyped-def]
    world["technician"].active = False
    world["technician"].save()
    technician_all_week(world["skill"], proficiency=1)  # below the minimum of 2
    day = timezone.now().astimezone(DENVER).date() + timedelta(days=2)
    start = datetime.combine(day, time(10), tzinfo=DENVER)

    with pytest.raises(self_scheduling.SlotTaken, match="just taken"):
        self_scheduling.book(contact=world["contact"], incident_type=world["service"], start=start)
    assert not Booking.objects.exists()


def test_a_time_taken_meanwhile_is_refused_and_nothing_is_half_saved(world) -> None:  # type: ignore[no-untyped-def]
    slot = first_offered(world)
    BookingFactory(resource=world["technician"], start=slot.start, end=slot.end)

    with pytest.raises(self_scheduling.SlotTaken):
        self_scheduling.book(
            contact=world["contact"], incident_type=world["service"], start=slot.start
        )

    assert Booking.objects.count() == 1
    assert world["contact"].account.work_orders.count() == 0


@pytest.mark.parametrize("offset", [0, 15])
def test_days_outside_the_lead_times_are_refused(world, offset: int) -> None:  # type: ignore[no-untyped-def]
    day = timezone.now().astimezone(DENVER).date() + timedelta(days=offset)
    start = datetime.combine(day, time(10), tzinfo=DENVER)

    with pytest.raises(DomainError, match="cannot be booked online"):
        self_scheduling.book(contact=world["contact"], incident_type=world["service"], start=start)


def test_a_time_off_the_grid_is_not_offered(world) -> None:  # type: ignore[no-untyped-def]
    slot = first_offered(world)

    with pytest.raises(DomainError, match="Choose one of the times offered"):
        self_scheduling.book(
            contact=world["contact"],
            incident_type=world["service"],
            start=slot.start + timedelta(minutes=7),
        )


def test_another_accounts_asset_and_closed_service_types_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    slot = first_offered(world)
    with pytest.raises(DomainError, match="not registered to your account"):
        self_scheduling.book(
            contact=world["contact"],
            incident_type=world["service"],
            start=slot.start,
            asset=AssetFactory(),
        )
    closed = IncidentTypeFactory(portal_enabled=False)
    with pytest.raises(DomainError, match="cannot be booked online"):
        self_scheduling.book(contact=world["contact"], incident_type=closed, start=slot.start)


def test_moving_a_visit_to_another_offered_time(world) -> None:  # type: ignore[no-untyped-def]
    slot = first_offered(world)
    booking = self_scheduling.book(
        contact=world["contact"], incident_type=world["service"], start=slot.start
    )
    later = first_offered(world, day_offset=4)

    moved = self_scheduling.move_visit(contact=world["contact"], booking=booking, start=later.start)

    assert moved.start == later.start
    assert "moved from" in booking.work_order.notes.get().text


def test_a_visit_can_move_an_hour_within_its_own_time(world) -> None:  # type: ignore[no-untyped-def]
    slot = first_offered(world)
    booking = self_scheduling.book(
        contact=world["contact"], incident_type=world["service"], start=slot.start
    )

    moved = self_scheduling.move_visit(
        contact=world["contact"], booking=booking, start=slot.start + timedelta(hours=1)
    )

    assert moved.start == slot.start + timedelta(hours=1)


@pytest.mark.parametrize(
    "status", [BookingStatus.IN_PROGRESS, BookingStatus.COMPLETED, BookingStatus.CANCELED]
)
def test_no_move_or_cancel_once_work_started_or_ended(world, status: str) -> None:  # type: ignore[no-untyped-def]
    booking = BookingFactory(
        work_order__account=world["contact"].account, status=status, completed_at=timezone.now()
    )

    with pytest.raises(DomainError, match="can no longer be moved"):
        self_scheduling.cancel_visit(
            contact=world["contact"], booking=booking, reason="No longer needed"
        )
    with pytest.raises(DomainError, match="can no longer be moved"):
        self_scheduling.move_visit(contact=world["contact"], booking=booking, start=booking.start)


def test_cancel_needs_a_reason_and_only_for_ones_own_visit(world) -> None:  # type: ignore[no-untyped-def]
    own = BookingFactory(work_order__account=world["contact"].account)
    with pytest.raises(DomainError, match="why you cancel"):
        self_scheduling.cancel_visit(contact=world["contact"], booking=own, reason=" ")
    with pytest.raises(DomainError, match="not one of yours"):
        self_scheduling.cancel_visit(
            contact=world["contact"], booking=BookingFactory(), reason="Oops"
        )

    self_scheduling.cancel_visit(contact=world["contact"], booking=own, reason="Fixed it myself")
    own.refresh_from_db()
    assert (own.status, own.cancel_reason) == (BookingStatus.CANCELED, "Fixed it myself")


def test_every_offered_slot_of_a_busy_day_can_be_booked(world) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction

    technician_all_week(world["skill"], home_latitude="39.76", home_longitude="-104.97")
    day = timezone.now().astimezone(DENVER).date() + timedelta(days=3)
    BookingFactory(
        resource=world["technician"],
        start=datetime.combine(day, time(11), tzinfo=DENVER),
        end=datetime.combine(day, time(13), tzinfo=DENVER),
    )
    contact = world["contact"]
    slots = selectors.available_slots(
        incident_type=world["service"],
        location=Point(float(contact.account.latitude), float(contact.account.longitude)),
        time_zone="America/Denver",
        first_day=day,
        last_day=day,
        now=timezone.now(),
    )
    assert len(slots) > 3

    for slot in slots:
        with transaction.atomic():
            booking = self_scheduling.book(
                contact=contact, incident_type=world["service"], start=slot.start
            )
            assert (booking.start, booking.resource_id) == (slot.start, slot.technician_id)
            transaction.set_rollback(True)


def test_a_refusal_reads_in_the_customers_language(world) -> None:  # type: ignore[no-untyped-def]
    booking = BookingFactory(
        work_order__account=world["contact"].account,
        status=BookingStatus.COMPLETED,
        completed_at=timezone.now(),
    )

    with translation.override("es"), pytest.raises(DomainError) as refusal:
        self_scheduling.cancel_visit(contact=world["contact"], booking=booking, reason="Ya no")

    assert refusal.value.message == (
        "Esta visita ya ha terminado, así que ya no se puede cambiar ni cancelar."
    )
