"""The customer watches the technician come: the live map on the visit link page.

A technician on a phone sets off; on a second page the customer's visit link shows the
technician's marker and an ETA that changes as the (emulated) phone moves; when work
starts, the customer's page switches to "arrived" by itself. pytest-django's live server
speaks WSGI only, so the page's WebSocket fails and it polls status.json: the poll is
made 1 s here so the test stays short. Map tiles point at a closed local port, so
nothing leaves the machine (and the page must do without tiles).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from doorstep.access.visit_links import issue_visit_link
from doorstep.configuration.models import PortalSettings
from doorstep.portal import visit_link_views
from doorstep.scheduling.models import Booking
from tests.e2e.conftest import PHONE, open_context
from tests.factories import BookingFactory, ResourceFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
# The phone jumps kilometres in seconds here: fixes this uncertain are not refused as
# faster than any van.
DEPOT = {"latitude": 39.7000, "longitude": -104.9500, "accuracy": 2000}
# Halfway to the customer, 5.5 km north of the depot: minutes off the ETA.
HALFWAY = {"latitude": 39.7250, "longitude": -104.9500, "accuracy": 2000}
NEARLY_THERE = {"latitude": 39.7450, "longitude": -104.9500, "accuracy": 2000}
CUSTOMER = ("39.750000", "-104.950000")
WAIT_MS = 20_000  # the phone pings at most every 5 s; the page polls every 1 s here


@pytest.fixture
def located_phone(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = open_context(
        browser, live_server, **PHONE, geolocation=DEPOT, permissions=["geolocation"]
    )
    yield context
    context.close()


@pytest.fixture
def quick_polls(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(visit_link_views, "LIVE_POLL_SECONDS", 1)
    # One address polls every second here, the page's own limit allows 60 a minute.
    monkeypatch.setattr(visit_link_views, "RATE_LIMIT", 10_000)
    settings.DOORSTEP_MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"


def visit_card(page: Page, booking: Booking):  # type: ignore[no-untyped-def]
    return page.get_by_role("article").filter(has_text=booking.reference)


@pytest.mark.usefixtures("quick_polls")
def test_the_customer_watches_the_technician_come(
    located_phone: BrowserContext, desktop_context: BrowserContext
) -> None:
    PortalSettings.load()
    technician = ResourceFactory(
        display_name="Alex M.", user=UserFactory(email="alex@example.test"), time_zone="UTC"
    )
    # Today's visit (the technician's day is UTC): "On my way" to another day's asks first.
    now = timezone.now()
    start = min(now + timedelta(minutes=30), now.replace(hour=23, minute=59, second=0))
    booking = BookingFactory(
        resource=technician,
        start=start,
        end=start + timedelta(hours=1),
        work_order__account__time_zone="UTC",
        work_order__latitude=CUSTOMER[0],
        work_order__longitude=CUSTOMER[1],
    )
    code = issue_visit_link(booking=booking)
    tiles_asked: list[str] = []
    desktop_context.on("request", lambda r: tiles_asked.append(r.url) if ":9/" in r.url else None)

    tech = located_phone.new_page()
    tech.goto("/tech/")
    tech.get_by_label("Email").fill("alex@example.test")
    tech.get_by_label("Password").fill(PASSWORD)
    tech.get_by_role("button", name="Sign in", exact=True).click()
    expect(tech).to_have_url("/tech/")
    visit_card(tech, booking).get_by_role("button", name="On my way").click()
    sharing = tech.get_by_role("status").filter(has_text="Location sharing")
    expect(sharing).to_contain_text("Location sharing is on", timeout=WAIT_MS)

    customer = desktop_context.new_page()
    customer.goto(f"/t/{code}/")
    expect(customer.get_by_role("heading", name="Your technician is on the way")).to_be_visible()
    marker = customer.locator(".live__technician")
    eta = customer.locator("[data-live-eta]")
    expect(eta).to_contain_text("Arriving around")
    expect(customer.locator("[data-live-distance]")).to_contain_text("to go")
    expect(customer.locator("[data-live-updated]")).to_contain_text("seconds ago")
    # The phone's first fix may predate the tap on "On my way": customers never see such a
    # position. Once it moves, the marker shows up and the ETA changes.
    before = eta.inner_text()
    located_phone.set_geolocation(HALFWAY)
    expect(marker).to_be_visible(timeout=WAIT_MS)
    expect(eta).not_to_have_text(before, timeout=WAIT_MS)
    # Seen at once, said at most once a minute (test_live_map_route.py): not yet.
    expect(customer.get_by_role("status")).to_have_text("")

    # The distance changes only with a new position; the ETA's "in N minutes" is worked
    # out again on every poll, so it can change at a minute's turn with no new ping.
    distance = customer.locator("[data-live-distance]")
    before, away, where = eta.inner_text(), distance.inner_text(), marker.bounding_box()
    located_phone.set_geolocation(NEARLY_THERE)
    expect(distance).not_to_have_text(away, timeout=WAIT_MS)
    assert marker.bounding_box() != where, "the marker did not move"
    expect(eta).not_to_have_text(before, timeout=WAIT_MS)

    visit_card(tech, booking).get_by_role("button", name="Start work").click()
    expect(customer.get_by_role("heading", name="Your technician has arrived")).to_be_visible(
        timeout=WAIT_MS
    )
    expect(customer.locator(".live__technician")).to_have_count(0)
    expect(customer.locator("#live-map")).to_have_count(0)
    assert customer.url.endswith(f"/t/{code}/")  # no reload, no navigation
    assert all(url.startswith("http://127.0.0.1:9/") for url in tiles_asked)
