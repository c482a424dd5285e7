"""Messages carry the company's own words in the recipient's language: the service type's
name in the text, the text message and the calendar file, and the company's name."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.notifications import sending
from doorstep.notifications.models import MessageType, Notification
from doorstep.scheduling import services
from doorstep.scheduling.models import WorkOrderSource
from tests.factories import IncidentTypeFactory, ResourceFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spanish(contact: Contact) -> Contact:
    contact.preferred_language = "es"
    contact.save()
    portal = PortalSettings.load()
    portal.company_name = "Front Range Comfort Co."
    portal.translations = {"es": {"company_name": "Confort Front Range"}}
    portal.save()
    return contact


def test_a_spanish_contact_is_told_of_the_service_by_its_spanish_name(spanish: Contact) -> None:
    service = IncidentTypeFactory(
        display_name="Boiler service",
        translations={
            "es": {"display_name": "Revisión de la caldera"},
            "fr": {"display_name": "Entretien de la chaudière"},
        },
    )
    start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    booking = services.create_booking(
        work_order=WorkOrderFactory(
            account=spanish.account,
            reported_by=spanish,
            incident_type=service,
            source=WorkOrderSource.PORTAL,
        ),
        resource=ResourceFactory(),
        start=start,
        end=start + timedelta(hours=1),
    )

    email = Notification.objects.get(
        booking=booking, message_type=MessageType.CONFIRMED, channel="email"
    )
    sms = Notification.objects.get(
        booking=booking, message_type=MessageType.CONFIRMED, channel="sms"
    )
    [event] = Calendar.from_ical(email.calendar).walk("VEVENT")

    for message in (email.subject + email.body, email.body_html, sms.body):
        assert "Boiler service" not in message
    assert "Revisión de la caldera" in email.body
    assert sms.body.startswith("Confort Front Range")
    assert "Confort Front Range" in email.body_html
    assert str(event["SUMMARY"]) == "Revisión de la caldera – Confort Front Range"


def test_a_spanish_contact_gets_email_from_the_companys_spanish_name(spanish: Contact) -> None:
    portal = PortalSettings.load()
    portal.contact_email = "office@frontrange.example"
    portal.translations = {
        "es": {"company_name": "Confort Front Range", "contact_email": "oficina@frontrange.example"}
    }
    portal.save()
    start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    services.create_booking(
        work_order=WorkOrderFactory(
            account=spanish.account, reported_by=spanish, source=WorkOrderSource.PORTAL
        ),
        resource=ResourceFactory(),
        start=start,
        end=start + timedelta(hours=1),
    )

    sending.send_due(worker="tests")

    [email] = mail.outbox
    assert parseaddr(email.from_email)[0] == "Confort Front Range"
    assert email.reply_to == ["oficina@frontrange.example"]
