"""What the people watching a visit are shown, and how it reaches them.

Every change is pushed to the booking's channel group (`group_name()`) as a
"visit.update" message, the same payload `/t/<code>/status.json` answers
(`visit_state()`). Each carries `seq`, the booking's update number in commit order:
whoever holds a state drops an update with a lower number.

Privacy: a technician's position is in the payload only while the booking is Traveling
and only when the position was taken after the booking's latest move to Traveling.
Nothing says where a technician was before setting off to this customer, or after.
The road still to go (`route`) is drawn from the position shown, never from where the
trip was routed (a position before setting off, or the technician's home base).
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from doorstep.core import server_loop
from doorstep.scheduling.models import Booking, BookingStatus, BookingStatusChange
from doorstep.tracking.eta.shapes import still_to_go
from doorstep.tracking.live.sequences import current_number, next_numbers
from doorstep.tracking.models import BookingEta, LatestPosition

logger = logging.getLogger(__name__)

type VisitUpdate = dict[str, Any]


def group_name(booking_id: int) -> str:
    """The channel group of one booking's viewers."""
    return f"booking-{booking_id}"


def with_traveling_since(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """The bookings, each with `traveling_since`: when it last set off."""
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
    """The position a viewer of the booking may see: None unless Traveling, and taken and
    received since it set off.

    Received, too: a phone whose clock runs fast dates a position taken before "On my
    way" after it, and that position must not be shown.
    """
    if booking.status != BookingStatus.TRAVELING or position is None:
        return None
    since = since or traveling_since(booking)
    if position.recorded_at < since or position.received_at < since:
        return None
    return position


def visit_state(*, booking_id: int, now: datetime | None = None) -> VisitUpdate | None:
    """The "visit.update" payload of the booking as it is now; None for no such booking."""
    now = now or timezone.now()
    # The number first: a change committed in between makes the state newer than its
    # number, and its own update (with the next number) is still taken after it.
    seq = current_number(booking_id)
    booking = (
        with_traveling_since(Booking.objects.filter(pk=booking_id))
        .select_related("live_eta", "resource__latest_position")
        .first()
    )
    if booking is None:
        return None
    return {**payload(booking, now=now), "seq": seq}


def payload(
    booking: Booking,
    *,
    now: datetime,
    eta: BookingEta | None = None,
    position: LatestPosition | None = None,
) -> VisitUpdate:
    """The "visit.update" message for the booking, with `eta` and `position` when given.

    `late`: the ETA is after the end of the visit's time window. `route`: the road still
    to go as `[[lat, lon], ...]` from the position shown, when the last routing drew one
    and the technician is on it; else None.
    """
    traveling = booking.status == BookingStatus.TRAVELING
    if traveling and eta is None:
        eta = getattr(booking, "live_eta", None)
    if traveling and position is None:
        position = getattr(booking.resource, "latest_position", None)
    shown = shown_position(booking, position) if traveling else None
    update: VisitUpdate = {
        "type": "visit.update",
        "status": booking.status,
        "eta": None,
        "minutes": None,
        "distance_m": None,
        "latitude": None,
        "longitude": None,
        "route": None,
        "late": False,
        "updated_at": booking.updated_at.isoformat(),
    }
    if traveling and eta is not None:
        update["eta"] = eta.eta.isoformat()
        update["minutes"] = max(0, math.ceil((eta.eta - now).total_seconds() / 60))
        update["distance_m"] = round(eta.distance_m)
        update["late"] = eta.eta > booking.end  # due after the end of the visit's window
        update["updated_at"] = eta.computed_at.isoformat()
    if shown is not None:
        update["latitude"] = float(shown.latitude)
        update["longitude"] = float(shown.longitude)
        if eta is not None and eta.route:
            road = still_to_go(eta.route, shown.coordinates)
            update["route"] = [list(point) for point in road] if road else None
    return update


def push_after_commit(updates: list[tuple[int, VisitUpdate]]) -> None:
    """Number the updates in the current transaction (`seq`, see `sequences`), then
    `push_all()` them once it commits (at once outside of one)."""
    if updates:
        numbers = next_numbers([booking_id for booking_id, _ in updates])
        numbered = [
            (booking_id, {**update, "seq": numbers[booking_id]}) for booking_id, update in updates
        ]
        transaction.on_commit(lambda: push_all(numbered))


def push_all(updates: list[tuple[int, VisitUpdate]]) -> None:
    """Send each payload to its booking's viewers, without waiting for them.

    In the web server the sends run on its event loop, where the viewers' sockets and
    the channel layer's connections live; elsewhere (a worker, a command) on one of
    their own, waited for. A channel layer that is down costs the push, nothing more.
    """
    layer = get_channel_layer()
    if layer is None or not updates:
        return

    async def send_all() -> None:
        for booking_id, update in updates:
            try:
                await layer.group_send(group_name(booking_id), update)
            except Exception:
                logger.exception("Could not push the live state of booking %s", booking_id)

    if not server_loop.run_soon(send_all):
        async_to_sync(send_all)()
