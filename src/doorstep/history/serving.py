"""How a private file of the history leaves the server, once a door has checked who asks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from doorstep.history.selectors import StoredFile

# Shown in the browser rather than saved: photos (a thumbnail opens full size) and PDFs.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


def file_response(stored: StoredFile, *, as_attachment: bool) -> HttpResponse:
    """The file's bytes with its type and name, or, from an S3 store, a redirect to an
    address signed for it; never cached where others could read it."""
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
