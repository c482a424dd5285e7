"""Row locks of the booking services, always taken in one order: account, technicians, booking.

Two transactions that lock the same rows in different orders can each hold what the
other waits for; PostgreSQL then kills one ("deadlock detected"). So every service that
changes bookings locks, in this order and only this order:

1. the **account** whose visit it is (`lock_account`);
2. the **technicians** it may book, by id (`lock_technicians`); several at once in one
   query, in id order;
3. the **booking** itself, and only its own row (`lock_booking`: `FOR UPDATE OF` the
   booking, so the work order and account joined to it are read, not locked).

A service may skip a step (cancelling locks no technician), never go back to an earlier
one for a row it does not hold yet. `tests/scheduling/test_lock_order.py` checks every
booking service's locking statements against this order on PostgreSQL, and races every
pair of them.

SQLite has no row locks (Django leaves out FOR UPDATE there): its IMMEDIATE transactions
take the database's one write lock at their start, which orders everything already.
"""

from __future__ import annotations

from collections.abc import Collection

from doorstep.customers.models import Account
from doorstep.scheduling.models import Booking
from doorstep.workforce.models import Resource


def lock_account(account_id: int) -> Account:
    """The account, locked until the transaction ends (step 1)."""
    return Account.objects.select_for_update().get(pk=account_id)


def lock_technicians(technician_ids: Collection[int]) -> dict[int, Resource]:
    """The technicians, locked in id order in one query (step 2), by id."""
    technicians = Resource.objects.select_for_update().filter(pk__in=technician_ids)
    return {technician.pk: technician for technician in technicians.order_by("pk")}


def lock_technician(technician_id: int) -> Resource:
    """One technician, locked (step 2): their bookings change one at a time."""
    return Resource.objects.select_for_update().get(pk=technician_id)


def lock_booking(booking_id: int) -> Booking:
    """The booking's own row, locked (step 3), read with its work order and account."""
    return (
        Booking.objects.select_related("work_order__account", "work_order__incident_type")
        .select_for_update(of=("self",))
        .get(pk=booking_id)
    )


def account_of(booking_id: int) -> int:
    """The id of the booking's account, read without a lock (to lock it first)."""
    account_id: int = Booking.objects.values_list("work_order__account_id", flat=True).get(
        pk=booking_id
    )
    return account_id
