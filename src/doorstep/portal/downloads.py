"""Downloads of the service history's private files: photos, signatures, documents, reports.

Nothing of the private storage has an address of its own. These views hand a file to a
signed-in contact of its account, the technician of its visit, the office, or whoever
holds a valid link to its visit; everyone else (another account, an expired or blocked
link, no sign-in) gets the same 404, which says nothing about whether the file exists.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from doorstep.access.visit_links import find_valid_link
from doorstep.history.selectors import FILE_KINDS, Reader, may_read, stored_file
from doorstep.history.serving import file_response
from doorstep.portal.visit_link_views import private_answer, rate_limited


@require_safe
def signed_in_download(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        raise Http404
    contact = getattr(user, "contact", None)
    technician = getattr(user, "technician", None)
    reader = Reader(
        account_id=contact.account_id if contact is not None else None,
        technician_id=technician.pk if technician is not None else None,
        staff=bool(user.is_staff and user.is_active),
    )
    return _answer(request, kind, pk, reader)


@private_answer
@rate_limited
@require_safe
def visit_link_download(request: HttpRequest, code: str, kind: str, pk: int) -> HttpResponse:
    link = find_valid_link(code)
    if link is None:
        raise Http404
    booking = link.booking
    reader = Reader(booking_id=booking.pk, booking_asset_id=booking.work_order.asset_id)
    return _answer(request, kind, pk, reader)


def _answer(request: HttpRequest, kind: str, pk: int, reader: Reader) -> HttpResponse:
    stored = stored_file(kind, pk) if kind in FILE_KINDS else None
    if stored is None or not may_read(stored, reader):
        raise Http404
    return file_response(stored, as_attachment=request.GET.get("download") == "1")
