"""The live map in the Traveling state of the visit page, as the server renders it.

The map itself is drawn by live.js (see tests/e2e/test_live_map.py); here: the page carries
what it needs (destination, tile URL, status and socket URLs, Leaflet served by the
project) and states other than Traveling carry none of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from doorstep.access import visit_links
from doorstep.configuration.models import PortalSettings
from doorstep.scheduling.models import Booking, BookingStatus
from tests.factories import BookingFactory, ContactFactory, UserFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

TILES = "https://tiles.example.test/{z}/{x}/{y}.png"


@pytest.fixture(autouse=True)
def portal() -> Iterator[PortalSettings]:
    settings = PortalSettings.load()
    cache.clear()  # the rate limit's counters
    yield settings
    cache.clear()


def visit(status: str) -> Booking:
    done = {"completed_at": timezone.now()} if status == BookingStatus.COMPLETED else {}
    booking: Booking = BookingFactory(
        work_order=WorkOrderFactory(latitude="39.739200", longitude="-104.990300"),
        status=status,
        **done,
    )
    return booking


def code_for(booking: Booking) -> str:
    return visit_links.issue_visit_link(booking=booking)


def markup(html: str) -> str:
    return unescape(" ".join(html.split()))


@override_settings(DOORSTEP_MAP_TILE_URL=TILES, DOORSTEP_MAP_ATTRIBUTION="© Test maps")
def test_the_traveling_page_carries_the_live_map(client: Client) -> None:
    booking = visit(BookingStatus.TRAVELING)
    code = code_for(booking)

    response = client.get(reverse("visit_link", args=[code]))

    assert response.status_code == 200
    html = markup(response.content.decode())
    assert 'id="live-map"' in html
    assert 'data-latitude="39.739200"' in html
    assert 'data-longitude="-104.990300"' in html
    assert f'data-status-url="/t/{code}/status.json"' in html
    assert f'data-socket-path="/ws/visits/{code}/"' in html
    assert f'data-tile-url="{TILES}"' in html
    assert 'data-attribution="© Test maps"' in html
    assert 'data-poll-ms="10000"' in html
    assert 'src="/static/vendor/leaflet/leaflet.js"' in html
    assert 'href="/static/vendor/leaflet/leaflet.css"' in html
    assert 'src="/static/tracking/live.js"' in html
    assert 'role="status"' in html
    assert 'id="live-state"' in html
    # Still private, and the scripts come from this site only.
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex"
    for address in re.findall(r'<script\b[^>]*\bsrc="([^"]*)"', html):
        assert address.startswith(("/static/", "/jsi18n/")), address


def test_the_traveling_page_states_the_eta_as_text_without_js(client: Client) -> None:
    from doorstep.tracking.live import start_eta

    booking = visit(BookingStatus.TRAVELING)
    start_eta(booking_id=booking.pk, now=timezone.now())

    html = markup(client.get(reverse("visit_link", args=[code_for(booking)])).content.decode())
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())

    assert re.search(r"Arriving around \d\d:\d\d , in \d+ minutes?\.", text), text
    # The figure and its unit kept left to right inside right-to-left text (an isolate).
    assert re.search(r"\u2066\d+(\.\d)? k?m\u2069 to go\.", text), text
    assert re.search(r"Updated \d+ seconds? ago\.", text), text


def test_the_tile_url_defaults_to_openstreetmap(client: Client) -> None:
    html = client.get(reverse("visit_link", args=[code_for(visit(BookingStatus.TRAVELING))]))
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html.content.decode()


@pytest.mark.parametrize(
    "status",
    [
        BookingStatus.IN_PROGRESS,
        BookingStatus.COMPLETED,
        BookingStatus.CANCELED,
    ],
)
def test_other_states_have_no_map(client: Client, status: str) -> None:
    html = client.get(reverse("visit_link", args=[code_for(visit(status))])).content.decode()

    assert "live-map" not in html
    assert "leaflet" not in html
    assert "live.js" not in html
    assert "data-tile-url" not in html


def test_an_upcoming_visit_shows_its_address_without_the_live_map(client: Client) -> None:
    html = client.get(reverse("visit_link", args=[code_for(visit(BookingStatus.SCHEDULED))]))
    page = html.content.decode()

    assert "data-address-map" in page
    assert "address_map.js" in page
    assert "live-map" not in page
    assert "live.js" not in page


def test_view_live_map_for_a_signed_in_contact(client: Client) -> None:
    user = UserFactory(email="casey@example.test")
    contact = ContactFactory(user=user, email=user.email, profile_reviewed_at=timezone.now())
    booking = BookingFactory(
        work_order=WorkOrderFactory(
            account=contact.account, latitude="39.739200", longitude="-104.990300"
        ),
        status=BookingStatus.TRAVELING,
    )
    client.force_login(user)

    html = markup(client.get(reverse("portal:live", args=[booking.pk])).content.decode())

    assert 'id="live-map"' in html
    assert f'data-socket-path="/ws/bookings/{booking.pk}/"' in html
    assert 'data-status-url=""' in html  # no code: without its socket the page polls itself
    assert 'data-latitude="39.739200"' in html
    assert 'src="/static/vendor/leaflet/leaflet.js"' in html


def test_leaflet_is_served_by_the_project(client: Client) -> None:
    from django.contrib.staticfiles import finders

    for name in ("leaflet.js", "leaflet.css", "LICENSE", "images/marker-icon.png"):
        assert finders.find(f"vendor/leaflet/{name}"), name
    assert finders.find("tracking/live.js")
    assert finders.find("tracking/live.css")
