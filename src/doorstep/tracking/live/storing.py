"""Step 3 of a live ETA: one short transaction that keeps whatever is newer."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction

from doorstep.configuration.models import PortalSettings
from doorstep.core import events
from doorstep.notifications.on_the_way import tell_arrival
from doorstep.notifications.running_late import check_running_late, lateness_level
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.tracking.live.trips import Trip
from doorstep.tracking.live.viewers import payload, push_after_commit, with_traveling_since
from doorstep.tracking.models import BookingEta

# What a new ETA changes, and what only a routing changes (the trip later ETAs scale).
ETA_FIELDS = ["eta", "distance_m", "provider", "computed_at", "position_recorded_at"]
ROUTED_FIELDS = [
    "last_routed_at",
    "routed_duration",
    "routed_distance_m",
    "routed_straight_m",
    "route",
]


def store_etas(
    rows: list[tuple[Trip, BookingEta]], *, now: datetime, routed: bool = False
) -> list[BookingEta]:
    """Store the ETAs worked out at `now` in one short transaction, except where something
    newer is stored already; say when a visit runs late, and push what viewers see.

    With `routed`, the ETAs also carry a newly routed trip, stored unless a later one is.
    Returns the ETAs stored.
    """
    if not rows:
        return []
    margin = timedelta(minutes=PortalSettings.load().running_late_margin_minutes)
    with transaction.atomic():
        rows = _same_trips(rows)
        ours = _upsert([eta for _, eta in rows], now=now, routed=routed)
        rows = [(trip, eta) for trip, eta in rows if eta.pk in ours]
        for trip, eta in rows:
            if trip.current is None:
                # The trip's first ETA: the held "on the way" message says it, and goes.
                tell_arrival(booking=trip.booking, eta=eta.eta, now=now)
            # Most ETAs are within the window: only a late one costs the check's queries.
            if lateness_level(window_end=trip.booking.end, eta=eta.eta, margin=margin):
                check_running_late(booking=trip.booking, eta=eta.eta, now=now)
        if rows:
            # One event for all of them: its subscribers' queries do not grow with the visits.
            events.publish(
                "booking.eta_changed",
                etas=[{"booking_id": t.booking.pk, "eta": e.eta.isoformat()} for t, e in rows],
            )
        push_after_commit(
            [
                (trip.booking.pk, payload(trip.booking, now=now, eta=eta, position=trip.position))
                for trip, eta in rows
            ]
        )
    return [eta for _, eta in rows]


def _same_trips(rows: list[tuple[Trip, BookingEta]]) -> list[tuple[Trip, BookingEta]]:
    """The rows whose booking is still on the trip read in step 1, locked until commit.

    A visit that arrived, turned back or set off again meanwhile keeps what its status
    change stored: a late answer must not show it on its way, or on an older trip.
    """
    current = {
        booking.pk: getattr(booking, "traveling_since", None)
        for booking in with_traveling_since(
            Booking.objects.filter(
                pk__in=[trip.booking.pk for trip, _ in rows], status=BookingStatus.TRAVELING
            )
        )
        .select_for_update()
        .only("pk")
        .order_by("pk")
    }
    return [
        (trip, eta)
        for trip, eta in rows
        if trip.booking.pk in current
        and current[trip.booking.pk] == getattr(trip.booking, "traveling_since", None)
    ]


def _upsert(etas: list[BookingEta], *, now: datetime, routed: bool) -> set[int]:
    """Insert the ETAs, or update those stored where this one is newer, in one statement.

    `INSERT … ON CONFLICT DO UPDATE … WHERE`: a stored ETA computed later than `now` keeps
    its figures, a trip routed later keeps its routing. SQL of our own because Django's
    `bulk_update` builds a CASE for each field of each row: 70 ms of Python for 32 ETAs,
    on the ingest's thread. Returns the bookings whose ETA is now this one.
    """
    if not etas:
        return set()
    quote = connection.ops.quote_name
    concrete = {field.name: field for field in BookingEta._meta.concrete_fields}
    fields = [concrete[name] for name in ["booking", *ETA_FIELDS, *ROUTED_FIELDS]]
    column = {field.name: quote(str(field.column)) for field in fields}
    table = quote(BookingEta._meta.db_table)

    def kept_unless(condition: str, names: list[str]) -> list[str]:
        return [
            f"{column[name]} = CASE WHEN {condition} THEN excluded.{column[name]} "
            f"ELSE {table}.{column[name]} END"
            for name in names
        ]

    newer = f"{table}.{column['computed_at']} <= excluded.{column['computed_at']}"
    later = (
        f"({table}.{column['last_routed_at']} IS NULL "
        f"OR {table}.{column['last_routed_at']} < excluded.{column['last_routed_at']})"
    )
    updates = kept_unless(newer, ETA_FIELDS)
    if routed:
        updates += kept_unless(later, ROUTED_FIELDS)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, (connection.features.max_query_params or 10_000) // len(fields) - 1)
    computed_at = concrete["computed_at"].get_db_prep_save(now, connection)
    ours: set[int] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(etas), per_statement):
            chunk = etas[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(column.values())}) "  # noqa: S608 (names from the model)
                f"VALUES {', '.join([row] * len(chunk))} "
                f"ON CONFLICT ({column['booking']}) DO UPDATE SET {', '.join(updates)} "
                f"WHERE {newer}{f' OR {later}' if routed else ''} "
                f"RETURNING {column['booking']}, {column['computed_at']} = %s",
                [
                    field.get_db_prep_save(getattr(eta, field.attname), connection)
                    for eta in chunk
                    for field in fields
                ]
                + [computed_at],
            )
            ours.update(booking_id for booking_id, is_ours in cursor.fetchall() if is_ours)
    return ours
