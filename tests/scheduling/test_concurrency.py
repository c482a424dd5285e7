"""Two people booking the same technician at the same moment, on PostgreSQL for real."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from doorstep.scheduling import services
from doorstep.scheduling.models import Booking, BookingStatus
from tests.factories import BookingFactory, ResourceFactory, WorkOrderFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 20


def race(target, count: int = RACERS) -> list[object]:  # type: ignore[no-untyped-def]
    """Run `target(i)` in `count` threads released at once; collect results or errors."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_only_one_of_twenty_racers_gets_the_technician(round_: int) -> None:
    technician = ResourceFactory()
    work_orders = [WorkOrderFactory() for _ in range(RACERS)]
    start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)

    results = race(
        lambda i: services.create_booking(
            work_order=work_orders[i],
            resource=technician,
            start=start + timedelta(minutes=i % 3 * 15),
            end=start + timedelta(hours=1, minutes=i % 3 * 15),
        )
    )

    booked = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if isinstance(r, services.BookingConflict)]
    assert len(booked) == 1, results
    assert len(refused) == RACERS - 1, results
    assert Booking.objects.filter(resource=technician).count() == 1


def test_racing_reschedules_into_one_hour_leave_one_winner() -> None:
    technician = ResourceFactory()
    base = (timezone.now() + timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
    bookings = [
        BookingFactory(
            resource=technician,
            start=base + timedelta(hours=2 * i),
            end=base + timedelta(hours=2 * i, minutes=60),
        )
        for i in range(1, 9)
    ]

    results = race(
        lambda i: services.reschedule(
            booking=bookings[i], start=base, end=base + timedelta(hours=1)
        ),
        count=len(bookings),
    )

    assert sum(isinstance(r, Booking) for r in results) == 1, results
    assert Booking.objects.filter(resource=technician, start=base).count() == 1


def test_the_database_refuses_a_double_booking_that_bypasses_the_services() -> None:
    existing = BookingFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        BookingFactory(
            resource=existing.resource,
            start=existing.start + timedelta(minutes=30),
            end=existing.end + timedelta(minutes=30),
        )

    # Canceled and completed visits free the time.
    Booking.objects.filter(pk=existing.pk).update(status=BookingStatus.CANCELED)
    BookingFactory(resource=existing.resource, start=existing.start, end=existing.end)
    assert connection.vendor == "postgresql"


def test_racing_status_moves_record_one_change_each() -> None:
    booking = BookingFactory()

    results = race(
        lambda i: services.set_status(booking=booking, status=BookingStatus.TRAVELING), count=10
    )

    assert sum(isinstance(r, Booking) for r in results) == 1
    assert sum(isinstance(r, services.InvalidStatusMove) for r in results) == 9
    assert booking.status_changes.count() == 1


@pytest.mark.parametrize("round_", range(3))
def test_twenty_customers_racing_for_the_last_technician_of_a_slot(round_: int) -> None:
    from datetime import time

    from doorstep.configuration.models import PortalSettings
    from doorstep.scheduling import self_scheduling
    from doorstep.scheduling.selectors import available_slots
    from doorstep.scheduling.travel import Point
    from tests.factories import (
        AccountFactory,
        ContactFactory,
        IncidentTypeFactory,
        IncidentTypeSkillFactory,
        ResourceSkillFactory,
        UserFactory,
        WorkingHoursFactory,
    )

    settings = PortalSettings.load()
    settings.minimum_lead_days, settings.maximum_lead_days = 1, 7
    settings.save()
    service = IncidentTypeFactory()
    requirement = IncidentTypeSkillFactory(incident_type=service)
    technician = ResourceFactory(home_latitude="39.7392", home_longitude="-104.9903")
    ResourceSkillFactory(resource=technician, skill=requirement.skill, proficiency=5)
    for weekday in range(7):
        WorkingHoursFactory(
            resource=technician, weekday=weekday, start_time=time(9), end_time=time(10)
        )
    contacts = [
        ContactFactory(user=UserFactory(), account=AccountFactory(time_zone="America/Denver"))
        for _ in range(RACERS)
    ]
    tomorrow_plus_one = timezone.now().astimezone(technician_zone()).date() + timedelta(days=2)
    [slot] = available_slots(
        incident_type=service,
        location=Point(39.7392, -104.9903),
        time_zone="America/Denver",
        first_day=tomorrow_plus_one,
        last_day=tomorrow_plus_one,
        now=timezone.now(),
    )
    results = race(
        lambda i: self_scheduling.book(contact=contacts[i], incident_type=service, start=slot.start)
    )

    booked = [r for r in results if isinstance(r, Booking)]
    taken = [r for r in results if isinstance(r, self_scheduling.SlotTaken)]
    assert len(booked) == 1, results
    assert len(taken) == RACERS - 1, results
    assert all("just taken" in str(error) for error in taken)
    # Nothing half-saved: one work order, for the winner only.
    from doorstep.scheduling.models import WorkOrder

    assert WorkOrder.objects.count() == 1


def technician_zone():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/Denver")


def test_two_on_my_way_taps_for_two_visits_leave_one_trip() -> None:
    technician = ResourceFactory()
    base = (timezone.now() + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    visits = [
        BookingFactory(
            resource=technician,
            start=base + timedelta(hours=2 * i),
            end=base + timedelta(hours=2 * i + 1),
        )
        for i in range(4)
    ]

    results = race(
        lambda i: services.set_status(booking=visits[i], status=BookingStatus.TRAVELING), count=4
    )

    assert sum(isinstance(r, Booking) for r in results) == 1, results
    assert sum(isinstance(r, services.InvalidStatusMove) for r in results) == 3, results
    assert Booking.objects.filter(resource=technician, status=BookingStatus.TRAVELING).count() == 1
