"""The number each live update of a visit carries, in the order its change committed."""

from __future__ import annotations

from collections.abc import Collection

from django.db import connection, transaction

from doorstep.tracking.models import LiveSequence


def next_numbers(booking_ids: Collection[int]) -> dict[int, int]:
    """Take the next number of each booking, in the caller's transaction (or one of its
    own): one statement for any number of bookings.

    The row of each booking stays locked until the transaction commits, so a concurrent
    change to the same booking waits and takes the number after: numbers follow commits.
    Rows are taken in booking order, the order `scheduling.locking` takes bookings in.
    """
    ids = sorted(set(booking_ids))
    if not ids:
        return {}
    quote = connection.ops.quote_name
    table = quote(LiveSequence._meta.db_table)
    booking, value = quote("booking_id"), quote("value")
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({booking}, {value}) "  # noqa: S608 (names from the model)
            f"VALUES {', '.join(['(%s, 1)'] * len(ids))} "
            f"ON CONFLICT ({booking}) DO UPDATE SET {value} = {table}.{value} + 1 "
            f"RETURNING {booking}, {value}",
            ids,
        )
        return {int(booking_id): int(number) for booking_id, number in cursor.fetchall()}


def current_number(booking_id: int) -> int:
    """The number of the latest update of the booking (0 before its first)."""
    number = (
        LiveSequence.objects.filter(booking_id=booking_id).values_list("value", flat=True).first()
    )
    return number or 0
