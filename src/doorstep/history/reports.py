"""The service report: a PDF of one completed visit, made once and never changed.

The worker makes it after the visit is completed (tasks.py), from an HTML template in
the company's look and the customer's language (WeasyPrint): the visit, its address
and equipment, the technician, when they arrived and finished (from the status
history), what was done, the photos, and the signature with the signer's name. Its
SHA-256 is kept beside it. A correction is a new version that names the one it
replaces and says why; no version is ever rewritten (decision 0019).

Every image is put in the page as a `data:` address, and the renderer may fetch
nothing else: a report never reaches out to the network or the disk for anything a
visit's text could name.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import dateformat, formats, timezone, translation
from django.utils.translation import gettext
from PIL import Image, ImageFile

from doorstep.configuration.models import PortalSettings
from doorstep.core import events
from doorstep.core.errors import DomainError
from doorstep.history.files import PendingFile, write_on_commit
from doorstep.history.models import (
    Photo,
    PhotoTag,
    ServiceReport,
    VisitRecord,
    private_storage,
    random_name,
)
from doorstep.scheduling.models import Booking, BookingStatus, BookingStatusChange

logger = logging.getLogger(__name__)

# Photos go into the report at this long side: sharp on paper at the width they are
# printed (about 8 cm, two to a row), and a report of a dozen photos stays a few MB.
REPORT_PHOTO_PIXELS = 1200
REASON_LENGTH = 500


class ReportRefused(DomainError):
    pass


@dataclass(frozen=True)
class ReportPhoto:
    data_url: str
    tag: str
    caption: str


@dataclass(frozen=True)
class ReportContent:
    """Everything the report shows, read before any PDF is drawn."""

    language: str
    company_name: str
    company_lines: list[str]
    logo_url: str
    colors: dict[str, str]
    font_family: str
    reference: str
    version: int
    corrects: ServiceReport | None
    correction_reason: str
    service_type: str
    account_name: str
    address_lines: list[str]
    equipment: str
    technician: str
    time_zone: ZoneInfo
    scheduled_start: datetime
    scheduled_end: datetime
    arrived_at: datetime | None
    completed_at: datetime | None
    work_done: str
    photos: list[ReportPhoto] = field(default_factory=list)
    signature_url: str = ""
    signer_name: str = ""
    signed_at: datetime | None = None
    made_at: datetime = field(default_factory=timezone.now)


def latest_report(booking_id: int) -> ServiceReport | None:
    return ServiceReport.objects.filter(booking_id=booking_id).order_by("-version").first()


def make_report(booking_id: int, *, correction: str = "") -> ServiceReport:
    """The visit's report: made now if it has none (or, with a reason, a corrected new
    version); the existing one otherwise, so running this twice makes one report."""
    correction = " ".join(correction.split())[:REASON_LENGTH]
    booking = _completed_booking(booking_id)
    current = latest_report(booking_id)
    if current is not None and not correction:
        return current
    if correction and current is None:
        raise ReportRefused(gettext("There is no report to correct yet."))

    # Drawn outside any transaction: nothing waits on WeasyPrint while it lays out pages.
    content = report_content(booking, corrects=current, correction_reason=correction)
    pdf = render_pdf(content)
    return _store(booking_id, pdf, expected=current, correction=bool(correction))


@transaction.atomic
def _store(
    booking_id: int, pdf: bytes, *, expected: ServiceReport | None, correction: bool
) -> ServiceReport:
    # The visit's row is the lock two workers making its report at once queue on.
    Booking.objects.select_for_update().only("pk").get(pk=booking_id)
    current = latest_report(booking_id)
    if current != expected:
        if not correction and current is not None:
            return current  # another worker made it meanwhile: that one stands
        raise ReportRefused(gettext("The report changed meanwhile; try again."))
    report = ServiceReport(
        booking_id=booking_id,
        version=(current.version + 1) if current else 1,
        supersedes=current,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    report.file.name = random_name("reports", "pdf")
    report.save()
    write_on_commit(
        [PendingFile(report.file.name, pdf)],
        undo=lambda: ServiceReport.objects.filter(pk=report.pk).delete(),
    )
    events.publish(
        "history.report_ready",
        booking_id=booking_id,
        report_id=report.pk,
        version=report.version,
    )
    return report


def _completed_booking(booking_id: int) -> Booking:
    booking = (
        Booking.objects.select_related(
            "resource",
            "work_order__account",
            "work_order__incident_type",
            "work_order__asset",
            "work_order__reported_by",
        )
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise ReportRefused(gettext("There is no such visit."))
    if booking.status != BookingStatus.COMPLETED:
        raise ReportRefused(gettext("A report is made once the visit is completed."))
    return booking


def report_language(booking: Booking) -> str:
    """The customer's language, else the company's (the portal setting)."""
    offered = {code for code, _name in settings.LANGUAGES}
    contact = booking.work_order.reported_by
    company = PortalSettings.load().default_language
    for code in (getattr(contact, "preferred_language", ""), company, settings.LANGUAGE_CODE):
        if code and code in offered:
            return code
        if code and code.split("-")[0] in offered:
            return code.split("-")[0]
    return "en"


def report_content(
    booking: Booking, *, corrects: ServiceReport | None = None, correction_reason: str = ""
) -> ReportContent:
    portal = PortalSettings.load()
    language = report_language(booking)
    work_order = booking.work_order
    record = VisitRecord.objects.filter(booking=booking).first()
    moves = list(
        BookingStatusChange.objects.filter(booking=booking)
        .order_by("changed_at", "pk")
        .values_list("to_status", "changed_at")
    )
    arrived = next((at for status, at in moves if status == BookingStatus.IN_PROGRESS), None)
    completed = booking.completed_at or next(
        (at for status, at in reversed(moves) if status == BookingStatus.COMPLETED), None
    )
    with translation.override(language):
        tags = dict(PhotoTag.choices)
        order = {tag: place for place, tag in enumerate(PhotoTag.values)}  # before, after, other
        stored = sorted(
            Photo.objects.filter(booking=booking).order_by("created_at", "pk"),
            key=lambda photo: order.get(photo.tag, len(order)),
        )
        photos = [
            ReportPhoto(
                data_url=_image_url(photo.file.name or "", REPORT_PHOTO_PIXELS),
                tag=str(tags.get(photo.tag, photo.tag)),
                caption=photo.caption,
            )
            for photo in stored
        ]
        service_type = _service_name(work_order.incident_type)
    signature_url = ""
    if record is not None and record.signature:
        signature_url = _image_url(record.signature.name or "", 800, keep_png=True)
    asset = work_order.asset
    equipment = ""
    if asset is not None:
        equipment = f"{asset.name} ({asset.serial_number})" if asset.serial_number else asset.name
    return ReportContent(
        language=language,
        company_name=portal.company_name,
        company_lines=[line for line in (portal.contact_phone, portal.contact_email or "") if line],
        logo_url=_logo_url(portal),
        colors={
            "text": portal.text_color,
            "background": portal.background_color,
            "accent": portal.foreground_color,
        },
        font_family=portal.font_family,
        reference=booking.reference,
        version=(corrects.version + 1) if corrects else 1,
        corrects=corrects,
        correction_reason=correction_reason,
        service_type=service_type,
        account_name=work_order.account.name,
        address_lines=list(work_order.address_lines),
        equipment=equipment,
        technician=booking.resource.display_name if portal.show_technician_details else "",
        time_zone=booking.time_zone,
        scheduled_start=booking.start,
        scheduled_end=booking.end,
        arrived_at=arrived,
        completed_at=completed,
        work_done=record.work_done if record else "",
        photos=photos,
        signature_url=signature_url,
        signer_name=record.signer_name if record else "",
        signed_at=record.signed_at if record else None,
    )


def _service_name(incident_type: Any) -> str:
    if incident_type is None:
        return ""
    # The name customers see, in the language active here (the report's).
    shown = getattr(incident_type, "shown_name", None)
    return str(shown or incident_type.display_name)


def render_html(content: ReportContent) -> str:
    with translation.override(content.language), timezone.override(content.time_zone):
        return render_to_string(
            "history/report.html",
            {
                "report": content,
                "moments": {
                    "booked": _moment(content.scheduled_start, until=content.scheduled_end),
                    "arrived": _moment(content.arrived_at),
                    "completed": _moment(content.completed_at),
                    "signed": _moment(content.signed_at),
                },
                "direction": "rtl" if translation.get_language_bidi() else "ltr",
                "reference": content.reference,
            },
        )


def render_css(content: ReportContent) -> str:
    """The report's look: the company's colours and font, A4 pages numbered."""
    return render_to_string(
        "history/report.css", {"colors": content.colors, "font_family": content.font_family}
    )


def _moment(when: datetime | None, *, until: datetime | None = None) -> str:
    """ "Dec. 4, 2026, 3:45 p.m. MST" in the report's language and the visit's zone."""
    if when is None:
        return ""
    local = timezone.localtime(when)
    text = (
        f"{formats.date_format(local, 'DATE_FORMAT')}, {formats.time_format(local, 'TIME_FORMAT')}"
    )
    if until is not None:
        text += f"–{formats.time_format(timezone.localtime(until), 'TIME_FORMAT')}"
    return f"{text} {dateformat.format(local, 'T')}"


def render_pdf(content: ReportContent) -> bytes:
    """The report as PDF bytes."""
    return html_to_pdf(render_html(content), css=render_css(content))


def html_to_pdf(html: str, *, css: str = "") -> bytes:
    """A PDF of `html`; the renderer may read `data:` addresses and nothing else."""
    from weasyprint import CSS, HTML  # imported here: Pango loads with it, in the worker only
    from weasyprint.urls import URLFetcher

    # WeasyPrint lets Pillow read truncated images, for the whole process, when it is
    # imported; the photo checks (photos.py) refuse a truncated upload, so turn it back.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    fetcher = URLFetcher(allowed_protocols=["data"], timeout=1, allow_redirects=False)
    page = HTML(string=html, url_fetcher=fetcher, base_url="data:,")
    sheets = [CSS(string=css, url_fetcher=fetcher, base_url="data:,")] if css else []
    return bytes(page.write_pdf(stylesheets=sheets))


def _image_url(name: str, pixels: int, *, keep_png: bool = False) -> str:
    """A stored image, shrunk to `pixels` on its long side, as a data: address; empty when
    the file cannot be read (the report is still made, without it)."""
    try:
        with private_storage().open(name, "rb") as stored:
            return image_data_url(stored.read(), pixels, keep_png=keep_png)
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("The report leaves out %s, which cannot be read", name)
        return ""


def _logo_url(portal: PortalSettings) -> str:
    if not portal.header_image:
        return ""
    try:
        with portal.header_image.open("rb") as stored:
            return image_data_url(stored.read(), 800, keep_png=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("The report leaves out the header image, which cannot be read")
        return ""


def image_data_url(data: bytes, pixels: int, *, keep_png: bool) -> str:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (pixels, pixels))  # JPEGs decode at a fraction of their size
        image.thumbnail((pixels, pixels))
        out = io.BytesIO()
        if keep_png:
            image.save(out, format="PNG", optimize=True)
            kind = "png"
        else:
            image.convert("RGB").save(out, format="JPEG", quality=82, optimize=True)
            kind = "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(out.getvalue()).decode('ascii')}"
