"""A Spanish contact's portal, in a real browser: no English word on any page they walk."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from doorstep.access import visit_links
from tests.e2e.conftest import open_context
from tests.factories import (
    AccountFactory,
    BookingFactory,
    ContactFactory,
    IncidentTypeFactory,
    UserFactory,
    WorkOrderFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lantern-quiet-harbour-42"
# Words of the portal's own English that a page in another language must not show. The
# company's own words (its name, service types, addresses) are the company's to translate.
ENGLISH = frozenset(
    {
        *("visit", "visits", "book", "booked", "cancel", "canceled", "move", "profile"),
        *("sign", "out", "upcoming", "past", "reference", "when", "where", "save"),
        *("language", "change", "back", "your", "the", "and", "with", "you", "technician"),
        *("equipment", "scheduled", "traveling", "completed", "optional", "choose", "skip"),
        *("questions", "call", "write", "help", "characters"),
    }
)
# Set DOORSTEP_SHOTS to a folder to keep a screenshot of every page walked, to look at.
SHOTS = os.environ.get("DOORSTEP_SHOTS")


def english_words(page: Page) -> list[str]:
    # The switch names each language in that language ("English"): it is left out.
    text = page.evaluate(
        """() => { const main = document.body.cloneNode(true);
            main.querySelectorAll('.language-switch select, script').forEach(e => e.remove());
            return main.innerText; }"""
    )
    words = set(re.findall(r"[A-Za-z]+", text.lower()))
    return sorted(words & ENGLISH)


def spanish_contact() -> tuple[str, str]:
    account = AccountFactory(name="Familia Ruiz", address_line1="Calle Mayor 12", city="Madrid")
    user = UserFactory(email="lucia@example.test")
    user.set_password(PASSWORD)
    user.save()
    contact = ContactFactory(
        account=account,
        user=user,
        first_name="Lucía",
        preferred_language="es",
        profile_reviewed_at=timezone.now(),
    )
    service = IncidentTypeFactory(name="Revisión de caldera")
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    booking = BookingFactory(
        work_order=WorkOrderFactory(account=account, incident_type=service),
        start=start,
        end=start + timedelta(hours=2),
    )
    code = visit_links.issue_visit_link(booking=booking, contact=contact)
    return f"/visits/{booking.pk}/", f"/t/{code}/"


@pytest.mark.parametrize("width", [375, 768, 1440])
def test_a_spanish_contact_reads_no_english(
    browser: Browser, live_server: LiveServer, width: int
) -> None:
    visit_url, link_url = spanish_contact()
    context = open_context(browser, live_server, viewport={"width": width, "height": 900})
    context.set_extra_http_headers({"Accept-Language": "en-US"})  # the contact's choice wins
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("lucia@example.test")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_role("heading", name="Próximas visitas")).to_be_visible()

    walked = {}
    for name, url in [
        ("inicio", "/"),
        ("visita", visit_url),
        ("perfil", "/profile/"),
        ("reservar", "/book/"),
        ("enlace", link_url),
    ]:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "es", url
        walked[name] = english_words(page)
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"es-{name}-{width}.png"), full_page=True)
    assert walked == {name: [] for name in walked}
    context.close()


def test_the_switch_turns_a_page_to_arabic_right_to_left(
    browser: Browser, live_server: LiveServer
) -> None:
    _visit_url, link_url = spanish_contact()
    context = open_context(browser, live_server, viewport={"width": 375, "height": 900})
    page = context.new_page()
    page.goto(link_url)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_label("Idioma").select_option("ar")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page).to_have_url(re.compile(re.escape(link_url) + "$"))
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "ar-enlace-375.png"), full_page=True)
    # The reference reads left to right inside the Arabic sentence.
    assert page.locator("bdi[dir=ltr]").first.is_visible()
    context.close()
