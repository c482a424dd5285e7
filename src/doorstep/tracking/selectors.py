"""Reading where technicians are, and what the ingest reads of the pings stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models.expressions import RawSQL

from doorstep.tracking.models import LatestPosition, LocationPing, RefusedPosition

RECENT_REFUSALS_SHOWN = 20
TIMES_PER_QUERY = 5_000  # a query may hold only so many values (32,766 on SQLite)
PAIRS_PER_QUERY = TIMES_PER_QUERY // 2  # (technician, device) pairs: two values each


def latest_position(*, technician_id: int) -> LatestPosition | None:
    """The technician's newest accepted position, or None if none was ever received."""
    return LatestPosition.objects.filter(resource_id=technician_id).first()


@dataclass(frozen=True)
class TechnicianLocation:
    """What the office sees of a technician's positions: the latest taken, the battery
    their newest stored position reported, and the positions refused lately."""

    latest: LatestPosition | None
    battery_percent: float | None
    refused: list[RefusedPosition]


def technician_location(
    *, technician_id: int, refusals: int = RECENT_REFUSALS_SHOWN
) -> TechnicianLocation:
    """The latest position of a technician and their newest refused ones: three queries."""
    newest = (
        LocationPing.objects.filter(resource_id=technician_id)
        .order_by("-recorded_at")
        .values_list("battery_percent", flat=True)
        .first()
    )
    return TechnicianLocation(
        latest=latest_position(technician_id=technician_id),
        battery_percent=newest,
        refused=list(
            RefusedPosition.objects.filter(resource_id=technician_id).order_by(
                "-received_at", "-id"
            )[:refusals]
        ),
    )


def stored_already(resource_ids: list[int], times: set[datetime]) -> set[tuple[int, str, datetime]]:
    """(technician, device, time) of the stored pings of these technicians at these times."""
    ordered = sorted(times)
    known: set[tuple[int, str, datetime]] = set()
    for first in range(0, len(ordered), TIMES_PER_QUERY):
        known.update(
            LocationPing.objects.filter(
                resource_id__in=resource_ids,
                recorded_at__in=ordered[first : first + TIMES_PER_QUERY],
            ).values_list("resource_id", "device_id", "recorded_at")
        )
    return known


def newest_by_device(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], datetime]:
    """The time of the newest stored ping of each (technician, device) that has one.

    One query for up to `PAIRS_PER_QUERY` pairs, whatever the number of technicians
    and devices among them: for each pair, the newest ping is one look-up in the
    index of (technician, device, time), however many pings the pair has stored.
    """
    newest: dict[tuple[int, str], datetime] = {}
    ordered = sorted(pairs)
    for first in range(0, len(ordered), PAIRS_PER_QUERY):
        chunk = ordered[first : first + PAIRS_PER_QUERY]
        rows = (
            LocationPing.objects.filter(pk__in=_newest_ping_ids(chunk))
            .order_by()
            .values_list("resource_id", "device_id", "recorded_at")
        )
        newest.update(((resource_id, device_id), moment) for resource_id, device_id, moment in rows)
    return newest


def _newest_ping_ids(pairs: list[tuple[int, str]]) -> RawSQL:
    """The id of the newest stored ping of each pair (NULL for a pair without any).

    Written in SQL because the pairs are a list of values to join with: the ORM could
    only spell each pair as a condition of its own, OR'ed with the others, which takes
    longer to build than the query takes to run and which SQLite refuses past a
    thousand pairs.
    """
    table = connection.ops.quote_name(LocationPing._meta.db_table)
    # VALUES names its columns column1, column2… on SQLite and PostgreSQL alike.
    sql = (
        f"SELECT (SELECT newest.id FROM {table} AS newest"  # noqa: S608 (the model's table)
        " WHERE newest.resource_id = pair.column1 AND newest.device_id = pair.column2"
        " ORDER BY newest.recorded_at DESC LIMIT 1)"
        f" FROM (VALUES {', '.join(['(%s, %s)'] * len(pairs))}) AS pair"
    )
    return RawSQL(sql, [value for pair in pairs for value in pair])  # noqa: S611 (values as parameters)
