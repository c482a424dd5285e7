"""A technician on a phone starts a trip: the page shares the phone's position until work starts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from doorstep.configuration.models import PortalSettings
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.tracking.models import LocationPing
from doorstep.workforce.models import Resource
from tests.e2e.conftest import PHONE, accessibility_violations, open_context
from tests.factories import BookingFactory, ResourceFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
DEPOT = {"latitude": 39.7000, "longitude": -104.9500, "accuracy": 10}
# About 220 m north of the depot: far more than the 50 m that makes the page send a ping.
ON_THE_ROAD = {"latitude": 39.7020, "longitude": -104.9500, "accuracy": 10}
PING_WAIT_S = 20.0  # the page sends at most every 5 s; leave room for a slow machine


@pytest.fixture
def located_phone(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A phone-sized browser that has been allowed to use its (emulated) position."""
    context = open_context(
        browser, live_server, **PHONE, geolocation=DEPOT, permissions=["geolocation"]
    )
    yield context
    context.close()


def pings_of(technician: Resource) -> list[LocationPing]:
    # SQLite's shared in-memory test database locks a table while the live server writes
    # it; PostgreSQL never does. Ask again rather than fail on that.
    for _ in range(20):
        try:
            return list(LocationPing.objects.filter(resource=technician).order_by("recorded_at"))
        except OperationalError:
            time.sleep(0.1)
    raise AssertionError("the pings table stayed locked")


def wait_for_pings(
    technician: Resource, count: int, timeout_s: float = PING_WAIT_S
) -> list[LocationPing]:
    deadline = time.monotonic() + timeout_s
    while True:
        pings = pings_of(technician)
        if len(pings) >= count or time.monotonic() > deadline:
            return pings
        time.sleep(0.5)


def visit_card(page: Page, booking: Booking):  # type: ignore[no-untyped-def]
    return page.get_by_role("article").filter(has_text=booking.reference)


def test_the_phone_shares_its_position_only_while_traveling(located_phone: BrowserContext) -> None:
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
        work_order__incident_type__display_name="Boiler service",
    )
    page = located_phone.new_page()

    # A bookmark of the app leads through the sign-in and back to it.
    page.goto("/tech/")
    page.get_by_label("Email").fill("alex@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url("/tech/")
    sharing = page.get_by_role("status").filter(has_text="Location sharing")
    expect(sharing).to_contain_text("Location sharing is off")

    visit_card(page, booking).get_by_role("button", name="On my way").click()
    expect(visit_card(page, booking).get_by_text("Traveling")).to_be_visible()
    expect(sharing).to_contain_text("Location sharing is on", timeout=PING_WAIT_S * 1000)

    assert accessibility_violations(page) == []

    located_phone.set_geolocation(ON_THE_ROAD)
    pings = wait_for_pings(technician, 2)
    positions = {(round(float(p.latitude), 4), round(float(p.longitude), 4)) for p in pings}
    assert positions >= {(39.7, -104.95), (39.702, -104.95)}, positions

    visit_card(page, booking).get_by_role("button", name="Start work").click()
    expect(visit_card(page, booking).get_by_text("In Progress")).to_be_visible()
    expect(sharing).to_contain_text("Location sharing is off")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.IN_PROGRESS

    # Moving again sends nothing: the page no longer watches the position.
    sent = len(pings_of(technician))
    located_phone.set_geolocation(DEPOT)
    page.wait_for_timeout(6_000)  # longer than the 5 s between two pings
    assert len(pings_of(technician)) == sent
