"""Every booking service locks account, technicians, booking in that order; none deadlocks.

On PostgreSQL for real: each service's locking statements are read from the SQL it runs,
and every pair of services is raced on the same account, technician and visit.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial
from itertools import combinations_with_replacement
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.core.errors import DomainError
from doorstep.customers.models import Contact
from doorstep.scheduling import feedback, selectors, self_scheduling, services
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.scheduling.slots import Slot
from doorstep.scheduling.travel import Point
from doorstep.workforce.models import Resource
from tests.factories import (
    AccountFactory,
    BookingFactory,
    ContactFactory,
    IncidentTypeFactory,
    IncidentTypeSkillFactory,
    ResourceFactory,
    ResourceSkillFactory,
    UserFactory,
    WorkingHoursFactory,
    WorkOrderFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DENVER = ZoneInfo("America/Denver")
# The order of `scheduling.locking`: a service may skip a step, never go back.
RANK = {'"customers_account"': 1, '"workforce_resource"': 2, '"scheduling_booking"': 3}


@dataclass
class World:
    contact: Contact
    technician: Resource
    service: Any
    slots: list[Slot]


def make_world() -> World:
    portal = PortalSettings.load()
    portal.minimum_lead_days, portal.maximum_lead_days, portal.slot_length_minutes = 1, 14, 60
    portal.save()
    service = IncidentTypeFactory(estimated_duration_minutes=60)
    requirement = IncidentTypeSkillFactory(incident_type=service, minimum_proficiency=1)
    technician = ResourceFactory()
    ResourceSkillFactory(resource=technician, skill=requirement.skill, proficiency=3)
    for weekday in range(7):
        WorkingHoursFactory(
            resource=technician, weekday=weekday, start_time=time(7), end_time=time(19)
        )
    contact = ContactFactory(user=UserFactory(), account=AccountFactory(time_zone="America/Denver"))
    day = timezone.now().astimezone(DENVER).date() + timedelta(days=3)
    slots = selectors.available_slots(
        incident_type=service,
        location=Point(float(contact.account.latitude), float(contact.account.longitude)),
        time_zone="America/Denver",
        first_day=day,
        last_day=day,
        now=timezone.now(),
    )
    assert len(slots) >= 6, "the technician should have a free day"
    return World(contact=contact, technician=technician, service=service, slots=slots)


def visit(world: World, slot: Slot, status: str = BookingStatus.SCHEDULED) -> Booking:
    work_order = WorkOrderFactory(account=world.contact.account, incident_type=world.service)
    return BookingFactory(
        work_order=work_order,
        resource=world.technician,
        start=slot.start,
        end=slot.end,
        status=status,
    )


def open_slot(world: World, index: int) -> datetime:
    return world.slots[index].start


# Each service, given the world and a visit of the account (Scheduled, on the day's first
# slot), does its work on the same account, technician and visit as the others.
SERVICES: dict[str, Callable[[World, Booking], object]] = {
    "book": lambda world, booking: self_scheduling.book(
        contact=world.contact, incident_type=world.service, start=open_slot(world, 2)
    ),
    "move": lambda world, booking: self_scheduling.move_visit(
        contact=world.contact, booking=booking, start=open_slot(world, 3)
    ),
    "cancel": lambda world, booking: self_scheduling.cancel_visit(
        contact=world.contact, booking=booking, reason="No longer needed"
    ),
    "reschedule": lambda world, booking: services.reschedule(
        booking=booking, start=world.slots[4].start, end=world.slots[4].end
    ),
    "set off": lambda world, booking: services.set_status(
        booking=booking, status=BookingStatus.TRAVELING
    ),
    "staff booking": lambda world, booking: services.create_booking(
        work_order=WorkOrderFactory(account=world.contact.account, incident_type=world.service),
        resource=world.technician,
        start=world.slots[5].start,
        end=world.slots[5].end,
    ),
}


def locking_statements(sql: list[str]) -> list[tuple[int, str]]:
    """Each FOR UPDATE statement's rank, and the statement; refuses one that locks joins."""
    found = []
    for statement in sql:
        if "FOR UPDATE" not in statement:
            continue
        of = re.search(r"FOR UPDATE OF (.+?)(?: SKIP LOCKED| NOWAIT|$)", statement)
        if of is None:
            assert " JOIN " not in statement, f"locks every joined row: {statement}"
            table = re.search(r'FROM ("\w+")', statement)
            assert table is not None, statement
            tables = [table.group(1)]
        else:
            tables = [name.strip() for name in of.group(1).split(",")]
        found += [(RANK[table], statement) for table in tables if table in RANK]
    return found


@pytest.mark.parametrize("name", [*SERVICES, "feedback"])
def test_each_booking_service_locks_in_the_one_order(name: str) -> None:
    world = make_world()
    booking = visit(world, world.slots[0])
    if name == "feedback":
        booking.status, booking.completed_at = BookingStatus.COMPLETED, timezone.now()
        booking.save()
        feedback_context = world.contact

        def run() -> object:
            return feedback.give_feedback(booking=booking, contact=feedback_context, rating=5)
    else:

        def run() -> object:
            return SERVICES[name](world, booking)

    with CaptureQueriesContext(connection) as queries:
        run()

    ranks = locking_statements([query["sql"] for query in queries.captured_queries])
    assert ranks, f"{name} locks nothing"
    order = [rank for rank, _ in ranks]
    assert order == sorted(order), "\n".join(statement for _, statement in ranks)


def race_pair(first: Callable[[], object], second: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(index: int, target: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = target()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


PAIRS = list(combinations_with_replacement(SERVICES, 2))


@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[" + ".join(pair) for pair in PAIRS])
def test_every_pair_of_booking_services_races_without_a_deadlock(first: str, second: str) -> None:
    for _ in range(3):
        world = make_world()
        booking = visit(world, world.slots[0])
        results = race_pair(
            partial(SERVICES[first], world, booking), partial(SERVICES[second], world, booking)
        )
        # Each either did its work or was refused with a reason a person can read.
        broken = [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]
        assert broken == [], broken
