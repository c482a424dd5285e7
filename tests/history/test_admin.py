"""The back office: documents added to a visit, a site or equipment, published on purpose;
a visit's photos, record and reports read on its page; a corrected report with a reason."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorstep.core import events
from doorstep.history import services
from doorstep.history.models import Document, DocumentType, ServiceReport, Visibility
from doorstep.notifications.models import Notification
from doorstep.scheduling.models import BookingStatus
from tests.factories import (
    AssetFactory,
    BookingFactory,
    ContactFactory,
    FunctionalLocationFactory,
    UserFactory,
)
from tests.history import images
from tests.history.test_reports import completed_visit, make
from tests.scheduling.admin.pages import error_text, inline_management

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def add_on_page(
    client: Client, url: str, content: bytes, name: str, capture: Capture, **fields: str
) -> Any:
    """Post the object's page as a browser does, with one new document in the add inline."""
    page = client.get(url)
    data = inline_management(client, url)
    data |= _main_fields(page)
    data |= {
        "documents-2-0-upload": SimpleUploadedFile(name, content),
        "documents-2-0-type": fields.get("type", DocumentType.INVOICE),
        "documents-2-0-title": fields.get("title", "Invoice 1042"),
        "documents-2-0-visibility": fields.get("visibility", Visibility.INTERNAL),
    }
    with capture(execute=True):
        return client.post(url, data)


def stored_documents() -> set[str]:
    storage = storages["private"]
    return (
        set(storage.listdir("history/documents")[1])
        if storage.exists("history/documents")
        else set()
    )


def _main_fields(page: Any) -> dict[str, Any]:
    """What the main form shows, sent back unchanged."""
    form = page.context["adminform"].form
    sent: dict[str, Any] = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None:
            continue
        widget = field.widget
        if hasattr(widget, "widgets") and isinstance(value, list | tuple):
            for index, part in enumerate(
                widget.decompress(value) if not isinstance(value, list) else value
            ):
                sent[f"{name}_{index}"] = "" if part is None else part
        else:
            sent[name] = value
    return sent


def test_the_office_attaches_a_pdf_to_a_site(
    staff_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    site = FunctionalLocationFactory()
    url = reverse("admin:customers_functionallocation_change", args=[site.pk])

    response = add_on_page(
        staff_client,
        url,
        images.PDF,
        "../../Gas certificate.pdf",
        django_capture_on_commit_callbacks,
        type=DocumentType.CERTIFICATE,
        title="Gas safety 2026",
    )

    assert response.status_code == 302, error_text(response)
    document = Document.objects.get()
    assert (document.site, document.account, document.title) == (
        site,
        site.account,
        "Gas safety 2026",
    )
    assert document.file_name == "Gas certificate.pdf"
    assert document.visibility == Visibility.INTERNAL
    assert document.published_at is None
    assert storages["private"].exists(document.file.name)
    page = staff_client.get(url).content.decode()
    assert "Gas safety 2026" in page
    assert "Publish to the customer" in page


def test_the_office_attaches_a_png_to_equipment(
    staff_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    asset = AssetFactory()
    url = reverse("admin:customers_asset_change", args=[asset.pk])

    response = add_on_page(
        staff_client,
        url,
        images.png(),
        "nameplate.png",
        django_capture_on_commit_callbacks,
        type=DocumentType.MANUAL,
        title="Nameplate",
    )

    assert response.status_code == 302, error_text(response)
    assert Document.objects.get().asset == asset


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (images.SVG, "invoice.pdf", "Only PDF, JPEG and PNG files can be attached."),
        (images.HTML, "invoice.html", "Only PDF, JPEG and PNG files can be attached."),
        (b"", "empty.pdf", "The submitted file is empty."),
    ],
)
def test_a_refused_file_says_why_and_keeps_what_was_typed(
    staff_client: Client,
    django_capture_on_commit_callbacks: Capture,
    content: bytes,
    name: str,
    reason: str,
) -> None:
    booking = BookingFactory()
    url = reverse("admin:scheduling_booking_change", args=[booking.pk])
    before = stored_documents()

    response = add_on_page(
        staff_client,
        url,
        content,
        name,
        django_capture_on_commit_callbacks,
        title="Quote for the new boiler",
    )

    assert response.status_code == 200
    page = error_text(response)
    assert reason in page
    assert 'value="Quote for the new boiler"' in page
    assert not Document.objects.exists()
    assert stored_documents() == before


def test_a_file_over_the_limit_is_refused_on_the_list_page(
    staff_client: Client, settings: Any
) -> None:
    settings.DOORSTEP_DOCUMENT_MAX_MB = 1
    booking = BookingFactory()
    big = images.PDF + b"0" * (1024 * 1024)

    response = staff_client.post(
        reverse("admin:history_document_add"),
        {
            "booking": booking.pk,
            "upload": SimpleUploadedFile("big.pdf", big),
            "type": DocumentType.INVOICE,
            "title": "Big invoice",
            "visibility": Visibility.INTERNAL,
        },
    )

    assert response.status_code == 200
    assert "This file is larger than 1 MB." in error_text(response)
    assert not Document.objects.exists()


def test_a_document_from_the_list_needs_one_thing_to_attach_to(staff_client: Client) -> None:
    response = staff_client.post(
        reverse("admin:history_document_add"),
        {
            "booking": BookingFactory().pk,
            "site": FunctionalLocationFactory().pk,
            "upload": SimpleUploadedFile("a.pdf", images.PDF),
            "type": DocumentType.INVOICE,
            "title": "Invoice",
            "visibility": Visibility.INTERNAL,
        },
    )

    assert response.status_code == 200
    assert "Choose one visit, one site or one piece of equipment." in error_text(response)
    assert not Document.objects.exists()


def document_of(booking: Any = None, **options: Any) -> Document:
    from tests.history.test_documents import attach

    return attach(booking or BookingFactory(), images.PDF, **options)


def test_the_list_filters_by_visibility_and_account(staff_client: Client) -> None:
    internal = document_of(title="Quote 7")
    published = document_of(title="Invoice 9", visibility=Visibility.CUSTOMER)
    url = reverse("admin:history_document_changelist")

    shown = staff_client.get(url, {"visibility": "customer"}).content.decode()
    assert "Invoice 9" in shown
    assert "Quote 7" not in shown

    shown = staff_client.get(url, {"account__id__exact": internal.account_id}).content.decode()
    assert "Quote 7" in shown
    assert "Invoice 9" not in shown
    assert published.account_id != internal.account_id


def test_publishing_asks_first_then_shows_the_document_to_the_customer(
    staff_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    visit = BookingFactory(status=BookingStatus.COMPLETED, completed_at=timezone.now())
    document = document_of(visit, title="Invoice 1042")
    url = reverse("admin:history_document_publish", args=[document.pk])
    heard: list[events.Event] = []
    events.subscribe("document.published", heard.append)
    try:
        page = staff_client.get(url)
        assert page.status_code == 200
        assert "Publish “Invoice 1042” to the customer?" in page.content.decode()
        document.refresh_from_db()
        assert document.published_at is None  # asking changes nothing

        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(url, {"tell_customer": "on"})
    finally:
        events.unsubscribe("document.published", heard.append)

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.visibility == Visibility.CUSTOMER
    assert document.published_at is not None
    [event] = heard
    assert event.payload["document_id"] == document.pk
    assert event.payload["tell_customer"] is True


def test_a_published_document_is_not_published_again(staff_client: Client) -> None:
    document = document_of(visibility=Visibility.CUSTOMER)
    published_at = document.published_at

    staff_client.post(reverse("admin:history_document_publish", args=[document.pk]), {})

    document.refresh_from_db()
    assert document.published_at == published_at


def test_the_booking_page_shows_photos_record_and_report(
    staff_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    booking = completed_visit(django_capture_on_commit_callbacks, photos=2)
    report = make(django_capture_on_commit_callbacks, booking)

    page = staff_client.get(reverse("admin:scheduling_booking_change", args=[booking.pk]))

    text = page.content.decode()
    for photo in booking.photos.all():
        assert reverse("portal:file", args=["thumbnail", photo.pk]) in text
    assert "Replaced the condensate pump" in text
    assert "Customer&#x27;s dog bites" in text
    assert reverse("portal:file", args=["report", report.pk]) in text
    thumbnail = staff_client.get(
        reverse("portal:file", args=["thumbnail", booking.photos.first().pk])
    )
    assert thumbnail.status_code == 200


def test_a_corrected_report_is_made_with_its_reason(
    staff_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    booking = completed_visit(django_capture_on_commit_callbacks, photos=0)
    first = make(django_capture_on_commit_callbacks, booking)
    url = reverse("admin:history_servicereport_correct", args=[first.pk])

    assert staff_client.post(url, {"reason": "  "}).status_code == 200
    assert ServiceReport.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"reason": "The serial number was wrong"})

    assert response.status_code == 302
    second = ServiceReport.objects.get(version=2)
    assert second.supersedes == first


def test_a_document_of_a_visit_to_come_is_published_without_a_message(
    staff_client: Client,
) -> None:
    document = document_of(title="Quote 7")
    url = reverse("admin:history_document_publish", args=[document.pk])

    page = staff_client.get(url).content.decode()
    assert "No message is sent" in page
    assert "tell_customer" not in page


def test_an_equipment_document_is_published_with_its_message_to_the_main_person(
    staff_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    contact = ContactFactory(user=UserFactory(), email="pat@example.test")
    account = contact.account
    account.primary_contact = contact
    account.save()
    boiler = AssetFactory(account=account, name="Boiler")
    with django_capture_on_commit_callbacks(execute=True):
        document = services.add_document(
            upload=io.BytesIO(images.PDF),
            size=len(images.PDF),
            name="certificate.pdf",
            title="Gas safety certificate",
            document_type=DocumentType.CERTIFICATE,
            asset=boiler,
        )
    url = reverse("admin:history_document_publish", args=[document.pk])

    page = staff_client.get(url).content.decode()
    assert "tell_customer" in page
    assert "The account's main contact gets it, with a link to the equipment's page" in page
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"tell_customer": "on"})

    told = Notification.objects.filter(document=document, channel="email").get()
    assert told.address == "pat@example.test"
    assert told.subject == "A new document for Boiler"
