"""The company's own words on customer pages, in the reader's language: its page title,
footer and contact lines, and its service types' names and descriptions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from doorstep.access.visit_links import issue_visit_link
from doorstep.catalog.models import IncidentType
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.scheduling.models import Booking
from tests.factories import (
    AccountFactory,
    BookingFactory,
    ContactFactory,
    IncidentTypeFactory,
    UserFactory,
    WorkOrderFactory,
)

START = datetime(2031, 1, 14, 16, 0, tzinfo=UTC)
BOILER = {
    "es": {"display_name": "Revisión de la caldera", "description": "Una revisión al año."},
    "ar": {"display_name": "صيانة المرجل"},
    "de": {"display_name": "Kesselwartung"},
}


def text(response: HttpResponse) -> str:
    """What a person reads: the page without its tags."""
    page = " ".join(response.content.decode().split())
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


def company(**values: object) -> PortalSettings:
    portal = PortalSettings.load()
    portal.company_name = "Front Range Heating"
    portal.page_title = "Your heating visits"
    portal.page_footer = "Open every weekday."
    portal.contact_phone = "+1 303 555 0100"
    portal.translations = {
        "es": {"page_title": "Tus visitas de calefacción", "contact_phone": "+1 303 555 0199"},
        "de": {"page_footer": "Werktags geöffnet."},
    }
    for name, value in values.items():
        setattr(portal, name, value)
    portal.full_clean()
    portal.save()
    cache.clear()  # rate limits' counters
    return portal


def boiler_service(**fields: object) -> IncidentType:
    return IncidentTypeFactory(
        display_name="Boiler service",
        description="A yearly check.",
        portal_enabled=True,
        translations=BOILER,
        **fields,
    )


def contact_speaking(language: str) -> Contact:
    return ContactFactory(
        user=UserFactory(),
        account=AccountFactory(time_zone="America/Denver"),
        preferred_language=language,
        profile_reviewed_at=timezone.now(),
    )


def visit_for(contact: Contact, service: IncidentType) -> Booking:
    start = max(START, timezone.now() + timedelta(days=2))
    booking: Booking = BookingFactory(
        work_order=WorkOrderFactory(account=contact.account, incident_type=service),
        start=start,
        end=start + timedelta(hours=2),
    )
    return booking


@pytest.mark.django_db
def test_a_spanish_contact_reads_the_company_and_its_service_in_spanish(client: Client) -> None:
    company()
    contact = contact_speaking("es")
    visit_for(contact, boiler_service())
    client.force_login(contact.user)

    home = text(client.get(reverse("portal:home")))
    book = text(client.get(reverse("portal:book")))

    assert "Revisión de la caldera" in home
    assert "Boiler service" not in home
    assert "Tus visitas de calefacción" in home  # the page title, in Spanish
    assert "+1 303 555 0199" in home  # the Spanish line
    assert "Open every weekday." in home  # no Spanish footer: the default language's
    assert "Revisión de la caldera" in book
    assert "Una revisión al año." in book


@pytest.mark.django_db
def test_a_language_without_wording_of_its_own_reads_the_company_default_languages(
    client: Client,
) -> None:
    company(default_language="de")
    contact = contact_speaking("fr")
    visit_for(contact, boiler_service())
    client.force_login(contact.user)

    home = text(client.get(reverse("portal:home")))

    assert "Kesselwartung" in home
    assert "Werktags geöffnet." in home


@pytest.mark.django_db
def test_the_visit_link_reads_in_the_language_of_the_contact_it_was_sent_to(
    client: Client,
) -> None:
    company()
    contact = contact_speaking("ar")
    booking = visit_for(contact, boiler_service())
    path = reverse("visit_link", args=[issue_visit_link(booking=booking, contact=contact)])

    page = text(client.get(path))
    calendar = client.get(f"{path}calendar.ics").content.decode()

    assert "صيانة المرجل" in page
    assert "Boiler service" not in page
    assert "صيانة المرجل" in calendar.replace("\r\n ", "")


@pytest.mark.django_db
def test_the_company_default_language_speaks_to_a_browser_that_asks_for_none(
    client: Client,
) -> None:
    company(default_language="es")

    page = client.get(reverse("account_login"))
    asked_for_german = client.get(reverse("account_login"), headers={"accept-language": "de"})

    assert page["Content-Language"] == "es"
    assert 'lang="es"' in page.content.decode()
    assert "Tus visitas de calefacción" in text(page)
    assert asked_for_german["Content-Language"] == "de"


@pytest.mark.django_db
def test_a_visitor_who_asks_for_no_language_reads_the_company_default_after_it_changes(
    client: Client,
) -> None:
    company(default_language="fr")
    assert client.get(reverse("account_login"))["Content-Language"] == "fr"

    company(default_language="ar")  # saved in the back office: the cache forgets

    assert client.get(reverse("account_login"))["Content-Language"] == "ar"


def home_queries(client: Client, contact: Contact) -> int:
    client.force_login(contact.user)
    client.get(reverse("portal:home"))  # the settings are then in the cache
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("portal:home"))
    client.logout()
    return len(queries)


@pytest.mark.django_db(transaction=True)
def test_the_company_words_cost_the_home_page_no_query(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """The session, the user, the contact, and the account's visits with their service
    type (its translations included), equipment, technician and feedback: as many
    queries for a Spanish reader of translated words as for an English one of none."""
    company(translations={})
    plain = IncidentTypeFactory(display_name="Boiler service", translations={})
    english = contact_speaking("en")
    for _ in range(3):
        visit_for(english, plain)
    untranslated = home_queries(client, english)

    company(default_language="de")
    spanish = contact_speaking("es")
    service = boiler_service(name="Boiler")
    for _ in range(3):
        visit_for(spanish, service)
    client.force_login(spanish.user)
    client.get(reverse("portal:home"))

    with django_assert_num_queries(untranslated):
        response = client.get(reverse("portal:home"))

    assert text(response).count("Revisión de la caldera") == 3


@pytest.mark.django_db
def test_a_changed_translation_shows_at_once_on_pages_kept_in_the_cache(client: Client) -> None:
    company()
    contact = contact_speaking("es")
    service = boiler_service()
    booking = visit_for(contact, service)
    link = reverse("visit_link", args=[issue_visit_link(booking=booking, contact=contact)])
    client.force_login(contact.user)
    client.get(reverse("portal:home"))
    client.get(link)

    service.translations = {"es": {"display_name": "Mantenimiento de la caldera"}}
    service.save()

    assert "Mantenimiento de la caldera" in text(client.get(reverse("portal:home")))
    assert "Mantenimiento de la caldera" in text(client.get(link))


@pytest.mark.django_db
def test_the_booking_page_lists_the_services_in_the_order_of_the_readers_names(
    client: Client,
) -> None:
    company()
    for english, spanish in [("Appliance repair", "Reparación"), ("Boiler", "Caldera")]:
        IncidentTypeFactory(
            display_name=english,
            portal_enabled=True,
            translations={"es": {"display_name": spanish}},
        )
    contact = contact_speaking("es")
    client.force_login(contact.user)

    page = text(client.get(reverse("portal:book")))

    assert page.index("Caldera") < page.index("Reparación")
