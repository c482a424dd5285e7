"""On a phone, no customer page scrolls sideways in a right-to-left language: something
placed off screen on the left in English (the skip link) must go off the start side in
Arabic too, or every page scrolls by its width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from tests.e2e.test_accessibility import customer, equipment_of
from tests.e2e.test_readable import walk

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
WIDER_THAN_THE_SCREEN = "() => document.documentElement.scrollWidth - innerWidth"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_no_page_scrolls_sideways_on_a_phone(
    browser: Browser, live_server: LiveServer, language: str
) -> None:
    context = browser.new_context(base_url=live_server.url, locale=language, viewport=PHONE)
    page = context.new_page()
    contact = customer(language)
    equipment = equipment_of(contact)
    wider: dict[str, int] = {}

    def look(name: str) -> None:
        page.wait_for_load_state("load")
        if (extra := page.evaluate(WIDER_THAN_THE_SCREEN)) > 0:
            wider[name] = extra
        if name == "service history":
            page.goto(f"/equipment/{equipment}/")
            look("equipment")

    try:
        walk(page, contact, look)
    finally:
        context.close()
    assert wider == {}, f"pages wider than the screen by so many px: {wider}"
