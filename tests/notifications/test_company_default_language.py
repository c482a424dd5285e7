"""A contact who never chose a language gets messages in the company's default language,
the portal setting, whatever the installation was started with, and follows it when the
office changes it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings

from doorstep.access.invitations import invite_contact
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.notifications import sending
from tests.factories import ContactFactory
from tests.notifications.conftest import book

pytestmark = pytest.mark.django_db


def company_language(code: str) -> None:
    portal = PortalSettings.load()
    portal.default_language = code
    portal.save()


def test_a_new_contact_has_no_language_of_their_own() -> None:
    assert ContactFactory().preferred_language == ""


@override_settings(LANGUAGE_CODE="en")
def test_a_contact_without_a_language_is_invited_in_the_company_s_default_language() -> None:
    company_language("de")
    invite_contact(contact=ContactFactory(email="robin@example.test"))

    sending.send_due(worker="tests")

    [message] = mail.outbox
    assert message.subject.startswith("Ihre Einladung")
    assert "Passwort festlegen" in message.alternatives[0][0]


@override_settings(LANGUAGE_CODE="en")
def test_visit_messages_follow_the_company_s_default_language_when_it_changes(
    contact: Contact,
) -> None:
    company_language("fr")
    book(contact)
    sending.send_due(worker="tests")
    company_language("es")
    book(contact)
    sending.send_due(worker="tests")

    in_french, in_spanish = (m for m in mail.outbox if m.to == [contact.email])
    assert 'lang="fr"' in in_french.alternatives[0][0]
    assert 'lang="es"' in in_spanish.alternatives[0][0]


def test_a_contact_s_own_language_comes_before_the_company_s(contact: Contact) -> None:
    company_language("de")
    Contact.objects.filter(pk=contact.pk).update(preferred_language="ar")
    contact.refresh_from_db()
    book(contact)

    sending.send_due(worker="tests")

    assert all('lang="ar"' in m.alternatives[0][0] for m in mail.outbox if m.to == [contact.email])
