"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

The live server serves the app from a thread, on the test database, with static files
through django.contrib.staticfiles. Tests create their data with factories and services
before they open a page, then act as a person would: by role and label.

The helpers at the bottom (sign_in, accept_invitation, …) are the steps of the customer's
journey, for the tests here and for the ones the booking pages will add.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from doorstep.customers.models import Contact
from tests.factories import ContactFactory, invite

# Debian's build, installed by `make test` (apt-get install -y chromium). Playwright never
# downloads a browser of its own here.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
# Long enough to wait for a page, short enough that a broken one fails the run quickly.
TIMEOUT_MS = 10_000
# Axe impacts that fail a test; "minor" and "moderate" ones are worth a look but not a red build.
BLOCKING_IMPACTS = ("serious", "critical")


@pytest.fixture(autouse=True)
def fresh_allowances() -> None:
    """Each browser test starts with the sign-in allowances untouched.

    Every browser signs in from 127.0.0.1, and the suite tries wrong passwords on purpose
    (error pages in each language): past 20 failures in five minutes the address is paused
    (ACCOUNT_RATE_LIMITS), and a later test's right password would be refused too.
    """
    cache.clear()


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Playwright, for the duration of the browser tests only.

    Its sync API keeps an asyncio loop marked as running in the main thread for as long as it
    is started, and Django refuses ORM calls from a thread with a running loop. So Django's
    check is switched off while, and only while, Playwright runs: package scope ends it
    before the rest of the suite, which keeps the check.
    """
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`."
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} CI must run the browser tests.", pytrace=False)
        pytest.skip(f"browser tests need Chromium. {message}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as started:
            yield started


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for all the browser tests; each test gets its own context."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


def open_context(browser: Browser, live_server: LiveServer, **options: Any) -> BrowserContext:
    """A fresh browser profile (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en-US", **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def phone_context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = open_context(browser, live_server, **PHONE)
    yield context
    context.close()


@pytest.fixture
def desktop_context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = open_context(browser, live_server, **DESKTOP)
    yield context
    context.close()


@pytest.fixture
def phone(phone_context: BrowserContext) -> Page:
    """A page on a phone-sized touch screen (390×844, like a recent iPhone)."""
    return phone_context.new_page()


@pytest.fixture
def desktop(desktop_context: BrowserContext) -> Page:
    """A page in a desktop browser window (1280×800)."""
    return desktop_context.new_page()


# --- Data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invited:
    contact: Contact
    code: str


def invited_contact(**contact_fields: Any) -> Invited:
    """A contact of an active account with a fresh invitation, and the code from its email."""
    contact = ContactFactory(**contact_fields)
    return Invited(contact=contact, code=invite(contact).code)


# --- Steps of the customer's journey ------------------------------------------------------------


def accept_invitation(page: Page, code: str, password: str) -> None:
    """Open the invitation link, choose a password and send the form."""
    page.goto(f"/invite/{code}/")
    expect(page.get_by_role("heading", name="Accept your invitation")).to_be_visible()
    page.get_by_label("Choose a password").fill(password)
    page.get_by_label("Type the password again").fill(password)
    page.get_by_role("button", name="Set my password").click()


def skip_profile(page: Page) -> None:
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    page.get_by_role("button", name="Skip for now").click()


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/accounts/login/")


def expect_home(page: Page) -> None:
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name="Upcoming visits")).to_be_visible()


# --- Checks on any page --------------------------------------------------------------------------


def expect_styled(page: Page) -> None:
    """The portal's stylesheet was served and applied (static files work on the live server)."""
    page.wait_for_load_state("load")  # a stylesheet joins document.styleSheets once loaded
    loaded = page.evaluate(
        """() => [...document.styleSheets].some(
            sheet => (sheet.href || "").endsWith("/static/portal/portal.css")
                && sheet.cssRules.length > 0)"""
    )
    assert loaded, f"portal.css did not load on {page.url}"
    # The skip link is moved off screen by portal.css alone.
    box = page.get_by_role("link", name="Skip to the content").bounding_box()
    assert box is not None
    assert box["x"] < 0, "portal.css is not applied: the skip link is on screen"


def accessibility_violations(page: Page) -> list[str]:
    """Axe's serious and critical violations on the page, one readable line per element."""
    results = Axe().run(page)
    return [
        f"{page.url} [{violation['impact']}] {violation['id']}: {violation['help']} "
        f"→ {', '.join(node['target'])} {node['html']}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
        for node in violation["nodes"]
    ]
