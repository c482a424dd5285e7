"""A new contact or technician has no language of their own until they choose one: the
company's default language and their browser speak for them (decision 0018)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.workforce.models import Resource
from tests.factories import AccountFactory, ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def company_language(code: str) -> None:
    portal = PortalSettings.load()
    portal.default_language = code
    portal.save()


def new_contact() -> Contact:
    """A contact as the back office or an import creates one: no language named."""
    return Contact.objects.create(
        account=AccountFactory(),
        first_name="Sam",
        last_name="Lee",
        email="sam@example.test",
        user=UserFactory(),
        profile_reviewed_at=timezone.now(),
    )


def test_a_new_contact_reads_the_company_s_language_then_the_browser_s(client: Client) -> None:
    contact = new_contact()
    company_language("fr")
    client.force_login(contact.user)

    assert contact.preferred_language == ""
    assert client.get(reverse("portal:home"))["Content-Language"] == "fr"
    asked = client.get(reverse("portal:home"), headers={"accept-language": "de"})
    assert asked["Content-Language"] == "de"


def test_the_profile_of_a_contact_without_a_language_offers_the_one_they_read(
    client: Client,
) -> None:
    contact = new_contact()
    company_language("es")
    client.force_login(contact.user)

    page = client.get(reverse("portal:profile")).content.decode()

    assert '<option value="es" selected>' in page


def test_a_new_technician_s_app_speaks_the_company_s_language() -> None:
    technician = Resource.objects.create(
        display_name="Alex", user=UserFactory(), home_latitude="39.74", home_longitude="-104.99"
    )
    company_language("de")
    client = Client()
    client.force_login(technician.user)

    assert technician.preferred_language == ""
    assert client.get(reverse("technician:visits"))["Content-Language"] == "de"
    assert ResourceFactory().preferred_language == ""
