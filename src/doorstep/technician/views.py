"""The technician app: a phone-first list of the day's visits and buttons to move them on.

Views parse input and call the scheduling services; the location sharing is tech.js
posting to the API's location ingest.

A status tap is a plain form post answered with a redirect back to the visit. When
tech.js sends it (with the `FRAGMENT_HEADER`), the answer is the part of the page that
changed instead: the day's visits with what happened and which visit to focus, or the
question to ask before setting off; the page stays where it is.
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
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from doorstep.core.errors import DomainError
from doorstep.scheduling import services as scheduling
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.technician import selectors
from doorstep.technician.selectors import TECHNICIAN_MOVES
from doorstep.workforce.models import Resource

FRAGMENT_HEADER = "X-Tech-Fragment"
FINISHED = (BookingStatus.COMPLETED, BookingStatus.CANCELED)


def _done(status: str) -> str:
    """What a move that went through is called, in the technician's language."""
    label = next(move.label for move in TECHNICIAN_MOVES if move.status == status)
    return gettext("%(move)s: done.") % {"move": label}


def _visit_said(booking: Booking, text: str) -> str:
    return gettext("Visit %(reference)s: %(text)s") % {"reference": booking.reference, "text": text}


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


def _wants_fragment(request: HttpRequest) -> bool:
    return request.headers.get(FRAGMENT_HEADER) == "1"


def _after_tap(
    request: HttpRequest,
    technician: Resource,
    booking: Booking,
    *,
    said: str,
    succeeded: bool,
) -> HttpResponse:
    """Back to the day's visits, on the visit tapped, or on the one now under way when
    the visit tapped is finished (it folds away); with what happened."""
    agenda = selectors.agenda(technician)
    focus = booking.pk
    booking.refresh_from_db(fields=["status"])
    if booking.status in FINISHED:
        active = next(
            (
                entry.booking.pk
                for day in (agenda.today, agenda.tomorrow)
                for entry in day.visits
                if entry.booking.status not in FINISHED
            ),
            None,
        )
        focus = active or focus
    if not _wants_fragment(request):
        (messages.success if succeeded else messages.error)(request, said)
        return redirect(f"{reverse('technician:visits')}#visit-{focus}")
    return render(
        request,
        "technician/includes/tap_result.html",
        {
            "technician": technician,
            "agenda": agenda,
            "focus": focus,
            "said": said,
            "level": "success" if succeeded else "error",
        },
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
                "technician/includes/confirm_dialog.html"
                if _wants_fragment(request)
                else "technician/confirm_on_my_way.html",
                {
                    "booking": booking,
                    "day": timezone.localtime(booking.start, _zone(technician)),
                    "other_day": other_day,
                    "under_way": under_way,
                },
            )
        if turning_back and under_way is not None:
            return _turn_back_and_set_off(request, technician, under_way, booking)
    if status not in selectors.TECHNICIAN_STATUSES:
        said = gettext("That change is not one the technician app can make.")
        return _after_tap(request, technician, booking, said=said, succeeded=False)
    try:
        scheduling.set_status(
            booking=booking,
            status=status,
            changed_by=request.user,  # type: ignore[arg-type]
            completion_note=request.POST.get("completion_note", ""),
        )
    except DomainError as refusal:
        said = _visit_said(booking, refusal.message)
        return _after_tap(request, technician, booking, said=said, succeeded=False)
    said = _visit_said(booking, _done(status))
    return _after_tap(request, technician, booking, said=said, succeeded=True)


def _turn_back_and_set_off(
    request: HttpRequest, technician: Resource, first: Booking, booking: Booking
) -> HttpResponse:
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
        said = _visit_said(booking, refusal.message)
        return _after_tap(request, technician, booking, said=said, succeeded=False)
    said = " ".join(
        (
            _visit_said(first, gettext("turned back.")),
            _visit_said(booking, _done(BookingStatus.TRAVELING)),
        )
    )
    return _after_tap(request, technician, booking, said=said, succeeded=True)
