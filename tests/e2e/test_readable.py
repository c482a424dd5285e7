"""What axe cannot see, continued: every form error is announced and tied to its field; text
at 200 % reflows on a screen 320 px wide without sideways scrolling or lost words; and a device
that asks for reduced motion gets pages that do not move."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from doorstep.access.visit_links import issue_visit_link
from doorstep.customers.models import Contact
from doorstep.scheduling.models import BookingStatus
from tests.e2e.conftest import DESKTOP, open_context
from tests.e2e.test_accessibility import (
    ONCE,
    UNLINKED_ERRORS,
    customer,
    in_a_thread,
    move_along,
    plans_of,
    sign_in,
    submit,
    technician_of,
    todays_visits,
    visit_of,
)
from tests.e2e.test_keyboard import PASSWORD, expect_focus_on_news, sign_in_by_keyboard

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), ONCE]

# An error is announced when it is in an alert, or when the focus is on it (or its summary).
ANNOUNCED = """() => {
  const alerts = [...document.querySelectorAll('[role=alert]')].map(el => el.innerText);
  const focused = document.activeElement;
  const described = (focused.getAttribute('aria-describedby') || '').split(/\\s+/)
    .map(id => document.getElementById(id)).filter(Boolean).map(el => el.innerText);
  return [...alerts, focused.innerText, ...described].join(' ');
}"""


@pytest.fixture
def desktop_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = open_context(browser, live_server, **DESKTOP)
    yield context.new_page()
    context.close()


def expect_announced_and_tied(page: Page, *messages: str) -> None:
    page.wait_for_load_state("load")
    page.wait_for_function("() => document.activeElement !== document.body")
    announced = page.evaluate(ANNOUNCED)
    assert announced.strip(), f"nothing announces the errors on {page.url}"
    for message in messages:
        assert message in announced, (message, announced)
    assert page.evaluate(UNLINKED_ERRORS) == [], page.url


def test_errors_on_the_way_in_are_announced_and_tied_to_their_fields(desktop_page: Page) -> None:
    page = desktop_page
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("nobody@example.test")
    page.get_by_label("Password").fill("not the password")
    submit(page)
    expect_announced_and_tied(page, "not correct")

    page.goto("/accounts/password/reset/")
    page.get_by_label("Email").fill("not an address")
    submit(page)
    expect_announced_and_tied(page, "valid email address")

    page.goto("/invite/")
    page.locator("input[name=code]").fill("NOT-A-CODE")
    submit(page)
    expect_announced_and_tied(page)


def test_errors_in_the_portals_forms_are_announced_and_tied_to_their_fields(
    desktop_page: Page,
) -> None:
    page = desktop_page
    contact = customer("en")
    upcoming = visit_of(contact, BookingStatus.SCHEDULED)
    done = visit_of(
        contact,
        BookingStatus.COMPLETED,
        start=timezone.now() - timezone.timedelta(days=1),
        end=timezone.now() - timezone.timedelta(days=1, hours=-1),
    )
    sign_in_by_keyboard(page, contact.email)
    expect_focus_on_news(page)

    page.goto("/book/")
    submit(page, "#book-form")
    expect_announced_and_tied(page, "Please check what you entered")

    page.goto(f"/visits/{upcoming.pk}/cancel/")
    submit(page)
    expect_announced_and_tied(page, "Please tell us briefly why you cancel.")

    page.goto(f"/visits/{done.pk}/feedback/")
    page.get_by_label("Anything you would like to tell us?").fill("x" * 2_100)
    submit(page)
    expect_announced_and_tied(page, "Please check what you entered")

    page.goto("/profile/")
    page.locator("input[name=phone]").fill("not a phone number")
    submit(page)
    expect_announced_and_tied(page, "Please check what you entered")

    code = issue_visit_link(booking=done, contact=contact)
    page.goto(f"/t/{code}/feedback/")
    submit(page)
    expect_announced_and_tied(page, "Please check what you entered")


# --- Text at 200 % on a narrow screen ----------------------------------------------------------

NARROW = {"width": 320, "height": 640}
# What no longer fits: a page wider than the screen, or words cut off by a box too small.
LOST = """() => {
  const width = document.documentElement.clientWidth, lost = [];
  if (document.documentElement.scrollWidth > width)
    lost.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px`);
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.visually-hidden, .leaflet-container, .skip-link, script, style')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    // A field's own text scrolls inside it, under the caret: nothing is lost there.
    const clips = ['hidden', 'clip'].includes(style.overflowX)
      && !el.matches('input, textarea, select');
    if (clips && el.scrollWidth > el.clientWidth + 1)
      lost.push(`cut off: ${el.tagName} ${el.className} "${el.innerText.slice(0, 40)}"`);
    const box = el.getBoundingClientRect();
    if (box.width && (box.right > width + 1 || box.left < -1) && el.innerText
        && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
      lost.push(`off screen: ${el.tagName} ${el.className} "${el.innerText.slice(0, 40)}"`);
  }
  return lost;
}"""


def enlarge_text(page: Page) -> None:
    """Text at 200 %, as the browser's text size setting does it: the root font size."""
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")


def walk(page: Page, contact: Contact, look: Callable[[str], None]) -> None:
    """Every kind of customer page, with `look` called on each."""
    upcoming = visit_of(contact, BookingStatus.SCHEDULED)
    traveling = visit_of(contact, BookingStatus.TRAVELING)
    plan = plans_of(contact)
    link = issue_visit_link(booking=traveling, contact=contact)
    page.goto("/accounts/login/")
    look("sign-in")
    page.goto("/invite/")
    look("invitation")
    page.goto(f"/t/{link}/")
    look("visit link, live map")
    page.goto("/accessibility/")
    look("accessibility statement")
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(contact.email)
    page.locator("input[name=password]").fill(PASSWORD)
    submit(page)
    for name, url in [
        ("home", "/"),
        ("visit", f"/visits/{upcoming.pk}/"),
        ("move", f"/visits/{upcoming.pk}/modify/"),
        ("cancel", f"/visits/{upcoming.pk}/cancel/"),
        ("book", "/book/"),
        ("profile", "/profile/"),
        ("service history", "/history/"),
        ("service plans", "/plans/"),
        ("plan change", f"/plans/{plan}/change/"),
        ("live map", f"/visits/{traveling.pk}/live/"),
    ]:
        page.goto(url)
        look(name)
    # The live map keeps asking for its visit's state: a blank page asks nothing while
    # the technician's day is set up.
    page.goto("about:blank")
    technician = technician_of(contact.preferred_language)
    visits = todays_visits(technician, 3)
    in_a_thread(lambda: move_along(visits[0], BookingStatus.TRAVELING))
    assert technician.user is not None
    sign_in(page, technician.user.email)
    page.goto("/tech/")
    look("technician's day")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_text_at_200_percent_reflows_on_a_screen_320_px_wide(
    browser: Browser, live_server: LiveServer, language: str
) -> None:
    context = browser.new_context(base_url=live_server.url, locale=language, viewport=NARROW)
    page = context.new_page()
    lost: dict[str, list[str]] = {}

    def look(name: str) -> None:
        page.wait_for_load_state("load")
        enlarge_text(page)
        page.wait_for_timeout(50)  # a layout pass
        found = page.evaluate(LOST)
        if found:
            lost[name] = found

    try:
        walk(page, customer(language), look)
    finally:
        context.close()
    assert lost == {}, "\n".join(f"{name}: {found}" for name, found in lost.items())


# --- Reduced motion ----------------------------------------------------------------------------

# Elements that still animate or take time to change: longer than 10 ms.
MOVING = """() => {
  const longest = value => Math.max(...value.split(',').map(
    part => parseFloat(part) * (part.trim().endsWith('ms') ? 1 : 1000)));
  return [...document.querySelectorAll('*')].filter(el => {
    const style = getComputedStyle(el);
    return (style.animationName !== 'none' && longest(style.animationDuration) > 10)
      || longest(style.transitionDuration) > 10 || style.scrollBehavior === 'smooth';
  }).map(el => `${el.tagName} ${el.className}`);
}"""


def test_a_device_asking_for_reduced_motion_gets_pages_that_do_not_move(
    browser: Browser, live_server: LiveServer
) -> None:
    context = open_context(browser, live_server, **DESKTOP, reduced_motion="reduce")
    page = context.new_page()
    moving: dict[str, list[str]] = {}

    def look(name: str) -> None:
        page.wait_for_load_state("load")
        assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
        # A map as it zooms: Leaflet's class for the while its layers glide to the new scale.
        page.evaluate(
            "() => document.querySelectorAll('.leaflet-container')"
            ".forEach(map => map.classList.add('leaflet-zoom-anim'))"
        )
        found = page.evaluate(MOVING)
        # Leaflet's own animations, which CSS cannot stop: the map is made without them.
        found += page.evaluate(
            "() => [...document.querySelectorAll('.leaflet-container.leaflet-fade-anim')]"
            ".map(() => 'Leaflet fades its tiles')"
        )
        if found:
            moving[name] = sorted(set(found))

    try:
        walk(page, customer("en"), look)
    finally:
        context.close()
    assert moving == {}
