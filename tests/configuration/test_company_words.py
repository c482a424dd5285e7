"""The company's own words in each language: which wording a reader of each language gets,
and the company's default language as a setting."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from doorstep.configuration import languages
from doorstep.configuration.models import PortalSettings, default_language
from tests.factories import IncidentTypeFactory

pytestmark = pytest.mark.django_db


def settings_with(**values: object) -> PortalSettings:
    portal = PortalSettings.load()
    for name, value in values.items():
        setattr(portal, name, value)
    portal.full_clean()
    portal.save()
    return PortalSettings.load()


def test_a_reader_gets_their_language_then_the_default_language_then_the_wording_itself() -> None:
    portal = settings_with(
        company_name="Comfort Co.",
        default_language="fr",
        translations={"es": {"company_name": "Confort S.L."}, "fr": {"company_name": "Confort"}},
    )

    assert portal.word("company_name", "es") == "Confort S.L."
    assert portal.word("company_name", "de") == "Confort"  # the default language's
    assert portal.word("company_name", "fr") == "Confort"

    portal = settings_with(translations={"es": {"company_name": "Confort S.L."}})
    assert portal.word("company_name", "de") == "Comfort Co."  # nothing in French either


def test_an_empty_wording_is_no_wording() -> None:
    portal = settings_with(
        page_footer="Open every day.", translations={"es": {"page_footer": "   "}}
    )

    assert portal.word("page_footer", "es") == "Open every day."
    assert portal.translations == {}  # tidied when checked


def test_the_shipped_page_title_speaks_every_language_until_the_company_writes_its_own() -> None:
    portal = PortalSettings.load()

    assert portal.word("page_title", "es") == "Sus visitas de servicio"
    portal = settings_with(page_title="Our visits")
    assert portal.word("page_title", "es") == "Our visits"


def test_settings_in_a_language_carry_its_words_and_cannot_be_saved() -> None:
    portal = settings_with(
        company_name="Comfort Co.",
        email_sender_name="Comfort Co. service",
        translations={"ar": {"company_name": "كومفورت", "email_sender_name": "خدمة كومفورت"}},
    )

    shown = portal.in_language("ar")

    assert shown.company_name == "كومفورت"
    assert str(make_header(decode_header(shown.email_from))).startswith("خدمة كومفورت <")
    assert portal.company_name == "Comfort Co."  # the stored settings are untouched
    with pytest.raises(TypeError):
        shown.save()


@pytest.mark.parametrize(
    ("translations", "complaint"),
    [
        ({"nl": {"company_name": "Comfort"}}, "not an offered language"),
        ({"es": {"time_zone": "UTC"}}, "cannot be translated"),
        ({"es": {"company_name": "x" * 101}}, "at most 100"),
        ({"es": {"contact_email": "not an address"}}, "valid email"),
        ({"es": {"company_name": 3}}, "must be text"),
        (["es"], "an object"),
    ],
)
def test_translations_that_cannot_be_used_are_refused_with_a_reason(
    translations: object, complaint: str
) -> None:
    portal = PortalSettings.load()
    portal.translations = translations

    with pytest.raises(ValidationError) as refused:
        portal.full_clean()

    assert complaint in " ".join(refused.value.message_dict["translations"])


@override_settings(LANGUAGE_CODE="de")
def test_a_fresh_installation_starts_with_the_configured_default_language() -> None:
    assert default_language() == "de"
    PortalSettings.objects.all().delete()

    assert PortalSettings.load().default_language == "de"


@override_settings(LANGUAGE_CODE="pt-br")
def test_a_configured_language_that_is_not_offered_starts_as_english() -> None:
    assert default_language() == "en"


def test_a_service_type_reads_in_the_readers_language_then_the_default_one() -> None:
    service = IncidentTypeFactory(
        display_name="Boiler service",
        description="A yearly check.",
        translations={
            "es": {"display_name": "Revisión de la caldera"},
            "de": {"display_name": "Kesselwartung", "description": "Jährliche Prüfung."},
        },
    )

    assert service.word("display_name", "es", company_language="en") == "Revisión de la caldera"
    assert service.word("description", "es", company_language="en") == "A yearly check."
    assert service.word("description", "es", company_language="de") == "Jährliche Prüfung."
    assert service.word("display_name", "fr", company_language="de") == "Kesselwartung"
    assert service.word("display_name", "fr", company_language="en") == "Boiler service"


def test_a_service_type_shows_its_name_in_the_active_language() -> None:
    settings_with(default_language="de")
    service = IncidentTypeFactory(
        display_name="Boiler service",
        translations={"de": {"display_name": "Kesselwartung"}, "ar": {"display_name": "صيانة"}},
    )
    from django.utils import translation

    with translation.override("ar"):
        assert service.shown_name == "صيانة"
    with translation.override("fr"):
        assert service.shown_name == "Kesselwartung"


def test_the_company_language_comes_from_the_work_in_hand_when_it_says() -> None:
    settings_with(default_language="fr")
    asked: list[str] = []

    def from_request() -> str:
        asked.append("asked")
        return "es"

    assert languages.company_language() == "fr"
    with languages.company_language_from(from_request):
        assert languages.company_language() == "es"
    assert languages.company_language() == "fr"
    assert asked == ["asked"]
