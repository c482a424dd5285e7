"""Account emails (password reset, address confirmation, sign-in codes) come from the
company, in the look of its other messages and the contact's language, and still work:
the link and the code they carry let the customer in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.utils import parseaddr

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from tests.factories import ContactFactory, UserFactory
from tests.notifications.emails import Links, Sent

pytestmark = pytest.mark.django_db

ADDRESS = "robin@example.test"


@pytest.fixture(autouse=True)
def no_attempts_counted() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def customer() -> Contact:
    portal = PortalSettings.load()
    portal.company_name = "Acme Heating"
    portal.contact_email = "office@acme.example"
    portal.email_sender_name = "Acme Heating office"
    portal.email_reply_to = "help@acme.example"
    portal.save()
    contact: Contact = ContactFactory(
        email=ADDRESS, user=UserFactory(email=ADDRESS), preferred_language="en"
    )
    return contact


def the_email() -> Sent:
    [message] = mail.outbox
    return Sent("account", message)


def test_the_password_reset_link_is_a_link_that_opens_the_reset_page(
    client: Client, customer: Contact
) -> None:
    client.post(reverse("account_reset_password"), {"email": ADDRESS})

    sent = the_email()
    [link] = [href for href, _text in Links.of(sent.html).link_texts if "/password/" in href]
    assert link in sent.message.body
    assert "<title>" in sent.html
    assert "Acme Heating" in sent.html
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert "password1" in response.content.decode()


def test_the_sign_in_code_arrives_in_both_parts_and_signs_in(
    client: Client, customer: Contact
) -> None:
    client.post(reverse("account_request_login_code"), {"email": ADDRESS})

    sent = the_email()
    found = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", sent.message.body, re.MULTILINE)
    assert found, sent.message.body
    assert found.group(1) in sent.html
    client.post(reverse("account_confirm_login_code"), {"code": found.group(1)})
    assert "_auth_user_id" in client.session


def test_account_emails_are_from_the_company_with_its_reply_to(
    client: Client, customer: Contact
) -> None:
    client.post(reverse("account_reset_password"), {"email": ADDRESS})

    message = the_email().message
    assert parseaddr(message.from_email)[0] == "Acme Heating office"
    assert message.reply_to == ["help@acme.example"]
    assert message.subject.endswith("Acme Heating")


def test_account_emails_are_in_the_contacts_language(client: Client, customer: Contact) -> None:
    Contact.objects.filter(pk=customer.pk).update(preferred_language="es")

    client.post(reverse("account_reset_password"), {"email": ADDRESS})

    sent = the_email()
    assert "Alguien, probablemente usted, ha pedido restablecer la contraseña" in sent.message.body
    assert sent.message.subject == "Elija una nueva contraseña · Acme Heating"
    assert '<html lang="es" dir="ltr">' in sent.html


def test_account_emails_name_the_company_as_it_is_called_in_the_contacts_language(
    client: Client, customer: Contact
) -> None:
    portal = PortalSettings.load()
    portal.translations = {"es": {"company_name": "Acme Calefacción"}}
    portal.save()
    Contact.objects.filter(pk=customer.pk).update(preferred_language="es")

    client.post(reverse("account_reset_password"), {"email": ADDRESS})

    sent = the_email()
    assert sent.message.subject == "Elija una nueva contraseña · Acme Calefacción"
    assert "portal de clientes de Acme Calefacción" in sent.message.body


def test_account_emails_are_from_the_sender_named_in_the_contacts_language(
    client: Client, customer: Contact
) -> None:
    portal = PortalSettings.load()
    portal.translations = {"de": {"email_sender_name": "Acme Heizung Kundendienst"}}
    portal.save()
    Contact.objects.filter(pk=customer.pk).update(preferred_language="de")

    client.post(reverse("account_reset_password"), {"email": ADDRESS})

    assert parseaddr(the_email().message.from_email)[0] == "Acme Heizung Kundendienst"
