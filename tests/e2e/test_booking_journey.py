"""Booking, moving and canceling a visit in a real browser, as a customer on a phone does it."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from doorstep.catalog.models import IncidentType
from doorstep.configuration.models import PortalSettings
from doorstep.scheduling.models import Booking, BookingStatus, WorkOrderSource
from tests.e2e.conftest import (
    PHONE,
    accept_invitation,
    accessibility_violations,
    expect_home,
    invited_contact,
    open_context,
    sign_in,
    skip_profile,
)
from tests.factories import (
    ContactFactory,
    IncidentTypeFactory,
    IncidentTypeSkillFactory,
    ResourceFactory,
    ResourceSkillFactory,
    UserFactory,
    WorkingHoursFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lantern-quiet-harbour-42"
SERVICE = "Boiler service"
DENVER = ZoneInfo("America/Denver")
CUSTOMER_LAT, CUSTOMER_LON = "39.739200", "-104.990300"  # AccountFactory's coordinates
# A one-hour visit in working hours of 08:00–12:00 every day.
TIMES = ["08:00–09:00", "09:00–10:00", "10:00–11:00", "11:00–12:00"]


@pytest.fixture
def bookable_service() -> IncidentType:
    """A service type one qualified technician can do on every day from tomorrow to a week out."""
    settings = PortalSettings.load()
    settings.minimum_lead_days, settings.maximum_lead_days = 1, 7
    settings.save()
    service = IncidentTypeFactory(display_name=SERVICE, description="Yearly check.")
    requirement = IncidentTypeSkillFactory(incident_type=service)
    # At the customer's door, so no travel time narrows the working hours.
    technician = ResourceFactory(home_latitude=CUSTOMER_LAT, home_longitude=CUSTOMER_LON)
    ResourceSkillFactory(resource=technician, skill=requirement.skill, proficiency=5)
    for weekday in range(7):
        WorkingHoursFactory(
            resource=technician, weekday=weekday, start_time=time(8), end_time=time(12)
        )
    return service


def in_days(days: int) -> date:
    return timezone.now().astimezone(DENVER).date() + timedelta(days=days)


def day_label(day: date) -> str:
    """A day as the "Day" list names it: "Friday 7 March"."""
    return f"{day:%A} {day.day} {day:%B}"


def visit_when(day: date, window: str) -> str:
    """A visit's date and time as the visit pages show it: "Friday 7 March 2025, 09:00–10:00"."""
    return f"{day_label(day)} {day.year}, {window}"


def expect_times(page: Page, day: date) -> Locator:
    """The chosen day's time choices are shown, every one of them, under that day's name."""
    times = page.get_by_role("group", name=f"Time on {day_label(day)}")
    expect(times.get_by_role("radio")).to_have_count(len(TIMES))
    for window in TIMES:
        expect(times.get_by_role("radio", name=window, exact=True)).to_be_enabled()
    return times


def test_customer_books_moves_and_cancels_a_visit_on_a_phone(
    phone: Page, bookable_service: IncidentType
) -> None:
    invited = invited_contact(first_name="Robin", email="robin@example.test")
    day = in_days(2)
    violations: list[str] = []

    # Getting in.
    accept_invitation(phone, invited.code, PASSWORD)
    skip_profile(phone)
    expect_home(phone)

    # Booking.
    phone.get_by_role("link", name="Book a new appointment").click()
    expect(phone.get_by_role("heading", name="Book a visit")).to_be_visible()
    phone.get_by_role("radio", name=SERVICE).check()
    day_list = phone.get_by_label("Day", exact=True)
    expect(day_list).to_be_visible()
    booking_page_url = phone.url
    # Survives only while the document does: gone if choosing a day reloaded the page.
    phone.evaluate("window.stillTheSamePage = true")
    day_list.select_option(label=day_label(day))
    times = expect_times(phone, day)
    assert phone.url == booking_page_url
    assert phone.evaluate("window.stillTheSamePage === true"), "choosing a day reloaded the page"
    violations += accessibility_violations(phone)
    times.get_by_role("radio", name=TIMES[1]).check()
    phone.get_by_label("Anything the technician should know?").fill("Gate code 1234")
    phone.get_by_role("button", name="Book this visit").click()

    # The confirmation.
    expect(phone.get_by_role("heading", name="Your visit is booked")).to_be_visible()
    booking = Booking.objects.select_related("work_order").get()
    visit = phone.get_by_role("article", name=SERVICE)
    expect(phone.get_by_text(f"Quote reference {booking.reference}")).to_be_visible()
    expect(visit).to_contain_text(f"Reference {booking.reference}")
    expect(visit).to_contain_text(visit_when(day, TIMES[1]))
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Add to calendar").click()
    download = download_info.value
    assert download.suggested_filename == f"visit-{booking.reference}.ics"
    calendar = download.path().read_text(encoding="utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR")
    assert f"Reference {booking.reference}" in calendar
    violations += accessibility_violations(phone)

    # Moving it to another time that day.
    phone.get_by_role("link", name="Move").click()
    expect(phone.get_by_role("heading", name=f"Move visit {booking.reference}")).to_be_visible()
    expect(phone.get_by_role("radio", name=SERVICE)).to_have_count(0)  # kept as it was
    phone.get_by_label("Day", exact=True).select_option(label=day_label(day))
    times = expect_times(phone, day)
    times.get_by_role("radio", name=TIMES[3]).check()
    phone.get_by_role("button", name="Move my visit").click()

    expect(phone.get_by_role("heading", name="Your visit has been moved")).to_be_visible()
    expect(phone.get_by_role("article", name=SERVICE)).to_contain_text(visit_when(day, TIMES[3]))

    # Canceling it from the home page.
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="My visits").click()
    expect_home(phone)
    upcoming = phone.get_by_role("region", name="Upcoming visits")
    expect(upcoming.get_by_role("article", name=SERVICE)).to_contain_text(visit_when(day, TIMES[3]))
    upcoming.get_by_role("link", name=f"Cancel visit {booking.reference}").click()
    expect(phone.get_by_role("heading", name=f"Cancel visit {booking.reference}")).to_be_visible()
    phone.get_by_role("button", name="Cancel this visit").click()
    expect(phone.get_by_role("alert")).to_contain_text("Please tell us briefly why you cancel.")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.SCHEDULED
    phone.get_by_label("Why do you cancel?").fill("Fixed it myself")
    phone.get_by_role("button", name="Cancel this visit").click()

    expect_home(phone)
    expect(phone.get_by_role("status")).to_contain_text(f"Visit {booking.reference} is canceled.")
    upcoming = phone.get_by_role("region", name="Upcoming visits")
    expect(upcoming.get_by_role("article")).to_have_count(0)
    expect(upcoming.get_by_text("You have no upcoming visits.")).to_be_visible()
    phone.get_by_role("link", name="Past (1)").click()
    past = phone.get_by_role("region", name="Past visits")
    expect(past.get_by_role("article", name=SERVICE)).to_contain_text("Canceled")
    expect(past.get_by_role("article", name=SERVICE)).to_contain_text("Fixed it myself")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELED
    assert booking.cancel_reason == "Fixed it myself"
    assert booking.created_via_portal
    assert booking.start.astimezone(DENVER).time() == time(11)
    assert booking.work_order.source == WorkOrderSource.PORTAL
    assert booking.work_order.reported_by == invited.contact
    notes = list(booking.work_order.notes.values_list("text", "customer_visible"))
    assert ("Gate code 1234", True) in notes
    assert not violations, "\n".join(violations)


def test_booking_works_without_javascript(
    browser: Browser, live_server: LiveServer, bookable_service: IncidentType
) -> None:
    user = UserFactory(email="casey@example.test", password=PASSWORD)
    contact = ContactFactory(user=user, email=user.email, profile_reviewed_at=timezone.now())
    day = in_days(3)
    context = open_context(browser, live_server, java_script_enabled=False, **PHONE)
    try:
        page = context.new_page()
        sign_in(page, "casey@example.test", PASSWORD)
        expect_home(page)
        page.get_by_role("link", name="Book a new appointment").click()

        page.get_by_role("radio", name=SERVICE).check()
        page.get_by_role("button", name="Show times").click()
        page.get_by_label("Day", exact=True).select_option(label=day_label(day))
        page.get_by_role("button", name="Show times").click()
        # The choices travel in a POST: nothing private ends up in the address bar.
        assert "csrfmiddlewaretoken" not in page.url
        assert "details" not in page.url

        times = expect_times(page, day)
        expect(page.get_by_role("radio", name=SERVICE)).to_be_checked()
        times.get_by_role("radio", name=TIMES[0]).check()
        page.get_by_role("button", name="Book this visit").click()

        expect(page.get_by_role("heading", name="Your visit is booked")).to_be_visible()
        expect(page.get_by_role("article", name=SERVICE)).to_contain_text(visit_when(day, TIMES[0]))
    finally:
        context.close()
    booking = Booking.objects.select_related("work_order").get()
    assert booking.work_order.reported_by == contact
    assert booking.start.astimezone(DENVER).time() == time(8)


def test_choosing_a_day_with_the_keyboard_keeps_the_focus_on_the_day_list(
    phone: Page, bookable_service: IncidentType
) -> None:
    user = UserFactory(email="casey@example.test", password=PASSWORD)
    ContactFactory(user=user, email=user.email, profile_reviewed_at=timezone.now())
    sign_in(phone, "casey@example.test", PASSWORD)
    phone.get_by_role("link", name="Book a new appointment").click()
    phone.get_by_role("radio", name=SERVICE).check()
    day_list = phone.get_by_label("Day", exact=True)
    day_list.select_option(label=day_label(in_days(2)))
    expect_times(phone, in_days(2))

    day_list.focus()
    phone.keyboard.press("ArrowDown")  # a closed list changes its day at once

    expect_times(phone, in_days(3))
    expect(phone.get_by_label("Day", exact=True)).to_be_focused(timeout=1_000)


def test_a_time_picked_stays_picked_when_the_same_day_is_chosen_again(
    phone: Page, bookable_service: IncidentType
) -> None:
    # A slow network: a list of times arriving after the customer picked one must not
    # take their pick away (it did, and "Move my visit" then kept the old time).
    user = UserFactory(email="casey@example.test", password=PASSWORD)
    ContactFactory(user=user, email=user.email, profile_reviewed_at=timezone.now())
    sign_in(phone, "casey@example.test", PASSWORD)
    phone.get_by_role("link", name="Book a new appointment").click()
    asked: list[str] = []

    def slowly(route: Route) -> None:
        asked.append(route.request.url)
        phone.wait_for_timeout(300)
        route.continue_()

    phone.route("**/book/times/**", slowly)
    phone.get_by_role("radio", name=SERVICE).check()
    day = in_days(2)
    day_list = phone.get_by_label("Day", exact=True)
    day_list.select_option(label=day_label(day))
    times = expect_times(phone, day)
    times.get_by_role("radio", name=TIMES[2]).check()
    fetched = len(asked)

    day_list.select_option(label=day_label(day))  # the same day again
    phone.wait_for_timeout(1_000)

    expect(times.get_by_role("radio", name=TIMES[2])).to_be_checked()
    assert len(asked) == fetched, "the times already shown were fetched again"


def test_a_day_chosen_before_the_page_has_its_script_shows_its_times(
    phone: Page, bookable_service: IncidentType
) -> None:
    # On a slow network the customer can choose a day before book.js has arrived: once
    # it runs, the times of that day are fetched (they were not: the script took the
    # chosen day for the one whose times the page already showed).
    user = UserFactory(email="casey@example.test", password=PASSWORD)
    ContactFactory(user=user, email=user.email, profile_reviewed_at=timezone.now())
    sign_in(phone, "casey@example.test", PASSWORD)
    expect_home(phone)
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    phone.route("**/portal/book*.js", hold)
    phone.goto(f"/book/?service_type={bookable_service.pk}", wait_until="commit")
    day = in_days(3)
    phone.get_by_label("Day", exact=True).select_option(label=day_label(day))
    for _ in range(250):
        if held:
            break
        phone.wait_for_timeout(20)
    assert len(held) == 1
    held[0].continue_()

    expect_times(phone, day)
