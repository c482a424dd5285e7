"""The sign-in and account pages, and the notes on a visit, in the customer's language."""

from __future__ import annotations

from pathlib import Path

import allauth
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorstep.portal.allauth_words import ALLAUTH_WORDS
from doorstep.project.catalogs import read_po
from doorstep.scheduling import services
from doorstep.scheduling.models import BookingStatus, TimelineNote
from tests.factories import BookingFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_passkeys_page_opens_and_says_in_spanish_that_there_are_none(
    client: Client,
) -> None:
    # allauth's own page needs django.contrib.humanize, which the project does not install:
    # it answered 500 to anyone who followed "Passkeys" from the two-factor page.
    user = UserFactory()
    ContactFactory(user=user, preferred_language="es")
    client.force_login(user)

    response = client.get(reverse("mfa_list_webauthn"))

    assert response.status_code == 200
    assert "Aún no ha añadido ninguna llave." in response.content.decode()


def test_the_note_a_cancellation_leaves_reads_in_the_customers_language(
    client: Client,
) -> None:
    user = UserFactory()
    contact = ContactFactory(user=user, preferred_language="de", profile_reviewed_at=timezone.now())
    booking = BookingFactory(work_order__account=contact.account)
    services.set_status(
        booking=booking, status=BookingStatus.CANCELED, cancel_reason="Heizung läuft wieder"
    )
    client.force_login(user)

    page = client.get(reverse("portal:confirmation", args=[booking.pk])).content.decode()

    # Stored in the office's words, for the company's systems…
    assert TimelineNote.objects.get().text.startswith(f"Visit {booking.reference} canceled:")
    # …and read in the customer's.
    assert f"Termin {booking.reference} abgesagt: Heizung läuft wieder" in page
    assert "canceled:" not in page


def test_a_paused_address_is_told_so_in_arabic(client: Client) -> None:
    cache.clear()  # the attempt limits count in the cache
    ContactFactory(email="sam@example.test", user=UserFactory(email="sam@example.test"))
    client.cookies["doorstep_language"] = "ar"
    for _ in range(6):
        response = client.post(
            reverse("account_login"), {"login": "sam@example.test", "password": "not it"}
        )
    cache.clear()

    page = response.content.decode()
    assert "كلمات المرور موقوفة مؤقتًا لهذا العنوان" in page
    assert "sam@example.test" in page
    assert "Passwords are paused" not in page


def test_each_reworded_sentence_is_still_one_allauth_uses() -> None:
    # A sentence allauth no longer uses would be reworded for nothing, and its new one
    # would read in allauth's voice again: the list follows allauth's upgrades.
    catalog = Path(allauth.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "django.po"
    used = {entry.msgid for entry in read_po(catalog)}
    assert [words for words in ALLAUTH_WORDS if words not in used] == []


def test_the_password_reset_page_speaks_to_a_german_customer_as_sie(client: Client) -> None:
    client.cookies["doorstep_language"] = "de"

    page = client.get(reverse("account_reset_password")).content.decode()

    assert "Geben Sie unten Ihre E-Mail-Adresse ein" in page
    assert "Gib deine" not in page


def test_a_mistyped_address_is_refused_as_sie_in_german(client: Client) -> None:
    client.cookies["doorstep_language"] = "de"

    page = client.post(reverse("account_reset_password"), {"email": "nope"}).content.decode()

    assert "Geben Sie eine gültige E-Mail-Adresse ein." in page


def test_the_switch_names_each_language_in_itself(client: Client) -> None:
    client.cookies["doorstep_language"] = "es"

    page = client.get(reverse("account_login")).content.decode()

    assert '<option value="en" lang="en">English</option>' in page
    assert '<option value="de" lang="de">Deutsch</option>' in page
    assert "Inglés" not in page


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_signed_in_notice_is_in_the_customer_s_language_not_the_browser_s(
    client: Client, language: str
) -> None:
    # The notice is written during the sign-in, when the request still spoke the browser's
    # English: the Spanish home page opened with "Successfully signed in as …".
    cache.clear()  # the attempt limits count in the cache
    user = UserFactory(email="lucia@example.test", password="Lantern-quiet-harbour-42")
    ContactFactory(user=user, preferred_language=language, profile_reviewed_at=timezone.now())

    page = client.post(
        reverse("account_login"),
        {"login": "lucia@example.test", "password": "Lantern-quiet-harbour-42"},
        headers={"accept-language": "en"},
        follow=True,
    ).content.decode()

    assert f'lang="{language}"' in page
    assert "Successfully signed in" not in page
    notice = {"es": "Ha iniciado sesión como", "ar": "سجلت الدخول"}[language]
    assert notice in page
