"""Booking and moving a visit in the portal.

One page does both: choose the equipment (when offered), the service type, a day and a
free time. Choosing a day shows its times at once with JavaScript, and without it the
"Show times" button reloads the page with them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from doorstep.catalog.models import IncidentType
from doorstep.core.errors import DomainError
from doorstep.customers.models import Asset, Contact
from doorstep.portal.availability import (
    Availability,
    availability_for,
    mark_current_time,
    nearest,
    zone_name,
)
from doorstep.portal.context_processors import portal_settings
from doorstep.portal.forms import VisitForm
from doorstep.portal.views import contact_of
from doorstep.scheduling import selectors, self_scheduling
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.scheduling.slots import Slot


def _parse_start(value: str) -> datetime | None:
    """An offered start time as the page sent it, or None for anything unusable."""
    try:
        moment = datetime.fromisoformat(value)
        moment.astimezone(ZoneInfo("UTC"))  # years at the edge of the calendar overflow here
    except (ValueError, OverflowError):
        return None
    return moment if moment.tzinfo is not None else None


def _render_page(
    request: HttpRequest,
    *,
    contact: Contact,
    form: VisitForm,
    availability: Availability,
    booking: Booking | None,
    alternatives: list[tuple[Slot, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    zone = ZoneInfo(contact.account.time_zone)
    chosen = form.data.get("start") if form.is_bound else None
    mark_current_time(availability, booking)
    return render(
        request,
        "portal/book.html",
        {
            "form": form,
            "availability": availability,
            "booking": booking,
            "visit": selectors.visit(booking) if booking is not None else None,
            "zone": zone,
            "zone_name": zone_name(zone),
            "chosen_start": chosen or _current_start(booking, availability),
            "alternatives": alternatives or [],
        },
        status=status,
    )


def _current_start(booking: Booking | None, availability: Availability) -> str | None:
    """The time of the visit being moved, as its own choice says it, when the day shows it."""
    if booking is None:
        return None
    return next(
        (slot.start.isoformat() for slot, _ in availability.choices if slot.start == booking.start),
        None,
    )


def _selections(
    data: Any, *, contact: Contact, booking: Booking | None
) -> tuple[IncidentType | None, Asset | None, date | None]:
    """The service type, equipment and day picked so far, ignoring what does not fit."""
    if booking is not None:
        # Moving starts from the visit's own day, its time chosen (see _current_start).
        day = _date(data.get("day")) or selectors.visit(booking).start.date()
        return booking.work_order.incident_type, booking.work_order.asset, day
    service_id, asset_id = _int(data.get("service_type")), _int(data.get("asset"))
    service = (
        IncidentType.objects.bookable_in_portal().filter(pk=service_id).first()
        if service_id is not None
        else None
    )
    asset = (
        Asset.objects.filter(pk=asset_id, account_id=contact.account_id)
        .select_related("functional_location")
        .first()
        if asset_id is not None
        else None
    )
    return service, asset, _date(data.get("day"))


def _int(value: object) -> int | None:
    """A database id from a form value, or None for anything else ("²", 5,000 digits …)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _fix_fields(form: VisitForm, booking: Booking | None) -> None:
    if booking is not None:
        # Moving a visit keeps its equipment and service type: only the time changes.
        form.fields.pop("asset", None)
        form.fields.pop("details", None)
        form.fields["service_type"].required = False


def _initial(data: Any) -> dict[str, Any]:
    """What was chosen so far, to show again unchecked (no errors before "Book")."""
    return {name: data.get(name) for name in ("asset", "service_type", "day", "start", "details")}


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    return _visit_page(request, booking=None)


@login_required
@require_http_methods(["GET", "POST"])
def modify(request: HttpRequest, booking_id: int) -> HttpResponse:
    contact = contact_of(request)
    booking = get_object_or_404(selectors.account_bookings(contact), pk=booking_id)
    if booking.status != BookingStatus.SCHEDULED:
        messages.error(request, self_scheduling.locked_reason(booking))
        return redirect("portal:home")
    return _visit_page(request, booking=booking)


@login_required
def times(request: HttpRequest) -> HttpResponse:
    """The day list and the chosen day's times, for the page's script to swap in."""
    contact = contact_of(request)
    booking = None
    if booking_id := _int(request.GET.get("booking")):
        booking = get_object_or_404(selectors.account_bookings(contact), pk=booking_id)
    service, asset, day = _selections(request.GET, contact=contact, booking=booking)
    availability = availability_for(
        contact=contact,
        portal=portal_settings(request),
        service_type=service,
        asset=asset,
        day=day,
        booking=booking,
    )
    mark_current_time(availability, booking)
    return render(
        request,
        "portal/includes/when.html",
        {
            "availability": availability,
            "zone": ZoneInfo(contact.account.time_zone),
            "zone_name": zone_name(ZoneInfo(contact.account.time_zone)),
            "chosen_start": request.GET.get("start") or _current_start(booking, availability),
            "booking": booking,
        },
    )


def _visit_page(request: HttpRequest, *, booking: Booking | None) -> HttpResponse:  # noqa: PLR0911 (one answer per outcome)
    contact = contact_of(request)
    portal = portal_settings(request)
    data = request.POST if request.method == "POST" else request.GET
    service, asset, day = _selections(data, contact=contact, booking=booking)
    # A POST is always checked, even an empty one; a GET only once something is chosen.
    bound_data = data if request.method == "POST" else (data or None)
    form = VisitForm(bound_data, contact=contact, portal=portal)
    _fix_fields(form, booking)
    availability = availability_for(
        contact=contact, portal=portal, service_type=service, asset=asset, day=day, booking=booking
    )
    if request.method != "POST" or "show_times" in request.POST:
        # Without JavaScript, "Show times" posts the form to redraw it with the times.
        if request.method == "POST":
            form = VisitForm(initial=_initial(data), contact=contact, portal=portal)
            _fix_fields(form, booking)
        return _render_page(
            request, contact=contact, form=form, availability=availability, booking=booking
        )

    if not form.is_valid():
        return _render_page(
            request,
            contact=contact,
            form=form,
            availability=availability,
            booking=booking,
            status=400,
        )
    wanted = _parse_start(str(form.cleaned_data.get("start") or ""))
    offered = {slot.start for slot in availability.times}
    if wanted is None or day is None:
        form.add_error("start", gettext("Choose a day and one of its free times."))
        return _render_page(
            request,
            contact=contact,
            form=form,
            availability=availability,
            booking=booking,
            status=400,
        )
    if booking is not None and wanted == booking.start:
        # Its own time, chosen again: nothing to move.
        messages.info(
            request,
            gettext("Visit %(reference)s keeps its time.") % {"reference": booking.reference},
        )
        return redirect("portal:confirmation", booking_id=booking.pk)
    try:
        if booking is None:
            booked = self_scheduling.book(
                contact=contact,
                incident_type=form.cleaned_data["service_type"],
                start=wanted,
                asset=asset,
                details=form.cleaned_data.get("details", "") or "",
            )
        else:
            booked = self_scheduling.move_visit(contact=contact, booking=booking, start=wanted)
    except self_scheduling.SlotTaken as taken:
        form.add_error("start", taken.message)
        # Look again: the times offered a moment ago are out of date now.
        fresh = availability_for(
            contact=contact,
            portal=portal,
            service_type=service,
            asset=asset,
            day=day,
            booking=booking,
        )
        zone = ZoneInfo(contact.account.time_zone)
        return _render_page(
            request,
            contact=contact,
            form=form,
            availability=fresh,
            booking=booking,
            # The day's free times are its choices already: nearest ones on other days only.
            alternatives=nearest(
                [slot for slot in fresh.all_slots if slot not in fresh.times], wanted, zone
            ),
            status=409,
        )
    except DomainError as refusal:
        form.add_error(None if wanted in offered else "start", refusal.message)
        return _render_page(
            request,
            contact=contact,
            form=form,
            availability=availability,
            booking=booking,
            status=400,
        )
    if booking is not None:
        return redirect(reverse("portal:confirmation", args=[booked.pk]) + "?moved=1")
    return redirect(reverse("portal:confirmation", args=[booked.pk]) + "?booked=1")
