"""The road still to go travels with the live ETA: drawn from where the technician is,
cut as they drive it, gone when they arrive, never drawn for an offline estimate; and the
live ETA does not rise when the approach crosses into a slower traffic hour."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from doorstep.access.visit_links import issue_visit_link
from doorstep.scheduling import services
from doorstep.scheduling.models import BookingStatus
from doorstep.scheduling.travel import Point, great_circle_km
from doorstep.tracking import live
from doorstep.tracking.eta import FallbackProvider, OfflineProvider, Route
from doorstep.tracking.eta.shapes import thin
from doorstep.tracking.live import etas, viewers
from doorstep.tracking.models import BookingEta, PingSource
from doorstep.tracking.services import PingIn, record_pings
from tests.factories import BookingFactory, ResourceFactory

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)
DESTINATION = (39.7392, -104.9903)  # the factories' account address


class StreetProvider:
    """Two minutes a straight-line kilometre, along a road that goes north then west."""

    name = "streets"

    def route(self, origin: Point, destination: Point, departure_time: datetime) -> Route:
        km = great_circle_km(origin, destination)
        corner = (destination.latitude, origin.longitude)
        road = [
            (origin.latitude, origin.longitude),
            corner,
            (destination.latitude, destination.longitude),
        ]
        return Route(
            duration=timedelta(seconds=km * 120),
            distance_m=km * 1300,
            provider=self.name,
            shape=tuple(thin(road)),
        )

    def estimate_travel(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> timedelta:
        return self.route(origin, destination, departure_time).duration


@pytest.fixture
def streets(monkeypatch: pytest.MonkeyPatch) -> StreetProvider:
    provider = StreetProvider()
    monkeypatch.setattr(etas, "get_provider", lambda: FallbackProvider(provider))
    return provider


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> OfflineProvider:
    provider = OfflineProvider()
    monkeypatch.setattr(etas, "get_provider", lambda: FallbackProvider(provider))
    return provider


@pytest.fixture
def pushed(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    payloads: list[dict[str, object]] = []
    monkeypatch.setattr(viewers, "push_all", lambda updates: payloads.extend(p for _, p in updates))
    return payloads


def traveling_booking(at: datetime = T0, **fields: object):  # type: ignore[no-untyped-def]
    booking = BookingFactory(**fields)
    services.set_status(booking=booking, status=BookingStatus.TRAVELING, now=at)
    return booking


def ping(technician, latitude: float, longitude: float, at: datetime) -> None:  # type: ignore[no-untyped-def]
    record_pings(
        resource=technician,
        pings=[PingIn(latitude=latitude, longitude=longitude, recorded_at=at, accuracy_m=5000)],
        source=PingSource.APP,
        now=at,
    )


def test_a_routed_eta_brings_the_road_from_the_technician_to_the_door(
    streets: StreetProvider, pushed: list[dict[str, object]], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking()
    at = T0 + timedelta(seconds=1)
    ping(booking.resource, 39.70, -104.95, at)
    with django_capture_on_commit_callbacks(execute=True):
        live.refresh_etas(technician_ids=[booking.resource_id], now=at)

    assert pushed[-1]["route"] == [[39.70, -104.95], [39.7392, -104.95], [39.7392, -104.9903]]
    assert BookingEta.objects.get(booking=booking).route == pushed[-1]["route"]


def test_between_routings_the_road_is_cut_where_the_technician_is(
    streets: StreetProvider, pushed: list[dict[str, object]], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking()
    ping(booking.resource, 39.70, -104.95, T0 + timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        live.refresh_etas(technician_ids=[booking.resource_id], now=T0 + timedelta(seconds=1))
    # Ten seconds on, 2.2 km up the first street: not routed again, the line is cut.
    at = T0 + timedelta(seconds=11)
    ping(booking.resource, 39.72, -104.9501, at)
    with django_capture_on_commit_callbacks(execute=True):
        live.refresh_etas(technician_ids=[booking.resource_id], now=at)

    assert BookingEta.objects.get(booking=booking).last_routed_at == T0 + timedelta(seconds=1)
    assert pushed[-1]["route"] == [[39.72, -104.95], [39.7392, -104.95], [39.7392, -104.9903]]
    # Past the corner, only the last street is left.
    at = T0 + timedelta(seconds=21)
    ping(booking.resource, 39.7392, -104.97, at)
    with django_capture_on_commit_callbacks(execute=True):
        live.refresh_etas(technician_ids=[booking.resource_id], now=at)
    assert pushed[-1]["route"] == [[39.7392, -104.97], [39.7392, -104.9903]]


def test_status_json_carries_the_same_road(streets: StreetProvider, client) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking()
    code = issue_visit_link(booking=booking)
    ping(booking.resource, 39.72, -104.95, T0 + timedelta(seconds=1))
    live.refresh_etas(technician_ids=[booking.resource_id], now=T0 + timedelta(seconds=1))

    state = client.get(reverse("visit_link_status", args=[code])).json()

    assert state["route"] == [[39.72, -104.95], [39.7392, -104.95], [39.7392, -104.9903]]


def test_no_road_is_drawn_from_where_the_technician_was_before_setting_off(
    streets: StreetProvider, pushed: list[dict[str, object]], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    technician = ResourceFactory()
    ping(technician, 39.72, -104.97, T0 - timedelta(minutes=2))  # before "On my way"
    booking = traveling_booking(resource=technician)
    with django_capture_on_commit_callbacks(execute=True):
        eta = live.start_eta(booking_id=booking.pk, now=T0)
    assert eta is not None
    assert eta.route  # routed from there, and kept for later pings
    assert pushed[-1]["latitude"] is None
    assert pushed[-1]["route"] is None  # its start would say where they were


def test_a_technician_who_leaves_the_road_gets_no_line_until_routed_again(
    streets: StreetProvider, pushed: list[dict[str, object]], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking()
    ping(booking.resource, 39.70, -104.95, T0 + timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        live.refresh_etas(technician_ids=[booking.resource_id], now=T0 + timedelta(seconds=1))
    at = T0 + timedelta(seconds=11)
    ping(booking.resource, 39.71, -104.97, at)  # 1.7 km west of the road
    with django_capture_on_commit_callbacks(execute=True):
        live.refresh_etas(technician_ids=[booking.resource_id], now=at)
    assert pushed[-1]["route"] is None
    assert pushed[-1]["eta"] is not None

    at = T0 + timedelta(seconds=31)
    ping(booking.resource, 39.71, -104.9701, at)
    with django_capture_on_commit_callbacks(execute=True):
        live.refresh_etas(technician_ids=[booking.resource_id], now=at)
    assert pushed[-1]["route"] == [[39.71, -104.9701], [39.7392, -104.9701], [39.7392, -104.9903]]


def test_arriving_takes_the_road_off_the_map(
    streets: StreetProvider, pushed: list[dict[str, object]], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking()
    ping(booking.resource, 39.70, -104.95, T0 + timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        live.refresh_etas(technician_ids=[booking.resource_id], now=T0 + timedelta(seconds=1))
    assert pushed[-1]["route"]

    with django_capture_on_commit_callbacks(execute=True):
        services.set_status(booking=booking, status=BookingStatus.IN_PROGRESS)

    assert pushed[-1]["status"] == BookingStatus.IN_PROGRESS
    assert pushed[-1]["route"] is None
    assert not BookingEta.objects.filter(booking=booking).exists()


def test_an_offline_estimate_draws_no_line(
    offline: OfflineProvider, pushed: list[dict[str, object]], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking()
    ping(booking.resource, 39.70, -104.95, T0 + timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        live.refresh_etas(technician_ids=[booking.resource_id], now=T0 + timedelta(seconds=1))
    assert pushed[-1]["eta"] is not None
    assert pushed[-1]["route"] is None
    assert BookingEta.objects.get(booking=booking).route is None


def test_a_long_winding_road_keeps_the_update_small(
    monkeypatch: pytest.MonkeyPatch,
    pushed: list[dict[str, object]],
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    class Winding(StreetProvider):
        def route(self, origin: Point, destination: Point, departure_time: datetime) -> Route:
            # 20 km of hairpins, a point every 5 m: 4,000 points as a server sends them.
            steps = 4000
            road = [
                (
                    origin.latitude + (destination.latitude - origin.latitude) * step / steps,
                    origin.longitude + (0.003 if step % 40 < 20 else 0.0),
                )
                for step in range(steps)
            ] + [(destination.latitude, destination.longitude)]
            return Route(
                duration=timedelta(minutes=30), distance_m=20_000, provider=self.name,
                shape=tuple(thin(road)),
            )  # fmt: skip

    monkeypatch.setattr(etas, "get_provider", lambda: FallbackProvider(Winding()))
    booking = traveling_booking()
    ping(booking.resource, 39.65, -104.95, T0 + timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        live.refresh_etas(technician_ids=[booking.resource_id], now=T0 + timedelta(seconds=1))

    route = pushed[-1]["route"]
    assert isinstance(route, list)
    assert 100 < len(route) <= 300
    size = len(json.dumps(pushed[-1]))
    assert size < 8_000, f"a live update of {size} bytes"


def test_the_live_eta_never_rises_as_the_van_crosses_into_rush_hour(
    offline: OfflineProvider,
) -> None:
    # Monday 06:50 UTC: the day's 40 km/h ends at 07:00, the rush hour's 25 km/h begins.
    # The van drives at 55 km/h, pinging every 5 s from 10 km out.
    departure = datetime(2026, 11, 23, 6, 50, tzinfo=UTC)
    booking = traveling_booking(
        at=departure - timedelta(seconds=1), start=departure + timedelta(hours=1)
    )
    start = Point(39.7392 - 0.09, -104.9903)  # 10 km south, straight line
    kmh = 55 / offline.estimator.circuity  # straight-line speed at the road's 55 km/h
    length_km = great_circle_km(start, Point(*DESTINATION))
    arrivals: list[datetime] = []
    for step in range(0, 20 * 60, 5):
        at = departure + timedelta(seconds=step)
        share = min(1.0, kmh * step / 3600 / length_km)
        if share >= 1:
            break
        lat = start.latitude + (DESTINATION[0] - start.latitude) * share
        ping(booking.resource, lat, DESTINATION[1], at)
        [eta] = live.refresh_etas(technician_ids=[booking.resource_id], now=at)
        arrivals.append(eta.eta)
    assert len(arrivals) > 100
    for before, after in itertools.pairwise(arrivals):
        assert after <= before + timedelta(seconds=1), (before, after)


# --- Over the WebSocket ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_road_reaches_the_socket_with_each_update(streets: StreetProvider) -> None:
    from channels.db import database_sync_to_async

    from tests.tracking.test_consumers import connect_to

    @database_sync_to_async
    def set_off():  # type: ignore[no-untyped-def]
        booking = BookingFactory()
        services.set_status(booking=booking, status=BookingStatus.TRAVELING)
        return booking, issue_visit_link(booking=booking)

    @database_sync_to_async
    def ping_now(booking, latitude: float, longitude: float) -> None:  # type: ignore[no-untyped-def]
        now = timezone.now()
        ping(booking.resource, latitude, longitude, now)

    booking, code = await set_off()
    communicator = connect_to(f"/ws/visits/{code}/")
    connected, _ = await communicator.connect()
    assert connected
    state = await communicator.receive_json_from(5)
    assert state["route"] is None  # routed from the home base: nothing shown yet

    await ping_now(booking, 39.71, -104.95)
    update = await communicator.receive_json_from(5)
    assert update["route"] == [[39.71, -104.95], [39.7392, -104.95], [39.7392, -104.9903]]
    await communicator.disconnect()
