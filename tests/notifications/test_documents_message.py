"""'New documents for your visit': sent when the office publishes a visit's document and
asks to tell the customer, by the channels the portal's settings allow, once a document."""

from __future__ import annotations

import io

import pytest

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.history import services
from doorstep.history.models import Document, DocumentType
from doorstep.notifications.models import MessageType, Notification, NotificationState
from doorstep.scheduling.models import Booking, BookingStatus
from tests.history import images
from tests.notifications.conftest import book

pytestmark = pytest.mark.django_db


def office_document(booking: Booking, title: str = "Invoice 1042") -> Document:
    return services.add_document(
        upload=io.BytesIO(images.PDF),
        size=len(images.PDF),
        name="invoice.pdf",
        title=title,
        document_type=DocumentType.INVOICE,
        booking=booking,
    )


def completed(contact: Contact) -> Booking:
    booking = book(contact)
    Booking.objects.filter(pk=booking.pk).update(
        status=BookingStatus.COMPLETED, completed_at=booking.end
    )
    booking.refresh_from_db()
    return booking


def told(booking: Booking) -> dict[str, Notification]:
    return {
        n.channel: n
        for n in Notification.objects.filter(booking=booking, message_type=MessageType.DOCUMENTS)
    }


def test_publishing_with_the_message_tells_the_visits_recipients(contact: Contact) -> None:
    booking = completed(contact)
    document = office_document(booking)

    services.publish_document(document=document, published_by=None, tell_customer=True)

    sent = told(booking)
    assert set(sent) == {"email", "sms"}
    assert sent["email"].address == "pat@example.test"
    assert sent["email"].subject == f"New documents for your visit ({booking.reference})"
    assert (
        "There is a new document for your Boiler service visit: Invoice 1042." in sent["email"].body
    )
    assert "[visit link]" in sent["email"].body
    assert "[visit link]" in sent["sms"].body
    assert sent["email"].state == NotificationState.PENDING


def test_publishing_without_the_message_tells_nobody(contact: Contact) -> None:
    booking = completed(contact)

    services.publish_document(
        document=office_document(booking), published_by=None, tell_customer=False
    )

    assert told(booking) == {}


def test_each_published_document_is_news_of_its_own(contact: Contact) -> None:
    booking = completed(contact)

    for title in ("Invoice 1042", "Gas certificate"):
        services.publish_document(
            document=office_document(booking, title), published_by=None, tell_customer=True
        )

    assert Notification.objects.filter(message_type=MessageType.DOCUMENTS).count() == 4


def test_the_message_is_switched_off_in_the_portal_settings(contact: Contact) -> None:
    portal = PortalSettings.load()
    portal.notify_documents = False
    portal.save()
    booking = completed(contact)

    services.publish_document(
        document=office_document(booking), published_by=None, tell_customer=True
    )

    assert told(booking) == {}


def test_the_message_is_in_the_contacts_language(contact: Contact) -> None:
    contact.preferred_language = "es"
    contact.save()
    booking = completed(contact)

    services.publish_document(
        document=office_document(booking), published_by=None, tell_customer=True
    )

    email = told(booking)["email"]
    assert email.subject == f"Documentos nuevos de su visita ({booking.reference})"
    assert "Véalo y descárguelo" in email.body


def test_a_visit_to_come_gets_no_message_its_page_would_not_show(contact: Contact) -> None:
    booking = book(contact)

    services.publish_document(
        document=office_document(booking), published_by=None, tell_customer=True
    )

    assert told(booking) == {}
