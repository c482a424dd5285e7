"""Security headers: the Content-Security-Policy, private answers, codes kept out of Referers.

The cache test walks every URL pattern of the project as a signed-in user: whatever the
answer (a page, a redirect, a refusal), no cache may keep it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.csp import CSP

from doorstep.access.visit_links import issue_visit_link
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.project.csp import content_security_policy, socket_source, tile_source
from doorstep.scheduling.models import Booking
from doorstep.users.models import User
from tests.factories import (
    BookingFactory,
    ContactFactory,
    ResourceFactory,
    StaffUserFactory,
    UserFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact() -> Contact:
    return ContactFactory(user=UserFactory(email="casey@example.test"), email="casey@example.test")


@pytest.fixture
def booking(contact: Contact) -> Booking:
    return BookingFactory(work_order=WorkOrderFactory(account=contact.account))


def directives(response_header: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in response_header.split(";") if part.strip())
    }


# --- Content-Security-Policy -------------------------------------------------------------------


def test_every_page_forbids_inline_script_and_style(client: Client, contact: Contact) -> None:
    client.force_login(contact.user)

    policy = directives(client.get(reverse("portal:home"))["Content-Security-Policy"])

    assert policy["default-src"] == [CSP.SELF]
    for kind in ("script-src", "style-src"):
        assert CSP.UNSAFE_INLINE not in policy[kind]
        assert policy[kind] == [CSP.SELF], "a portal page needs no nonce: nothing is inline"
    assert policy["object-src"] == [CSP.NONE]
    assert policy["frame-ancestors"] == [CSP.NONE]


def test_the_back_office_inline_tags_carry_the_nonce_of_the_policy(client: Client) -> None:
    client.force_login(StaffUserFactory())
    contact = ContactFactory()

    response = client.get(reverse("admin:customers_contact_change", args=[contact.pk]))

    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce, "the back office's inline tags need the request's nonce"
    html = response.content.decode()
    inline = InlineParts.of(html)
    assert inline.styles_or_scripts, "the contact's page has its own small stylesheet"
    assert set(inline.styles_or_scripts) == {nonce.group(1)}


def test_the_map_tiles_and_the_live_socket_are_allowed() -> None:
    policy = content_security_policy(
        tile_url="https://{s}.tiles.example.com/{z}/{x}/{y}.png?key=abc",
        base_url="https://visits.example.com",
    )

    assert "https://*.tiles.example.com" in policy["img-src"]
    assert policy["connect-src"] == [CSP.SELF, "wss://visits.example.com"]


@pytest.mark.parametrize(
    ("tile_url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://tiles.example.com:8443/{z}/{x}/{y}@2x.png", "https://tiles.example.com:8443"),
        ("/tiles/{z}/{x}/{y}.png", None),
    ],
)
def test_tile_source(tile_url: str, source: str | None) -> None:
    assert tile_source(tile_url) == source


def test_a_plain_http_portal_listens_on_ws() -> None:
    assert socket_source("http://127.0.0.1:8000") == "ws://127.0.0.1:8000"
    assert socket_source("") is None


class InlineParts(HTMLParser):
    """What a page carries inline: `style=` attributes, and inline <script>/<style> nonces."""

    def __init__(self) -> None:
        super().__init__()
        self.style_attributes: list[str] = []
        self.styles_or_scripts: list[str | None] = []  # each one's nonce

    @classmethod
    def of(cls, html: str) -> InlineParts:
        parser = cls()
        parser.feed(html)
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "style" in found:
            self.style_attributes.append(f"<{tag} style={found['style']!r}>")
        if tag == "style" or (
            tag == "script" and "src" not in found and found.get("type") != "application/json"
        ):
            self.styles_or_scripts.append(found.get("nonce"))


def test_pages_carry_no_inline_style_or_script(
    client: Client, contact: Contact, booking: Booking
) -> None:
    """The portal, a visit link, the technician app and the sign-in page, as sent."""
    code = issue_visit_link(booking=booking)
    technician = ResourceFactory(user=UserFactory())
    pages = [
        (None, reverse("account_login")),
        (None, reverse("visit_link", args=[code])),
        (None, reverse("portal:invite")),
        (None, "/no-such-page/"),
        (contact.user, reverse("portal:home")),
        (contact.user, reverse("portal:book")),
        (contact.user, reverse("portal:profile")),
        (contact.user, reverse("portal:confirmation", args=[booking.pk])),
        (technician.user, reverse("technician:visits")),
    ]
    for user, url in pages:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code in (200, 404), url
        inline = InlineParts.of(response.content.decode())
        assert inline.style_attributes == [], url
        assert inline.styles_or_scripts == [], url


SOURCE = Path(__file__).resolve().parents[2] / "src" / "doorstep"
# Emails are not pages: mail programs need their styles inline.
EMAILS = (
    "notifications/templates/notifications/email/",
    "notifications/templates/notifications/messages/",
)
STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.DOTALL)
EVENT_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.DOTALL)
INLINE_TAG = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)


def page_templates() -> list[Path]:
    return sorted(
        path
        for path in SOURCE.glob("*/templates/**/*.html")
        if not any(email in path.as_posix() for email in EMAILS)
    )


def inline_parts(template: str) -> list[str]:
    found = [match.group(0) for match in STYLE_ATTRIBUTE.finditer(template)]
    found += [match.group(0) for match in EVENT_ATTRIBUTE.finditer(template)]
    for match in INLINE_TAG.finditer(template):
        attributes = match.group(2)
        if "src=" in attributes or "application/json" in attributes:
            continue  # a file, or data a script reads (never run)
        if "csp_nonce_attr" not in attributes and "csp_nonce" not in attributes:
            found.append(match.group(0))
    return found


def test_no_page_template_has_inline_style_or_script_without_the_nonce() -> None:
    """The class: every template served as a page, whichever view renders it."""
    templates = page_templates()
    assert len(templates) > 30, "the templates were not found"

    offending = {
        str(path.relative_to(SOURCE)): parts
        for path in templates
        if (parts := inline_parts(path.read_text()))
    }

    assert offending == {}


def test_the_template_check_finds_what_it_looks_for() -> None:
    assert inline_parts('<html lang="en" style="--accent: #fff">') != []
    assert inline_parts('<button onclick="go()">') != []
    assert inline_parts("<script>go()</script>") != []
    assert inline_parts("<style>p {}</style>") != []
    assert inline_parts("<style {% csp_nonce_attr %}>p {}</style>") == []
    assert inline_parts('<script src="/static/x.js" defer></script>') == []
    assert inline_parts('<script id="s" type="application/json">{}</script>') == []


# --- The branding stylesheet --------------------------------------------------------------------


def branding_url(html: str) -> str:
    found = re.search(r'<link rel="stylesheet" href="(/branding/[^"]+\.css)">', html)
    assert found, "the page links no branding stylesheet"
    return found.group(1)


def test_the_company_colours_come_in_a_stylesheet_cached_until_they_change(client: Client) -> None:
    portal = PortalSettings.load()
    portal.foreground_color = "#aa3300"
    portal.save()
    first = branding_url(client.get(reverse("account_login")).content.decode())

    sheet = client.get(first)

    assert sheet["Content-Type"] == "text/css; charset=utf-8"
    assert "--accent: #aa3300;" in sheet.content.decode()
    assert "immutable" in sheet["Cache-Control"]
    assert "max-age=31536000" in sheet["Cache-Control"]

    portal.foreground_color = "#006644"
    portal.save()
    second = branding_url(client.get(reverse("account_login")).content.decode())
    assert second != first, "a changed colour needs a new address, or browsers keep the old"
    assert "--accent: #006644;" in client.get(second).content.decode()
    # The old address, asked by a page opened before the change, is not kept any more.
    stale = client.get(first)
    assert "--accent: #006644;" in stale.content.decode()
    assert "max-age" not in stale["Cache-Control"]


def test_the_stylesheet_is_the_same_for_everyone_signed_in_or_not(
    client: Client, contact: Contact
) -> None:
    client.force_login(contact.user)
    url = branding_url(client.get(reverse("portal:home")).content.decode())

    response = client.get(url)

    assert "public" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]


# --- Private answers ---------------------------------------------------------------------------


def concrete_paths(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, str]]:
    """Every URL pattern as (its pattern, an address that reaches it), sample values filled in."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from concrete_paths(pattern.url_patterns, route)
        else:
            yield route, "/" + fill(route)


def fill(route: str) -> str:
    route = re.sub(r"<(?:int:)?\w+>", "1", route)  # path converters: <int:pk>, <code>
    route = re.sub(r"<\w+:\w+>", "1", route)
    # Regular expressions (the back office's app lists, media): the first choice offered.
    route = re.sub(r"\(\?P<\w+>([\w-]+)(?:\|[^)]*)?\)", r"\1", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    return route.replace("^", "").replace("$", "").replace("\\", "")


@pytest.fixture
def everyone(booking: Booking) -> User:
    """A staff user who is also a customer and a technician: every door opens for them."""
    user = StaffUserFactory()
    ContactFactory(user=user, email=user.email, account=booking.work_order.account)
    ResourceFactory(user=user)
    return user


def test_no_answer_to_a_signed_in_user_is_kept_by_a_cache(everyone: User, booking: Booking) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(everyone)
    walked = list(concrete_paths(get_resolver().url_patterns))
    assert len(walked) > 200, "the walk misses most of the URL patterns"

    kept = []
    for route, path in walked:
        response = client.get(path)
        control = response.get("Cache-Control", "")
        if "no-store" not in control or "private" not in control:
            kept.append(f"{route} → {path} {response.status_code}: {control!r}")

    assert not kept, "\n".join(kept)


def test_a_signed_in_answer_is_private_right_after_signing_in(client: Client) -> None:
    user = UserFactory(email="pat@example.test")
    ContactFactory(user=user, email="pat@example.test")

    response = client.post(
        reverse("account_login"),
        {"login": "pat@example.test", "password": "correct horse battery staple"},
    )

    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]


def test_answers_to_nobody_in_particular_are_not_marked_private(client: Client) -> None:
    response = client.get(reverse("healthz"))

    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/t/{code}", "/t/{code}/", "/t/unknown-code", "/t/{code}/nope"])
def test_a_visit_link_keeps_its_code_to_itself_even_before_the_slash(
    client: Client, booking: Booking, path: str
) -> None:
    code = issue_visit_link(booking=booking)

    response = client.get(path.format(code=code))

    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_visit_link_without_its_slash_leads_to_the_page(
    client: Client, booking: Booking
) -> None:
    code = issue_visit_link(booking=booking)

    response = client.get(f"/t/{code}", follow=True)

    assert response.redirect_chain == [(f"/t/{code}/", 301)]
    assert response.status_code == 200


@pytest.mark.parametrize(
    "code", ["ABCD-EFGH-JKLM-NPQR", "x" * 5000, 'a;b=c d"é\u0000', "%00%0d%0a"]
)
def test_an_invitation_link_hands_its_code_to_the_form_and_leaves(
    client: Client, code: str
) -> None:
    """The code leaves the address bar at once, and never reaches a Referer."""
    opened = client.get(f"/invite/{code}/")

    assert opened.status_code == 302
    assert opened["Location"] == reverse("portal:invite")
    assert opened["Referrer-Policy"] == "no-referrer"
    assert "no-store" in opened["Cache-Control"]
    form = client.get(opened["Location"])
    assert form.status_code == 200
    assert form.context["form"]["code"].value() == unquote(code)[:100]


def test_the_invitation_form_is_posted_from_an_address_without_the_code(client: Client) -> None:
    # Under "no-referrer" browsers post with `Origin: null`, which the CSRF check refuses:
    # the form's own page keeps the project's "same-origin".
    response = client.get("/invite/ABCD-EFGH-JKLM-NPQR/", follow=True)

    assert response.redirect_chain == [(reverse("portal:invite"), 302)]
    assert response["Referrer-Policy"] == "same-origin"
