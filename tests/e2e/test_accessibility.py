"""WCAG 2.2 AA on every page, proven by axe: every state of every customer and technician
page, at 375, 768 and 1440 px, in every offered language (Arabic right to left included).

One browser context per language walks the pages as their users would reach them: signed
out (sign-in, password reset, invitation, visit links in each state, the statement, 404),
then as a customer (home, each step of booking, moving, canceling, feedback, profile, the
second factor's pages), then as a technician through a working day. Each state is checked
at the three widths by resizing the window, without reloading the page.

Axe's rules do not depend on the database, so the matrix runs once, in the SQLite run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from doorstep.access import visit_links
from doorstep.access.models import VisitLink
from doorstep.catalog.models import IncidentType
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.history.models import VisitRecord
from doorstep.scheduling import self_scheduling, services
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.tracking import live
from doorstep.workforce.models import Resource
from tests.e2e.conftest import TIMEOUT_MS
from tests.factories import (
    AccountFactory,
    AssetFactory,
    BookingFactory,
    ContactFactory,
    IncidentTypeFactory,
    IncidentTypeSkillFactory,
    ResourceFactory,
    ResourceSkillFactory,
    ServicePlanFactory,
    UserFactory,
    WorkingHoursFactory,
    WorkOrderFactory,
    invite,
)

# What a page shows a person does not depend on the database: these run in the SQLite run.
ONCE = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="what the pages show does not depend on the database: the SQLite run covers it",
)
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), ONCE]

LANGUAGES = ["en", "es", "fr", "de", "ar"]
WIDTHS = [375, 768, 1440]
HEIGHT = 900
# Every WCAG 2.0, 2.1 and 2.2 rule of levels A and AA that axe knows.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# Where the focus lands after a page loads: its news (a list of problems, a refused field,
# a message) or its main heading.
NEWS = (
    ".error-summary, main .errorlist.nonfield, main form [aria-invalid=true], main .messages,"
    " main [role=alert], main h1"
)
# Each error shown is in an element that a control names with aria-describedby, and the
# control says it is invalid. Returns what is missing.
UNLINKED_ERRORS = """() => {
  const missing = [];
  const errors = 'main .field__errors, main .errorlist:not(.nonfield)';
  const shown = [...document.querySelectorAll(errors)]
    .filter(el => el.innerText.trim() && !el.closest('.error-summary'));
  for (const error of shown) {
    const text = error.innerText.trim();
    const owners = error.id ? [...document.querySelectorAll('[aria-describedby]')].filter(
      el => el.getAttribute('aria-describedby').split(/\\s+/).includes(error.id)) : [];
    if (!owners.length) { missing.push(`not tied to a field: ${text}`); continue; }
    for (const owner of owners) {
      const controls = owner.matches('input, select, textarea') ? [owner]
        : [...owner.querySelectorAll('input, select, textarea')];
      if (!controls.some(c => c.getAttribute('aria-invalid') === 'true'))
        missing.push(`field not marked invalid: ${text}`);
    }
  }
  return missing;
}"""
AXE_SCRIPT = Path(axe_playwright_python.__file__).with_name("axe.min.js")
AXE_RUN = """options => axe.run(document, options).then(results => results.violations.map(
    v => v.nodes.map(n => `[${v.impact}] ${v.id}: ${v.help} → ${n.target.join(' ')} ${n.html}`)
).flat())"""
PASSWORD = "Lantern-quiet-harbour-42"
CUSTOMER_LAT, CUSTOMER_LON = "39.739200", "-104.990300"  # AccountFactory's coordinates


def in_a_thread[T](work: Callable[[], T]) -> T:
    # Playwright's loop runs in this thread, and the live updates a change of status pushes
    # cannot be sent from under it: changes are made in a thread of their own.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


class Matrix:
    """Runs axe on the page at each width and keeps what it finds, by state."""

    def __init__(self, page: Page, language: str) -> None:
        self.page = page
        self.language = language
        self.found: list[str] = []
        self.states: list[str] = []

    def check(self, state: str, *, error: bool = False, loaded: bool = True) -> None:
        """Axe at each width; `loaded` when the state is a page just opened or sent."""
        page = self.page
        page.wait_for_load_state("load")
        expect(page.locator("h1").first).to_be_visible()
        if error:  # the state is the one meant: the page shows what went wrong
            expect(page.locator("[role=alert], .errorlist, .field__errors").first).to_be_visible()
            for line in page.evaluate(UNLINKED_ERRORS):
                self.found.append(f"{self.language} {state} {page.url}: {line}")
        assert page.locator("html").get_attribute("lang") == self.language, (state, page.url)
        if loaded and not page.evaluate(f"() => document.activeElement.matches({NEWS!r})"):
            self.found.append(
                f"{self.language} {state} {page.url}: after the page loads, the focus is on "
                + page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
            )
        self.states.append(state)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
            for line in page.evaluate(AXE_RUN, options):
                self.found.append(f"{self.language} {state} @{width}px {page.url}: {line}")


def submit(page: Page, form: str = "main form") -> None:
    """Send a form with its main button, as a person would (works in any language).

    The browser's own checks are left out, so that the server's error pages are reached.
    """
    page.locator(form).first.evaluate("form => { form.noValidate = true; }")
    page.locator(f"{form} button[type=submit]").first.click()
    page.wait_for_load_state("load")


# --- Data ---------------------------------------------------------------------------------------


def bookable_service() -> IncidentType:
    settings = PortalSettings.load()
    settings.minimum_lead_days, settings.maximum_lead_days = 1, 7
    settings.contact_email = "help@example.test"
    settings.contact_phone = "+1 303 555 0100"
    settings.save()
    service = IncidentTypeFactory(display_name="Boiler service", description="Yearly check.")
    requirement = IncidentTypeSkillFactory(incident_type=service)
    technician = ResourceFactory(home_latitude=CUSTOMER_LAT, home_longitude=CUSTOMER_LON)
    ResourceSkillFactory(resource=technician, skill=requirement.skill, proficiency=5)
    for weekday in range(7):
        WorkingHoursFactory(
            resource=technician, weekday=weekday, start_time=time(8), end_time=time(12)
        )
    return service


def customer(language: str) -> Contact:
    user = UserFactory(email=f"casey-{language}@example.test", password=PASSWORD)
    contact: Contact = ContactFactory(
        user=user,
        email=user.email,
        preferred_language=language[:2],
        profile_reviewed_at=timezone.now(),
        account=AccountFactory(time_zone="America/Denver"),
    )
    return contact


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


def move_along(booking: Booking, status: str) -> None:
    for step in PATHS[status]:
        services.set_status(booking=booking, status=step, cancel_reason="Not needed any more")
    if status == BookingStatus.TRAVELING:
        live.start_eta(booking_id=booking.pk)


def visit_of(contact: Contact, status: str, **fields: Any) -> Booking:
    def make() -> Booking:
        booking: Booking = BookingFactory(
            work_order=WorkOrderFactory(
                account=contact.account, incident_type__display_name="Boiler service"
            ),
            **fields,
        )
        move_along(booking, status)
        return booking

    return in_a_thread(make)


def plans_of(contact: Contact) -> int:
    """The customer's service plans: one booked, one to book, one paused; the first's id."""

    def make() -> int:
        asset = AssetFactory(account=contact.account, name="Heat pump")
        booked = ServicePlanFactory(
            account=contact.account,
            name="Heat pump care",
            asset=asset,
            every=3,
            starts_on=timezone.localdate() + timedelta(days=4),
            customer_note="A full service and a safety check, twice a year.",
        )
        start = timezone.now() + timedelta(days=5)
        BookingFactory(
            work_order=WorkOrderFactory(
                account=contact.account, asset=asset, incident_type=booked.service_type
            ),
            start=start,
            end=start + timedelta(hours=1),
        )
        ServicePlanFactory(account=contact.account, name="Filter changes", every=2, unit="weeks")
        ServicePlanFactory(account=contact.account, name="Gutters", status="paused")
        return int(booked.pk)

    return in_a_thread(make)


def equipment_of(contact: Contact) -> int:
    """A piece of the customer's equipment with a past and an upcoming visit: its id."""

    def make() -> int:
        asset = AssetFactory(account=contact.account, name="Gas boiler")
        for days, status in [(-10, BookingStatus.COMPLETED), (5, BookingStatus.SCHEDULED)]:
            start = timezone.now() + timedelta(days=days)
            booking = BookingFactory(
                work_order=WorkOrderFactory(
                    account=contact.account,
                    asset=asset,
                    incident_type__display_name="Boiler service",
                ),
                start=start,
                end=start + timedelta(hours=1),
                status=status,
                completed_at=start + timedelta(hours=1) if days < 0 else None,
            )
            if days < 0:
                VisitRecord.objects.create(booking=booking, work_done="Cleaned the burner.")
        return int(asset.pk)

    return in_a_thread(make)


def technician_of(language: str) -> Resource:
    technician: Resource = ResourceFactory(
        display_name="Alex M.",
        user=UserFactory(email=f"alex-{language}@example.test", password=PASSWORD),
        preferred_language=language,
        time_zone="UTC",
    )
    return technician


def todays_visits(technician: Resource, count: int) -> list[Booking]:
    now = timezone.now()
    first = min(now + timedelta(minutes=30), now.replace(hour=20, minute=0, second=0))
    return [
        BookingFactory(
            resource=technician,
            start=first + timedelta(hours=hour),
            end=first + timedelta(hours=hour, minutes=45),
            work_order__account__time_zone="UTC",
            work_order__incident_type__display_name="Boiler service",
        )
        for hour in range(count)
    ]


# --- The walk -----------------------------------------------------------------------------------


@pytest.fixture
def context_for(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[str], Page]]:
    contexts: list[BrowserContext] = []

    def open_page(language: str) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale=language,
            viewport={"width": WIDTHS[0], "height": HEIGHT},
        )
        context.set_default_timeout(TIMEOUT_MS)
        # Axe is in every page from its first line, so checking a state injects nothing.
        context.add_init_script(path=AXE_SCRIPT)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    submit(page)


def walk_signed_out(matrix: Matrix, contact: Contact) -> None:
    page = matrix.page
    links = {}
    for status in PATHS:
        links[status] = visit_links.issue_visit_link(
            booking=visit_of(contact, status), contact=contact
        )
    expired = visit_of(contact, BookingStatus.SCHEDULED)
    links["expired"] = visit_links.issue_visit_link(booking=expired, contact=contact)
    VisitLink.objects.filter(booking=expired).update(valid_until=timezone.now())

    page.goto("/accounts/login/")
    matrix.check("sign-in")
    page.locator("input[name=login]").fill(contact.email)
    page.locator("input[name=password]").fill("not the password")
    submit(page)
    matrix.check("sign-in, wrong password", error=True)

    page.goto("/accounts/password/reset/")
    matrix.check("password reset")
    page.locator("input[name=email]").fill("not an address")
    submit(page)
    matrix.check("password reset, error", error=True)
    page.locator("input[name=email]").fill(contact.email)
    submit(page)
    matrix.check("password reset, sent")
    page.goto("/accounts/password/reset/key/1-not-a-key/")
    matrix.check("password reset, bad key")

    page.goto("/invite/")
    matrix.check("redeem invitation")
    page.locator("input[name=code]").fill("NOT-A-CODE")
    submit(page)
    matrix.check("redeem invitation, error", error=True)
    # Its email is in English (the factory reads the code from it); the page follows the browser.
    fresh = ContactFactory(account=contact.account, preferred_language="en")
    page.goto(f"/invite/{invite(fresh).code}/")
    matrix.check("redeem invitation, choose a password")

    for state, code in links.items():
        page.goto(f"/t/{code}/")
        matrix.check(f"visit link, {state}")
    page.goto(f"/t/{links[BookingStatus.COMPLETED]}/feedback/")
    matrix.check("visit link, survey")
    submit(page)
    matrix.check("visit link, survey with errors", error=True)
    page.locator("input[name=rating][value='5']").check()
    submit(page)
    matrix.check("visit link, survey sent")

    # A customer who set up an authenticator app is asked for its code after the password.
    secured = customer(f"{matrix.language}-2fa")
    assert secured.user is not None
    TOTP.activate(secured.user, generate_totp_secret())
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(secured.email)
    page.locator("input[name=password]").fill(PASSWORD)
    submit(page)
    expect(page.locator("input[name=code]")).to_be_visible()
    matrix.check("sign-in, second factor")
    page.locator("input[name=code]").fill("000000")
    submit(page)
    matrix.check("sign-in, second factor, wrong code", error=True)
    page.context.clear_cookies()

    page.goto("/accessibility/")
    matrix.check("accessibility statement")
    page.goto("/no-such-page/")
    matrix.check("404")


def walk_booking(matrix: Matrix, contact: Contact, service: IncidentType) -> None:
    page = matrix.page
    page.goto("/book/")
    matrix.check("book, service")
    submit(page, "#book-form")
    matrix.check("book, errors", error=True)
    page.locator(f"input[name=service_type][value='{service.pk}']").check()
    day = page.locator("select[name=day]")
    expect(day).to_be_visible()
    matrix.check("book, day", loaded=False)
    free_days = day.locator("option:not([disabled]):not([value=''])")
    day.select_option(free_days.nth(1).get_attribute("value"))
    expect(page.locator("input[name=start]").first).to_be_visible()
    matrix.check("book, time", loaded=False)
    chosen = page.locator("input[name=start]").first
    chosen.check()
    page.locator("textarea[name=details]").fill("Gate code 1234")
    matrix.check("book, comments", loaded=False)

    # Someone else takes the time while the page is open.
    start = chosen.get_attribute("value")
    assert start is not None
    other = ContactFactory(account=AccountFactory(time_zone="America/Denver"))
    in_a_thread(
        lambda: self_scheduling.book(
            contact=other,
            incident_type=service,
            start=datetime.fromisoformat(start),
        )
    )
    submit(page, "#book-form")
    matrix.check("book, time taken", error=True)
    page.locator("input[name=start]").first.check()
    submit(page, "#book-form")
    expect(page).to_have_url(re.compile(r"/visits/\d+/\?booked=1$"))
    matrix.check("book, confirmation")


def walk_signed_in(matrix: Matrix, contact: Contact, service: IncidentType) -> None:
    page = matrix.page
    upcoming = visit_of(contact, BookingStatus.SCHEDULED)
    traveling = visit_of(contact, BookingStatus.TRAVELING)
    past = visit_of(
        contact,
        BookingStatus.COMPLETED,
        start=timezone.now() - timedelta(days=1),
        end=timezone.now() - timedelta(days=1) + timedelta(hours=1),
    )
    canceled = visit_of(contact, BookingStatus.CANCELED)
    sign_in(page, contact.email)
    expect(page).to_have_url("/")
    matrix.check("home, active and upcoming")
    page.goto("/?tab=past")
    matrix.check("home, past")
    for name, booking in [
        ("scheduled", upcoming),
        ("traveling", traveling),
        ("completed", past),
        ("canceled", canceled),
    ]:
        page.goto(f"/visits/{booking.pk}/")
        matrix.check(f"visit, {name}")
    page.goto(f"/visits/{traveling.pk}/live/")
    matrix.check("visit, live map")

    walk_booking(matrix, contact, service)

    page.goto(f"/visits/{upcoming.pk}/modify/")
    matrix.check("move")
    page.goto(f"/visits/{upcoming.pk}/cancel/")
    matrix.check("cancel")
    submit(page)
    matrix.check("cancel, errors", error=True)
    page.locator("textarea[name=reason]").fill("Fixed it myself")
    submit(page)
    matrix.check("home, a visit canceled")
    page.goto(f"/visits/{past.pk}/feedback/")
    matrix.check("feedback")
    page.locator("textarea").first.fill("x" * 2_100)
    submit(page)
    matrix.check("feedback, errors", error=True)
    page.locator("input[name=rating][value='4']").check()
    page.locator("textarea").first.fill("Quick and tidy.")
    submit(page)
    matrix.check("feedback, sent")

    page.goto("/profile/")
    matrix.check("profile")
    page.locator("input[name=phone]").fill("not a phone number")
    submit(page)
    matrix.check("profile, errors", error=True)

    page.goto("/accounts/2fa/")
    matrix.check("second factor")
    page.goto("/accounts/2fa/totp/activate/")
    matrix.check("second factor, authenticator app")
    page.goto("/history/")
    matrix.check("service history")
    page.goto(f"/equipment/{equipment_of(contact)}/")
    matrix.check("equipment")
    plan = plans_of(contact)
    page.goto("/plans/")
    matrix.check("service plans")
    page.goto(f"/plans/{plan}/change/")
    matrix.check("plan change")
    submit(page)
    matrix.check("plan change, errors", error=True)
    page.locator("textarea[name=text]").fill("Visits in May, please.")
    submit(page)
    matrix.check("service plans, change asked")
    page.goto("/tech/")
    matrix.check("technician app, not a technician")
    page.goto(f"/visits/{upcoming.pk + 1000}/")
    matrix.check("404, signed in")


def walk_technician_day(matrix: Matrix) -> None:
    page = matrix.page
    technician = technician_of(matrix.language)
    assert technician.user is not None
    sign_in(page, technician.user.email)
    page.goto("/tech/")
    matrix.check("technician, no visits")
    visits = todays_visits(technician, 3)
    page.goto("/tech/")
    matrix.check("technician, several visits")
    in_a_thread(lambda: move_along(visits[0], BookingStatus.TRAVELING))
    page.goto("/tech/")
    matrix.check("technician, traveling")
    in_a_thread(lambda: services.set_status(booking=visits[0], status=BookingStatus.IN_PROGRESS))
    page.goto("/tech/")
    matrix.check("technician, in progress")
    in_a_thread(lambda: services.set_status(booking=visits[0], status=BookingStatus.COMPLETED))
    for booking in visits[1:]:
        in_a_thread(lambda booking=booking: move_along(booking, BookingStatus.COMPLETED))  # type: ignore[misc]
    page.goto("/tech/")
    matrix.check("technician, day finished")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_state_meets_wcag_2_2_aa(
    context_for: Callable[[str], Page], language: str
) -> None:
    service = bookable_service()
    contact = customer(language)
    matrix = Matrix(context_for(language), language)

    walk_signed_out(matrix, contact)
    walk_signed_in(matrix, contact, service)
    walk_technician_day(matrix)

    assert matrix.found == [], "\n".join(matrix.found)


def test_the_check_finds_what_it_looks_for(context_for: Callable[[str], Page]) -> None:
    page = context_for("en")
    page.goto("/accessibility/")
    # A button without a name and a target smaller than 24 px: two rules of the matrix.
    page.evaluate(
        """() => { const b = document.createElement('button');
            b.className = 'visually-hidden-not'; b.style.cssText = 'width:10px;height:10px';
            document.querySelector('h1').after(b); }"""
    )
    found = page.evaluate(AXE_RUN, {"runOnly": {"type": "tag", "values": WCAG_AA}})
    assert any("button-name" in line for line in found), found
