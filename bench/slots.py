"""Slot search through the selector: 200 technicians, 5,000 bookings, a 14-day horizon.

Targets on a 2-core machine: one day's slots p95 ≤ 50 ms, the whole horizon p95 ≤ 300 ms,
and the same number of SQL queries at every size.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.foundation import percentile

if TYPE_CHECKING:
    from doorstep.catalog.models import IncidentType

TECHNICIANS = 200
BOOKINGS = 5_000
HORIZON_DAYS = 14
ZONE = "America/Denver"
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday, 08:00 in Denver
FIRST_DAY = date(2026, 3, 3)  # minimum lead: one day
CENTRE = (39.74, -104.99)
ROUNDS_ONE_DAY = 4  # every day of the horizon, four times over
ROUNDS_HORIZON = 30


def run() -> None:
    from doorstep.scheduling.selectors import (
        available_slots,
        slot_request_for,
        technicians_for,
    )
    from doorstep.scheduling.slots import find_slots
    from doorstep.scheduling.travel import Point, default_estimator

    started = time.perf_counter()
    services = _load_data()
    print(
        f"data: {TECHNICIANS} technicians, {BOOKINGS} bookings over {HORIZON_DAYS + 2} days "
        f"({time.perf_counter() - started:.1f} s to load)"
    )
    service = services[TECHNICIANS]
    rng = random.Random(7)

    def place() -> Point:
        return Point(CENTRE[0] + rng.uniform(-0.2, 0.2), CENTRE[1] + rng.uniform(-0.25, 0.25))

    def search(first: date, last: date, location: Point) -> int:
        return len(
            available_slots(
                incident_type=service,
                location=location,
                time_zone=ZONE,
                first_day=first,
                last_day=last,
                now=NOW,
            )
        )

    last_day = FIRST_DAY + timedelta(days=HORIZON_DAYS - 1)
    search(FIRST_DAY, last_day, place())  # warm caches, like a running server

    one_day: list[float] = []
    found_one_day: list[int] = []
    for _ in range(ROUNDS_ONE_DAY):
        for offset in range(HORIZON_DAYS):
            day = FIRST_DAY + timedelta(days=offset)
            began = time.perf_counter()
            found_one_day.append(search(day, day, place()))
            one_day.append((time.perf_counter() - began) * 1000)
    _report("one day's slots", one_day, f"{statistics.mean(found_one_day):.1f} slots")

    horizon: list[float] = []
    engine: list[float] = []
    found_horizon: list[int] = []
    for _ in range(ROUNDS_HORIZON):
        location = place()
        began = time.perf_counter()
        found_horizon.append(search(FIRST_DAY, last_day, location))
        horizon.append((time.perf_counter() - began) * 1000)
        # The same search again, split into loading and the engine alone.
        request = slot_request_for(
            incident_type=service,
            location=location,
            time_zone=ZONE,
            first_day=FIRST_DAY,
            last_day=last_day,
            now=NOW,
        )
        technicians = technicians_for(request=request)
        began = time.perf_counter()
        find_slots(request, technicians, default_estimator(ZONE))
        engine.append((time.perf_counter() - began) * 1000)
    _report(
        f"{HORIZON_DAYS}-day horizon",
        horizon,
        f"{statistics.mean(found_horizon):.0f} slots; engine alone p50 "
        f"{statistics.median(engine):.1f} ms, p95 {percentile(engine, 0.95):.1f} ms",
    )

    for size, sized_service in sorted(services.items()):
        with CaptureQueriesContext(connection) as queries:
            available_slots(
                incident_type=sized_service,
                location=place(),
                time_zone=ZONE,
                first_day=FIRST_DAY,
                last_day=last_day,
                now=NOW,
            )
        print(f"SQL queries, {size:>3} qualified technicians: {len(queries)}")


def _report(label: str, samples: list[float], extra: str) -> None:
    print(
        f"{label}: p50 {statistics.median(samples):.1f} ms, "
        f"p95 {percentile(samples, 0.95):.1f} ms over {len(samples)} searches ({extra})"
    )


@transaction.atomic
def _load_data() -> dict[int, IncidentType]:
    """Technicians, skills, hours, time off and bookings in bulk; returns a service per size."""
    from doorstep.catalog.models import IncidentType, IncidentTypeSkill
    from doorstep.configuration.models import PortalSettings
    from doorstep.customers.models import Account
    from doorstep.scheduling.models import Booking, BookingStatus, WorkOrder
    from doorstep.workforce.models import (
        Resource,
        ResourceSkill,
        Skill,
        TimeOff,
        WorkingHours,
    )

    rng = random.Random(2026)
    zone = ZoneInfo(ZONE)
    PortalSettings.load()

    def coordinate(centre: float, spread: float) -> Decimal:
        return Decimal(f"{centre + rng.uniform(-spread, spread):.6f}")

    technicians = Resource.objects.bulk_create(
        Resource(
            display_name=f"Bench technician {n}",
            home_latitude=coordinate(CENTRE[0], 0.25),
            home_longitude=coordinate(CENTRE[1], 0.3),
            time_zone=ZONE,
        )
        for n in range(TECHNICIANS)
    )
    # Service types that 10, 50 and 200 technicians can do, to count queries at each size.
    services: dict[int, IncidentType] = {}
    levels: list[ResourceSkill] = []
    for size in (10, 50, TECHNICIANS):
        skill = Skill.objects.create(name=f"Bench skill for {size}")
        service = IncidentType.objects.create(
            name=f"Bench service for {size}",
            display_name=f"Bench service for {size}",
            portal_enabled=True,
            estimated_duration_minutes=60,
        )
        IncidentTypeSkill.objects.create(incident_type=service, skill=skill, minimum_proficiency=2)
        levels.extend(
            ResourceSkill(resource=t, skill=skill, proficiency=rng.randint(2, 5))
            for t in technicians[:size]
        )
        services[size] = service
    ResourceSkill.objects.bulk_create(levels)

    hours: list[WorkingHours] = []
    shifts: dict[int, list[tuple[clock, clock]]] = {}
    for technician in technicians:
        pattern = rng.choice(
            [
                [(clock(8), clock(17))],
                [(clock(7), clock(12)), (clock(13), clock(16))],
                [(clock(9), clock(18))],
            ]
        )
        shifts[technician.pk] = pattern
        weekdays = range(6) if rng.random() < 0.2 else range(5)
        hours.extend(
            WorkingHours(resource=technician, weekday=weekday, start_time=a, end_time=b)
            for weekday in weekdays
            for a, b in pattern
        )
    WorkingHours.objects.bulk_create(hours)

    days = [FIRST_DAY + timedelta(days=offset) for offset in range(-1, HORIZON_DAYS + 1)]
    TimeOff.objects.bulk_create(
        TimeOff(
            resource=technician,
            start=datetime.combine(day, clock(0), tzinfo=zone),
            end=datetime.combine(day + timedelta(days=1), clock(0), tzinfo=zone),
            reason="Bench day off",
        )
        for technician in rng.sample(technicians, 20)
        for day in [rng.choice(days)]
    )

    accounts = Account.objects.bulk_create(
        Account(
            name=f"Bench customer {n}",
            address_line1=f"{n} Bench Street",
            city="Denver",
            country="US",
            latitude=coordinate(CENTRE[0], 0.2),
            longitude=coordinate(CENTRE[1], 0.25),
            time_zone=ZONE,
        )
        for n in range(BOOKINGS // 5)
    )
    taken: set[tuple[int, date, int]] = set()
    planned: list[tuple[int, datetime, timedelta]] = []
    while len(planned) < BOOKINGS:
        technician = rng.choice(technicians)
        day = rng.choice(days)
        a, b = rng.choice(shifts[technician.pk])
        hour = rng.randrange(a.hour, b.hour)
        length = 2 if rng.random() < 0.2 and hour + 1 < b.hour else 1
        if any((technician.pk, day, h) in taken for h in range(hour, hour + length)):
            continue
        taken.update((technician.pk, day, h) for h in range(hour, hour + length))
        start = datetime.combine(day, clock(hour), tzinfo=zone).astimezone(UTC)
        planned.append((technician.pk, start, timedelta(hours=length)))

    work_orders = WorkOrder.objects.bulk_create(
        WorkOrder(
            number=f"WO-B{n:06d}",
            account=account,
            incident_type=services[TECHNICIANS],
            address_line1=account.address_line1,
            city=account.city,
            country=account.country,
            latitude=account.latitude,
            longitude=account.longitude,
        )
        for n, account in enumerate(rng.choice(accounts) for _ in range(BOOKINGS))
    )
    Booking.objects.bulk_create(
        Booking(
            work_order=work_order,
            resource_id=technician_id,
            start=start,
            end=start + length,
            status=BookingStatus.SCHEDULED,
            reference=f"B{n:07d}",
        )
        for n, (work_order, (technician_id, start, length)) in enumerate(
            zip(work_orders, planned, strict=True)
        )
    )
    return services
