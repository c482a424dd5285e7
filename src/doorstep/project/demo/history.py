"""The demo's service history: what technicians recorded at past visits.

The demo customer's completed visits, and a few of other customers, get what a real
company's would: a work-done note, an office note, before and after photos (drawn here,
with a phone's EXIF and GPS for the upload cleaning to strip), the customer's signature,
for the demo customer an invoice and an equipment certificate published to them, and the
service report of each (asked of the worker, which `doorstep serve` starts).

Loading again adds nothing: a visit that has a record is left as it is.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from datetime import timedelta

from django.db import models
from django.utils.html import escape
from PIL import Image, ImageDraw

from doorstep.customers.models import Account
from doorstep.history import reports, tasks
from doorstep.history.files import PendingFile, write_on_commit
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
from doorstep.project.demo.planner import EXTERNAL_ID_PREFIX
from doorstep.scheduling.models import Booking, BookingStatus

# Other customers' completed visits given a history too, newest first (the office sees them).
OTHER_VISITS = 4
PHOTO_SIZE = (1600, 1200)
# Where the demo's phone "stood": central Denver. The stored photos must not say so.
PHONE_GPS = {1: "N", 2: (39.0, 44.0, 21.0), 3: "W", 4: (104.0, 59.0, 1.0)}

WORK_DONE = {
    "HVAC": (
        "Replaced the furnace filter (16x25x1, MERV 8), cleaned the flame sensor and checked "
        "the heat exchanger: no cracks. Gas pressure and temperature rise within the "
        "manufacturer's range.\nNext filter change in about three months."
    ),
    "Plumbing": (
        "Flushed the water heater tank, replaced the anode rod and tested the pressure "
        "relief valve. No leaks at the fittings.\nSediment was heavy: we recommend a flush "
        "every year."
    ),
    "Electrical": (
        "Traced the tripping circuit to a worn outlet in the garage and replaced it with a "
        "GFCI outlet. Tightened the panel's neutral bar connections and labelled the "
        "breakers."
    ),
}
OFFICE_NOTE = "Customer asked for a quote to replace the thermostat; sent to sales."
SIGNERS = ("Jordan Alvarez", "Sam Okafor", "Riley Chen", "Morgan Patel", "Avery Novak")


def load_history(*, customer_account: Account) -> int:
    """Records, photos, signatures and documents for past visits; the visits given them."""
    given = 0
    for number, booking in enumerate(_visits(customer_account)):
        if VisitRecord.objects.filter(booking=booking).exists():
            continue
        contact = booking.work_order.reported_by
        signer = f"{contact.first_name} {contact.last_name}".strip() if contact else ""
        _record(booking, signer=signer or SIGNERS[number % len(SIGNERS)])
        _photos(booking, number)
        if booking.work_order.account_id == customer_account.pk:
            _documents(booking)
        # The worker draws the report once these rows (and so the photos) are committed.
        tasks.make_service_report.enqueue(booking.pk)
        given += 1
    return given


def _visits(customer_account: Account) -> list[Booking]:
    completed = (
        Booking.objects.filter(
            status=BookingStatus.COMPLETED,
            work_order__external_id__startswith=EXTERNAL_ID_PREFIX,
        )
        .select_related("work_order__incident_type", "work_order__asset", "work_order__reported_by")
        .order_by("-completed_at", "pk")
    )
    own = list(completed.filter(work_order__account=customer_account))
    others = list(completed.exclude(work_order__account=customer_account)[:OTHER_VISITS])
    return own + others


def _record(booking: Booking, *, signer: str) -> None:
    service = booking.work_order.incident_type.name if booking.work_order.incident_type else ""
    trade = service.split(" – ", maxsplit=1)[0]
    record = VisitRecord(
        booking=booking,
        work_done=WORK_DONE.get(trade, WORK_DONE["HVAC"]),
        internal_note=OFFICE_NOTE,
        recorded_by=booking.resource.user if booking.resource_id else None,
        signer_name=signer,
        signed_at=booking.completed_at or booking.end,
    )
    record.signature.name = random_name("signatures", "png")
    record.save()
    write_on_commit(
        [PendingFile(record.signature.name, _signature(signer))],
        undo=lambda: VisitRecord.objects.filter(pk=record.pk).update(signature=""),
    )


def _photos(booking: Booking, number: int) -> None:
    taken = (booking.completed_at or booking.end) - timedelta(minutes=50)
    for place, (tag, caption) in enumerate(
        ((PhotoTag.BEFORE, "As we found it"), (PhotoTag.AFTER, "After the service"))
    ):
        shot = _camera_photo(clean=tag == PhotoTag.AFTER, seed=number)
        processed = process_photo(
            io.BytesIO(shot),
            size=len(shot),
            max_bytes=50 * 1024 * 1024,
            max_pixels=2560,
            thumbnail_pixels=400,
        )
        photo = Photo(
            booking=booking,
            tag=tag,
            caption=caption,
            client_upload_id=f"demo-{booking.pk}-{place}",
            width=processed.width,
            height=processed.height,
            uploaded_by=booking.resource.user if booking.resource_id else None,
            created_at=taken + timedelta(minutes=40 * place),
        )
        photo.file.name = random_name("photos", "jpg")
        photo.thumbnail.name = random_name("thumbnails", "jpg")
        photo.save()
        write_on_commit(
            [
                PendingFile(photo.file.name, processed.image),
                PendingFile(photo.thumbnail.name, processed.thumbnail),
            ],
            undo=_deleting(Photo.objects.filter(pk=photo.pk)),
        )


def _documents(booking: Booking) -> None:
    work_order = booking.work_order
    published = booking.completed_at or booking.end
    service = work_order.incident_type.display_name if work_order.incident_type else "Service"
    invoice = Document(
        account_id=work_order.account_id,
        booking=booking,
        content_type="application/pdf",
        file_name=f"invoice-{booking.reference}.pdf",
        type=DocumentType.INVOICE,
        title=f"Invoice {booking.reference}",
        visibility=Visibility.CUSTOMER,
        published_at=published,
        created_at=published,
    )
    content = _pdf(
        f"Invoice {booking.reference}",
        [f"{service}: 1 visit", "Labour and parts as on the service report", "Total: $189.00"],
    )
    _save_document(invoice, content)
    asset = work_order.asset
    if asset is not None and not Document.objects.filter(asset=asset).exists():
        certificate = Document(
            account_id=work_order.account_id,
            asset=asset,
            content_type="application/pdf",
            file_name="safety-certificate.pdf",
            type=DocumentType.CERTIFICATE,
            title=f"Safety certificate: {asset.name}",
            visibility=Visibility.CUSTOMER,
            published_at=published,
            created_at=published,
        )
        content = _pdf(
            f"Safety certificate: {asset.name}",
            ["Inspected and found safe to operate.", f"Serial number: {asset.serial_number}"],
        )
        _save_document(certificate, content)


def _save_document(document: Document, content: bytes) -> None:
    document.size = len(content)
    document.file.name = random_name("documents", "pdf")
    document.save()
    write_on_commit(
        [PendingFile(document.file.name, content)],
        undo=_deleting(Document.objects.filter(pk=document.pk)),
    )


def _deleting(rows: models.QuerySet[models.Model]) -> Callable[[], object]:
    return rows.delete


def _pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF of a title and a few lines: what a billing system would send."""
    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return reports.html_to_pdf(f"<html><body><h1>{escape(title)}</h1>{body}</body></html>")


def _camera_photo(*, clean: bool, seed: int) -> bytes:
    """A phone's JPEG of a furnace's filter slot, held sideways, with EXIF and GPS."""
    width, height = PHOTO_SIZE
    image = Image.new("RGB", (width, height), (196, 190, 180))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 8):  # a wall's light falling off
        shade = int(40 * y / height)
        draw.rectangle((0, y, width, y + 8), fill=(200 - shade, 194 - shade, 184 - shade))
    draw.rectangle((360, 200, 1240, 1040), fill=(150, 152, 156), outline=(90, 90, 95), width=8)
    filter_color = (235, 235, 228) if clean else (120 + seed % 20, 104, 80)
    draw.rectangle((440, 300, 1160, 940), fill=filter_color, outline=(60, 60, 60), width=6)
    for x in range(460, 1160, 36):  # the filter's pleats
        draw.line((x, 310, x, 930), fill=(200, 200, 190) if clean else (90, 76, 60), width=3)
    image = image.rotate(90, expand=True)  # stored sideways: the EXIF turns it upright
    exif = Image.Exif()
    exif[0x0112] = 8
    exif[0x010F] = "DemoPhone"
    exif.get_ifd(0x8825).update(PHONE_GPS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def _signature(name: str) -> bytes:
    """A finger-drawn signature: a few loops on a transparent canvas."""
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = []
    loops = 3 + len(name) % 3
    for step in range(400):
        t = step / 400
        x = 40 + 520 * t
        y = 110 + 45 * math.sin(t * loops * 2 * math.pi) * (1 - t * 0.5)
        points.append((x, y))
    draw.line(points, fill=(20, 30, 60, 255), width=5, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
