"""The road on the live map, and what a screen reader hears of the ETA.

A routing server that draws roads (the OSRM stand-in of the benchmarks, which answers
along the meridian, then the parallel) routes the trip. The visit link page shows the
road still to go as one line from the technician to the door, shorter at each ping, and
takes it off when the technician arrives. The ETA's status region speaks at most once a
minute (the page's clock is moved on by Playwright) but at once when the visit runs late
or the technician arrives. pytest-django's live server speaks WSGI only: the page polls
status.json every second here. Map tiles point at a closed local port.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, Response, expect

from bench.routing_server import RoutingServer
from doorstep.access.visit_links import issue_visit_link
from doorstep.configuration.models import PortalSettings
from doorstep.portal import visit_link_views
from doorstep.scheduling import services
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.tracking.eta import get_provider
from doorstep.tracking.models import PingSource
from doorstep.tracking.services import PingIn, record_pings
from tests.e2e.conftest import sign_in
from tests.factories import BookingFactory, ContactFactory, ResourceFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The customer is at the account factory's address; the technician's home base is the
# resource factory's: the stand-in's road goes north from there, then west.
CUSTOMER = (39.7392, -104.9903)
HOME = (39.70, -104.95)
WAIT_MS = 10_000
PASSWORD = "Lantern-quiet-harbour-42"
SHOTS = os.environ.get("DOORSTEP_SHOTS_DIR", "")


@pytest.fixture
def drawn_roads(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoutingServer]:
    monkeypatch.setattr(visit_link_views, "LIVE_POLL_SECONDS", 1)
    monkeypatch.setattr(visit_link_views, "RATE_LIMIT", 10_000)
    settings.DOORSTEP_MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"
    with RoutingServer(delay=0) as server:
        settings.DOORSTEP_ROUTING_PROVIDER = "osrm"
        settings.DOORSTEP_ROUTING_URL = server.url
        get_provider.cache_clear()
        yield server
    get_provider.cache_clear()


def in_a_thread[T](work: Callable[[], T]) -> T:
    # Playwright's loop runs in this thread, and the live updates a change pushes cannot
    # be sent from under it.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def on_the_way(**fields: object) -> tuple[Booking, str]:
    def work() -> tuple[Booking, str]:
        PortalSettings.load()
        start = timezone.now() + timedelta(minutes=30)
        booking = BookingFactory(
            resource=ResourceFactory(time_zone="UTC"),
            start=start,
            end=start + timedelta(hours=1),
            work_order__account__time_zone="UTC",
            **fields,
        )
        services.set_status(booking=booking, status=BookingStatus.TRAVELING)
        return booking, issue_visit_link(booking=booking)

    return in_a_thread(work)


def ping(booking: Booking, latitude: float, longitude: float) -> None:
    def work() -> None:
        now = timezone.now()
        record_pings(
            resource=booking.resource,
            # Kilometres in seconds: fixes this uncertain are not refused as too fast.
            pings=[
                PingIn(latitude=latitude, longitude=longitude, recorded_at=now, accuracy_m=5000)
            ],
            source=PingSource.APP,
            now=now,
        )

    in_a_thread(work)


def set_status(booking: Booking, status: str) -> None:
    in_a_thread(lambda: services.set_status(booking=booking, status=status))


def failed_requests(page: Page) -> list[str]:
    failed: list[str] = []

    def check(response: Response) -> None:
        if response.status >= 400 and ":9/" not in response.url:
            failed.append(f"{response.status} {response.url}")

    page.on("response", check)
    return failed


ROAD = "document.querySelector('path.live__route')?.getAttribute('d')"


def road_of(page: Page) -> str:
    """The line's SVG path ("" when there is none)."""
    return str(page.evaluate(f"() => {ROAD} || ''"))


def keep_shots(page: Page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (375, 768, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


@pytest.mark.usefixtures("drawn_roads")
def test_the_road_to_go_is_drawn_shortens_as_the_technician_drives_and_goes_on_arrival(
    desktop_context: BrowserContext,
) -> None:
    booking, code = on_the_way()
    customer = desktop_context.new_page()
    failed = failed_requests(customer)
    ping(booking, 39.71, -104.95)  # on the way north
    customer.goto(f"/t/{code}/")
    road = customer.locator("path.live__route")
    expect(road).to_have_count(1, timeout=WAIT_MS)
    expect(customer.locator(".live__technician")).to_be_visible()
    first = road_of(customer)
    keep_shots(customer, "live-route")

    ping(booking, 39.7392, -104.97)  # round the corner, half the last street left
    customer.wait_for_function(
        f"first => ({ROAD} || first) !== first",
        arg=first,
        timeout=WAIT_MS,
    )
    expect(road).to_have_count(1)

    set_status(booking, BookingStatus.IN_PROGRESS)
    expect(customer.get_by_role("heading", name="Your technician has arrived")).to_be_visible(
        timeout=WAIT_MS
    )
    expect(customer.locator("path.live__route")).to_have_count(0)
    assert not failed, failed


@pytest.mark.usefixtures("drawn_roads")
def test_the_signed_in_live_page_draws_the_road_too(desktop_context: BrowserContext) -> None:
    booking, _ = on_the_way()
    in_a_thread(
        lambda: ContactFactory(
            account=booking.work_order.account,
            user=UserFactory(email="casey@example.test", password=PASSWORD),
            email="casey@example.test",
            profile_reviewed_at=timezone.now(),
        )
    )
    ping(booking, 39.71, -104.95)
    customer = desktop_context.new_page()
    failed = failed_requests(customer)
    sign_in(customer, "casey@example.test", PASSWORD)
    expect(customer).to_have_url("/")
    customer.goto(f"/visits/{booking.pk}/live/")
    expect(customer.locator("path.live__route")).to_have_count(1, timeout=WAIT_MS)
    assert not failed, failed


@pytest.mark.usefixtures("drawn_roads")
def test_an_offline_estimate_draws_no_road(desktop_context: BrowserContext, settings: Any) -> None:
    settings.DOORSTEP_ROUTING_PROVIDER = "offline"
    get_provider.cache_clear()
    booking, code = on_the_way()
    ping(booking, 39.71, -104.95)
    customer = desktop_context.new_page()
    customer.goto(f"/t/{code}/")
    expect(customer.locator(".live__technician")).to_be_visible(timeout=WAIT_MS)
    expect(customer.locator("[data-live-eta]")).to_contain_text("Arriving around")
    expect(customer.locator("path.live__route")).to_have_count(0)


@pytest.mark.usefixtures("drawn_roads")
def test_the_eta_is_announced_at_most_once_a_minute_and_at_once_when_it_matters(
    desktop_context: BrowserContext,
) -> None:
    booking, code = on_the_way()
    ping(booking, 39.70, -104.95)
    customer = desktop_context.new_page()
    customer.clock.install()
    customer.goto(f"/t/{code}/")
    eta = customer.locator("[data-live-eta]")
    status = customer.get_by_role("status")
    expect(eta).to_contain_text("Arriving around")
    expect(status).to_have_text("")  # what the page says on arrival is read with it

    # The technician comes closer: the ETA on the page changes, the status region waits.
    before = eta.inner_text()
    ping(booking, 39.72, -104.95)
    expect(eta).not_to_have_text(before, timeout=WAIT_MS)
    customer.wait_for_timeout(1500)
    expect(status).to_have_text("")

    # A minute after the page opened, the region says the ETA as it is then.
    customer.clock.fast_forward("01:01")
    expect(status).to_have_text(eta.inner_text(), timeout=WAIT_MS)
    said = status.inner_text()

    # Closer again, seconds later: seen, not said.
    before = eta.inner_text()
    ping(booking, 39.7392, -104.96)
    expect(eta).not_to_have_text(before, timeout=WAIT_MS)
    customer.wait_for_timeout(1500)
    expect(status).to_have_text(said)

    # Running late is said at once.
    in_a_thread(
        lambda: Booking.objects.filter(pk=booking.pk).update(
            start=timezone.now() - timedelta(minutes=30), end=timezone.now() + timedelta(seconds=30)
        )
    )
    ping(booking, 39.7392, -104.97)
    expect(status).to_contain_text("This is later than your time window.", timeout=WAIT_MS)
    expect(customer.locator("[data-live-late]")).to_have_text(
        "This is later than your time window."
    )

    # So is the arrival, seconds later, and it stays said once the page has changed.
    set_status(booking, BookingStatus.IN_PROGRESS)
    expect(status).to_have_text("Your technician has arrived.", timeout=WAIT_MS)
    expect(customer.get_by_role("heading", name="Your technician has arrived")).to_be_visible(
        timeout=WAIT_MS
    )
    expect(status).to_have_text("Your technician has arrived.")
