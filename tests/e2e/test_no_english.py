"""No English word on a page a customer reads in another language.

Every state of every customer page (the portal's, the visit links', the sign-in and account
pages', errors included) is opened in English first and then in Spanish, French, German and
Arabic; any run of words of the English page that comes back on the other language's page
fails the test. Names, addresses, references and the company's own words are the customer's
or the company's, and are taken out before the comparison.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import time, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, Route
from pytest_django.live_server_helper import LiveServer

from doorstep.access.visit_links import issue_visit_link
from doorstep.catalog.models import IncidentType
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.scheduling import services
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.workforce.models import Resource
from tests.e2e.conftest import open_context
from tests.factories import (
    AccountFactory,
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
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lantern-quiet-harbour-42"
OTHERS = ("es", "fr", "de", "ar")
# Set to a folder to keep a screenshot of each state in each language (1440 px wide).
SHOTS = os.environ.get("DOORSTEP_SHOTS_DIR", "")
# The data's own words: names, places, the company's configured words. Not English to
# translate, whatever language they happen to be in.
DATA_WORDS = (
    "Doorstep",
    "Lucía",
    "Ruiz",
    "Familia Ruiz",
    "Calle Mayor",
    "Madrid",
    "Revisión de caldera",
    "Caldera Vaillant",
    "Jordi Puig",
    "Plan Caldera",
    "Ya no hace falta",
    "Denver",
    "Leaflet",
    "OpenStreetMap",
    *(name for _code, name in settings.LANGUAGES),
)
# Words written the same in English and in that language: alone, or two of them in a row
# ("Links in …" in German), they are not English left over.
SAME_WORDS = {
    "es": {"error", "total"},
    "fr": {"date", "service", "code", "codes", "message", "note", "notes", "excellent"}
    | {"invitation", "options"},
    "de": {"name", "code", "codes", "passkey", "service", "details", "status", "optional"}
    | {"links", "in", "app", "authenticator", "problem", "token", "live"},
    "ar": set(),
}
WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass
class Walk:
    """The pages walked, each in every language, and the English words found where they
    should not be."""

    contact: Contact
    live_server: LiveServer
    found: dict[str, list[str]] = field(default_factory=dict)

    def speak(self, language: str, page: Page) -> None:
        """The contact's saved language, and the switch's choice in the page's browser."""
        Contact.objects.filter(pk=self.contact.pk).update(preferred_language=language)
        page.context.add_cookies(
            [
                {
                    "name": settings.LANGUAGE_COOKIE_NAME,
                    "value": language,
                    "url": self.live_server.url,
                }
            ]
        )

    def state(self, name: str, page: Page, show: Callable[[Page], object]) -> None:
        """Open the state in English, then in each other language, and compare."""
        self.speak("en", page)
        show(page)
        english = page_texts(page)
        runs = english_runs(english)
        for language in OTHERS:
            self.speak(language, page)
            show(page)
            lang = page.locator("html").get_attribute("lang")
            if lang != language:
                self.found[f"{name} [{language}]"] = [f'<html lang="{lang}">']
                continue
            leftovers = english_left(page_texts(page), runs, SAME_WORDS[language])
            if leftovers:
                self.found[f"{name} [{language}]"] = leftovers
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{SHOTS}/{name}-{language}.png", full_page=True)


def page_texts(page: Page) -> list[str]:
    """Every text of the page a person may read or hear: its text nodes (hidden ones too,
    as a script may show them), its title, and the labels in attributes."""
    texts: list[str] = page.evaluate(
        """() => {
            const out = [document.title];
            const skip = "script, style, noscript, .language-switch select, "
                + ".leaflet-control-attribution";
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const parent = node.parentElement;
                if (parent && !parent.closest(skip)) out.push(node.textContent);
            }
            for (const el of document.body.querySelectorAll(
                    "[aria-label], [title], [placeholder], [alt], input[type=submit]")) {
                if (el.closest(skip)) continue;
                for (const name of ["aria-label", "title", "placeholder", "alt"]) {
                    if (el.hasAttribute(name)) out.push(el.getAttribute(name));
                }
                if (el.type === "submit" && el.value) out.push(el.value);
            }
            return out;
        }"""
    )
    return [text for text in (without_data(text) for text in texts) if text]


def without_data(text: str) -> str:
    for words in DATA_WORDS:
        text = text.replace(words, " ")
    # Emails, references, codes and secrets (capitals and digits) are not words to translate.
    # Abbreviations (SMS, MST) read the same in every language here.
    text = re.sub(r"\S+@\S+|\b[A-Z0-9-]{2,}\b|(\w)\1{5,}", " ", text)
    return " ".join(text.split())


def words_of(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


def english_runs(texts: list[str]) -> tuple[set[tuple[str, str]], set[str]]:
    """The English page's pairs of neighbouring words, and its texts of one word."""
    pairs: set[tuple[str, str]] = set()
    alone: set[str] = set()
    for text in texts:
        words = words_of(text)
        pairs.update(pairwise(words))
        if len(words) == 1:
            alone.add(words[0])
    return pairs, alone


def english_left(
    texts: list[str], runs: tuple[set[tuple[str, str]], set[str]], same: set[str]
) -> list[str]:
    """The texts that have two English words in a row, or are one English word alone."""
    pairs, alone = runs
    left: list[str] = []
    for text in texts:
        words = words_of(text)
        english_pairs = [
            pair for pair in pairwise(words) if pair in pairs and not set(pair) <= same
        ]
        if english_pairs or (len(words) == 1 and words[0] in alone and words[0] not in same):
            left.append(text)
    return sorted(set(left))


# --- Data ---------------------------------------------------------------------------------


def in_thread[T](make: Callable[[], T]) -> T:
    # Playwright's loop runs in this thread, and the live updates a status change pushes
    # cannot be sent from under it: changes are made in a thread of their own.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(make).result()


def visit_in(contact: Contact, status: str, days: int, hours: int = 0) -> Booking:
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(
        days=days, hours=hours
    )
    booking: Booking = BookingFactory(
        work_order=WorkOrderFactory(
            account=contact.account,
            incident_type=IncidentType.objects.get(name="Revisión de caldera"),
        ),
        resource=Resource.objects.get(display_name="Jordi Puig"),
        start=start,
        end=start + timedelta(hours=2),
    )
    steps = {
        BookingStatus.SCHEDULED: [],
        BookingStatus.TRAVELING: [BookingStatus.TRAVELING],
        BookingStatus.IN_PROGRESS: [BookingStatus.TRAVELING, BookingStatus.IN_PROGRESS],
        BookingStatus.COMPLETED: [
            BookingStatus.TRAVELING,
            BookingStatus.IN_PROGRESS,
            BookingStatus.COMPLETED,
        ],
        BookingStatus.CANCELED: [BookingStatus.CANCELED],
    }[status]

    def move() -> None:
        for step in steps:
            services.set_status(booking=booking, status=step, cancel_reason="Ya no hace falta")

    in_thread(move)
    return booking


def customer() -> Contact:
    portal = PortalSettings.load()
    portal.minimum_lead_days, portal.maximum_lead_days = 1, 7
    portal.save()
    account = AccountFactory(name="Familia Ruiz", address_line1="Calle Mayor 12", city="Madrid")
    user = UserFactory(email="lucia@example.test", first_name="Lucía", last_name="Ruiz")
    user.set_password(PASSWORD)
    user.save()
    contact: Contact = ContactFactory(
        account=account,
        user=user,
        first_name="Lucía",
        last_name="Ruiz",
        email="lucia@example.test",
        profile_reviewed_at=timezone.now(),
    )
    service = IncidentTypeFactory(name="Revisión de caldera", display_name="Revisión de caldera")
    requirement = IncidentTypeSkillFactory(incident_type=service)
    technician = ResourceFactory(
        display_name="Jordi Puig", home_latitude=account.latitude, home_longitude=account.longitude
    )
    ResourceSkillFactory(resource=technician, skill=requirement.skill, proficiency=5)
    for weekday in range(7):
        WorkingHoursFactory(
            resource=technician, weekday=weekday, start_time=time(8), end_time=time(12)
        )
    return contact


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch_once(fetched: dict[str, Fetched]) -> Callable[[Route], None]:
    """Scripts and the language catalogs fetched once for the whole walk, and images and
    styles (which change no word) not at all unless screenshots are kept: the live server
    then spends its time on the pages."""

    def answer(route: Route) -> None:
        url = route.request.url
        if not SHOTS and re.search(r"\.(png|svg|woff2?|css)(\?.*)?$", url):
            route.abort()
            return
        if url not in fetched:
            response = route.fetch()
            fetched[url] = Fetched(response.status, response.headers, response.body())
        done = fetched[url]
        route.fulfill(status=done.status, headers=done.headers, body=done.body)

    return answer


def post(page: Page, url: str, data: dict[str, str]) -> None:
    """Send a form as the page's own would, with the page's CSRF token (a hand-made POST)."""
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.evaluate(
            """([url, data]) => {
            const form = document.createElement("form");
            form.method = "post"; form.action = url;
            const token = document.querySelector("[name=csrfmiddlewaretoken]");
            const fields = Object.assign(token ? {csrfmiddlewaretoken: token.value} : {}, data);
            for (const [name, value] of Object.entries(fields)) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                form.append(input);
            }
            document.body.append(form);
            form.submit();
        }""",
            [url, data],
        )


def test_no_english_word_on_any_customer_page_in_another_language(
    browser: Browser, live_server: LiveServer
) -> None:
    contact = customer()
    user = contact.user
    assert user is not None
    upcoming = visit_in(contact, BookingStatus.SCHEDULED, days=3)
    working = visit_in(contact, BookingStatus.IN_PROGRESS, days=0)
    done = visit_in(contact, BookingStatus.COMPLETED, days=-2)
    canceled = visit_in(contact, BookingStatus.CANCELED, days=-1)
    # One trip at a time: the technician sets off once the visit before is under way.
    # Its visit comes after the one in progress: a technician is never booked twice at once.
    traveling = visit_in(contact, BookingStatus.TRAVELING, days=0, hours=2)
    links = {
        booking.status: issue_visit_link(booking=booking, contact=contact)
        for booking in (upcoming, traveling, working, done, canceled)
    }
    service_id = str(upcoming.work_order.incident_type_id)
    plan = ServicePlanFactory(
        account=contact.account,
        name="Plan Caldera",
        service_type=upcoming.work_order.incident_type,
        every=6,
        starts_on=timezone.localdate() + timedelta(days=40),
    )
    ServicePlanFactory(
        account=contact.account,
        name="Plan Caldera",
        service_type=upcoming.work_order.incident_type,
        every=2,
        unit="weeks",
        status="paused",
    )
    day = (timezone.now() + timedelta(days=2)).astimezone(ZoneInfo("America/Denver")).date()

    fetched: dict[str, Fetched] = {}
    signed_in = open_context(browser, live_server, viewport={"width": 1440, "height": 900})
    stranger = open_context(browser, live_server, viewport={"width": 1440, "height": 900})
    for context in (signed_in, stranger):
        context.route(re.compile(r".*/(static|jsi18n)/.*"), fetch_once(fetched))
    walk = Walk(contact=contact, live_server=live_server)
    page = signed_in.new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("lucia@example.test")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")

    def goto(url: str) -> Callable[[Page], object]:
        # The page's scripts are deferred: they have run once the document is parsed.
        return lambda p: p.goto(url, wait_until="domcontentloaded")

    def posted(url: str, data: dict[str, str]) -> Callable[[Page], object]:
        def show(p: Page) -> None:
            # The page shown already has the form's token (the CSRF secret does not change
            # between pages): the form's own page is opened only when it has none.
            if not p.locator("[name=csrfmiddlewaretoken]").count():
                p.goto(url, wait_until="domcontentloaded")
            post(p, url, data)

        return show

    visit = f"/visits/{upcoming.pk}/"
    # A form's page is walked with its errors shown: the same page, and the errors too.
    for name, show in [
        ("home", goto("/")),
        ("home-past", goto("/?tab=past")),
        (
            "profile-errors",
            posted(
                "/profile/",
                {"phone": "12", "communication_preference": "sms", "preferred_language": "xx"},
            ),
        ),
        ("profile-no-phone", posted("/profile/", {"communication_preference": "sms"})),
        ("book", goto("/book/")),
        ("book-service", goto(f"/book/?service_type={service_id}")),
        ("book-day", goto(f"/book/?service_type={service_id}&day={day.isoformat()}")),
        ("book-nothing", posted("/book/", {})),
        (
            "book-no-time",
            posted("/book/", {"service_type": service_id, "day": day.isoformat()}),
        ),
        (
            "book-time-not-offered",
            posted(
                "/book/",
                {
                    "service_type": service_id,
                    "day": day.isoformat(),
                    "start": f"{day.isoformat()}T03:17:00+00:00",
                    "details": "x" * 2001,
                },
            ),
        ),
        ("visit", goto(visit)),
        ("modify", goto(f"{visit}modify/")),
        ("cancel-no-reason", posted(f"{visit}cancel/", {"reason": ""})),
        ("cancel-too-long", posted(f"{visit}cancel/", {"reason": "x" * 501})),
        ("visit-traveling", goto(f"/visits/{traveling.pk}/")),
        ("live", goto(f"/visits/{traveling.pk}/live/")),
        ("visit-working", goto(f"/visits/{working.pk}/")),
        ("cancel-working", goto(f"/visits/{working.pk}/cancel/")),
        ("modify-working", goto(f"/visits/{working.pk}/modify/")),
        ("visit-done", goto(f"/visits/{done.pk}/")),
        ("feedback-errors", posted(f"/visits/{done.pk}/feedback/", {"comment": "x" * 3000})),
        ("feedback-not-yet", goto(f"/visits/{upcoming.pk}/feedback/")),
        ("visit-canceled", goto(f"/visits/{canceled.pk}/")),
        ("plans", goto("/plans/")),
        ("plan-change-errors", posted(f"/plans/{plan.pk}/change/", {"text": ""})),
        ("plans-change-asked", posted(f"/plans/{plan.pk}/change/", {"text": "Mayo"})),
        ("not-found", goto("/visits/999999/")),
        (
            "password-change-errors",
            posted(
                "/accounts/password/change/",
                {"oldpassword": "wrong", "password1": "short", "password2": "other"},
            ),
        ),
        ("email-errors", posted("/accounts/email/", {"action_add": "", "email": "not-an-email"})),
        ("reauthenticate", goto("/accounts/reauthenticate/")),
        ("two-factor", goto("/accounts/2fa/")),
        ("totp-activate-error", posted("/accounts/2fa/totp/activate/", {"code": "000000"})),
        ("passkeys", goto("/accounts/2fa/webauthn/")),
        ("passkey-add", goto("/accounts/2fa/webauthn/add/")),
        ("sign-out", goto("/accounts/logout/")),
    ]:
        walk.state(name, page, show)

    # With an authenticator app and recovery codes.
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    for name, show in [
        ("two-factor-on", goto("/accounts/2fa/")),
        ("totp-deactivate", goto("/accounts/2fa/totp/deactivate/")),
        ("recovery-codes", goto("/accounts/2fa/recovery-codes/")),
        ("recovery-codes-new", goto("/accounts/2fa/recovery-codes/generate/")),
    ]:
        walk.state(name, page, show)

    # A stranger: visit links, and the pages before signing in.
    anyone = stranger.new_page()
    key = default_token_generator.make_token(user)
    reset = f"/accounts/password/reset/key/{user_pk_to_url_str(user)}-{key}/"
    states: list[tuple[str, Callable[[Page], object]]] = [
        (f"link-{status}", goto(f"/t/{code}/")) for status, code in links.items()
    ]
    states += [
        ("link-unknown", goto("/t/NO-SUCH-CODE/")),
        ("link-feedback", goto(f"/t/{links[BookingStatus.COMPLETED]}/feedback/")),
        ("page-not-found", goto("/no/such/page/")),
        (
            "sign-in-wrong",
            posted("/accounts/login/", {"login": "lucia@example.test", "password": "wrong"}),
        ),
        ("sign-up-closed", goto("/accounts/signup/")),
        (
            "invite-errors",
            posted("/invite/", {"code": "NOPE", "password1": "a", "password2": "b"}),
        ),
        ("sign-in-code", goto("/accounts/login/code/")),
        ("password-reset-error", posted("/accounts/password/reset/", {"email": "nope"})),
        ("password-reset-done", goto("/accounts/password/reset/done/")),
        ("password-reset-key-bad", goto("/accounts/password/reset/key/1-bad-key/")),
        ("password-reset-key", goto(reset)),
        ("password-reset-key-done", goto("/accounts/password/reset/key/done/")),
    ]
    for name, show in states:
        walk.state(name, anyone, show)

    # The second step of signing in, and the code by email.
    anyone.goto("/accounts/login/")
    post(anyone, "/accounts/login/", {"login": "lucia@example.test", "password": PASSWORD})
    walk.state(
        "authenticate-error",
        anyone,
        posted("/accounts/2fa/authenticate/", {"code": "000000"}),
    )
    code_page = stranger.new_page()
    code_page.goto("/accounts/login/code/")
    post(code_page, "/accounts/login/code/", {"email": "lucia@example.test"})
    walk.state("sign-in-code-sent", code_page, goto("/accounts/login/code/confirm/"))

    signed_in.close()
    stranger.close()
    assert not walk.found, "English left:\n" + "\n".join(
        f"{state}: {texts}" for state, texts in sorted(walk.found.items())
    )
