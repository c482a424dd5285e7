"""Booking, moving and canceling a visit in the portal.

One page does both booking and moving: choose the equipment (when offered), the service
type, a day and a free time. Choosing a day shows its times at once with JavaScript, and
without it the "Show times" button reloads the page with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from doorstep.catalog.models import IncidentType
from doorstep.configuration.models import PortalSettings
from doorstep.core.errors import DomainError
from doorstep.customers.models import Asset, Contact
from doorstep.portal.context_processors import portal_settings
from doorstep.portal.views import contact_of
from doorstep.scheduling import selectors, self_scheduling
from doorstep.scheduling.calendar import visit_calendar
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.scheduling.slots import Slot, slots_by_day

NEAREST_ALTERNATIVES = 3


class ServiceTypeField(forms.ModelChoiceField[IncidentType]):
    def label_from_instance(self, obj: IncidentType) -> str:
        return obj.display_name


class VisitForm(forms.Form):
    asset = forms.ModelChoiceField(
        label="Equipment",
        queryset=Asset.objects.none(),
        required=False,
        empty_label="No particular equipment",
        help_text="Choose the equipment the visit is for, if any.",
    )
    service_type = ServiceTypeField(
        label="Service type",
        queryset=IncidentType.objects.bookable_in_portal().order_by("display_name"),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the service you need."},
    )
    day = forms.DateField(
        label="Day",
        required=False,
        widget=forms.Select,
        error_messages={"invalid": "Choose one of the days offered."},
    )
    start = forms.CharField(label="Time", required=False, widget=forms.RadioSelect)
    details = forms.CharField(
        label="Anything the technician should know?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example how to get in, or what the problem looks like.",
    )

    def __init__(self, *args: Any, contact: Contact, portal: PortalSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        asset_field = cast(forms.ModelChoiceField[Asset], self.fields["asset"])
        asset_field.queryset = Asset.objects.filter(account_id=contact.account_id).select_related(
            "functional_location"
        )
        if not portal.asset_selection_enabled:
            del self.fields["asset"]
        if not portal.additional_details_enabled:
            del self.fields["details"]


@dataclass
class Availability:
    """The bookable days for the chosen service and place, and the times of the chosen day."""

    days: list[tuple[date, bool]] = field(default_factory=list)  # (day, has free times)
    times: list[Slot] = field(default_factory=list)
    day: date | None = None
    place: str = ""
    problem: str = ""
    # On the days clocks change, the same wall-clock time can occur twice: then each
    # time shows its zone abbreviation (MDT, MST) so the two can be told apart.
    clock_changes: bool = False
    choices: list[tuple[Slot, str]] = field(default_factory=list)  # each time and its label
    all_slots: list[Slot] = field(default_factory=list)  # every free time of every day


def _availability(
    *,
    contact: Contact,
    portal: PortalSettings,
    service_type: IncidentType | None,
    asset: Asset | None,
    day: date | None,
    booking: Booking | None = None,
) -> Availability:
    found = Availability(day=day)
    account = contact.account
    place = self_scheduling.visit_place(account=account, asset=asset)
    if booking is not None:
        place_text = booking.work_order.one_line_address
    else:
        place_text = place.one_line_address
    found.place = place_text
    if service_type is None:
        return found
    now = timezone.now()
    try:
        location = self_scheduling.visit_point(booking.work_order if booking else place)
    except DomainError as refusal:
        found.problem = refusal.message
        return found
    first, last = selectors.bookable_days(
        time_zone=account.time_zone, now=now, portal_settings=portal
    )
    slots = selectors.available_slots(
        portal_settings=portal,
        incident_type=service_type,
        location=location,
        time_zone=account.time_zone,
        first_day=first,
        last_day=last,
        now=now,
        ignore_booking_id=booking.pk if booking else None,
    )
    found.all_slots = slots
    by_day = slots_by_day(slots, account.time_zone)
    found.days = [
        (first + timedelta(days=n), first + timedelta(days=n) in by_day)
        for n in range((last - first).days + 1)
    ]
    if day is not None:
        found.times = by_day.get(day, [])
        zone = ZoneInfo(account.time_zone)
        found.clock_changes = clock_changes(found.times, zone)
        found.choices = [
            (slot, time_label(slot, zone, with_zone=found.clock_changes)) for slot in found.times
        ]
    return found


def zone_name(zone: ZoneInfo) -> str:
    """America/New_York reads "New York"."""
    return zone.key.rsplit("/", 1)[-1].replace("_", " ")


def clock_changes(times: list[Slot], zone: ZoneInfo) -> bool:
    offsets = {
        moment.astimezone(zone).utcoffset() for slot in times for moment in (slot.start, slot.end)
    }
    return len(offsets) > 1


def time_label(slot: Slot, zone: ZoneInfo, *, with_zone: bool) -> str:
    """09:00–10:00; on a day the clocks change, 01:00 MDT–01:00 MST."""
    return selectors.window_label(slot.start, slot.end, zone, with_zone=with_zone)


def _nearest(slots: list[Slot], wanted: datetime, zone: ZoneInfo) -> list[tuple[Slot, str]]:
    """The free times closest to the one just taken, on any bookable day, with their day."""
    others = [slot for slot in slots if slot.start != wanted]
    closest = sorted(others, key=lambda slot: abs(slot.start - wanted))[:NEAREST_ALTERNATIVES]
    return [
        (
            slot,
            f"{slot.start.astimezone(zone):%A %-d %B}, "
            + time_label(slot, zone, with_zone=clock_changes([slot], zone)),
        )
        for slot in sorted(closest)
    ]


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
    return render(
        request,
        "portal/book.html",
        {
            "form": form,
            "availability": availability,
            "booking": booking,
            "zone": zone,
            "zone_name": zone_name(zone),
            "chosen_start": chosen,
            "alternatives": alternatives or [],
        },
        status=status,
    )


def _selections(
    data: Any, *, contact: Contact, booking: Booking | None
) -> tuple[IncidentType | None, Asset | None, date | None]:
    """The service type, equipment and day picked so far, ignoring what does not fit."""
    if booking is not None:
        return booking.work_order.incident_type, booking.work_order.asset, _date(data.get("day"))
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
    availability = _availability(
        contact=contact,
        portal=portal_settings(request),
        service_type=service,
        asset=asset,
        day=day,
        booking=booking,
    )
    return render(
        request,
        "portal/includes/when.html",
        {
            "availability": availability,
            "zone": ZoneInfo(contact.account.time_zone),
            "zone_name": zone_name(ZoneInfo(contact.account.time_zone)),
            "chosen_start": request.GET.get("start"),
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
    availability = _availability(
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
        form.add_error("start", "Choose a day and one of its free times.")
        return _render_page(
            request,
            contact=contact,
            form=form,
            availability=availability,
            booking=booking,
            status=400,
        )
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
        fresh = _availability(
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
            alternatives=_nearest(fresh.all_slots, wanted, zone),
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
    return redirect("portal:confirmation", booking_id=booked.pk)


@login_required
def confirmation(request: HttpRequest, booking_id: int) -> HttpResponse:
    contact = contact_of(request)
    booking = get_object_or_404(selectors.account_bookings(contact), pk=booking_id)
    return render(
        request,
        "portal/confirmation.html",
        {"visit": selectors.visit(booking), "moved": request.GET.get("moved") == "1"},
    )


@login_required
def calendar(request: HttpRequest, booking_id: int) -> HttpResponse:
    contact = contact_of(request)
    booking = get_object_or_404(selectors.account_bookings(contact), pk=booking_id)
    response = HttpResponse(visit_calendar(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visit-{booking.reference}.ics"'
    return response


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why do you cancel?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Please tell us briefly why you cancel."},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    contact = contact_of(request)
    booking = get_object_or_404(selectors.account_bookings(contact), pk=booking_id)
    form = CancelForm(request.POST or None)
    if not booking.can_modify():
        form = CancelForm()
        status = 400 if request.method == "POST" else 200
        return render(
            request,
            "portal/cancel.html",
            {
                "visit": selectors.visit(booking),
                "form": form,
                "locked": self_scheduling.locked_reason(booking),
            },
            status=status,
        )
    if request.method == "POST" and form.is_valid():
        try:
            self_scheduling.cancel_visit(
                contact=contact, booking=booking, reason=form.cleaned_data["reason"]
            )
        except DomainError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, f"Visit {booking.reference} is canceled.")
            return redirect("portal:home")
    return render(
        request,
        "portal/cancel.html",
        {"visit": selectors.visit(booking), "form": form},
        status=400 if form.errors else 200,
    )
