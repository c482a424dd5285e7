"""The back office's pages for the company's words in each language: the portal settings
and a service type, each language in its own fieldset, empty fields showing their fallback."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from doorstep.catalog.models import IncidentType
from doorstep.configuration.models import PortalSettings
from tests.configuration.test_admin import posted_values
from tests.factories import IncidentTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def settings_page() -> str:
    portal = PortalSettings.load()
    portal.page_title = "Your heating visits"
    portal.default_language = "fr"
    portal.translations = {"fr": {"page_title": "Vos visites de chauffage"}}
    portal.save()
    return reverse("admin:configuration_portalsettings_change", args=[portal.pk])


def form_of(client: Client, page: str) -> Any:
    return client.get(page).context["adminform"].form


def test_an_empty_translation_shows_what_its_readers_get_instead(
    staff_client: Client, settings_page: str
) -> None:
    form = form_of(staff_client, settings_page)

    spanish = form.fields["page_title__es"].widget.attrs
    french = form.fields["page_title__fr"].widget.attrs
    assert spanish["placeholder"] == "Vos visites de chauffage"  # the default language's
    assert french["placeholder"] == "Your heating visits"  # the default's own fallback
    assert form["page_title__fr"].value() == "Vos visites de chauffage"
    assert form.fields["page_title__ar"].widget.attrs["dir"] == "rtl"
    page = staff_client.get(settings_page).content.decode()
    assert 'placeholder="Vos visites de chauffage"' in page


def test_the_settings_page_saves_each_language_and_an_emptied_one_falls_back(
    staff_client: Client, settings_page: str
) -> None:
    data = posted_values(form_of(staff_client, settings_page)) | {
        "page_title__es": "Tus visitas de calefacción",
        "contact_phone__es": "+1 303 555 0199",
        "page_title__fr": "",
        "default_language": "es",
    }

    response = staff_client.post(settings_page, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    portal = PortalSettings.load()
    assert portal.default_language == "es"
    assert portal.translations == {
        "es": {"page_title": "Tus visitas de calefacción", "contact_phone": "+1 303 555 0199"}
    }
    assert portal.word("page_title", "fr") == "Tus visitas de calefacción"


def test_a_translation_that_does_not_fit_is_refused_on_its_field_and_nothing_is_saved(
    staff_client: Client, settings_page: str
) -> None:
    data = posted_values(form_of(staff_client, settings_page)) | {
        "contact_email__de": "not an address",
        "company_name__es": "x" * 101,
        "page_title__es": "Tus visitas",
    }

    response = staff_client.post(settings_page, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "contact_email__de" in errors
    assert "company_name__es" in errors
    assert "es" not in PortalSettings.load().translations


def test_a_service_type_page_edits_its_name_and_description_in_each_language(
    staff_client: Client,
) -> None:
    service = IncidentTypeFactory(
        display_name="Boiler service",
        description="A yearly check.",
        translations={"es": {"display_name": "Revisión de la caldera"}},
    )
    page = reverse("admin:catalog_incidenttype_change", args=[service.pk])
    response = staff_client.get(page)
    form = response.context["adminform"].form
    names = [fieldset.name for fieldset in response.context["adminform"]]

    assert "Español" in names
    assert "العربية" in names
    assert form["display_name__es"].value() == "Revisión de la caldera"
    assert form.fields["description__es"].widget.attrs["placeholder"] == "A yearly check."

    data = posted_values(form) | {
        "display_name__de": "Kesselwartung",
        "display_name__es": "",
        "skill_requirements-TOTAL_FORMS": "0",
        "skill_requirements-INITIAL_FORMS": "0",
    }
    saved = staff_client.post(page, data)

    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert IncidentType.objects.get().translations == {"de": {"display_name": "Kesselwartung"}}
