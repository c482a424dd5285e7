"""The live ETA of a visit on its way, and what the people watching it are shown.

Fed by two domain events (subscribed in `TrackingConfig.ready()`):

- ``tracking.positions``: each Traveling visit of those technicians gets a new ETA. A trip is
  routed at most once per technician every `ROUTING_INTERVAL`; in between, the last
  routed trip is scaled by the straight-line distance still to go.
- ``booking.status_changed``: a visit that sets off gets its first ETA (from the
  technician's latest position when recent, else from their home base); a visit that
  stops traveling loses it.

Every change is pushed to the booking's channel group (`group_name()`) as a
"visit.update" message, the same payload `/t/<code>/status.json` answers
(`visit_state()`).

Privacy: a technician's position is in the payload only while the booking is Traveling
and only when the position was taken after the booking's latest move to Traveling.
Nothing says where a technician was before setting off to this customer, or after.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.core import server_loop
from doorstep.core.coalescing import Coalescing
from doorstep.core.events import Event
from doorstep.core.locks import lock_rows
from doorstep.notifications.running_late import check_running_late, lateness_level
from doorstep.scheduling.models import Booking, BookingStatus, BookingStatusChange
from doorstep.scheduling.travel import Point, great_circle_km
from doorstep.tracking.eta import get_provider
from doorstep.tracking.models import BookingEta, LatestPosition
from doorstep.workforce.models import Resource

logger = logging.getLogger(__name__)

ROUTING_INTERVAL = timedelta(seconds=30)
# A position older than this when a visit sets off says little about where the van is
# (the phone stopped sharing); the home base is as good a guess.
RECENT_POSITION = timedelta(minutes=10)
# Below this straight-line distance, scaling by the distance to go is noise.
MIN_SCALE_DISTANCE_M = 1.0

type VisitUpdate = dict[str, Any]


def group_name(booking_id: int) -> str:
    """The channel group of one booking's viewers."""
    return f"booking-{booking_id}"


# --- Reading -------------------------------------------------------------------------


def _with_traveling_since(bookings: Any) -> Any:
    return bookings.annotate(
        traveling_since=Subquery(
            BookingStatusChange.objects.filter(
                booking_id=OuterRef("pk"), to_status=BookingStatus.TRAVELING
            )
            .order_by("-changed_at", "-pk")
            .values("changed_at")[:1]
        )
    )


def traveling_since(booking: Booking) -> datetime:
    """When the booking last set off; its last change when it has no recorded move."""
    since = getattr(booking, "traveling_since", None)
    if since is None:
        since = (
            BookingStatusChange.objects.filter(booking=booking, to_status=BookingStatus.TRAVELING)
            .order_by("-changed_at", "-pk")
            .values_list("changed_at", flat=True)
            .first()
        )
    # A booking loaded as Traveling without a recorded move: its last change is the
    # latest the move can have been, so no earlier position slips through.
    return since if since is not None else booking.updated_at


def shown_position(
    booking: Booking, position: LatestPosition | None, since: datetime | None = None
) -> LatestPosition | None:
    """The position a viewer of the booking may see: None unless Traveling and taken since."""
    if booking.status != BookingStatus.TRAVELING or position is None:
        return None
    since = since or traveling_since(booking)
    return position if position.recorded_at >= since else None


def visit_state(*, booking_id: int, now: datetime | None = None) -> VisitUpdate | None:
    """The "visit.update" payload of the booking as it is now; None for no such booking."""
    now = now or timezone.now()
    booking = (
        _with_traveling_since(Booking.objects.filter(pk=booking_id))
        .select_related("live_eta", "resource__latest_position")
        .first()
    )
    if booking is None:
        return None
    return _payload(booking, now=now)


def _payload(
    booking: Booking,
    *,
    now: datetime,
    eta: BookingEta | None = None,
    position: LatestPosition | None = None,
) -> VisitUpdate:
    traveling = booking.status == BookingStatus.TRAVELING
    if traveling and eta is None:
        eta = getattr(booking, "live_eta", None)
    if traveling and position is None:
        position = getattr(booking.resource, "latest_position", None)
    shown = shown_position(booking, position) if traveling else None
    payload: VisitUpdate = {
        "type": "visit.update",
        "status": booking.status,
        "eta": None,
        "minutes": None,
        "distance_m": None,
        "latitude": None,
        "longitude": None,
        "updated_at": booking.updated_at.isoformat(),
    }
    if traveling and eta is not None:
        payload["eta"] = eta.eta.isoformat()
        payload["minutes"] = max(0, math.ceil((eta.eta - now).total_seconds() / 60))
        payload["distance_m"] = round(eta.distance_m)
        payload["updated_at"] = eta.computed_at.isoformat()
    if shown is not None:
        payload["latitude"] = float(shown.latitude)
        payload["longitude"] = float(shown.longitude)
    return payload


# --- Writing -------------------------------------------------------------------------


def _destination(booking: Booking) -> Point | None:
    work_order = booking.work_order
    if work_order.latitude is None or work_order.longitude is None:
        return None
    return Point(float(work_order.latitude), float(work_order.longitude))


def _last_routed(technician_ids: Collection[int]) -> dict[int, datetime]:
    """When each technician's trip was last routed (technicians never routed are left out)."""
    routed = (
        BookingEta.objects.filter(
            booking__resource_id__in=technician_ids, last_routed_at__isnull=False
        )
        .values("booking__resource_id")
        .annotate(last=Max("last_routed_at"))
        .values_list("booking__resource_id", "last")
    )
    return dict(routed)


def _routing_allowed(last_routed: datetime | None, now: datetime) -> bool:
    return last_routed is None or now - last_routed >= ROUTING_INTERVAL


def _estimate(
    *,
    booking: Booking,
    current: BookingEta | None,
    origin: Point,
    destination: Point,
    position: LatestPosition | None,
    may_route: bool,
    now: datetime,
) -> BookingEta:
    """A new ETA for the booking, not saved yet; routes only when `may_route`."""
    provider = get_provider()
    straight_m = great_circle_km(origin, destination) * 1000
    eta = current or BookingEta(booking=booking)
    if may_route:
        route = provider.route(origin, destination, now)
        eta.routed_duration, eta.routed_distance_m = route.duration, route.distance_m
        eta.routed_straight_m, eta.last_routed_at = straight_m, now
        eta.provider = route.provider
        duration, distance_m = route.duration, route.distance_m
    elif (
        current is not None
        and current.routed_duration is not None
        and current.routed_distance_m is not None
        and current.routed_straight_m is not None
    ):
        share = (
            straight_m / current.routed_straight_m
            if current.routed_straight_m >= MIN_SCALE_DISTANCE_M
            else 1.0
        )
        duration = current.routed_duration * share
        distance_m = current.routed_distance_m * share
    else:
        # Another visit of the technician was routed moments ago and this one never
        # was: the offline estimate costs nothing and the next ping routes it.
        route = provider.fallback.route(origin, destination, now)
        duration, distance_m, eta.provider = route.duration, route.distance_m, route.provider
    eta.eta = now + timedelta(seconds=math.ceil(duration.total_seconds()))
    eta.distance_m = distance_m
    eta.computed_at = now
    eta.position_recorded_at = position.recorded_at if position is not None else None
    return eta


def _push_after_commit(booking_id: int, payload: VisitUpdate) -> None:
    _push_all_after_commit([(booking_id, payload)])


def _push_all_after_commit(updates: list[tuple[int, VisitUpdate]]) -> None:
    if updates:
        transaction.on_commit(lambda: push_all(updates))


def push(*, booking_id: int, payload: VisitUpdate) -> None:
    """Send a payload to the booking's viewers; a channel layer that is down costs the push."""
    push_all([(booking_id, payload)])


def push_all(updates: list[tuple[int, VisitUpdate]]) -> None:
    """Send each payload to its booking's viewers, without waiting for them.

    In the web server the sends run on its event loop, where the viewers' sockets and
    the channel layer's connections live; elsewhere (a worker, a command) on one of
    their own, waited for.
    """
    layer = get_channel_layer()
    if layer is None or not updates:
        return

    async def send_all() -> None:
        for booking_id, payload in updates:
            try:
                await layer.group_send(group_name(booking_id), payload)
            except Exception:
                logger.exception("Could not push the live state of booking %s", booking_id)

    if not server_loop.run_soon(send_all):
        async_to_sync(send_all)()


def _late_margin() -> timedelta:
    return timedelta(minutes=PortalSettings.load().running_late_margin_minutes)


def _after_new_etas(
    rows: list[tuple[Booking, BookingEta, LatestPosition | None]], *, margin: timedelta
) -> None:
    """Save the new ETAs, say when a visit is running late, and push what viewers see."""
    etas = [eta for _, eta, _ in rows]
    if len(etas) == 1:
        etas[0].save()
    elif etas:
        BookingEta.objects.bulk_create(
            etas,
            update_conflicts=True,
            unique_fields=["booking"],
            update_fields=[
                field.name for field in BookingEta._meta.concrete_fields if not field.primary_key
            ],
        )
    for booking, eta, _ in rows:
        # Most ETAs are within the window: only a late one costs the check's queries.
        if lateness_level(window_end=booking.end, eta=eta.eta, margin=margin):
            check_running_late(booking=booking, eta=eta.eta, now=eta.computed_at)
    _push_all_after_commit(
        [
            (booking.pk, _payload(booking, now=eta.computed_at, eta=eta, position=position))
            for booking, eta, position in rows
        ]
    )


def refresh_technician_etas(*, technician_id: int, now: datetime | None = None) -> list[BookingEta]:
    """New ETAs for the technician's Traveling visits from their latest position."""
    return refresh_etas(technician_ids=[technician_id], now=now)


@transaction.atomic
def refresh_etas(
    *, technician_ids: Collection[int], now: datetime | None = None
) -> list[BookingEta]:
    """New ETAs for the Traveling visits of these technicians from their latest positions.

    Per technician, at most one visit is routed, and only when their last routing is
    `ROUTING_INTERVAL` old; the others are scaled from their last routed trip. The
    queries do not grow with the number of technicians.
    """
    now = now or timezone.now()
    traveling = Booking.objects.filter(
        resource_id__in=technician_ids, status=BookingStatus.TRAVELING
    )
    ids = sorted(set(traveling.values_list("resource_id", flat=True)))
    if not ids:
        return []  # the common case of a ping: one query, no lock
    # One technician's ETAs are worked out one at a time (pings of two requests, or a
    # ping and a status change), so two cannot both spend the routing allowance.
    lock_rows(Resource.objects.filter(pk__in=ids))
    bookings = list(
        _with_traveling_since(traveling.filter(resource_id__in=ids))
        .select_related("work_order", "live_eta")
        .order_by("start", "pk")
    )
    positions = {p.resource_id: p for p in LatestPosition.objects.filter(resource_id__in=ids)}
    last_routed = _last_routed(ids)
    may_route = {
        technician_id: _routing_allowed(last_routed.get(technician_id), now)
        for technician_id in ids
    }
    # The visit routed longest ago (or never) gets its technician's one routing call.
    bookings.sort(key=lambda b: _routed_at(b) or datetime.min.replace(tzinfo=now.tzinfo))
    rows: list[tuple[Booking, BookingEta, LatestPosition | None]] = []
    without_destination: list[tuple[int, VisitUpdate]] = []
    for booking in bookings:
        position = positions.get(booking.resource_id)
        if position is None:
            continue
        destination = _destination(booking)
        if destination is None:
            without_destination.append((booking.pk, _payload(booking, now=now, position=position)))
            continue
        eta = _estimate(
            booking=booking,
            current=getattr(booking, "live_eta", None),
            origin=Point(*position.coordinates),
            destination=destination,
            position=position,
            may_route=may_route[booking.resource_id],
            now=now,
        )
        may_route[booking.resource_id] = False
        rows.append((booking, eta, position))
    _push_all_after_commit(without_destination)
    if rows:
        _after_new_etas(rows, margin=_late_margin())
    return [eta for _, eta, _ in rows]


def _routed_at(booking: Booking) -> datetime | None:
    eta: BookingEta | None = getattr(booking, "live_eta", None)
    return eta.last_routed_at if eta is not None else None


@transaction.atomic
def start_eta(*, booking_id: int, now: datetime | None = None) -> BookingEta | None:
    """The first ETA of a visit that has set off; None when it cannot be worked out."""
    now = now or timezone.now()
    booking = (
        _with_traveling_since(Booking.objects.filter(pk=booking_id))
        .select_related("work_order", "resource")
        .first()
    )
    if booking is None or booking.status != BookingStatus.TRAVELING:
        return None
    lock_rows(Resource.objects.filter(pk=booking.resource_id))
    position = LatestPosition.objects.filter(resource_id=booking.resource_id).first()
    if position is not None and position.recorded_at < now - RECENT_POSITION:
        position = None
    destination = _destination(booking)
    if destination is None:
        _push_after_commit(booking.pk, _payload(booking, now=now, position=position))
        return None
    origin = Point(*(position.coordinates if position else booking.resource.home_base))
    eta = _estimate(
        booking=booking,
        current=BookingEta.objects.filter(booking=booking).first(),
        origin=origin,
        destination=destination,
        position=position,
        may_route=_routing_allowed(
            _last_routed([booking.resource_id]).get(booking.resource_id), now
        ),
        now=now,
    )
    _after_new_etas([(booking, eta, position)], margin=_late_margin())
    return eta


@transaction.atomic
def clear_eta(*, booking_id: int, now: datetime | None = None) -> None:
    """Forget the ETA of a visit that no longer travels, and tell its viewers its new state."""
    now = now or timezone.now()
    BookingEta.objects.filter(booking_id=booking_id).delete()
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is not None:
        _push_after_commit(booking.pk, _payload(booking, now=now))


# --- Event subscribers ---------------------------------------------------------------


def on_link_revoked(event: Event) -> None:
    """Close the sockets open on a code staff just blocked or expired, wherever they are."""
    push_all(
        [
            (
                event.payload["booking_id"],
                {"type": "visit.link_revoked", "link_id": event.payload["link_id"]},
            )
        ]
    )


def _refresh(technician_ids: set[int]) -> None:
    refresh_etas(technician_ids=technician_ids)


# Deferred under `doorstep serve`: the ingest's thread answers a batch's pings, then
# refreshes the ETAs of all the technicians the batch moved (`api.ingest`).
REFRESHER: Coalescing[int] = Coalescing(_refresh, name="eta-refresh")


def on_positions(event: Event) -> None:
    REFRESHER.request([position["resource_id"] for position in event.payload["positions"]])


def on_status_changed(event: Event) -> None:
    if event.payload["to_status"] == BookingStatus.TRAVELING:
        start_eta(booking_id=event.payload["booking_id"])
    else:
        clear_eta(booking_id=event.payload["booking_id"])
