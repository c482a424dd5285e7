"""A booked visit's own pages in the portal: its confirmation, its calendar file, canceling it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from doorstep.core.errors import DomainError
from doorstep.history import selectors as history
from doorstep.notifications.calendars import calendar_sequence
from doorstep.portal import selectors as portal_selectors
from doorstep.portal.forms import CancelForm
from doorstep.portal.views import contact_of
from doorstep.scheduling import selectors, self_scheduling
from doorstep.scheduling.calendar import visit_calendar
from doorstep.scheduling.models import BookingStatus


@login_required
def confirmation(request: HttpRequest, booking_id: int) -> HttpResponse:
    contact = contact_of(request)
    booking = get_object_or_404(selectors.account_bookings(contact), pk=booking_id)
    completed = booking.status == BookingStatus.COMPLETED
    notes = portal_selectors.customer_notes(booking)
    if completed:
        # What the visit left behind: photos, documents, the service report (decision 0019).
        history.load_history(booking)
    record = getattr(booking, "record", None) if completed else None
    work_done = record.work_done if record is not None else ""
    return render(
        request,
        "portal/confirmation.html",
        {
            "visit": selectors.visit(booking),
            "notes": notes,
            # The technician's note is also the completion note: shown once.
            "work_done_in_notes": bool(work_done)
            and any(note.text.strip() == work_done for note in notes),
            "moved": request.GET.get("moved") == "1",
            "booked": request.GET.get("booked") == "1",
            "history": completed,
        },
    )


@login_required
def calendar(request: HttpRequest, booking_id: int) -> HttpResponse:
    contact = contact_of(request)
    booking = get_object_or_404(selectors.account_bookings(contact), pk=booking_id)
    ics = visit_calendar(booking, sequence=calendar_sequence(booking_id=booking.pk))
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visit-{booking.reference}.ics"'
    return response


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
            messages.success(
                request,
                gettext("Visit %(reference)s is canceled.") % {"reference": booking.reference},
            )
            return redirect("portal:home")
    return render(
        request,
        "portal/cancel.html",
        {"visit": selectors.visit(booking), "form": form},
        status=400 if form.errors else 200,
    )
