"""The live ETA of a visit on its way, and what the people watching it are shown.

Fed by three domain events (subscribed in `TrackingConfig.ready()`):

- ``tracking.positions``: each Traveling visit of those technicians gets a new ETA
  (`etas.refresh_etas`), pushed at once; a technician due for routing is routed after,
  on the routing thread under `doorstep serve` (`ROUTER`), and pushed again.
- ``booking.status_changed``: a visit that sets off gets its first ETA (from the
  technician's latest position when recent, else from their home base); a visit that
  stops traveling loses it.
- ``visit_link.revoked``: the sockets open on that code are closed, wherever they are.

No ETA is worked out inside a transaction: routing waits on a network, and a
transaction held meanwhile would hold up every ping (`etas`). What viewers see, and the
privacy rules that decide it, are in `viewers`.
"""

from __future__ import annotations

from doorstep.core.coalescing import Coalescing
from doorstep.core.events import Event
from doorstep.scheduling.models import BookingStatus
from doorstep.tracking.live import etas
from doorstep.tracking.live.etas import clear_eta, refresh_etas, route_etas, start_eta
from doorstep.tracking.live.routing_thread import RoutingThread
from doorstep.tracking.live.viewers import group_name, push_all, visit_state

__all__ = [
    "REFRESHER",
    "ROUTER",
    "clear_eta",
    "etas",
    "group_name",
    "on_link_revoked",
    "on_positions",
    "on_status_changed",
    "refresh_etas",
    "route_etas",
    "start_eta",
    "visit_state",
]


def _route(technician_ids: set[int]) -> None:
    route_etas(technician_ids=technician_ids)


ROUTER = RoutingThread(_route, name="eta-routing")


def _refresh(technician_ids: set[int]) -> None:
    refresh_etas(technician_ids=technician_ids, route_later=ROUTER.request)


class _Refresher(Coalescing[int]):
    def defer(self, deferring: bool = True) -> None:
        # Where the ETAs wait for the end of each ingest batch (`doorstep serve`), routing
        # moves to its own thread too, so that the ingest's thread never waits for it.
        if deferring:
            ROUTER.defer(True)
            super().defer(True)
        else:
            super().defer(False)
            ROUTER.defer(False)


# Deferred under `doorstep serve`: the ingest's thread answers a batch's pings, then
# refreshes the ETAs of all the technicians the batch moved (`GroupCommit(after=…)`).
REFRESHER: Coalescing[int] = _Refresher(_refresh, name="eta-refresh")


def on_positions(event: Event) -> None:
    REFRESHER.request([position["resource_id"] for position in event.payload["positions"]])


def on_status_changed(event: Event) -> None:
    if event.payload["to_status"] == BookingStatus.TRAVELING:
        start_eta(booking_id=event.payload["booking_id"])
    else:
        clear_eta(booking_id=event.payload["booking_id"])


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
