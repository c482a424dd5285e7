"""The record form of a visit in progress, with what was saved of it so far."""

from __future__ import annotations

from django import template

from doorstep.history import selectors as history
from doorstep.history.models import PhotoTag
from doorstep.scheduling.models import Booking

register = template.Library()


@register.inclusion_tag("technician/includes/record.html", takes_context=True)
def visit_record_form(context: template.Context, booking: Booking) -> dict[str, object]:
    # Two queries, for the visit in progress only (a technician has one at a time).
    return {
        "booking": booking,
        "record": history.visit_record(booking.pk),
        "photos": list(history.visit_photos(booking.pk)),
        "tags": PhotoTag.choices,
        "csrf_token": context.get("csrf_token"),
    }
