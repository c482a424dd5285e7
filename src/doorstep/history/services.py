"""What changes the service history: the technician's record, photos, signatures, documents.

Files are made (photos cleaned, uploads checked) before any transaction opens, so no lock
waits on Pillow; their rows are saved in one transaction each and their bytes written
when it commits (files.py).
"""

from __future__ import annotations

import io
import secrets
from datetime import datetime
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from PIL import Image, UnidentifiedImageError

from doorstep.core import events, records
from doorstep.core.errors import DomainError
from doorstep.customers.models import Asset, FunctionalLocation
from doorstep.history import documents
from doorstep.history.files import PendingFile, delete_on_commit, write_on_commit
from doorstep.history.models import (
    Document,
    DocumentType,
    Photo,
    PhotoTag,
    Visibility,
    VisitRecord,
    random_name,
)
from doorstep.history.photos import process_photo
from doorstep.scheduling import services as scheduling
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.users.models import User

MEGABYTE = 1024 * 1024
# A signature drawn with a finger is a few kilobytes of PNG; a canvas the size of a
# phone's screen at 3x is well under this.
SIGNATURE_MAX_BYTES = 512 * 1024
SIGNATURE_MAX_PIXELS = 4000
CLIENT_UPLOAD_ID_LENGTH = 64
CAPTION_LENGTH = 300
NAME_LENGTH = 200


class RecordRefused(DomainError):
    pass


def _text(value: str) -> str:
    """What was typed, without NUL characters: no database column keeps them (PostgreSQL
    refuses the whole row), and no reader would see them."""
    return value.replace("\x00", "")


def _check_in_progress(booking_id: int) -> Booking:
    booking = Booking.objects.select_for_update().get(pk=booking_id)
    if booking.status != BookingStatus.IN_PROGRESS:
        raise RecordRefused(gettext("The visit's record can be written while it is in progress."))
    return booking


@transaction.atomic
def save_record(
    *, booking: Booking, work_done: str, internal_note: str, recorded_by: User | None
) -> VisitRecord:
    """Keep what the technician wrote so far; the visit must be in progress."""
    locked = _check_in_progress(booking.pk)
    record, _ = VisitRecord.objects.get_or_create(booking=locked)
    record.work_done = _text(work_done).strip()
    record.internal_note = _text(internal_note).strip()
    record.recorded_by = recorded_by
    record.save()
    return record


@transaction.atomic
def complete_visit(
    *,
    booking: Booking,
    work_done: str,
    internal_note: str,
    signer_name: str = "",
    signature_png: bytes | None = None,
    completed_by: User | None,
    now: datetime | None = None,
) -> VisitRecord:
    """Save the record, the customer's signature if given, and complete the visit: all or none."""
    now = now or timezone.now()
    signer_name = " ".join(_text(signer_name).split())[:NAME_LENGTH]
    signature = _clean_signature(signature_png) if signature_png else None
    if signature is not None and not signer_name:
        raise RecordRefused(gettext("Type the name of the person who signed."))
    record = save_record(
        booking=booking, work_done=work_done, internal_note=internal_note, recorded_by=completed_by
    )
    if signer_name:
        record.signer_name = signer_name
        record.signed_at = now
    if signature is not None:
        record.signature.name = random_name("signatures", "png")
        write_on_commit(
            [PendingFile(record.signature.name, signature)],
            undo=lambda: VisitRecord.objects.filter(pk=record.pk).update(signature=""),
        )
    record.save()
    scheduling.set_status(
        booking=booking,
        status=BookingStatus.COMPLETED,
        changed_by=completed_by,
        # The completed message and the visit's page show the customer what was done.
        completion_note=record.work_done,
        now=now,
    )
    return record


def _clean_signature(data: bytes) -> bytes:
    """The drawn signature as a fresh PNG, or RecordRefused: nothing of the upload but pixels."""
    if len(data) > SIGNATURE_MAX_BYTES:
        raise RecordRefused(gettext("The signature is too large. Clear it and sign again."))
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            if max(image.size) > SIGNATURE_MAX_PIXELS:
                raise RecordRefused(gettext("The signature is too large. Clear it and sign again."))
            pixels = image.convert("RGBA")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        raise RecordRefused(gettext("The signature could not be read. Sign again.")) from None
    out = io.BytesIO()
    pixels.save(out, "PNG", optimize=True)
    return out.getvalue()


def add_photo(
    *,
    booking: Booking,
    upload: IO[bytes],
    size: int,
    client_upload_id: str,
    tag: str = PhotoTag.OTHER,
    caption: str = "",
    uploaded_by: User | None,
    now: datetime | None = None,
) -> tuple[Photo, bool]:
    """Store a photo of a visit in progress, cleaned; the photo and whether it is new.

    The same client_upload_id for the same visit is the same photo: sending it again after
    a dropped connection returns the one stored, without reading the upload.
    """
    client_upload_id = _text(client_upload_id).strip()[
        :CLIENT_UPLOAD_ID_LENGTH
    ] or secrets.token_hex(16)
    if tag not in PhotoTag.values:
        raise RecordRefused(gettext("Choose before, after or other for the photo."))
    existing = Photo.objects.filter(booking=booking, client_upload_id=client_upload_id).first()
    if existing is not None:
        return existing, False
    if booking.status != BookingStatus.IN_PROGRESS:
        raise RecordRefused(gettext("Photos can be added while the visit is in progress."))
    processed = process_photo(
        upload,
        size=size,
        max_bytes=settings.DOORSTEP_PHOTO_MAX_MB * MEGABYTE,
        max_pixels=settings.DOORSTEP_PHOTO_MAX_PIXELS,
        thumbnail_pixels=settings.DOORSTEP_PHOTO_THUMBNAIL_PIXELS,
        keep_original=settings.DOORSTEP_PHOTO_KEEP_ORIGINAL,
    )
    photo = Photo(
        booking=booking,
        tag=tag,
        caption=" ".join(_text(caption).split())[:CAPTION_LENGTH],
        client_upload_id=client_upload_id,
        width=processed.width,
        height=processed.height,
        uploaded_by=uploaded_by,
        created_at=now or timezone.now(),
    )
    photo.file.name = random_name("photos", "jpg")
    photo.thumbnail.name = random_name("thumbnails", "jpg")
    pending = [
        PendingFile(photo.file.name, processed.image),
        PendingFile(photo.thumbnail.name, processed.thumbnail),
    ]
    if processed.original is not None:
        photo.original.name = random_name("originals", processed.original_extension)
        pending.append(PendingFile(photo.original.name, processed.original))
    try:
        with transaction.atomic():
            _check_in_progress(booking.pk)
            photo.save()
            write_on_commit(pending, undo=lambda: Photo.objects.filter(pk=photo.pk).delete())
    except IntegrityError:
        # The same photo sent twice at once: the other request stored it.
        existing = Photo.objects.filter(booking=booking, client_upload_id=client_upload_id).first()
        if existing is None:
            raise
        return existing, False
    return photo, True


@transaction.atomic
def add_document(
    *,
    upload: IO[bytes],
    size: int,
    name: str,
    title: str,
    document_type: str,
    booking: Booking | None = None,
    site: FunctionalLocation | None = None,
    asset: Asset | None = None,
    visibility: str = Visibility.INTERNAL,
    external_id: str = "",
    uploaded_by: User | None = None,
    now: datetime | None = None,
) -> Document:
    """Attach a PDF, JPEG or PNG to one visit, site or piece of equipment, checked by its
    content; a document for the customer is published at once."""
    if [booking, site, asset].count(None) != 2:
        raise documents.DocumentRefused(
            gettext("Attach the document to one visit, one site or one piece of equipment.")
        )
    if document_type not in DocumentType.values:
        raise documents.DocumentRefused(gettext("Choose the type of document."))
    if visibility not in Visibility.values:
        raise documents.DocumentRefused(gettext("Choose who sees the document."))
    if not title.strip():
        raise documents.DocumentRefused(gettext("Give the document a title."))
    kind = documents.identify(
        upload, size=size, max_bytes=settings.DOORSTEP_DOCUMENT_MAX_MB * MEGABYTE
    )
    owner = booking.work_order if booking is not None else (site or asset)
    account_id = owner.account_id  # type: ignore[union-attr]
    now = now or timezone.now()
    document = Document(
        account_id=account_id,
        booking=booking,
        site=site,
        asset=asset,
        content_type=kind.content_type,
        size=size,
        file_name=documents.clean_name(name, kind),
        type=document_type,
        title=" ".join(_text(title).split())[:200],
        visibility=visibility,
        published_at=now if visibility == Visibility.CUSTOMER else None,
        external_id=external_id,
        uploaded_by=uploaded_by,
        created_at=now,
    )
    document.file.name = random_name("documents", kind.extension)
    upload.seek(0)
    content = upload.read()
    document.save()
    write_on_commit(
        [PendingFile(document.file.name, content)],
        undo=lambda: Document.objects.filter(pk=document.pk).delete(),
    )
    if document.for_the_customer:
        _published(document, published_by=uploaded_by, tell_customer=False)
    return document


@transaction.atomic
def publish_document(
    *,
    document: Document,
    published_by: User | None,
    tell_customer: bool,
    now: datetime | None = None,
) -> Document:
    """Show an office-only document to the customer from now on; with `tell_customer`,
    they get the "new documents" message (if the portal's settings send it)."""
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if locked.for_the_customer:
        raise documents.DocumentRefused(gettext("This document is already published."))
    locked.visibility = Visibility.CUSTOMER
    locked.published_at = now or timezone.now()
    locked.save(update_fields=["visibility", "published_at"])
    _published(locked, published_by=published_by, tell_customer=tell_customer)
    return locked


def _published(document: Document, *, published_by: User | None, tell_customer: bool) -> None:
    events.publish(
        "document.published",
        document_id=document.pk,
        account_id=document.account_id,
        booking_id=document.booking_id,
        site_id=document.site_id,
        asset_id=document.asset_id,
        published_by_id=published_by.pk if published_by else None,
        tell_customer=tell_customer,
    )


@transaction.atomic
def replace_document(
    *,
    document: Document,
    upload: IO[bytes],
    size: int,
    name: str,
    title: str,
    document_type: str,
    visibility: str,
    uploaded_by: User | None = None,
    now: datetime | None = None,
) -> Document:
    """Put a new file and details in place of a document's, checked as `add_document`
    checks them; it stays attached where it was. Made visible to the customer, it is
    published; a published one stays published."""
    if document_type not in DocumentType.values:
        raise documents.DocumentRefused(gettext("Choose the type of document."))
    if visibility not in Visibility.values:
        raise documents.DocumentRefused(gettext("Choose who sees the document."))
    if not title.strip():
        raise documents.DocumentRefused(gettext("Give the document a title."))
    kind = documents.identify(
        upload, size=size, max_bytes=settings.DOORSTEP_DOCUMENT_MAX_MB * MEGABYTE
    )
    locked = Document.objects.select_for_update().get(pk=document.pk)
    newly_published = visibility == Visibility.CUSTOMER and not locked.for_the_customer
    old_name = locked.file.name or ""
    old_file = {
        "file": old_name,
        "content_type": locked.content_type,
        "size": locked.size,
        "file_name": locked.file_name,
    }
    locked.content_type = kind.content_type
    locked.size = size
    locked.file_name = documents.clean_name(name, kind)
    locked.type = document_type
    locked.title = " ".join(_text(title).split())[:200]
    if newly_published:
        locked.visibility = Visibility.CUSTOMER
        locked.published_at = now or timezone.now()
    locked.file.name = random_name("documents", kind.extension)
    upload.seek(0)
    content = upload.read()
    locked.save()
    # The old file goes once the new one is written; if that fails, the row names the
    # old file again.
    write_on_commit(
        [PendingFile(locked.file.name, content)],
        undo=lambda: Document.objects.filter(pk=locked.pk).update(**old_file),
    )
    delete_on_commit([old_name])
    if newly_published:
        _published(locked, published_by=uploaded_by, tell_customer=False)
    return locked


def save_document_details(*, document: Document) -> Document:
    """Save a document's title, type and external ID after checking them."""
    return records.save_checked(document)


def remove_document(*, document: Document) -> None:
    """Delete a document (kept as a tombstone for syncs); its file goes when that commits
    (retention.py)."""
    records.delete(document)
