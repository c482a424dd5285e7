"""Every kind of page works under the Content-Security-Policy, in a real browser.

Chromium reports each thing the policy blocks (an inline script or style, a tile from a
server the policy does not name, a socket to another host) as a `securitypolicyviolation`
event and a console message; a page of each kind is opened, used a little, and any such
report fails the test. Map tiles come from a made-up tile server that the test answers
itself, so nothing leaves the machine and the policy must name that server.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from doorstep.access.visit_links import issue_visit_link
from doorstep.configuration.models import PortalSettings
from doorstep.project.csp import content_security_policy
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.users.models import User
from tests.factories import (
    BookingFactory,
    ContactFactory,
    ResourceFactory,
    StaffUserFactory,
    UserFactory,
    WorkOrderFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TILES = "https://tiles.example.test"
PASSWORD = "correct horse battery staple"  # UserFactory's
# The smallest PNG there is: one transparent pixel, for every tile.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  (window.cspViolations = window.cspViolations || []).push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`
  );
});
"""


@dataclass
class Violations:
    found: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.found.append(message.text)

    def collect(self, page: Page) -> None:
        """The page's own reports, read once it has loaded."""
        page.wait_for_load_state("load")
        self.found += page.evaluate("window.cspViolations || []")


@pytest.fixture
def map_tiles(settings: Any) -> None:
    settings.DOORSTEP_MAP_TILE_URL = f"{TILES}/{{z}}/{{x}}/{{y}}.png"
    # What the settings module computes at start from DOORSTEP_MAP_TILE_URL.
    settings.SECURE_CSP = content_security_policy(
        tile_url=settings.DOORSTEP_MAP_TILE_URL, base_url=settings.DOORSTEP_BASE_URL
    )


@pytest.fixture
def watched(desktop_context: BrowserContext) -> tuple[BrowserContext, Violations]:
    violations = Violations()
    desktop_context.add_init_script(REPORT_VIOLATIONS)
    desktop_context.on("console", violations.console)
    desktop_context.route(f"{TILES}/**", serve_tile)
    return desktop_context, violations


def serve_tile(route: Route) -> None:
    route.fulfill(status=200, content_type="image/png", body=PIXEL)


def signed_in(context: BrowserContext, live_server: LiveServer, user: User) -> None:
    """The browser carries a session of `user`, as after signing in."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]  # type: ignore[list-item]
    )


@pytest.fixture
def traveling_visit() -> tuple[Booking, str]:
    PortalSettings.load()
    contact = ContactFactory(user=UserFactory(email="casey@example.test"))
    booking = BookingFactory(
        work_order=WorkOrderFactory(account=contact.account),
        resource=ResourceFactory(user=UserFactory(email="alex@example.test")),
        status=BookingStatus.TRAVELING,  # as set off: the live map, no ETA yet
    )
    return booking, issue_visit_link(booking=booking)


@pytest.mark.usefixtures("map_tiles")
def test_every_kind_of_page_runs_under_the_policy(
    watched: tuple[BrowserContext, Violations],
    live_server: LiveServer,
    traveling_visit: tuple[Booking, str],
) -> None:
    context, violations = watched
    booking, code = traveling_visit
    portal = PortalSettings.load()
    portal.foreground_color = "#8a2be2"
    portal.save()
    page = context.new_page()
    tiles: list[str] = []
    page.on("requestfinished", lambda r: tiles.append(r.url) if r.url.startswith(TILES) else None)

    # Signed out: the sign-in page, an invitation, and the visit link with the live map.
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    violations.collect(page)
    page.goto("/invite/ABCD-EFGH-JKLM-NPQR/")
    expect(page.get_by_role("heading", name="Accept your invitation")).to_be_visible()
    violations.collect(page)
    page.goto(f"/t/{code}/")
    expect(page.get_by_role("heading", name="Your technician is on the way")).to_be_visible()
    expect(page.locator("#live-map .leaflet-tile-loaded").first).to_be_attached()
    violations.collect(page)
    assert tiles, "the live map loaded no tile from the tile server"
    # The company's colours come from the generated stylesheet.
    accent = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"
    )
    assert accent == "#8a2be2"

    # The customer: home, booking.
    customer = booking.work_order.account.contacts.get().user
    signed_in(context, live_server, customer)
    page.goto("/")
    expect(page.get_by_role("heading", name="Upcoming visits")).to_be_visible()
    violations.collect(page)
    page.goto("/book/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    violations.collect(page)
    # allauth's pages in the portal's layout; the authenticator's QR code is a data: image.
    page.goto("/accounts/email/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    violations.collect(page)
    page.goto("/accounts/2fa/totp/activate/")
    page.get_by_label("Password").fill(PASSWORD)  # allauth asks for it again first
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("img", name=re.compile(r"^\w{16,}$"))).to_be_visible()
    violations.collect(page)

    # The technician's app.
    context.clear_cookies()
    signed_in(context, live_server, booking.resource.user)
    page.goto("/tech/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    violations.collect(page)

    # The back office: its index, a list with filters, a change form with its widgets.
    context.clear_cookies()
    signed_in(context, live_server, StaffUserFactory())
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Back office")).to_be_visible()
    violations.collect(page)
    page.goto("/admin/scheduling/booking/")
    violations.collect(page)
    page.goto(f"/admin/scheduling/booking/{booking.pk}/change/")
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible()
    violations.collect(page)
    contact = booking.work_order.account.contacts.get()
    page.goto(f"/admin/customers/contact/{contact.pk}/change/")
    expect(page.get_by_role("button", name="Create invitation")).to_be_visible()
    violations.collect(page)

    # The integration API's documentation.
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()  # its document read
    violations.collect(page)
    page.close()

    assert violations.found == []
