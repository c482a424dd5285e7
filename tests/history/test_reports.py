"""The service report: one PDF per completed visit, in the customer's language, never changed."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import storages
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from doorstep.configuration.models import PortalSettings
from doorstep.core import events
from doorstep.history import reports, services, subscribers, tasks
from doorstep.history.models import PhotoTag, ServiceReport
from doorstep.scheduling.models import Booking, BookingStatus, BookingStatusChange
from tests.factories import (
    AssetFactory,
    BookingFactory,
    ContactFactory,
    IncidentTypeFactory,
    ResourceFactory,
    WorkOrderFactory,
)
from tests.history import images

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def pdf_text(report: ServiceReport) -> str:
    data = stored(report)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def stored(report: ServiceReport) -> bytes:
    with storages["private"].open(report.file.name) as handle:
        return bytes(handle.read())


def signature() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    image.putpixel((10, 10), (0, 0, 0, 255))
    image.save(out, "PNG")
    return out.getvalue()


def completed_visit(
    capture: Capture,
    *,
    language: str = "en",
    work_done: str = "Replaced the condensate pump; cleaned the filter.",
    photos: int = 2,
) -> Booking:
    contact = ContactFactory(preferred_language=language)
    work_order = WorkOrderFactory(
        account=contact.account,
        reported_by=contact,
        incident_type=IncidentTypeFactory(display_name="Furnace repair"),
        asset=AssetFactory(account=contact.account, name="Furnace", serial_number="FX-981"),
    )
    booking = BookingFactory(
        work_order=work_order,
        resource=ResourceFactory(display_name="Dana Whitfield"),
        status=BookingStatus.IN_PROGRESS,
    )
    BookingStatusChange.objects.create(
        booking=booking,
        from_status=BookingStatus.TRAVELING,
        to_status=BookingStatus.IN_PROGRESS,
        changed_at=timezone.now() - timedelta(hours=1),
    )
    with capture(execute=True):
        for number in range(photos):
            data = images.camera_jpeg()
            services.add_photo(
                booking=booking,
                upload=io.BytesIO(data),
                size=len(data),
                client_upload_id=f"phone-{number}",
                tag=PhotoTag.AFTER if number else PhotoTag.BEFORE,
                caption=f"Photo number {number}",
                uploaded_by=None,
            )
    with capture(execute=True):
        services.complete_visit(
            booking=booking,
            work_done=work_done,
            internal_note="Customer's dog bites: office only.",
            signer_name="Jordan Alvarez",
            signature_png=signature(),
            completed_by=None,
        )
    booking.refresh_from_db()
    return booking


def make(capture: Capture, booking: Booking, **options: Any) -> ServiceReport:
    with capture(execute=True):
        return reports.make_report(booking.pk, **options)


def test_the_report_holds_what_was_done_and_who_signed(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    booking = completed_visit(django_capture_on_commit_callbacks)

    report = make(django_capture_on_commit_callbacks, booking)

    text = pdf_text(report)
    for expected in (
        "Service report",
        booking.reference,
        "Furnace repair",
        "Furnace (FX-981)",
        "Dana Whitfield",
        "Replaced the condensate pump; cleaned the filter.",
        "Jordan Alvarez",
        "Photo number 0",
        "Photo number 1",
        "Work started",
        "Completed",
    ):
        assert expected in text, expected
    assert "dog bites" not in text  # the office's note stays in the office
    assert report.version == 1
    assert report.sha256 == hashlib.sha256(stored(report)).hexdigest()
    assert stored(report).startswith(b"%PDF-")


def test_the_report_is_made_once(django_capture_on_commit_callbacks: Capture) -> None:
    booking = completed_visit(django_capture_on_commit_callbacks, photos=0)

    first = make(django_capture_on_commit_callbacks, booking)
    again = make(django_capture_on_commit_callbacks, booking)

    assert again == first
    assert ServiceReport.objects.filter(booking=booking).count() == 1


def test_a_correction_is_a_new_version_and_the_first_stays_as_it_was(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    booking = completed_visit(django_capture_on_commit_callbacks, photos=0)
    first = make(django_capture_on_commit_callbacks, booking)
    first_bytes = stored(first)

    second = make(django_capture_on_commit_callbacks, booking, correction="Serial number was wrong")

    assert (second.version, second.supersedes) == (2, first)
    assert "This report replaces version 1" in pdf_text(second)
    assert "Serial number was wrong" in pdf_text(second)
    first.refresh_from_db()
    assert stored(first) == first_bytes
    assert first.sha256 == hashlib.sha256(first_bytes).hexdigest()


def test_a_correction_needs_a_report_to_correct(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    booking = completed_visit(django_capture_on_commit_callbacks, photos=0)

    with pytest.raises(reports.ReportRefused, match="no report to correct"):
        reports.make_report(booking.pk, correction="Typo")


@pytest.mark.parametrize(
    "status", [BookingStatus.SCHEDULED, BookingStatus.IN_PROGRESS, BookingStatus.CANCELED]
)
def test_only_a_completed_visit_gets_a_report(status: str) -> None:
    booking = BookingFactory(status=status)

    with pytest.raises(reports.ReportRefused, match="once the visit is completed"):
        reports.make_report(booking.pk)
    assert not ServiceReport.objects.exists()


def test_an_unknown_visit_is_refused_with_a_reason() -> None:
    with pytest.raises(reports.ReportRefused, match="no such visit"):
        reports.make_report(10**9)


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("es", "Informe de servicio"),
        ("fr", "Rapport d'intervention"),
        ("de", "Servicebericht"),
        ("ar", "تقرير الخدمة"),
    ],
)
def test_the_report_is_in_the_customers_language(
    django_capture_on_commit_callbacks: Capture, language: str, heading: str
) -> None:
    booking = completed_visit(django_capture_on_commit_callbacks, language=language, photos=0)

    report = make(django_capture_on_commit_callbacks, booking)

    html = reports.render_html(reports.report_content(booking))
    assert f'lang="{language}"' in html
    assert ('dir="rtl"' in html) == (language == "ar")
    assert heading in html
    assert booking.reference in pdf_text(report)


@pytest.mark.parametrize(
    "work_done",
    [
        '<img src="file:///etc/passwd"> <script>alert(1)</script>',
        '<link rel="stylesheet" href="http://169.254.169.254/latest/">',
        "</style><style>body{background:url(http://example.invalid/x)}</style>",
        "x" * 20_000,
        "\u202e reversed \u0000 nul \ud7ff",
    ],
)
def test_what_a_technician_writes_is_text_and_fetches_nothing(
    django_capture_on_commit_callbacks: Capture,
    work_done: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fetched: list[str] = []
    from weasyprint.urls import URLFetcher

    original = URLFetcher.fetch

    def watch(self: URLFetcher, url: str, *args: Any, **kwargs: Any) -> Any:
        fetched.append(url)
        return original(self, url, *args, **kwargs)

    monkeypatch.setattr(URLFetcher, "fetch", watch)
    booking = completed_visit(django_capture_on_commit_callbacks, work_done=work_done, photos=1)

    report = make(django_capture_on_commit_callbacks, booking)

    assert stored(report).startswith(b"%PDF-")
    assert all(url.startswith("data:") for url in fetched), fetched
    html = reports.render_html(reports.report_content(booking))
    assert "<script>" not in html
    assert '<img src="file:' not in html


def test_a_photo_that_cannot_be_read_is_left_out_and_the_report_still_made(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    booking = completed_visit(django_capture_on_commit_callbacks, photos=1)
    photo = booking.photos.get()
    storages["private"].delete(photo.file.name)

    report = make(django_capture_on_commit_callbacks, booking)

    assert "Replaced the condensate pump" in pdf_text(report)


def test_the_company_look_and_the_technician_setting_are_followed(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    portal = PortalSettings.load()
    portal.company_name = "Front Range Comfort Co."
    portal.foreground_color = "#0b7285"
    portal.show_technician_details = False
    portal.save()
    booking = completed_visit(django_capture_on_commit_callbacks, photos=0)

    report = make(django_capture_on_commit_callbacks, booking)

    text = pdf_text(report)
    assert "Front Range Comfort Co." in text
    assert "Dana Whitfield" not in text
    assert "#0b7285" in reports.render_css(reports.report_content(booking))


def test_completing_a_visit_asks_the_worker_for_its_report(
    django_capture_on_commit_callbacks: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []

    class Worker:
        class make_service_report:
            @staticmethod
            def enqueue(booking_id: int) -> None:
                asked.append(booking_id)

    monkeypatch.setattr(subscribers, "tasks", Worker)

    booking = completed_visit(django_capture_on_commit_callbacks, photos=0)

    assert asked == [booking.pk]


def test_the_report_ready_event_names_the_visit_and_version(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    booking = completed_visit(django_capture_on_commit_callbacks, photos=0)
    heard: list[dict[str, Any]] = []

    def listen(event: events.Event) -> None:
        heard.append(event.payload)

    events.subscribe("history.report_ready", listen)
    try:
        report = make(django_capture_on_commit_callbacks, booking)
    finally:
        events.unsubscribe("history.report_ready", listen)

    assert {"booking_id": booking.pk, "report_id": report.pk, "version": 1} in heard


def test_the_catch_up_makes_missing_reports_of_recent_visits_only(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    recent = completed_visit(django_capture_on_commit_callbacks, photos=0)
    old = completed_visit(django_capture_on_commit_callbacks, photos=0)
    Booking.objects.filter(pk=old.pk).update(completed_at=timezone.now() - timedelta(days=4))

    with django_capture_on_commit_callbacks(execute=True):
        made = tasks.make_missing_service_reports.call()

    assert made == 1
    assert list(ServiceReport.objects.values_list("booking_id", flat=True)) == [recent.pk]


def test_making_a_report_leaves_the_photo_checks_as_strict_as_before(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """WeasyPrint lets Pillow read truncated images for the whole process once imported."""
    from doorstep.history.photos import PhotoRefused, process_photo

    booking = completed_visit(django_capture_on_commit_callbacks, photos=0)
    make(django_capture_on_commit_callbacks, booking)
    truncated = images.camera_jpeg()[:1500]

    with pytest.raises(PhotoRefused, match="damaged"):
        process_photo(
            io.BytesIO(truncated),
            size=len(truncated),
            max_bytes=10**7,
            max_pixels=2560,
            thumbnail_pixels=400,
        )


def test_a_visit_with_a_corrected_report_can_be_deleted_with_its_files(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    booking = completed_visit(django_capture_on_commit_callbacks, photos=1)
    first = make(django_capture_on_commit_callbacks, booking)
    second = make(django_capture_on_commit_callbacks, booking, correction="Wrong serial number")
    names = [first.file.name, second.file.name]

    with django_capture_on_commit_callbacks(execute=True):
        Booking.objects.filter(pk=booking.pk).delete()

    assert not ServiceReport.objects.exists()
    assert not any(storages["private"].exists(name) for name in names)
