"""Recording where technicians are: the one place location pings are checked and stored."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from doorstep.core import events
from doorstep.core.locks import lock_rows
from doorstep.tracking import selectors
from doorstep.tracking.models import LatestPosition, LocationPing, PingSource, RefusedPosition
from doorstep.tracking.plausibility import cannot_follow, utc_text
from doorstep.workforce.models import Resource

# A phone's clock may run a little fast; beyond this, its times cannot be trusted.
MAX_FUTURE_SKEW = timedelta(minutes=2)
# A position this old says nothing about where the technician is now; phones that
# were offline all day send their buffer, and the oldest of it is refused.
MAX_AGE = timedelta(hours=24)
MAX_ACCURACY_M = 5_000.0
MAX_SPEED_MPS = 100.0  # 360 km/h: faster than any van, so a fault of the receiver
# The office looks at the last few refusals to see what is wrong with a phone; a phone
# that sends nothing but bad positions must not fill the table.
REFUSED_KEPT_PER_TECHNICIAN = 50
REASON_LENGTH = 300  # RefusedPosition.reason's length


@dataclass(frozen=True)
class PingIn:
    """One position as a sender reported it, already in SI units."""

    latitude: float
    longitude: float
    recorded_at: datetime
    accuracy_m: float | None = None
    speed_mps: float | None = None
    heading_deg: float | None = None
    altitude_m: float | None = None
    battery_percent: float | None = None
    device_id: str = ""


@dataclass(frozen=True)
class Refusal:
    """A ping that was not stored: its position in the list received, and why."""

    index: int
    reason: str


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    latest: LatestPosition | None = None

    @property
    def nothing_accepted(self) -> bool:
        """Every ping was refused: none stored, none already known."""
        return self.accepted == 0 and self.duplicates == 0 and bool(self.refusals)


def _in_range(value: float | None, low: float, high: float) -> bool:
    return value is None or (math.isfinite(value) and low <= value <= high)


# Each measured field, its range, and what a person is told when it is out of range.
_RANGES: tuple[tuple[str, float, float, str], ...] = (
    ("latitude", -90, 90, "Latitude must be between -90 and 90."),
    ("longitude", -180, 180, "Longitude must be between -180 and 180."),
    ("accuracy_m", 0, MAX_ACCURACY_M, "Accuracy must be between 0 and 5,000 metres."),
    ("speed_mps", 0, MAX_SPEED_MPS, "Speed must be between 0 and 100 metres per second."),
    ("heading_deg", 0, 360, "Heading must be between 0 and 360 degrees."),
    ("altitude_m", -1_000, 20_000, "Altitude must be between -1,000 and 20,000 metres."),
    ("battery_percent", 0, 100, "Battery level must be between 0 and 100 %."),
)


def check_ping(ping: PingIn, *, now: datetime) -> str | None:
    """Why this ping cannot be stored, whoever sent it; None when it can."""
    for name, low, high, message in _RANGES:
        if not _in_range(getattr(ping, name), low, high):
            return message
    if timezone.is_naive(ping.recorded_at):
        return "The time of the position must include a time zone (for example a final Z)."
    if ping.recorded_at > now + MAX_FUTURE_SKEW:
        return (
            f"The position is dated {utc_text(ping.recorded_at)}, more than "
            "2 minutes in the future: check the clock of the device."
        )
    if ping.recorded_at < now - MAX_AGE:
        return "The position is more than 24 hours old."
    return None


def _not_ahead_of(ping: PingIn, now: datetime) -> PingIn:
    """The ping, dated no later than it arrived.

    A phone whose clock runs fast (by up to `MAX_FUTURE_SKEW`, beyond which the ping is
    refused) would otherwise put a position taken before setting off after "On my way",
    and every true position after it would look out of order until the clock caught up.
    """
    return replace(ping, recorded_at=now) if ping.recorded_at > now else ping


def _coordinate(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


@dataclass(frozen=True)
class PingBatch:
    """The pings one request brought for one technician.

    `unreadable` gives why the positions of the request that could not even be read
    were refused (or the whole request), each kept as a refused position without
    coordinates, from `device_id`.
    """

    resource: Resource
    pings: list[PingIn]
    source: PingSource | str
    unreadable: Sequence[str] = ()
    device_id: str = ""


def record_pings(
    *,
    resource: Resource,
    pings: list[PingIn],
    source: PingSource | str,
    now: datetime | None = None,
) -> IngestResult:
    """Store the valid pings of one technician and move their latest position.

    Pings are taken oldest first, whatever their order in the list; a refusal's index is
    the ping's place in the list given. A ping of the same device and time as one
    already stored is a duplicate: counted, not stored again (devices resend their
    buffer when an answer is lost). A ping not after the latest accepted one of the same
    device is refused; a technician's latest position moves only forward in time, so
    a phone app and a Traccar device can both report without refusing each other.
    """
    return record_batches([PingBatch(resource, pings, source)], now=now)[0]


@transaction.atomic
def record_batches(
    batches: Sequence[PingBatch], *, now: datetime | None = None
) -> list[IngestResult]:
    """`record_pings()` for many requests at once, in one transaction: one result each.

    The queries grow neither with the number of requests nor with the number of
    technicians or devices in them, which is what lets one process take thousands of
    pings a second (the ingest's group commit, `tracking.ingest`). Batches are taken in
    order, so a later request of the same technician sees the pings of an earlier one.
    """
    now = now or timezone.now()
    resource_ids = sorted({batch.resource.pk for batch in batches})
    # One technician's pings are recorded one transaction at a time, so two cannot
    # both believe they hold the newest position (in id order: no deadlock).
    lock_rows(Resource.objects.filter(pk__in=resource_ids))
    latest = {
        position.resource_id: position
        for position in LatestPosition.objects.filter(resource_id__in=resource_ids)
    }

    results = [IngestResult() for _ in batches]
    refused: list[RefusedPosition] = []
    candidates = _checked(batches, results, refused, now=now)

    all_pings = [ping for valid in candidates for _, ping in valid]
    known = selectors.stored_already(resource_ids, {ping.recorded_at for ping in all_pings})
    newest_by_device = selectors.newest_by_device(
        {
            (batch.resource.pk, ping.device_id)
            for batch, valid in zip(batches, candidates, strict=True)
            for _, ping in valid
        }
    )

    to_store: list[LocationPing] = []
    newest_stored: dict[int, LocationPing] = {}
    for batch, result, valid in zip(batches, results, candidates, strict=True):
        resource = batch.resource
        for index, ping in valid:
            key = (resource.pk, ping.device_id, ping.recorded_at)
            if key in known:
                result.duplicates += 1
                continue
            reason = cannot_follow(
                recorded_at=ping.recorded_at,
                latitude=ping.latitude,
                longitude=ping.longitude,
                accuracy_m=ping.accuracy_m,
                newest_time=newest_by_device.get((resource.pk, ping.device_id)),
                previous=_previous(newest_stored.get(resource.pk), latest.get(resource.pk)),
            )
            if reason:
                result.refusals.append(Refusal(index, reason))
                refused.append(_refused(batch, ping, reason, now=now))
                continue
            known.add(key)
            newest_by_device[(resource.pk, ping.device_id)] = ping.recorded_at
            stored = LocationPing(
                resource=resource,
                device_id=ping.device_id,
                latitude=_coordinate(ping.latitude),
                longitude=_coordinate(ping.longitude),
                accuracy_m=ping.accuracy_m,
                speed_mps=ping.speed_mps,
                heading_deg=ping.heading_deg,
                altitude_m=ping.altitude_m,
                battery_percent=ping.battery_percent,
                recorded_at=ping.recorded_at,
                received_at=now,
                source=batch.source,
            )
            to_store.append(stored)
            result.accepted += 1
            current = newest_stored.get(resource.pk)
            if current is None or stored.recorded_at > current.recorded_at:
                newest_stored[resource.pk] = stored
        result.refusals.sort(key=lambda refusal: refusal.index)
    if to_store:
        LocationPing.objects.bulk_create(to_store)
    if refused:
        _keep_refused(refused)

    # A technician's latest position moves only forward: another device of theirs may
    # have reported a later position than this request's newest.
    moved = [
        LatestPosition(
            resource_id=resource_id,
            latitude=ping.latitude,
            longitude=ping.longitude,
            accuracy_m=ping.accuracy_m,
            speed_mps=ping.speed_mps,
            heading_deg=ping.heading_deg,
            recorded_at=ping.recorded_at,
            received_at=now,
            source=ping.source,
        )
        for resource_id, ping in newest_stored.items()
        if resource_id not in latest or ping.recorded_at > latest[resource_id].recorded_at
    ]
    if moved:
        LatestPosition.objects.bulk_create(
            moved,
            update_conflicts=True,
            unique_fields=["resource"],
            update_fields=[
                "latitude",
                "longitude",
                "accuracy_m",
                "speed_mps",
                "heading_deg",
                "recorded_at",
                "received_at",
                "source",
            ],
        )
        latest.update((position.resource_id, position) for position in moved)
        # One event for the newest position of each technician: the live map and the
        # ETA need where the technician is, not each step of a buffer sent after a tunnel.
        events.publish(
            "tracking.positions",
            positions=[
                {
                    "resource_id": position.resource_id,
                    "latitude": float(position.latitude),
                    "longitude": float(position.longitude),
                    "recorded_at": position.recorded_at.isoformat(),
                }
                for position in moved
            ],
        )
    for batch, result in zip(batches, results, strict=True):
        result.latest = latest.get(batch.resource.pk)
    return results


def _checked(
    batches: Sequence[PingBatch],
    results: list[IngestResult],
    refused: list[RefusedPosition],
    *,
    now: datetime,
) -> list[list[tuple[int, PingIn]]]:
    """The pings of each batch that pass `check_ping()`, oldest first, each with its
    place in its batch; the others are counted in `results` and added to `refused`."""
    refused.extend(
        _refused(batch, None, reason, now=now) for batch in batches for reason in batch.unreadable
    )
    candidates: list[list[tuple[int, PingIn]]] = []
    for batch, result in zip(batches, results, strict=True):
        valid = []
        for index, ping in enumerate(batch.pings):
            reason = check_ping(ping, now=now)
            if reason:
                result.refusals.append(Refusal(index, reason))
                refused.append(_refused(batch, ping, reason, now=now))
            else:
                valid.append((index, _not_ahead_of(ping, now)))
        valid.sort(key=lambda item: item[1].recorded_at)
        candidates.append(valid)
    return candidates


def _refused(
    batch: PingBatch, ping: PingIn | None, reason: str, *, now: datetime
) -> RefusedPosition:
    """A refused position as the office sees it: what of it can be stored, and why.

    Coordinates out of range and times without a zone are left out (they are often
    why the position was refused, and the columns cannot hold them).
    """
    latitude = longitude = None
    recorded_at = None
    if ping is not None:
        if _in_range(ping.latitude, -90, 90) and _in_range(ping.longitude, -180, 180):
            latitude, longitude = _coordinate(ping.latitude), _coordinate(ping.longitude)
        if timezone.is_aware(ping.recorded_at):
            recorded_at = ping.recorded_at
    return RefusedPosition(
        resource=batch.resource,
        device_id=ping.device_id if ping is not None else batch.device_id,
        latitude=latitude,
        longitude=longitude,
        recorded_at=recorded_at,
        received_at=now,
        source=batch.source,
        reason=reason if len(reason) <= REASON_LENGTH else f"{reason[: REASON_LENGTH - 1]}…",
    )


def _keep_refused(refused: list[RefusedPosition]) -> None:
    """Store refused positions, keeping only the newest few of each technician: two
    queries for a whole batch, whatever the number of technicians and refusals."""
    RefusedPosition.objects.bulk_create(refused)
    beyond = (
        RefusedPosition.objects.filter(resource_id__in={row.resource_id for row in refused})
        .annotate(
            newest_first=Window(
                RowNumber(),
                partition_by=[F("resource_id")],
                order_by=[F("received_at").desc(), F("id").desc()],
            )
        )
        .filter(newest_first__gt=REFUSED_KEPT_PER_TECHNICIAN)
        .values("pk")
    )
    RefusedPosition.objects.filter(pk__in=beyond).delete()


def _previous(
    stored: LocationPing | None, latest: LatestPosition | None
) -> tuple[float, float, datetime, float | None] | None:
    """The technician's position before a ping: the newest stored by this transaction,
    else their latest position; a ping is checked against it (`implausible_jump()`)."""
    before = stored or latest
    if before is None:
        return None
    return (float(before.latitude), float(before.longitude), before.recorded_at, before.accuracy_m)


@transaction.atomic
def purge_old_pings(*, now: datetime | None = None) -> int:
    """Delete pings and refused positions received longer ago than the retention; the
    number of pings deleted.

    The latest position of each technician stays: it is one row, and the back office
    and the ETA still need where a technician was last seen.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.DOORSTEP_PING_RETENTION_DAYS)
    deleted, _ = LocationPing.objects.filter(received_at__lt=cutoff).delete()
    RefusedPosition.objects.filter(received_at__lt=cutoff).delete()
    return deleted
