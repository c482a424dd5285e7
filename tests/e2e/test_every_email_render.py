"""Every email the portal sends (each visit message, the invitation and each of allauth's
account emails), opened in Chromium as a mail program shows its HTML, in every offered
language: the header image loads from the site's address, every link has words on it, no
markup shows as text, and Arabic reads right to left. With DOORSTEP_SHOTS_DIR set, each
email is kept as a screenshot 375 px wide."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from playwright.sync_api import Browser, Route

from tests.notifications.emails import every_email

pytestmark = pytest.mark.django_db

SHOTS = os.environ.get("DOORSTEP_SHOTS_DIR", "")


def serve_the_site_only(route: Route) -> None:
    """Answer the site's media files as the site would, and nothing else: an image at a
    relative or foreign address shows up broken."""
    media = f"{settings.DOORSTEP_BASE_URL.rstrip('/')}/{settings.MEDIA_URL.strip('/')}/"
    url = route.request.url
    name = urlsplit(url).path.removeprefix(urlsplit(media).path)
    if url.startswith(media) and default_storage.exists(name):
        with default_storage.open(name) as image:
            route.fulfill(status=200, body=image.read(), content_type="image/png")
        return
    route.fulfill(status=404, body="")


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_email_shows_its_image_its_links_and_no_markup(
    browser: Browser, language: str
) -> None:
    emails = every_email(language)
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.route("**/*", serve_the_site_only)
    try:
        for sent in emails:
            page.set_content(sent.html, wait_until="load")
            broken = page.evaluate(
                "[...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
                ".map(i => i.getAttribute('src'))"
            )
            assert broken == [], (sent.what, broken)
            text = page.locator("body").inner_text()
            assert "href=" not in text, (sent.what, text)
            links = page.get_by_role("link")
            assert links.count() >= 1, sent.what
            for index in range(links.count()):
                assert links.nth(index).inner_text().strip(), (sent.what, index)
            direction = page.evaluate("getComputedStyle(document.querySelector('td p')).direction")
            assert direction == ("rtl" if language == "ar" else "ltr"), sent.what
            if SHOTS:
                name = f"email-{language}-{sent.what.replace('/', '-')}.png"
                page.screenshot(path=str(Path(SHOTS) / name), full_page=True)
    finally:
        context.close()
