"""'A new document for your boiler': a site's or a piece of equipment's own document,
published with its message, tells the account's main person where to find it."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core import mail

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Asset, Contact, FunctionalLocation
from doorstep.history import services
from doorstep.history.models import Document, DocumentType
from doorstep.notifications import sending
from doorstep.notifications.models import MessageType, Notification, NotificationState
from doorstep.notifications.place_documents import CANNOT_SIGN_IN
from tests.factories import AssetFactory, FunctionalLocationFactory, UserFactory
from tests.history import images

pytestmark = pytest.mark.django_db
SITE = settings.DOORSTEP_BASE_URL.rstrip("/")


@pytest.fixture
def signed_up(contact: Contact) -> Contact:
    contact.user = UserFactory(email=contact.email)
    contact.save()
    return contact


def publish(
    *, tell: bool = True, title: str = "Gas safety certificate", **place: object
) -> Document:
    document = services.add_document(
        upload=io.BytesIO(images.PDF),
        size=len(images.PDF),
        name="certificate.pdf",
        title=title,
        document_type=DocumentType.CERTIFICATE,
        **place,  # type: ignore[arg-type]
    )
    return services.publish_document(document=document, published_by=None, tell_customer=tell)


def told(document: Document) -> dict[str, Notification]:
    return {n.channel: n for n in Notification.objects.filter(document=document)}


def boiler_of(contact: Contact) -> Asset:
    return AssetFactory(account=contact.account, name="Boiler")


def test_an_equipment_document_tells_the_main_person_where_to_find_it(signed_up: Contact) -> None:
    boiler = boiler_of(signed_up)

    sent = told(publish(asset=boiler))

    assert set(sent) == {"email", "sms"}
    page = f"{SITE}/equipment/{boiler.pk}/#equipment-documents"
    email = sent["email"]
    assert email.address == "pat@example.test"
    assert email.message_type == MessageType.DOCUMENTS
    assert email.state == NotificationState.PENDING
    assert email.subject == "A new document for Boiler"
    assert "Hello Pat," in email.body
    assert "There is a new document for Boiler: Gas safety certificate." in email.body
    assert f"See and download it once signed in: {page}" in email.body
    assert f'href="{page}"' in email.body_html
    assert page in sent["sms"].body
    assert sent["sms"].body.startswith(f"{PortalSettings.load().company_name}: a new document")


def test_a_site_document_leads_to_the_site_s_history(signed_up: Contact) -> None:
    site: FunctionalLocation = FunctionalLocationFactory(
        account=signed_up.account, name="Warehouse"
    )

    sent = told(publish(site=site, title="Fire inspection"))

    assert sent["email"].subject == "A new document for Warehouse"
    assert f"{SITE}/history/?site={site.pk}#site-documents" in sent["email"].body


def test_it_is_sent_with_its_link(signed_up: Contact) -> None:
    boiler = boiler_of(signed_up)
    publish(asset=boiler)

    sending.send_due(worker="tests")

    [email] = [m for m in mail.outbox if m.to == ["pat@example.test"]]
    assert email.subject == "A new document for Boiler"
    assert f"{SITE}/equipment/{boiler.pk}/#equipment-documents" in str(email.body)
    assert Notification.objects.filter(state=NotificationState.SENT).count() == 2


def test_a_main_person_who_cannot_sign_in_is_not_sent_to_a_page_they_cannot_open(
    contact: Contact,
) -> None:
    sent = told(publish(asset=boiler_of(contact)))

    assert {n.state for n in sent.values()} == {NotificationState.SKIPPED}
    assert {n.skip_reason for n in sent.values()} == {CANNOT_SIGN_IN}
    assert sent["email"].body == ""


def test_a_blocked_sign_in_counts_as_none(signed_up: Contact) -> None:
    assert signed_up.user is not None
    signed_up.user.is_active = False
    signed_up.user.save()

    sent = told(publish(asset=boiler_of(signed_up)))

    assert {n.skip_reason for n in sent.values()} == {CANNOT_SIGN_IN}


def test_an_excluded_account_hears_nothing_and_the_office_sees_why(signed_up: Contact) -> None:
    PortalSettings.load().excluded_accounts.add(signed_up.account)

    sent = told(publish(asset=boiler_of(signed_up)))

    assert {n.skip_reason for n in sent.values()} == {"the account is on the exclusion list"}


def test_switched_off_or_not_asked_for_it_is_not_written(signed_up: Contact) -> None:
    boiler = boiler_of(signed_up)
    assert told(publish(asset=boiler, tell=False)) == {}
    portal = PortalSettings.load()
    portal.notify_documents = False
    portal.save()
    assert told(publish(asset=boiler, title="Manual")) == {}


def test_in_the_main_person_s_language(signed_up: Contact) -> None:
    signed_up.preferred_language = "es"
    signed_up.save()

    email = told(publish(asset=boiler_of(signed_up)))["email"]

    assert email.language == "es"
    assert email.subject == "Un documento nuevo para Boiler"
    assert 'lang="es"' in email.body_html
