"""Every email, opened in a real browser as a mail program would show its HTML: the header
image loads from the site, nothing is broken, and the visit's and the invitation's links
are links with words on them."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from doorstep.access.invitations import invite_contact
from doorstep.configuration.models import PortalSettings
from doorstep.notifications import rendering, rules, sending
from doorstep.notifications.models import MessageType
from doorstep.notifications.on_the_way import arrival
from tests.factories import AccountFactory, ContactFactory
from tests.notifications.conftest import book

pytestmark = pytest.mark.django_db(transaction=True)


def png(width: int, height: int) -> bytes:
    """A plain blue image of that size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x1f\x6f\xeb" * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def site(live_server: LiveServer, settings) -> Iterator[PortalSettings]:  # type: ignore[no-untyped-def]
    settings.DOORSTEP_BASE_URL = live_server.url
    # Files on disk, in the media folder the site serves (the suite keeps them in memory).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    portal = PortalSettings.load()
    portal.company_name = "Front Range Comfort Co."
    portal.contact_email = "office@frontrange.test"
    portal.contact_phone = "+1 720 555 0100"
    portal.header_image.save("logo.png", ContentFile(png(160, 40)), save=False)
    portal.save()
    yield PortalSettings.load()
    # The site serves the media folder it started with: the image goes there, and away after.
    portal.header_image.delete(save=False)


def assert_renders_whole(page: Page, html: str) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: response.ok or failed.append(response.url))
    page.set_content(html, wait_until="load")
    broken = page.evaluate(
        "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    assert broken == []
    assert failed == []
    expect(page.get_by_role("img", name="Front Range Comfort Co.")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "es", "fr", "de", "ar"])
def test_every_booking_message_renders_with_its_header_image(
    phone: Page, site: PortalSettings, language: str
) -> None:
    account = AccountFactory(time_zone="America/Denver")
    contact = ContactFactory(account=account, first_name="Pat", email="pat@example.test")
    booking = book(contact)
    now = timezone.now()
    for message_type in sorted(set(MessageType) - {MessageType.INVITATION}):
        rendered = rendering.render(
            booking=booking,
            message_type=message_type,
            channel=rules.EMAIL,
            contact=contact,
            language=language,
            portal=site,
            extra=arrival(booking=booking, eta=now + timedelta(minutes=20), now=now),
        )
        assert_renders_whole(phone, rendered.body_html)
        expect(phone.locator("html")).to_have_attribute("lang", language)
        expect(phone.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")


def test_a_sent_message_shows_its_visit_link_as_a_link(
    desktop: Page, site: PortalSettings, live_server: LiveServer
) -> None:
    account = AccountFactory(time_zone="America/Denver")
    contact = ContactFactory(account=account, first_name="Pat", email="pat@example.test")
    book(contact)
    sending.send_due(worker="test")

    [email] = mail.outbox
    assert_renders_whole(desktop, email.alternatives[0].content)
    link = desktop.get_by_role("link", name="/t/")
    expect(link).to_be_visible()
    assert (link.get_attribute("href") or "").startswith(f"{live_server.url}/t/")


@pytest.mark.parametrize(
    ("language", "button"),
    [
        ("en", "Choose your password"),
        ("es", "Elegir su contraseña"),
        ("de", "Passwort festlegen"),
        ("ar", "اختر كلمة المرور"),
    ],
)
def test_the_invitation_button_is_a_link_with_visible_words(
    phone: Page, site: PortalSettings, live_server: LiveServer, language: str, button: str
) -> None:
    account = AccountFactory(time_zone="America/Denver")
    contact = ContactFactory(
        account=account, first_name="Pat", email="pat@example.test", preferred_language=language
    )
    invite_contact(contact=contact)
    sending.send_due(worker="test")

    [email] = mail.outbox
    assert_renders_whole(phone, email.alternatives[0].content)
    link = phone.get_by_role("link", name=button)
    expect(link).to_be_visible()
    assert (link.get_attribute("href") or "").startswith(f"{live_server.url}/invite/")
    expect(phone.get_by_text("<a")).to_have_count(0)
