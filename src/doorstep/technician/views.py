"""The technician app: a phone-first list of the day's visits and buttons to move them on.

Views parse input and call the scheduling services; the location sharing is tech.js
posting to the API's location ingest.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from doorstep.core.errors import DomainError
from doorstep.scheduling import services as scheduling
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.technician import selectors
from doorstep.technician.selectors import TECHNICIAN_MOVES
from doorstep.workforce.models import Resource

DONE_MESSAGES = {move.status: f"{move.label}: done." for move in TECHNICIAN_MOVES}


def _not_a_technician(request: HttpRequest) -> HttpResponse:
    return render(request, "technician/not_a_technician.html", status=403)


def _technician(request: HttpRequest) -> Resource | None:
    # Loaded with the sign-in (doorstep.users.backends): no query of its own.
    return getattr(request.user, "technician", None)


@login_required
@require_GET
def visits(request: HttpRequest) -> HttpResponse:
    technician = _technician(request)
    if technician is None:
        return _not_a_technician(request)
    return render(
        request,
        "technician/visits.html",
        {"technician": technician, "agenda": selectors.agenda(technician)},
    )


def _zone(technician: Resource) -> ZoneInfo:
    return ZoneInfo(technician.time_zone)


def _other_day(booking: Booking, technician: Resource, form: QueryDict) -> bool:
    """Whether the visit is on another day than the technician's today, not yet confirmed."""
    if form.get("other_day") == "confirmed":
        return False
    zone = _zone(technician)
    today = timezone.localtime(timezone=zone).date()
    return timezone.localtime(booking.start, zone).date() != today


def _trip_under_way(booking: Booking, technician: Resource) -> Booking | None:
    """The other visit the technician is on the way to, if any."""
    return (
        Booking.objects.filter(resource_id=technician.pk, status=BookingStatus.TRAVELING)
        .exclude(pk=booking.pk)
        .select_related("work_order__account")
        .first()
    )


@login_required
@require_POST
def change_status(request: HttpRequest, booking_id: int) -> HttpResponse:
    technician = _technician(request)
    if technician is None:
        return _not_a_technician(request)
    # Another technician's visit does not exist as far as this one is concerned.
    booking = get_object_or_404(Booking, pk=booking_id, resource_id=technician.pk)
    status = request.POST.get("status", "")
    if status == BookingStatus.TRAVELING:
        under_way = _trip_under_way(booking, technician)
        turning_back = under_way is not None and request.POST.get("turn_back") == str(under_way.pk)
        other_day = _other_day(booking, technician, request.POST)
        if other_day or (under_way is not None and not turning_back):
            # "On my way" the evening before told a customer "arriving 20:10" tonight; and
            # one trip at a time: the first must be turned back, which its customer is told.
            return render(
                request,
                "technician/confirm_on_my_way.html",
                {
                    "booking": booking,
                    "day": timezone.localtime(booking.start, _zone(technician)),
                    "other_day": other_day,
                    "under_way": under_way,
                },
            )
        if turning_back and under_way is not None:
            return _turn_back_and_set_off(request, under_way, booking)
    if status not in selectors.TECHNICIAN_STATUSES:
        messages.error(request, "That change is not one the technician app can make.")
    else:
        try:
            scheduling.set_status(
                booking=booking,
                status=status,
                changed_by=request.user,  # type: ignore[arg-type]
                completion_note=request.POST.get("completion_note", ""),
            )
        except DomainError as refusal:
            messages.error(request, f"Visit {booking.reference}: {refusal.message}")
        else:
            messages.success(request, f"Visit {booking.reference}: {DONE_MESSAGES[status]}")
    return redirect(f"{reverse('technician:visits')}#visit-{booking.pk}")


def _turn_back_and_set_off(request: HttpRequest, first: Booking, booking: Booking) -> HttpResponse:
    """Turn back from `first` and set off for `booking`, both or neither."""
    try:
        with transaction.atomic():
            scheduling.set_status(
                booking=first,
                status=BookingStatus.SCHEDULED,
                changed_by=request.user,  # type: ignore[arg-type]
            )
            scheduling.set_status(
                booking=booking,
                status=BookingStatus.TRAVELING,
                changed_by=request.user,  # type: ignore[arg-type]
            )
    except DomainError as refusal:
        messages.error(request, f"Visit {booking.reference}: {refusal.message}")
    else:
        messages.success(
            request,
            f"Visit {first.reference}: turned back. "
            f"Visit {booking.reference}: {DONE_MESSAGES[BookingStatus.TRAVELING]}",
        )
    return redirect(f"{reverse('technician:visits')}#visit-{booking.pk}")
