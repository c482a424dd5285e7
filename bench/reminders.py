"""The daily reminder job: 100,000 bookings, 10,000 of them due a reminder.

Targets: reminder rows written ≥ 2,000/s, the whole run ≤ 30 s, and a fixed number of
SQL queries per batch.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

BOOKINGS = 100_000
DUE = 10_000
ACCOUNTS = 5_000
TECHNICIANS = 300
ZONES = ["America/Denver", "America/New_York", "America/Los_Angeles", "Europe/London"]
QUERIES_PER_BATCH = 4  # the bookings, their contacts, their reminders, the insert
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, at the default reminder time


def run() -> None:
    from doorstep.notifications.models import Notification
    from doorstep.notifications.reminders import BATCH_SIZE, run_due_reminders, send_reminders

    began = time.perf_counter()
    _load_data()
    loaded = time.perf_counter() - began
    print(
        f"data: {BOOKINGS:,} bookings, {DUE:,} due, {ACCOUNTS:,} accounts ({loaded:.1f} s to load)"
    )

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        first = run_due_reminders(now=NOW)
    elapsed = time.perf_counter() - started
    assert first is not None
    rows = first.messages + first.skipped
    batches = -(-DUE // BATCH_SIZE)
    print(
        f"reminder job: {rows:,} rows ({first.messages:,} to send, {first.skipped} skipped) "
        f"for {first.bookings_reminded:,} bookings in {elapsed:.2f} s: {rows / elapsed:,.0f} rows/s"
    )
    kinds = Counter(_kind(q["sql"]) for q in queries.captured_queries)
    per_run = len(queries) - QUERIES_PER_BATCH * batches
    print(
        f"SQL queries: {len(queries)} for {batches} batches of {BATCH_SIZE} bookings "
        f"({QUERIES_PER_BATCH} a batch + {per_run} a run): "
        + ", ".join(f"{kind} {count}" for kind, count in kinds.most_common())
    )
    assert Notification.objects.count() == rows

    started = time.perf_counter()
    again = run_due_reminders(now=NOW + timedelta(hours=2))
    print(
        f"check again the same day: {'ran' if again else 'nothing to do'} "
        f"in {(time.perf_counter() - started) * 1000:.1f} ms"
    )
    started = time.perf_counter()
    by_hand = send_reminders(now=NOW + timedelta(minutes=5))
    print(
        f"run by hand 5 minutes later: {by_hand.messages + by_hand.skipped} new rows "
        f"(visits that came within the window since) in {time.perf_counter() - started:.2f} s"
    )
    print(f"whole benchmark, data included: {time.perf_counter() - began:.1f} s")


def _kind(sql: str) -> str:
    """The statement and its table, for example "INSERT notifications_notification"."""
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
    return f"{sql.split(maxsplit=1)[0].upper()} {table.group(1) if table else ''}".strip()


@transaction.atomic
def _load_data() -> None:
    """Accounts with one contact each, technicians, work orders and bookings, in bulk.

    10,000 Scheduled bookings start within the day after NOW; the others are done,
    canceled or on their way inside that day, or later than it.
    """
    from doorstep.catalog.models import IncidentType
    from doorstep.configuration.models import PortalSettings
    from doorstep.customers.models import Account, Contact
    from doorstep.scheduling.models import Booking, BookingStatus, WorkOrder
    from doorstep.workforce.models import Resource

    rng = random.Random(2026)
    portal = PortalSettings.load()

    accounts = Account.objects.bulk_create(
        Account(
            name=f"Bench customer {n}",
            address_line1=f"{n} Bench Street",
            city="Denver",
            postal_code="80202",
            country="US",
            latitude=Decimal("39.739200"),
            longitude=Decimal("-104.990300"),
            time_zone=rng.choice(ZONES),
        )
        for n in range(ACCOUNTS)
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            account=account,
            first_name=f"Person{n}",
            last_name="Bench",
            email=f"person{n}@bench.example.test",
            phone=f"+1303{n:07d}",
            communication_preference=rng.choice(["both", "both", "email", "sms"]),
            preferred_language="en",
        )
        for n, account in enumerate(accounts)
    )
    for account, contact in zip(accounts, contacts, strict=True):
        account.primary_contact = contact
    Account.objects.bulk_update(accounts, ["primary_contact"], batch_size=1000)
    # One account in a thousand gets no messages: its reminders are skipped rows.
    portal.excluded_accounts.add(*accounts[:: ACCOUNTS // 5])

    services = IncidentType.objects.bulk_create(
        IncidentType(
            name=f"Bench service {n}",
            display_name=f"Bench service {n}",
            estimated_duration_minutes=60,
        )
        for n in range(3)
    )
    technicians = Resource.objects.bulk_create(
        Resource(
            display_name=f"Bench technician {n}",
            home_latitude=Decimal("39.739200"),
            home_longitude=Decimal("-104.990300"),
            time_zone="America/Denver",
        )
        for n in range(TECHNICIANS)
    )
    contact_of = dict(zip(accounts, contacts, strict=True))
    # Two visits a work order, as with a follow-up visit: half the rows to load.
    chosen = [rng.choice(accounts) for _ in range(BOOKINGS // 2)]
    work_orders = WorkOrder.objects.bulk_create(
        (
            WorkOrder(
                number=f"WO-R{n:06d}",
                account=account,
                reported_by=contact_of[account],
                incident_type=rng.choice(services),
                address_line1=account.address_line1,
                city=account.city,
                postal_code=account.postal_code,
                country=account.country,
                latitude=account.latitude,
                longitude=account.longitude,
            )
            for n, account in enumerate(chosen)
        ),
        batch_size=5000,
    )

    def plan(n: int) -> tuple[datetime, str]:
        if n < DUE:  # due: Scheduled, starting within the next day
            return NOW + timedelta(minutes=rng.randrange(1, 24 * 60 + 1)), BookingStatus.SCHEDULED
        if n < DUE + 5_000:  # within the day, but no longer Scheduled
            status = rng.choice([BookingStatus.CANCELED, BookingStatus.TRAVELING])
            return NOW + timedelta(minutes=rng.randrange(1, 24 * 60)), status
        if n < BOOKINGS // 2:  # done
            return NOW - timedelta(minutes=rng.randrange(60, 60 * 24 * 60)), BookingStatus.COMPLETED
        return NOW + timedelta(minutes=rng.randrange(24 * 60 + 1, 60 * 24 * 30)), (
            BookingStatus.SCHEDULED
        )

    bookings = []
    for n in range(BOOKINGS):
        work_order = work_orders[n % len(work_orders)]
        start, status = plan(n)
        bookings.append(
            Booking(
                work_order=work_order,
                resource=rng.choice(technicians),
                start=start,
                end=start + timedelta(hours=1),
                status=status,
                completed_at=start + timedelta(hours=1)
                if status == BookingStatus.COMPLETED
                else None,
                reference=f"R{n:07d}",
            )
        )
    rng.shuffle(bookings)  # the due ones spread over the table, not its first rows
    Booking.objects.bulk_create(bookings, batch_size=5000)
