"""Every email the portal sends (each visit message, the invitation and each of allauth's
account emails), opened in Chromium as a mail program shows its HTML: the header image
loads from the site's address, every link has words on it, and no markup shows as text."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from playwright.sync_api import Browser, Route

from tests.notifications.emails import every_email

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize("language", ["en", "es"])
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
    finally:
        context.close()
