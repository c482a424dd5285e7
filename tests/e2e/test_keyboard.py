"""What axe cannot see, with the keyboard alone: booking, moving, canceling, feedback and the
live map without a mouse; after every page the focus is on its heading or its message; every
form error is announced and tied to its field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from doorstep.access.visit_links import issue_visit_link
from doorstep.catalog.models import IncidentType
from doorstep.customers.models import Contact
from doorstep.scheduling.models import Booking, BookingStatus, VisitFeedback
from tests.e2e.conftest import DESKTOP, open_context
from tests.e2e.test_accessibility import ONCE, customer, visit_of
from tests.e2e.test_booking_journey import SERVICE, bookable_service  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), ONCE]

PASSWORD = "Lantern-quiet-harbour-42"
# More Tab presses than any page has stops: a target not reached by then is unreachable.
MOST_TAB_STOPS = 60
# Where the news of a page is: its list of problems, its message, else its main heading.
NEWS = ".error-summary, main .messages, main [role=alert], main h1"


@pytest.fixture
def keyboard(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A desktop browser used without its mouse (no test here clicks or checks anything)."""
    context = open_context(browser, live_server, **DESKTOP)
    yield context.new_page()
    context.close()


def focused(page: Page) -> str:
    return str(
        page.evaluate(
            """() => { const el = document.activeElement;
                return `${el.tagName.toLowerCase()} ${el.getAttribute('name') || ''} `
                    + (el.getAttribute('aria-label') || el.textContent || '')
                        .trim().slice(0, 60); }"""
        )
    )


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the target has the focus."""
    target.wait_for(state="attached")
    for _ in range(MOST_TAB_STOPS):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {target}; the focus is on {focused(page)}")


def expect_focus_on_news(page: Page) -> str:
    """After a page loads, the focus is on what it has to say; returns that text."""
    page.wait_for_load_state("load")
    page.wait_for_function(f"() => document.activeElement.matches({NEWS!r})")
    return str(page.evaluate("document.activeElement.innerText"))


def sign_in_by_keyboard(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    expect_focus_on_news(page)
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")


def signed_in_contact() -> Contact:
    return customer("en")


def test_booking_moving_and_canceling_with_the_keyboard_alone(
    keyboard: Page,
    bookable_service: IncidentType,  # noqa: F811 (the fixture imported above)
) -> None:
    page = keyboard
    contact = signed_in_contact()
    sign_in_by_keyboard(page, contact.email)
    assert "Successfully signed in" in expect_focus_on_news(page)

    tab_to(page, page.get_by_role("link", name="Book a new appointment"))
    page.keyboard.press("Enter")
    assert expect_focus_on_news(page) == "Book a visit"
    tab_to(page, page.get_by_role("radio", name=SERVICE))
    page.keyboard.press("Space")
    day = page.get_by_label("Day", exact=True)
    tab_to(page, day)
    page.keyboard.press("ArrowDown")  # a closed list takes the next day at once
    times = page.get_by_role("group", name="Time on")
    expect(times.get_by_role("radio").first).to_be_visible()
    tab_to(page, times.get_by_role("radio").first)
    page.keyboard.press("ArrowDown")  # the next time, chosen
    expect(times.get_by_role("radio").nth(1)).to_be_checked()
    tab_to(page, page.get_by_label("Anything the technician should know?"))
    page.keyboard.type("Gate code 1234")
    tab_to(page, page.get_by_role("button", name="Book this visit"))
    page.keyboard.press("Enter")

    assert "Your visit is booked" in expect_focus_on_news(page)
    booking = Booking.objects.get(work_order__account=contact.account)
    booked_at = booking.start

    tab_to(page, page.get_by_role("link", name="Move"))
    page.keyboard.press("Enter")
    assert expect_focus_on_news(page) == f"Move visit {booking.reference}"
    # A group of radio buttons is one stop, on its chosen one: the visit's time now.
    times = page.get_by_role("group", name="Time on")
    tab_to(page, times.get_by_role("radio", checked=True))
    page.keyboard.press("ArrowDown")
    tab_to(page, page.get_by_role("button", name="Move my visit"))
    page.keyboard.press("Enter")
    assert "moved" in expect_focus_on_news(page)
    booking.refresh_from_db()
    assert booking.start != booked_at

    tab_to(page, page.get_by_role("main").get_by_role("link", name="My visits"))
    page.keyboard.press("Enter")
    expect_focus_on_news(page)
    tab_to(page, page.get_by_role("link", name=f"Cancel visit {booking.reference}"))
    page.keyboard.press("Enter")
    assert expect_focus_on_news(page) == f"Cancel visit {booking.reference}"
    tab_to(page, page.get_by_role("button", name="Cancel this visit"))
    page.keyboard.press("Enter")  # without a reason: refused, and said so
    assert "Please tell us briefly why you cancel." in expect_focus_on_news(page)
    tab_to(page, page.get_by_label("Why do you cancel?"))
    page.keyboard.type("Fixed it myself")
    tab_to(page, page.get_by_role("button", name="Cancel this visit"))
    page.keyboard.press("Enter")

    assert f"Visit {booking.reference} is canceled." in expect_focus_on_news(page)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELED


def test_rating_a_visit_with_the_keyboard_alone(keyboard: Page) -> None:
    page = keyboard
    contact = signed_in_contact()
    done = visit_of(
        contact,
        BookingStatus.COMPLETED,
        start=timezone.now() - timezone.timedelta(days=1),
        end=timezone.now() - timezone.timedelta(days=1, hours=-1),
    )
    sign_in_by_keyboard(page, contact.email)
    expect_focus_on_news(page)
    tab_to(page, page.get_by_role("link", name="Past (1)"))
    page.keyboard.press("Enter")
    expect_focus_on_news(page)
    tab_to(page, page.get_by_role("link", name=f"Send feedback on visit {done.reference}"))
    page.keyboard.press("Enter")
    assert expect_focus_on_news(page) == f"Feedback on visit {done.reference}"
    tab_to(page, page.get_by_role("radio").first)
    for _ in range(3):  # from the first rating to the fourth
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="4 – Good")).to_be_checked()
    tab_to(page, page.get_by_label("Anything you would like to tell us?"))
    page.keyboard.type("Quick and tidy.")
    tab_to(page, page.get_by_role("button", name="Send feedback"))
    page.keyboard.press("Enter")

    assert "Thank" in expect_focus_on_news(page)
    assert VisitFeedback.objects.get(booking=done).rating == 4


def test_the_live_map_page_works_with_the_keyboard_alone(keyboard: Page) -> None:
    page = keyboard
    contact = signed_in_contact()
    code = issue_visit_link(booking=visit_of(contact, BookingStatus.TRAVELING), contact=contact)
    page.goto(f"/t/{code}/")
    expect_focus_on_news(page)
    expect(page.locator("[data-live-eta]")).to_contain_text("Arriving around")

    # The skip link comes first and leads past the header.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    tab_to(page, page.get_by_role("link", name="Skip to the content"), backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Every stop on the way round can be seen, and the round ends: no trap in the map.
    stops = []
    for _ in range(MOST_TAB_STOPS):
        page.keyboard.press("Tab")
        where = focused(page)
        if where.startswith("body") or (stops and where == stops[0]):
            break
        stops.append(where)
        shows = page.evaluate(
            """() => { const el = document.activeElement, s = getComputedStyle(el);
                const box = el.getBoundingClientRect();
                return box.width > 0 && box.height > 0
                    && (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
                        || s.boxShadow !== 'none'); }"""
        )
        assert shows, f"the focus on {where} cannot be seen"
    else:
        raise AssertionError(f"the Tab key never left the page's controls: {stops}")

    # The map's own controls answer the keyboard: "Zoom in" asks for the next level's streets.
    tab_to(page, page.get_by_role("button", name="Zoom in"), backwards=True)
    before = tile_zoom(page)
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => {TILE_ZOOM} > {before}")


# The zoom level of the newest street images the map asked for (their address holds it).
TILE_ZOOM = """Math.max(...[...document.querySelectorAll('img.leaflet-tile')]
    .map(img => Number((img.src.match(/\\/(\\d+)\\/\\d+\\/\\d+/) || [0, -1])[1])))"""


def tile_zoom(page: Page) -> int:
    return int(page.evaluate(f"() => {TILE_ZOOM}"))
