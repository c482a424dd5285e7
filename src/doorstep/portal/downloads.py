"""Downloads of the service history's private files: photos, signatures, documents, reports.

Nothing of the private storage has an address of its own. These views hand a file to a
signed-in contact of its account, the technician of its visit, the office, or whoever
holds a valid link to its visit; everyone else (another account, an expired or blocked
link, no sign-in) gets the same 404, which says nothing about whether the file exists.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from doorstep.access.visit_links import find_valid_link
from doorstep.history.selectors import FILE_KINDS, Reader, StoredFile, may_read, stored_file
from doorstep.portal.visit_link_views import private_answer, rate_limited

# Shown in the browser rather than saved: photos (a thumbnail opens full size) and PDFs.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


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
    return _file_response(stored, as_attachment=request.GET.get("download") == "1")


def _file_response(stored: StoredFile, *, as_attachment: bool) -> HttpResponse:
    storage = storages["private"]
    attachment = as_attachment or stored.content_type not in INLINE_TYPES
    disposition = content_disposition_header(attachment, stored.download_name) or "attachment"
    if getattr(storage, "querystring_auth", False):
        # An S3 store: the browser fetches the file from it, with an address signed for
        # this file, these headers and a minute (file_settings.py), rather than through us.
        signer: Any = storage  # django-storages' S3Storage.url takes these; Storage's does not
        response: HttpResponse = HttpResponseRedirect(
            signer.url(
                stored.name,
                parameters={
                    "ResponseContentType": stored.content_type,
                    "ResponseContentDisposition": disposition,
                    "ResponseCacheControl": "private, no-store",
                },
                expire=settings.DOORSTEP_DOWNLOAD_URL_SECONDS,
            )
        )
        response["Referrer-Policy"] = "no-referrer"
        patch_cache_control(response, private=True, no_store=True)
        return response
    # Read whole: photos are a megabyte or two, documents at most DOORSTEP_DOCUMENT_MAX_MB.
    try:
        with storage.open(stored.name, "rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = HttpResponse(content, content_type=stored.content_type)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    # The file may be the customer's signature or an invoice: never in a shared cache,
    # and gone from the browser's once the tab is closed.
    patch_cache_control(response, private=True, no_store=True)
    return response
