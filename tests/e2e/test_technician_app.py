"""A technician on a phone starts a trip: the page shares the phone's position until work starts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from doorstep.configuration.models import PortalSettings
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.tracking.models import LocationPing
from doorstep.workforce.models import Resource
from tests.e2e.conftest import PHONE, accessibility_violations, open_context, sign_in
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
    return list(LocationPing.objects.filter(resource=technician).order_by("recorded_at"))


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


# --- Taps work in place ---------------------------------------------------------------------

MARKER = "window.__stillThisPage"


def technicians_day(page: Page, **visits: dict[str, object]) -> dict[str, Booking]:
    """A signed-in technician (their day in UTC) with these visits, the app open."""
    PortalSettings.load()
    technician = ResourceFactory(
        display_name="Sam K.", user=UserFactory(email="sam@example.test"), time_zone="UTC"
    )
    now = timezone.now()
    today = min(now + timedelta(minutes=30), now.replace(hour=22, minute=0, second=0))
    made = {}
    for order, (name, fields) in enumerate(visits.items()):
        # One after the other: a technician is never booked twice at once (PostgreSQL refuses).
        start = today + timedelta(
            days=int(fields.pop("days", 0)),  # type: ignore[call-overload]
            minutes=35 * order,
        )
        made[name] = BookingFactory(
            resource=technician,
            start=start,
            end=start + timedelta(minutes=30),
            work_order__account__time_zone="UTC",
            **fields,
        )
    sign_in(page, "sam@example.test", PASSWORD)
    page.goto("/tech/")
    page.evaluate(f"{MARKER} = true")  # gone if the page loads again
    return made


def still_this_page(page: Page) -> bool:
    return bool(page.evaluate(f"{MARKER} === true"))


def focused_visit(page: Page) -> str:
    return str(page.evaluate("document.activeElement.closest('article')?.id || ''"))


@pytest.fixture
def tech_phone(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = open_context(
        browser,
        live_server,
        **{**PHONE, "viewport": {"width": 375, "height": 740}},
        geolocation=DEPOT,
        permissions=["geolocation"],
    )
    yield context.new_page()
    context.close()


def test_another_days_visit_asks_in_a_dialog_then_sets_off_in_place(tech_phone: Page) -> None:
    page = tech_phone
    visits = technicians_day(page, tomorrow={"days": 1})
    booking = visits["tomorrow"]

    visit_card(page, booking).get_by_role("button", name="On my way").click()
    dialog = page.get_by_role("dialog", name="This visit is not today")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_be_focused()
    assert booking.reference in dialog.inner_text()
    assert accessibility_violations(page) == []

    dialog.get_by_role("button", name="Yes, I am on my way now").click()
    expect(dialog).to_be_hidden()
    expect(visit_card(page, booking).get_by_text("Traveling")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="On my way: done.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Location sharing is on")).to_be_visible(
        timeout=PING_WAIT_S * 1000
    )
    assert focused_visit(page) == f"visit-{booking.pk}"
    assert still_this_page(page)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.TRAVELING


def test_no_in_the_dialog_changes_nothing_and_gives_the_focus_back(tech_phone: Page) -> None:
    page = tech_phone
    booking = technicians_day(page, tomorrow={"days": 1})["tomorrow"]
    button = visit_card(page, booking).get_by_role("button", name="On my way")
    button.click()
    page.get_by_role("button", name="No, back to my visits").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(button).to_be_focused()
    assert still_this_page(page)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.SCHEDULED


def test_setting_off_for_a_second_visit_turns_back_the_first_in_place(tech_phone: Page) -> None:
    page = tech_phone
    visits = technicians_day(page, first={"status": BookingStatus.TRAVELING}, second={"days": 0})
    first, second = visits["first"], visits["second"]

    visit_card(page, second).get_by_role("button", name="On my way").click()
    dialog = page.get_by_role("dialog", name="You are on your way to another visit")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=f"Turn back from {first.reference} and set off").click()

    expect(visit_card(page, second).get_by_text("Traveling")).to_be_visible()
    expect(visit_card(page, first).get_by_text("Scheduled")).to_be_visible()
    said = page.get_by_role("status").filter(has_text="turned back")
    expect(said).to_contain_text(f"Visit {second.reference}: On my way: done.")
    assert focused_visit(page) == f"visit-{second.pk}"
    assert still_this_page(page)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (BookingStatus.SCHEDULED, BookingStatus.TRAVELING)


def test_each_tap_keeps_the_focus_on_its_visit_without_a_page_load(tech_phone: Page) -> None:
    page = tech_phone
    booking = technicians_day(page, today={"days": 0})["today"]
    taps = [
        ("On my way", "Traveling"),
        ("Turn back", "Scheduled"),
        ("On my way", "Traveling"),
        ("Start work", "In Progress"),
    ]
    for tap, status in taps:
        visit_card(page, booking).get_by_role("button", name=tap).click()
        expect(visit_card(page, booking).get_by_text(status, exact=True)).to_be_visible()
        assert focused_visit(page) == f"visit-{booking.pk}", tap
    expect(page.get_by_role("status").filter(has_text="Start work: done.")).to_be_visible()
    assert still_this_page(page)


def test_without_javascript_the_taps_are_plain_form_posts(
    browser: Browser, live_server: LiveServer
) -> None:
    context = open_context(browser, live_server, **PHONE, java_script_enabled=False)
    page = context.new_page()
    booking = technicians_day_without_script(page)
    visit_card(page, booking).get_by_role("button", name="On my way").click()
    expect(page.get_by_role("heading", name="This visit is not today")).to_be_visible()
    page.get_by_role("button", name="Yes, I am on my way now").click()
    expect(page).to_have_url(f"/tech/#visit-{booking.pk}")
    expect(visit_card(page, booking).get_by_text("Traveling")).to_be_visible()
    context.close()


def technicians_day_without_script(page: Page) -> Booking:
    PortalSettings.load()
    technician = ResourceFactory(user=UserFactory(email="kim@example.test"), time_zone="UTC")
    start = timezone.now() + timedelta(days=1)
    booking = BookingFactory(
        resource=technician,
        start=start,
        end=start + timedelta(minutes=30),
        work_order__account__time_zone="UTC",
    )
    sign_in(page, "kim@example.test", PASSWORD)
    page.goto("/tech/")
    return booking
