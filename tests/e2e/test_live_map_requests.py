"""Every request a customer page makes is answered: no broken image, script or stylesheet
in any state of a visit (the "Your address" marker once asked for marker-icon.png beside
the page and got a 404). Map tiles point at a closed local port in the tests, so the live
map also shows how it says that its streets could not be loaded."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, Response, expect

from doorstep.access.visit_links import issue_visit_link
from doorstep.scheduling import services
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.tracking import live
from tests.e2e.conftest import sign_in
from tests.factories import (
    AccountFactory,
    AssetFactory,
    BookingFactory,
    ContactFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lantern-quiet-harbour-42"
# Set to a folder to keep screenshots of each state at 375, 768 and 1440 px wide.
SHOTS = os.environ.get("DOORSTEP_SHOTS_DIR", "")

PATHS = {
    BookingStatus.SCHEDULED: [],
    BookingStatus.TRAVELING: [BookingStatus.TRAVELING],
    BookingStatus.IN_PROGRESS: [BookingStatus.TRAVELING, BookingStatus.IN_PROGRESS],
    BookingStatus.COMPLETED: [
        BookingStatus.TRAVELING,
        BookingStatus.IN_PROGRESS,
        BookingStatus.COMPLETED,
    ],
    BookingStatus.CANCELED: [BookingStatus.CANCELED],
}


@pytest.fixture(autouse=True)
def local_tiles(settings: Any) -> None:
    """Tiles from a closed local port, as in the other map tests: none from the internet,
    whose slow failure here (no network) could keep `networkidle` from ever coming."""
    settings.DOORSTEP_MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"


def failed_requests(page: Page) -> list[str]:
    """The requests of the page answered 4xx or 5xx, gathered as they come."""
    failed: list[str] = []

    def check(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    page.on("response", check)
    return failed


def visit_in(status: str, contact: object) -> Booking:
    # Playwright's loop runs in this thread, and the live updates a change pushes cannot
    # be sent from under it: the visit is made in a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_visit_in, status, contact).result()


def _visit_in(status: str, contact: object) -> Booking:
    account = contact.account  # type: ignore[attr-defined]
    booking = BookingFactory(
        work_order__account=account, work_order__asset=AssetFactory(account=account)
    )
    for step in PATHS[status]:
        services.set_status(booking=booking, status=step, cancel_reason="Not needed any more")
    if status == BookingStatus.TRAVELING:
        live.start_eta(booking_id=booking.pk)
    return booking


def settle(page: Page, shot: str) -> None:
    page.wait_for_load_state("networkidle")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        for width in (375, 768, 1440):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SHOTS}/{shot}-{width}.png", full_page=True)


@pytest.mark.parametrize("status", list(PATHS))
def test_the_visit_link_page_loads_everything_it_asks_for(
    desktop_context: BrowserContext, status: str
) -> None:
    contact = ContactFactory(account=AccountFactory(time_zone="America/Denver"))
    code = issue_visit_link(booking=visit_in(status, contact), contact=contact)
    desktop = desktop_context.new_page()
    failed = failed_requests(desktop)

    desktop.goto(f"/t/{code}/")
    expect(desktop.get_by_role("heading").first).to_be_visible()
    settle(desktop, f"visit-link-{status}")

    assert not failed, failed


def test_the_live_map_shows_the_address_marker_and_says_the_streets_are_missing(
    desktop_context: BrowserContext,
) -> None:
    contact = ContactFactory(account=AccountFactory(time_zone="America/Denver"))
    code = issue_visit_link(booking=visit_in(BookingStatus.TRAVELING, contact), contact=contact)
    desktop = desktop_context.new_page()
    failed = failed_requests(desktop)

    desktop.goto(f"/t/{code}/")
    marker = desktop.get_by_role("img", name="Your address")
    expect(marker).to_be_visible()
    assert desktop.evaluate(
        "() => [...document.querySelectorAll('.leaflet-marker-pane img, .leaflet-shadow-pane img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    ), "a map image did not load"
    expect(desktop.get_by_text("The street map could not be loaded here.")).to_be_visible()
    expect(desktop.locator("[data-live-eta]")).to_contain_text("Arriving around")
    assert not failed, failed


def test_an_unknown_visit_code_loads_everything_it_asks_for(desktop: Page) -> None:
    failed = failed_requests(desktop)
    response = desktop.goto("/t/not-a-code/")
    assert response is not None
    expect(desktop.get_by_role("heading").first).to_be_visible()
    settle(desktop, "visit-link-not-available")
    # The page itself answers 404 on purpose; nothing it asks for may fail.
    assert [line for line in failed if not line.endswith("/t/not-a-code/")] == []


@pytest.mark.parametrize("status", list(PATHS))
def test_the_signed_in_pages_of_a_visit_load_everything_they_ask_for(
    desktop_context: BrowserContext, status: str
) -> None:
    user = UserFactory(email="casey@example.test", password=PASSWORD)
    contact = ContactFactory(
        user=user, email="casey@example.test", profile_reviewed_at=timezone.now()
    )
    booking = visit_in(status, contact)
    desktop = desktop_context.new_page()
    failed = failed_requests(desktop)
    sign_in(desktop, "casey@example.test", PASSWORD)
    pages: dict[str, Callable[[], object]] = {
        "home": lambda: desktop.goto("/"),
        "visit": lambda: desktop.goto(f"/visits/{booking.pk}/"),
        "equipment": lambda: desktop.goto(f"/equipment/{booking.work_order.asset_id}/"),
    }
    if status == BookingStatus.TRAVELING:
        pages["live"] = lambda: desktop.goto(f"/visits/{booking.pk}/live/")
    for name, open_page in pages.items():
        open_page()
        expect(desktop.get_by_role("heading").first).to_be_visible()
        settle(desktop, f"signed-in-{name}-{status}")

    assert not failed, failed


def test_an_upcoming_visit_shows_its_address_on_a_map(desktop_context: BrowserContext) -> None:
    contact = ContactFactory(account=AccountFactory(time_zone="America/Denver"))
    code = issue_visit_link(booking=visit_in(BookingStatus.SCHEDULED, contact), contact=contact)
    desktop = desktop_context.new_page()
    failed = failed_requests(desktop)

    desktop.goto(f"/t/{code}/")
    expect(desktop.get_by_role("region", name="Map of the service address")).to_be_visible()
    expect(desktop.get_by_role("img", name="Your address")).to_be_visible()
    expect(desktop.get_by_text("The street map could not be loaded here.")).to_be_visible()
    assert not failed, failed
