"""The technician's record of a visit in progress: notes, photos, and completing with a signature.

Views parse input and call the history services. Photos come one at a time from photos.js,
each with the phone's upload id (a resend returns the photo already stored), and answer in
JSON; the same form works without JavaScript and answers with the day's page.
"""

from __future__ import annotations

import base64
import binascii

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from doorstep.core.errors import DomainError
from doorstep.history import services
from doorstep.history.models import Photo
from doorstep.scheduling.models import Booking
from doorstep.users.models import User

SIGNATURE_PREFIX = "data:image/png;base64,"


def _booking(request: HttpRequest, booking_id: int) -> Booking | None:
    """The technician's own visit; None for anyone who is not a technician."""
    technician = getattr(request.user, "technician", None)
    if technician is None:
        return None
    # Another technician's visit does not exist as far as this one is concerned.
    return get_object_or_404(Booking, pk=booking_id, resource_id=technician.pk)


def _back(booking: Booking) -> HttpResponse:
    return redirect(f"{reverse('technician:visits')}#visit-{booking.pk}")


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def add_photos(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = _booking(request, booking_id)
    if booking is None:
        return JsonResponse({"error": gettext("Only technicians can add photos.")}, status=403)
    uploads = request.FILES.getlist("photo")
    if not uploads:
        return _refused(request, booking, gettext("Choose a photo to send."))
    stored: list[tuple[Photo, bool]] = []
    for number, upload in enumerate(uploads):
        # The phone names each photo; a form without JavaScript sends no name.
        upload_id = request.POST.get("client_upload_id", "") if len(uploads) == 1 else ""
        try:
            stored.append(
                services.add_photo(
                    booking=booking,
                    upload=upload,
                    size=upload.size or 0,
                    client_upload_id=upload_id,
                    tag=request.POST.get("tag", "other"),
                    caption=request.POST.get("caption", ""),
                    uploaded_by=request.user if isinstance(request.user, User) else None,
                )
            )
        except DomainError as refusal:
            name = upload.name or str(number + 1)
            return _refused(request, booking, f"{name}: {refusal.message}")
    if _wants_json(request):
        photo, created = stored[0]
        return JsonResponse(
            {
                "id": photo.pk,
                "created": created,
                "thumbnail_url": reverse("portal:file", args=["thumbnail", photo.pk]),
                "url": reverse("portal:file", args=["photo", photo.pk]),
            },
            status=201 if created else 200,
        )
    messages.success(request, gettext("Photos saved: %(count)s.") % {"count": len(stored)})
    return _back(booking)


def _refused(request: HttpRequest, booking: Booking, reason: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": reason}, status=400)
    messages.error(request, reason)
    return _back(booking)


@login_required
@require_POST
def record(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = _booking(request, booking_id)
    if booking is None:
        return HttpResponse(status=403)
    user = request.user if isinstance(request.user, User) else None
    # The field keeps the name the Complete form always had: what was done, for the customer.
    work_done = request.POST.get("completion_note", "")
    internal_note = request.POST.get("internal_note", "")
    try:
        # "Save notes" adds action=save to the form's own action=complete (and is the
        # button Enter presses), so only the Complete button completes.
        if "save" not in request.POST.getlist("action"):
            services.complete_visit(
                booking=booking,
                work_done=work_done,
                internal_note=internal_note,
                signer_name=request.POST.get("signer_name", ""),
                signature_png=_signature(request.POST.get("signature", "")),
                completed_by=user,
            )
            done = gettext("Visit %(reference)s: completed.")
        else:
            services.save_record(
                booking=booking, work_done=work_done, internal_note=internal_note, recorded_by=user
            )
            done = gettext("Visit %(reference)s: notes saved.")
    except DomainError as refusal:
        messages.error(request, f"{booking.reference}: {refusal.message}")
    else:
        messages.success(request, done % {"reference": booking.reference})
    return _back(booking)


def _signature(data_url: str) -> bytes | None:
    """The canvas's PNG, or None when nothing was drawn; anything else is refused by the service."""
    if not data_url:
        return None
    if not data_url.startswith(SIGNATURE_PREFIX):
        return b"not a png"
    try:
        return base64.b64decode(data_url.removeprefix(SIGNATURE_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        return b"not a png"
