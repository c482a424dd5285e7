"""The technician's page in the back office: where they were last seen, and what was refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorstep.configuration.models import PortalSettings
from doorstep.tracking.models import PingSource, RefusedPosition
from doorstep.tracking.services import PingIn, record_pings
from doorstep.workforce.models import Resource
from tests import factories

pytestmark = pytest.mark.django_db

TECHNICIANS = reverse("admin:workforce_resource_changelist")
# 18:30 UTC on a winter day is 11:30 in Denver.
RECEIVED = datetime(2026, 1, 15, 18, 30, 0, tzinfo=UTC)


def technician_page(technician: Resource) -> str:
    return reverse("admin:workforce_resource_change", args=[technician.pk])


def text(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


@pytest.fixture
def denver_company() -> None:
    company = PortalSettings.load()
    company.time_zone = "America/Denver"
    company.save()


def test_the_latest_position_shows_when_it_was_taken_and_received_in_the_company_zone(
    staff_client: Client, denver_company: None
) -> None:
    technician = factories.ResourceFactory(time_zone="Europe/Paris")
    record_pings(
        resource=technician,
        pings=[
            PingIn(
                latitude=39.739236,
                longitude=-104.990251,
                recorded_at=RECEIVED - timedelta(seconds=4),
                accuracy_m=8,
                battery_percent=64,
            )
        ],
        source=PingSource.OSMAND,
        now=RECEIVED,
    )
    page = text(staff_client.get(technician_page(technician)))
    assert "39.739236, -104.990251" in page
    assert "2026-01-15 11:29:56 MST" in page  # taken, in Denver time, not Paris
    assert "2026-01-15 11:30:00 MST" in page  # received
    assert "from the Traccar Client (OsmAnd protocol)." in page
    assert "64 %" in page
    assert "https://www.openstreetmap.org/?mlat=39.739236&amp;mlon=-104.990251" in page


def test_a_tile_provider_of_the_company_own_is_the_map(staff_client: Client, settings: Any) -> None:
    settings.DOORSTEP_MAP_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    technician = factories.ResourceFactory()
    when = timezone.now() - timedelta(seconds=5)
    record_pings(
        resource=technician,
        pings=[PingIn(latitude=39.7, longitude=-104.9, recorded_at=when)],
        source=PingSource.APP,
    )
    page = text(staff_client.get(technician_page(technician)))
    assert "https://tiles.example.test/16/13671/24881.png" in page
    assert "openstreetmap" not in page
    assert "Not known" in page  # no battery level was sent


def test_refused_positions_are_listed_newest_first_with_their_reason(
    staff_client: Client, denver_company: None
) -> None:
    technician = factories.ResourceFactory(tracking_device_id="Q7W2-ZK4M-8XRT")
    for minutes, accuracy in ((0, 9000), (1, 9500)):
        when = RECEIVED + timedelta(minutes=minutes)
        ping = PingIn(
            latitude=39.7, longitude=-104.9, recorded_at=when, accuracy_m=accuracy, device_id="Q7W2"
        )
        record_pings(resource=technician, pings=[ping], source=PingSource.OSMAND, now=when)
    page = text(staff_client.get(technician_page(technician)))
    assert "None received yet." in page
    assert page.count("Accuracy must be between 0 and 5,000 metres.") == 2
    assert page.index("2026-01-15 11:31:00 MST") < page.index("2026-01-15 11:30:00 MST")
    assert "<code>Q7W2</code>" in page


def test_a_technician_with_nothing_sent_says_so(staff_client: Client) -> None:
    page = text(staff_client.get(technician_page(factories.ResourceFactory())))
    assert "None received yet." in page
    assert "None lately." in page


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    reason=st.text(max_size=300),
    device_id=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=64),
    latitude=st.one_of(st.none(), st.decimals(min_value=-90, max_value=90, places=6)),
    source=st.sampled_from([*PingSource.values, "gone"]),
)
def test_no_refused_position_breaks_the_page(
    staff_client: Client, reason: str, device_id: str, latitude: Any, source: str
) -> None:
    technician = factories.ResourceFactory()
    RefusedPosition.objects.create(
        resource=technician,
        device_id=device_id,
        latitude=latitude,
        longitude=latitude,
        recorded_at=None,
        received_at=timezone.now(),
        source=source,
        reason=reason,
    )
    response = staff_client.get(technician_page(technician))
    assert response.status_code == 200


def test_positions_no_phone_could_send_never_break_the_ingest_or_the_page(
    client: Client, staff_user: Any
) -> None:
    technician = factories.ResourceFactory(user=factories.UserFactory())
    client.force_login(technician.user)
    strange: list[Any] = [
        {"latitude": 1e308, "longitude": -1e308, "recorded_at": "2026-01-01T00:00:00Z"},
        {"latitude": 39.7, "longitude": -104.9, "recorded_at": "9999-12-31T23:59:59+14:00"},
        {"latitude": 39.7, "longitude": -104.9, "recorded_at": "0001-01-01T00:00:00-12:00"},
        {
            "latitude": 39.7,
            "longitude": -104.9,
            "recorded_at": "2026-01-01T00:00:00Z",
            "battery": 1e300,
            "speed": -1,
            "heading": 1e9,
        },
        "x" * 5000,
        None,
    ]
    response = client.post(
        "/api/v1/locations", json.dumps({"pings": strange}), content_type="application/json"
    )
    assert response.status_code == 400
    assert RefusedPosition.objects.filter(resource=technician).count() == len(strange)
    client.force_login(staff_user)
    page = text(client.get(technician_page(technician)))
    assert "Latitude must be between -90 and 90." in page


def test_the_technician_list_shows_and_filters_by_when_each_was_last_seen(
    staff_client: Client, denver_company: None
) -> None:
    seen = factories.ResourceFactory(display_name="Seen Lately")
    factories.ResourceFactory(display_name="Never Heard")
    when = timezone.now() - timedelta(minutes=5)
    record_pings(
        resource=seen,
        pings=[PingIn(latitude=39.7, longitude=-104.9, recorded_at=when)],
        source=PingSource.APP,
        now=when,
    )
    page = text(staff_client.get(TECHNICIANS))
    assert "Last seen" in page
    local = timezone.localtime(when, PortalSettings.load().zone)
    assert f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}" in page
    assert "Never" in page
    lately = text(staff_client.get(TECHNICIANS, {"last_seen": "hour"}))
    assert "Seen Lately" in lately
    assert "Never Heard" not in lately
    never = text(staff_client.get(TECHNICIANS, {"last_seen": "never"}))
    assert "Never Heard" in never
    assert "Seen Lately" not in never
    assert text(staff_client.get(TECHNICIANS, {"o": "8"}))  # sorted by it
