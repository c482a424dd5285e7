"""Step 1 of a live ETA: the visits on their way, read outside any transaction."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.scheduling.travel import Point, great_circle_km
from doorstep.tracking.live.viewers import (
    VisitUpdate,
    payload,
    push_after_commit,
    with_traveling_since,
)
from doorstep.tracking.models import BookingEta, LatestPosition


@dataclass(frozen=True)
class Trip:
    """One visit's way to the customer, as read in step 1."""

    booking: Booking  # with `traveling_since`
    origin: Point
    destination: Point
    position: LatestPosition | None  # None: from the technician's home base
    current: BookingEta | None  # the ETA stored when it was read

    @property
    def straight_m(self) -> float:
        return great_circle_km(self.origin, self.destination) * 1000


def traveling_bookings(technician_ids: Collection[int]) -> list[Booking]:
    """The Traveling visits of these technicians, with what their ETAs need, in one query."""
    return list(
        with_traveling_since(
            Booking.objects.filter(resource_id__in=technician_ids, status=BookingStatus.TRAVELING)
        )
        .select_related("work_order", "live_eta")
        .order_by("start", "pk")
    )


def trips_from_positions(bookings: list[Booking], *, now: datetime) -> list[Trip]:
    """The trips of these bookings from their technicians' latest positions.

    A booking whose technician has no position yet has no trip; one without a place to
    go has none either, and its viewers are sent the position alone.
    """
    technician_ids = {booking.resource_id for booking in bookings}
    positions = {
        p.resource_id: p for p in LatestPosition.objects.filter(resource_id__in=technician_ids)
    }
    trips: list[Trip] = []
    without_destination: list[tuple[int, VisitUpdate]] = []
    for booking in bookings:
        position = positions.get(booking.resource_id)
        if position is None:
            continue
        destination = destination_of(booking)
        if destination is None:
            without_destination.append((booking.pk, payload(booking, now=now, position=position)))
            continue
        trips.append(
            Trip(
                booking=booking,
                origin=Point(*position.coordinates),
                destination=destination,
                position=position,
                current=getattr(booking, "live_eta", None),
            )
        )
    push_after_commit(without_destination)
    return trips


def destination_of(booking: Booking) -> Point | None:
    work_order = booking.work_order
    if work_order.latitude is None or work_order.longitude is None:
        return None
    return Point(float(work_order.latitude), float(work_order.longitude))
