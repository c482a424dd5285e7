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
