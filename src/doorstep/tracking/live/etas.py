"""The live ETA of a visit on its way: worked out outside any transaction, stored briefly.

Each ETA takes three steps, so that a routing server's answer (up to its timeout, 3 s by
default) never holds a database lock, and no ping waits behind one:

1. read what it needs, outside any transaction (`trips`);
2. work it out, calling the routing provider if allowed, still outside any transaction
   (here);
3. write it in one short transaction that keeps whatever is newer: an ETA worked out
   later than this one (`computed_at`), a trip routed later (`last_routed_at`), a
   booking that stopped traveling or set off again since step 1 (`storing`).

Routing is paid for (a server's time, or an API's fee), so a technician's trip is routed
at most once every `ROUTING_INTERVAL`; in between, each ping scales the last routed trip
by the straight line still to go (`eta.scaling`). `refresh_etas()` answers a ping that
way at once, and hands the technicians due for routing to `route_etas()`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import cache

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.scheduling.travel import Point
from doorstep.tracking.eta import Route, get_provider
from doorstep.tracking.eta.scaling import arrival, scaled_trip
from doorstep.tracking.live.storing import store_etas
from doorstep.tracking.live.trips import (
    Trip,
    destination_of,
    traveling_bookings,
    trips_from_positions,
)
from doorstep.tracking.live.viewers import payload, push_after_commit, with_traveling_since
from doorstep.tracking.models import BookingEta, LatestPosition

ROUTING_INTERVAL = timedelta(seconds=30)
# A position older than this when a visit sets off says little about where the van is
# (the phone stopped sharing); the home base is as good a guess.
RECENT_POSITION = timedelta(minutes=10)
# Technicians routed at once by one `route_etas()`: a slow server costs its delay once
# for all of them, not once each.
ROUTING_THREADS = 8


# --- Entry points ----------------------------------------------------------------------


def refresh_etas(
    *,
    technician_ids: Collection[int],
    now: datetime | None = None,
    route_later: Callable[[set[int]], object] | None = None,
) -> list[BookingEta]:
    """New ETAs for the Traveling visits of these technicians from their latest positions.

    Each visit's ETA is its last routed trip scaled by the distance still to go (the
    offline estimate when it was never routed). Technicians whose last routing is
    `ROUTING_INTERVAL` old are then routed: handed to `route_later` when given (the
    server's routing thread), else here and now. The queries do not grow with the number
    of technicians. Returns the ETAs stored.
    """
    now = now or timezone.now()
    bookings = traveling_bookings(technician_ids)
    if not bookings:
        return []  # the common case of a ping: one query, no transaction
    trips = trips_from_positions(bookings, now=now)
    stored = store_etas([(trip, _scaled_eta(trip, now=now)) for trip in trips], now=now)
    due = {
        technician_id
        for technician_id, last in _last_routed(trips).items()
        if _routing_allowed(last, now)
    }
    if due and route_later is not None:
        route_later(due)
    elif due:
        routed = {eta.pk: eta for eta in route_etas(technician_ids=due, now=now)}
        stored = [routed.get(eta.pk, eta) for eta in stored]
    return stored


def route_etas(*, technician_ids: Collection[int], now: datetime | None = None) -> list[BookingEta]:
    """Route one Traveling visit of each of these technicians whose last routing is
    `ROUTING_INTERVAL` old: the one routed longest ago, from the latest position.

    The routing calls run side by side, outside any transaction. An answer that comes
    back after a newer ETA was stored leaves that ETA, and still gives later pings its
    trip to scale. Returns the ETAs stored.
    """
    now = now or timezone.now()
    bookings = traveling_bookings(technician_ids)
    if not bookings:
        return []
    trips = trips_from_positions(bookings, now=now)
    last_routed = _last_routed(trips)
    chosen: dict[int, Trip] = {}
    # The visit routed longest ago (or never) gets its technician's one routing call.
    for trip in sorted(
        trips, key=lambda trip: _routed_at(trip) or datetime.min.replace(tzinfo=now.tzinfo)
    ):
        technician_id = trip.booking.resource_id
        if technician_id not in chosen and _routing_allowed(last_routed[technician_id], now):
            chosen[technician_id] = trip
    routes = _route_all(list(chosen.values()), now=now)
    return store_etas(
        [(trip, _routed_eta(trip, route, now=now)) for trip, route in routes], now=now, routed=True
    )


def start_eta(*, booking_id: int, now: datetime | None = None) -> BookingEta | None:
    """The first ETA of a visit that has set off; None when it cannot be worked out, or
    when a newer one (a ping's) was stored while this one was routed.

    From the technician's latest position when recent, else from their home base;
    routed unless another of their visits was routed moments ago.
    """
    now = now or timezone.now()
    booking = (
        with_traveling_since(Booking.objects.filter(pk=booking_id))
        .select_related("work_order", "resource", "live_eta")
        .first()
    )
    if booking is None or booking.status != BookingStatus.TRAVELING:
        return None
    position = LatestPosition.objects.filter(resource_id=booking.resource_id).first()
    if position is not None and position.recorded_at < now - RECENT_POSITION:
        position = None
    destination = destination_of(booking)
    if destination is None:
        push_after_commit([(booking.pk, payload(booking, now=now, position=position))])
        return None
    trip = Trip(
        booking=booking,
        origin=Point(*(position.coordinates if position else booking.resource.home_base)),
        destination=destination,
        position=position,
        current=getattr(booking, "live_eta", None),
    )
    last = BookingEta.objects.filter(booking__resource_id=booking.resource_id).aggregate(
        last=Max("last_routed_at")
    )["last"]
    if _routing_allowed(last, now):
        [(_, route)] = _route_all([trip], now=now)
        stored = store_etas([(trip, _routed_eta(trip, route, now=now))], now=now, routed=True)
    else:
        stored = store_etas([(trip, _scaled_eta(trip, now=now))], now=now)
    return stored[0] if stored else None


@transaction.atomic
def clear_eta(*, booking_id: int, now: datetime | None = None) -> None:
    """Forget the ETA of a visit that no longer travels, and tell its viewers its new state."""
    now = now or timezone.now()
    # Events are handled after their commit: the clearing of an earlier trip can come
    # after the visit set off again, and must not take the new trip's ETA with it.
    BookingEta.objects.filter(booking_id=booking_id).exclude(
        booking__status=BookingStatus.TRAVELING
    ).delete()
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is not None:
        push_after_commit([(booking.pk, payload(booking, now=now))])


# --- How often a technician is routed ----------------------------------------------------


def _last_routed(trips: Sequence[Trip]) -> dict[int, datetime | None]:
    """When each technician's trip was last routed, None when never."""
    last: dict[int, datetime | None] = {}
    for trip in trips:
        routed_at, before = _routed_at(trip), last.get(trip.booking.resource_id)
        if before is None or (routed_at is not None and routed_at > before):
            last[trip.booking.resource_id] = routed_at
    return last


def _routed_at(trip: Trip) -> datetime | None:
    return trip.current.last_routed_at if trip.current is not None else None


def _routing_allowed(last_routed: datetime | None, now: datetime) -> bool:
    return last_routed is None or now - last_routed >= ROUTING_INTERVAL


# --- Step 2: working it out -----------------------------------------------------------


@cache
def _routing_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(ROUTING_THREADS, thread_name_prefix="eta-routing")


def _route_all(trips: list[Trip], *, now: datetime) -> list[tuple[Trip, Route]]:
    """Each trip routed by the configured provider, side by side when there are several."""
    provider = get_provider()

    def route(trip: Trip) -> Route:
        return provider.route(trip.origin, trip.destination, now)

    if len(trips) <= 1:
        return [(trip, route(trip)) for trip in trips]
    return list(zip(trips, _routing_pool().map(route, trips), strict=True))


def _scaled_eta(trip: Trip, *, now: datetime) -> BookingEta:
    """The ETA from the last routed trip, or the offline estimate when there is none (or
    when the last routing was the offline estimate, which costs nothing to ask again)."""
    current = trip.current
    offline = get_provider().fallback
    if (
        current is not None
        and current.provider != offline.name
        and current.routed_duration is not None
        and current.routed_distance_m is not None
        and current.routed_straight_m is not None
    ):
        duration, distance_m = scaled_trip(
            routed_duration=current.routed_duration,
            routed_distance_m=current.routed_distance_m,
            routed_straight_m=current.routed_straight_m,
            straight_m=trip.straight_m,
        )
        return _eta(
            trip, now=now, duration=duration, distance_m=distance_m, provider=current.provider
        )
    # Never routed (another visit of the technician was routed moments ago, or the
    # routing is on its way): the offline estimate costs nothing. Asked afresh rather than
    # scaled, it follows the traffic hours the trip crosses.
    route = offline.route(trip.origin, trip.destination, now)
    return _eta(
        trip, now=now, duration=route.duration, distance_m=route.distance_m, provider=route.provider
    )


def _routed_eta(trip: Trip, route: Route, *, now: datetime) -> BookingEta:
    eta = _eta(
        trip, now=now, duration=route.duration, distance_m=route.distance_m, provider=route.provider
    )
    eta.last_routed_at = now
    eta.routed_duration, eta.routed_distance_m = route.duration, route.distance_m
    eta.routed_straight_m = trip.straight_m
    # What the provider drew, from where it was asked: viewers get it cut where the
    # technician is at each ping (`viewers.payload`). None for the offline estimate.
    eta.route = [list(point) for point in route.shape] if route.shape else None
    return eta


def _eta(
    trip: Trip, *, now: datetime, duration: timedelta, distance_m: float, provider: str
) -> BookingEta:
    """A new ETA for the trip, not saved; the routed trip it scales is the current one's."""
    current = trip.current
    return BookingEta(
        booking_id=trip.booking.pk,
        eta=arrival(departure=now, duration=duration),
        distance_m=distance_m,
        provider=provider,
        computed_at=now,
        position_recorded_at=trip.position.recorded_at if trip.position else None,
        last_routed_at=current.last_routed_at if current else None,
        routed_duration=current.routed_duration if current else None,
        routed_distance_m=current.routed_distance_m if current else None,
        routed_straight_m=current.routed_straight_m if current else None,
        route=current.route if current else None,
    )
