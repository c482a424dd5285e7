"""The languages the pages speak: which one, said right, complete, and switchable."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from doorstep.access import visit_links
from doorstep.customers.models import Contact
from doorstep.project.catalogs import catalogs, language_of, read_po
from tests.factories import BookingFactory, ContactFactory, ResourceFactory, UserFactory

OFFERED = [code for code, _name in settings.LANGUAGES]
HTML_TAG = re.compile(r'<html lang="([^"]+)" dir="(ltr|rtl)">')


def html_language(response) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    found = HTML_TAG.search(response.content.decode())
    assert found, "the page has no <html lang dir>"
    return found.group(1), found.group(2)


# --- The catalogs ------------------------------------------------------------------------


def test_exactly_the_languages_with_catalogs_are_offered() -> None:
    shipped = {language_of(path) for path in catalogs()}
    assert set(OFFERED) == shipped | {"en"}


@pytest.mark.parametrize(
    "path", catalogs(), ids=lambda path: str(path.relative_to(path.parents[4]))
)
def test_every_shipped_catalog_is_complete(path: Path) -> None:
    untranslated = [entry.msgid for entry in read_po(path) if entry.msgid and not entry.translated]
    fuzzy = [entry.msgid for entry in read_po(path) if entry.msgid and entry.fuzzy]
    assert not untranslated, f"{len(untranslated)} untranslated, the first: {untranslated[:3]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy (to check, then unmark), the first: {fuzzy[:3]}"


@pytest.mark.parametrize(
    "path", catalogs(), ids=lambda path: str(path.relative_to(path.parents[4]))
)
def test_every_compiled_catalog_says_what_its_source_says(path: Path) -> None:
    compiled = path.with_suffix(".mo")
    assert compiled.exists(), f"compile it: doorstep compilemessages (in {path.parents[3]})"
    with compiled.open("rb") as file:
        catalog = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
    for entry in read_po(path):
        if not entry.msgid:
            continue
        if entry.msgid_plural:
            for index, text in entry.msgstr.items():
                assert catalog.get((entry.key, index)) == text, (entry.msgid, index)
        else:
            assert catalog.get(entry.key) == entry.msgstr[0], (
                f"{compiled} is older than its .po: compile it (doorstep compilemessages)"
            )


def test_the_contact_and_the_technician_are_offered_exactly_the_languages() -> None:
    from doorstep.workforce.models import Resource

    for model in (Contact, Resource):
        choices = [code for code, _name in model._meta.get_field("preferred_language").choices]
        assert choices == OFFERED


# --- Which language --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_visitor_gets_the_browser_language_then_the_company_default(client: Client) -> None:
    login = reverse("account_login")
    assert html_language(client.get(login, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")) == ("es", "ltr")
    assert html_language(client.get(login, HTTP_ACCEPT_LANGUAGE="ar")) == ("ar", "rtl")
    assert html_language(client.get(login, HTTP_ACCEPT_LANGUAGE="ja, de;q=0.5"))[0] == "de"
    assert html_language(client.get(login, HTTP_ACCEPT_LANGUAGE="ja")) == ("en", "ltr")
    assert "Iniciar sesión" in client.get(login, HTTP_ACCEPT_LANGUAGE="es").content.decode()


@pytest.mark.django_db
def test_the_company_default_is_used_when_the_browser_asks_for_nothing_offered(
    client: Client, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "fr"
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="ja")
    assert html_language(response) == ("fr", "ltr")


@pytest.mark.django_db
def test_a_signed_in_contact_gets_their_saved_language_whatever_the_browser(
    client: Client,
) -> None:
    contact = ContactFactory(user=UserFactory(), preferred_language="ar")
    client.force_login(contact.user)
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="es")
    assert html_language(response) == ("ar", "rtl")
    assert "زياراتي" in response.content.decode()


@pytest.mark.django_db
def test_a_visit_link_speaks_the_language_of_the_contact_it_was_sent_to(client: Client) -> None:
    contact = ContactFactory(preferred_language="de")
    booking = BookingFactory(work_order__account=contact.account)
    code = visit_links.issue_visit_link(booking=booking, contact=contact)
    response = client.get(reverse("visit_link", args=[code]), HTTP_ACCEPT_LANGUAGE="es")
    assert html_language(response) == ("de", "ltr")
    # With nobody named, the browser's language.
    code = visit_links.issue_visit_link(booking=booking)
    response = client.get(reverse("visit_link", args=[code]), HTTP_ACCEPT_LANGUAGE="es")
    assert html_language(response) == ("es", "ltr")


@pytest.mark.django_db
def test_a_signed_in_contact_beats_the_visit_link_recipient(client: Client) -> None:
    reader = ContactFactory(user=UserFactory(), preferred_language="fr")
    recipient = ContactFactory(account=reader.account, preferred_language="de")
    booking = BookingFactory(work_order__account=reader.account)
    code = visit_links.issue_visit_link(booking=booking, contact=recipient)
    client.force_login(reader.user)
    assert html_language(client.get(reverse("visit_link", args=[code])))[0] == "fr"


@pytest.mark.django_db
def test_the_technician_app_speaks_the_technician_language(client: Client) -> None:
    technician = ResourceFactory(user=UserFactory(), preferred_language="es")
    client.force_login(technician.user)
    response = client.get(reverse("technician:visits"), HTTP_ACCEPT_LANGUAGE="de")
    assert html_language(response)[0] == "es"


@pytest.mark.django_db
def test_error_pages_say_their_language(client: Client) -> None:
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 404
    assert html_language(response) == ("ar", "rtl")
    assert "الصفحة غير موجودة" in response.content.decode()


# --- The switch --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_switch_is_remembered_in_the_browser(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="de")
    assert html_language(page)[0] == "fr"


@pytest.mark.django_db
def test_the_switch_saves_a_signed_in_contact_language(client: Client) -> None:
    contact = ContactFactory(user=UserFactory(), preferred_language="en")
    client = Client(enforce_csrf_checks=True)
    client.force_login(contact.user)
    page = client.get(reverse("portal:home")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "the switch has no CSRF token for a signed-in contact"
    client.post(
        reverse("set_language"),
        {"language": "es", "next": "/", "csrfmiddlewaretoken": token.group(1)},
    )
    contact.refresh_from_db()
    assert contact.preferred_language == "es"


@pytest.mark.django_db
def test_the_switch_refuses_to_change_a_contact_from_another_site(client: Client) -> None:
    contact = ContactFactory(user=UserFactory(), preferred_language="en")
    client = Client(enforce_csrf_checks=True)
    client.force_login(contact.user)
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.preferred_language == "en"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "ar", "xx", "", "a" * 5000])
def test_any_language_posted_answers_without_error(client: Client, language: str) -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_every_page_has_the_switch(client: Client) -> None:
    for url in (reverse("account_login"), "/no-such-page/"):
        page = client.get(url).content.decode()
        assert 'action="/language/"' in page, url
        for code in OFFERED:
            assert f'<option value="{code}"' in page


@pytest.mark.django_db
def test_the_javascript_catalog_speaks_the_page_language(client: Client) -> None:
    contact = ContactFactory(preferred_language="ar")
    booking = BookingFactory(work_order__account=contact.account)
    code = visit_links.issue_visit_link(booking=booking, contact=contact)
    page = client.get(reverse("visit_link", args=[code]), HTTP_ACCEPT_LANGUAGE="en")
    catalog_url = re.search(r'<script src="(/jsi18n/[^"]+)"', page.content.decode())
    assert catalog_url
    # Asked for by a browser that speaks English, still the page's language.
    catalog = client.get(catalog_url.group(1), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "\\u0648\\u0642\\u062a" in catalog or "وقت" in catalog  # "time", in Arabic
    assert client.get("/jsi18n/xx/").status_code == 200
