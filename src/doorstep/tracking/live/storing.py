"""Step 3 of a live ETA: one short transaction that keeps whatever is newer."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from doorstep.configuration.models import PortalSettings
from doorstep.notifications.running_late import check_running_late, lateness_level
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.tracking.live.trips import Trip
from doorstep.tracking.live.viewers import payload, push_after_commit, with_traveling_since
from doorstep.tracking.models import BookingEta

# What a new ETA changes, and what only a routing changes (the trip later ETAs scale).
ETA_FIELDS = ["eta", "distance_m", "provider", "computed_at", "position_recorded_at"]
ROUTED_FIELDS = ["last_routed_at", "routed_duration", "routed_distance_m", "routed_straight_m"]


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
        etas = [eta for _, eta in rows]
        new = [eta for trip, eta in rows if trip.current is None]
        if new:
            BookingEta.objects.bulk_create(new, ignore_conflicts=True)
        if routed and etas:
            BookingEta.objects.filter(
                Q(last_routed_at__isnull=True) | Q(last_routed_at__lt=now)
            ).bulk_update(etas, ROUTED_FIELDS)
        written = BookingEta.objects.filter(computed_at__lte=now).bulk_update(etas, ETA_FIELDS)
        if written < len(etas):  # some newer ETAs were stored meanwhile: keep those
            ours = set(
                BookingEta.objects.filter(
                    pk__in=[eta.pk for eta in etas], computed_at=now
                ).values_list("pk", flat=True)
            )
            rows = [(trip, eta) for trip, eta in rows if eta.pk in ours]
        for trip, eta in rows:
            # Most ETAs are within the window: only a late one costs the check's queries.
            if lateness_level(window_end=trip.booking.end, eta=eta.eta, margin=margin):
                check_running_late(booking=trip.booking, eta=eta.eta, now=now)
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
