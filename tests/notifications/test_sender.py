"""Emails are from the company: the sender name and reply-to address set in the portal
settings, else the company's name and contact email, at the installation's sending address."""

from __future__ import annotations

from email.utils import parseaddr

import pytest
from django.core import mail
from django.test import Client

from doorstep.configuration.models import PortalSettings
from doorstep.notifications import sending
from tests.configuration.test_admin import admin_url
from tests.configuration.test_portal_settings_page import post
from tests.notifications.conftest import book

pytestmark = pytest.mark.django_db


def company(**values: str) -> PortalSettings:
    portal = PortalSettings.load()
    portal.company_name = "Front Range Comfort Co."
    portal.contact_email = "office@frontrange.example"
    for name, value in values.items():
        setattr(portal, name, value)
    portal.save()
    return PortalSettings.load()


def test_by_default_the_company_sends_and_its_contact_email_gets_the_answers(
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.DEFAULT_FROM_EMAIL = "Doorstep <no-reply@frontrange.example>"
    portal = company()

    assert parseaddr(portal.email_from) == (
        "Front Range Comfort Co.",
        "no-reply@frontrange.example",
    )
    assert portal.email_reply_to_addresses == ["office@frontrange.example"]


def test_the_sender_name_and_reply_to_set_in_the_back_office_win(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEFAULT_FROM_EMAIL = "no-reply@localhost"
    portal = company(email_sender_name="Front Range, dispatch", email_reply_to="desk@fr.example")

    # The comma is quoted: one sender, not a second address.
    assert parseaddr(portal.email_from) == ("Front Range, dispatch", "no-reply@localhost")
    assert portal.email_reply_to_addresses == ["desk@fr.example"]


def test_without_a_contact_email_answers_go_to_the_sender() -> None:
    portal = company(contact_email="")

    assert portal.email_reply_to_addresses == []


def test_staff_set_them_on_the_portal_settings_page_and_messages_use_them(
    staff_client: Client, contact
) -> None:  # type: ignore[no-untyped-def]
    company()
    page = admin_url(PortalSettings, "change", PortalSettings.load().pk)
    response = post(
        staff_client,
        page,
        email_sender_name="Front Range dispatch",
        email_reply_to="desk@frontrange.example",
    )
    assert response.status_code == 200
    book(contact)

    sending.send_due(worker="tests")

    [email] = mail.outbox
    assert parseaddr(email.from_email)[0] == "Front Range dispatch"
    assert email.reply_to == ["desk@frontrange.example"]
