"""The live ETA (recompute, rate limit, status changes, running late) and status.json."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from doorstep.access.visit_links import block, expire_now, issue_visit_link
from doorstep.scheduling import services
from doorstep.scheduling.models import BookingStatus
from doorstep.scheduling.travel import Point, great_circle_km
from doorstep.tracking import live
from doorstep.tracking.eta import FallbackProvider, Route
from doorstep.tracking.live import REFRESHER, ROUTER, etas, storing, viewers
from doorstep.tracking.live.routing_thread import RoutingThread
from doorstep.tracking.models import BookingEta, PingSource
from doorstep.tracking.services import PingIn, record_pings
from tests.factories import BookingFactory, ResourceFactory

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)
DESTINATION = (39.7392, -104.9903)  # the factories' account address
HOME = (39.70, -104.95)


class CountingProvider:
    """Two minutes a straight-line kilometre, 1.3 road metres a straight metre.

    `while_routing`, when set, runs once during the next call: what happens elsewhere
    while a slow routing server thinks.
    """

    name = "fake"

    def __init__(self) -> None:
        self.origins: list[Point] = []
        self.in_transaction: list[bool] = []
        self.threads: list[str] = []
        self.while_routing: Callable[[], object] | None = None

    @property
    def calls(self) -> int:
        return len(self.origins)

    def route(self, origin: Point, destination: Point, departure_time: datetime) -> Route:
        self.origins.append(origin)
        self.in_transaction.append(connection.in_atomic_block)
        self.threads.append(threading.current_thread().name)
        if self.while_routing is not None:
            meanwhile, self.while_routing = self.while_routing, None
            meanwhile()
        km = great_circle_km(origin, destination)
        return Route(duration=timedelta(seconds=km * 120), distance_m=km * 1300, provider="fake")

    def estimate_travel(self, origin: Point, destination: Point, departure_time: datetime):  # type: ignore[no-untyped-def]
        return self.route(origin, destination, departure_time).duration


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> CountingProvider:
    fake = CountingProvider()
    monkeypatch.setattr(etas, "get_provider", lambda: FallbackProvider(fake))
    return fake


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
        # The tests' positions jump kilometres in seconds: fixes this uncertain are not
        # refused as faster than any van.
        pings=[PingIn(latitude=latitude, longitude=longitude, recorded_at=at, accuracy_m=5000)],
        source=PingSource.APP,
        now=at,
    )


def straight_m(latitude: float, longitude: float) -> float:
    return great_circle_km(Point(latitude, longitude), Point(*DESTINATION)) * 1000


# --- Recompute -----------------------------------------------------------------------


def test_a_technician_is_routed_at_most_once_every_30_seconds(provider: CountingProvider) -> None:
    booking = traveling_booking()
    live.start_eta(booking_id=booking.pk, now=T0)
    assert provider.calls == 1
    for seconds in (5, 15, 29):
        at = T0 + timedelta(seconds=seconds)
        ping(booking.resource, 39.71, -104.96 - seconds / 1000, at)
        live.refresh_etas(technician_ids=[booking.resource_id], now=at)
    assert provider.calls == 1
    at = T0 + timedelta(seconds=30)
    ping(booking.resource, 39.72, -104.97, at)
    live.refresh_etas(technician_ids=[booking.resource_id], now=at)
    assert provider.calls == 2
    assert BookingEta.objects.get(booking=booking).last_routed_at == at


def test_between_routings_the_eta_scales_with_the_distance_still_to_go(
    provider: CountingProvider,
) -> None:
    booking = traveling_booking()
    ping(booking.resource, 39.70, -104.95, T0 + timedelta(seconds=1))
    live.refresh_etas(technician_ids=[booking.resource_id], now=T0 + timedelta(seconds=1))
    routed = BookingEta.objects.get(booking=booking)
    halfway = ((39.70 + DESTINATION[0]) / 2, (-104.95 + DESTINATION[1]) / 2)
    at = T0 + timedelta(seconds=11)
    ping(booking.resource, *halfway, at)

    [eta] = live.refresh_etas(technician_ids=[booking.resource_id], now=at)

    assert provider.calls == 1
    share = straight_m(*halfway) / straight_m(39.70, -104.95)
    assert share == pytest.approx(0.5, abs=0.01)
    assert routed.routed_duration is not None
    expected = routed.routed_duration.total_seconds() * share
    assert (eta.eta - at).total_seconds() == pytest.approx(expected, abs=1)
    assert eta.distance_m == pytest.approx(routed.distance_m * share)
    assert eta.position_recorded_at == at
    assert eta.last_routed_at == T0 + timedelta(seconds=1)


def test_pings_of_a_technician_with_no_traveling_visit_change_nothing(
    provider: CountingProvider,
) -> None:
    technician = ResourceFactory()
    BookingFactory(resource=technician)  # scheduled
    ping(technician, 39.71, -104.96, T0)
    assert live.refresh_etas(technician_ids=[technician.pk], now=T0) == []
    assert provider.calls == 0
    assert not BookingEta.objects.exists()


def test_setting_off_routes_from_a_recent_position(provider: CountingProvider) -> None:
    technician = ResourceFactory()
    ping(technician, 39.72, -104.97, T0 - timedelta(minutes=2))
    booking = traveling_booking(resource=technician)
    eta = live.start_eta(booking_id=booking.pk, now=T0)
    assert eta is not None
    assert provider.origins == [Point(39.72, -104.97)]
    assert eta.position_recorded_at == T0 - timedelta(minutes=2)


def test_setting_off_routes_from_the_home_base_when_the_position_is_old(
    provider: CountingProvider,
) -> None:
    technician = ResourceFactory()
    ping(technician, 39.72, -104.97, T0 - timedelta(hours=1))
    booking = traveling_booking(resource=technician)
    eta = live.start_eta(booking_id=booking.pk, now=T0)
    assert eta is not None
    assert provider.origins == [Point(*HOME)]
    assert eta.position_recorded_at is None
    assert eta.provider == "fake"


def test_leaving_traveling_clears_the_eta_and_pushes_the_new_status(
    provider: CountingProvider, pushed: list[dict[str, object]], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking()
    live.start_eta(booking_id=booking.pk, now=T0)
    services.set_status(booking=booking, status=BookingStatus.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        live.clear_eta(booking_id=booking.pk)
    assert not BookingEta.objects.filter(booking=booking).exists()
    assert pushed[-1]["status"] == BookingStatus.IN_PROGRESS
    assert pushed[-1]["eta"] is None
    assert pushed[-1]["latitude"] is None


def test_events_drive_the_recompute_and_the_pushes(
    provider: CountingProvider, pushed: list[dict[str, object]], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    booking = BookingFactory()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    assert BookingEta.objects.filter(booking=booking).exists()
    assert pushed[-1]["status"] == BookingStatus.TRAVELING
    assert pushed[-1]["eta"] is not None
    assert pushed[-1]["latitude"] is None  # no position taken since setting off

    with django_capture_on_commit_callbacks(execute=True):
        ping(booking.resource, 39.72, -104.97, now + timedelta(seconds=5))
    assert pushed[-1]["latitude"] == 39.72
    assert pushed[-1]["longitude"] == -104.97
    assert pushed[-1]["type"] == "visit.update"
    assert set(pushed[-1]) == {
        "type", "status", "eta", "minutes", "distance_m", "latitude", "longitude", "route",
        "late", "updated_at", "seq",
    }  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        services.set_status(booking=booking, status=BookingStatus.SCHEDULED)
    assert not BookingEta.objects.filter(booking=booking).exists()
    assert pushed[-1]["status"] == BookingStatus.SCHEDULED
    assert pushed[-1]["latitude"] is None


def test_each_late_eta_feeds_running_late_and_an_eta_in_the_window_costs_nothing(
    provider: CountingProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, datetime]] = []
    monkeypatch.setattr(
        storing, "check_running_late", lambda *, booking, eta, now: calls.append((booking.pk, eta))
    )
    on_time = traveling_booking(start=T0, end=T0 + timedelta(hours=4))
    live.start_eta(booking_id=on_time.pk, now=T0)
    assert calls == []

    start = T0 - timedelta(hours=2)
    late = traveling_booking(start=start, end=start + timedelta(hours=1))
    eta = live.start_eta(booking_id=late.pk, now=T0)
    ping(late.resource, 39.72, -104.97, T0 + timedelta(seconds=5))
    [adjusted] = live.refresh_etas(technician_ids=[late.resource_id], now=T0 + timedelta(seconds=5))
    assert eta is not None
    assert calls == [(late.pk, eta.eta), (late.pk, adjusted.eta)]


def test_a_late_eta_sends_the_running_late_message(provider: CountingProvider) -> None:
    from doorstep.notifications.models import MessageType, Notification
    from tests.factories import ContactFactory

    start = T0 - timedelta(hours=2)
    booking = traveling_booking(start=start, end=start + timedelta(hours=1))
    contact = ContactFactory(account=booking.work_order.account)
    booking.work_order.account.primary_contact = contact
    booking.work_order.account.save()
    live.start_eta(booking_id=booking.pk, now=T0)
    assert Notification.objects.filter(
        booking=booking, message_type=MessageType.RUNNING_LATE
    ).exists()


# --- Routing outside any transaction --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_routing_holds_no_transaction_on_setting_off_nor_on_a_ping(
    provider: CountingProvider,
) -> None:
    booking = BookingFactory()
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)  # "On my way"
    moved = timezone.now() + etas.ROUTING_INTERVAL
    ping(booking.resource, 39.72, -104.97, moved)
    live.refresh_etas(technician_ids=[booking.resource_id], now=moved)

    assert provider.calls == 2
    assert provider.in_transaction == [False, False]


def test_a_slow_routing_answer_never_replaces_a_newer_eta(provider: CountingProvider) -> None:
    booking = traveling_booking()
    live.start_eta(booking_id=booking.pk, now=T0)
    slow_from = T0 + etas.ROUTING_INTERVAL
    newer = slow_from + timedelta(seconds=2)

    def next_ping_arrives() -> None:
        ping(booking.resource, 39.73, -104.98, newer)
        live.refresh_etas(technician_ids=[booking.resource_id], now=newer)

    provider.while_routing = next_ping_arrives
    ping(booking.resource, 39.70, -104.95, slow_from)
    live.refresh_etas(technician_ids=[booking.resource_id], now=slow_from)

    stored = BookingEta.objects.get(booking=booking)
    assert provider.calls == 3  # set off, the slow answer, the newer ping's
    assert (stored.computed_at, stored.position_recorded_at) == (newer, newer)
    assert stored.last_routed_at == newer
    state = live.visit_state(booking_id=booking.pk, now=newer)
    assert state is not None
    assert state["updated_at"] == newer.isoformat()
    assert (state["latitude"], state["longitude"]) == (39.73, -104.98)


def test_a_slow_first_eta_never_replaces_one_a_ping_brought_meanwhile(
    provider: CountingProvider,
) -> None:
    technician = ResourceFactory()
    booking = traveling_booking(resource=technician)
    newer = T0 + timedelta(seconds=3)

    def first_ping_arrives() -> None:
        ping(technician, 39.73, -104.98, newer)
        live.refresh_etas(technician_ids=[technician.pk], now=newer)

    provider.while_routing = first_ping_arrives
    assert live.start_eta(booking_id=booking.pk, now=T0) is None  # came too late

    stored = BookingEta.objects.get(booking=booking)
    assert (stored.computed_at, stored.position_recorded_at) == (newer, newer)
    assert provider.origins[0] == Point(*HOME)  # the slow one, from the home base
    assert provider.origins[1] == Point(39.73, -104.98)


@pytest.mark.parametrize("routing", ["first ETA", "a ping's"])
def test_a_visit_that_arrives_while_its_trip_is_routed_is_not_shown_on_its_way_again(
    provider: CountingProvider,
    pushed: list[dict[str, object]],
    django_capture_on_commit_callbacks,
    routing: str,
) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking(at=T0 - timedelta(minutes=1))
    ping(booking.resource, 39.72, -104.97, T0)

    def technician_arrives() -> None:
        services.set_status(booking=booking, status=BookingStatus.IN_PROGRESS)
        live.clear_eta(booking_id=booking.pk)  # what the status change does once committed

    provider.while_routing = technician_arrives
    with django_capture_on_commit_callbacks(execute=True):
        if routing == "first ETA":
            live.start_eta(booking_id=booking.pk, now=T0)
        else:
            live.refresh_etas(technician_ids=[booking.resource_id], now=T0)

    assert provider.calls == 1
    assert not BookingEta.objects.filter(booking=booking).exists()
    statuses = [update["status"] for update in pushed]
    arrived = statuses.index(BookingStatus.IN_PROGRESS)
    assert BookingStatus.TRAVELING not in statuses[arrived:]


def test_a_ping_due_for_routing_is_answered_at_once_and_routed_after(
    provider: CountingProvider, pushed: list[dict[str, object]], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking()
    live.start_eta(booking_id=booking.pk, now=T0)
    due = T0 + etas.ROUTING_INTERVAL
    ping(booking.resource, 39.72, -104.97, due)
    handed_over: list[int] = []

    with django_capture_on_commit_callbacks(execute=True):
        [scaled] = live.refresh_etas(
            technician_ids=[booking.resource_id], now=due, route_later=handed_over.extend
        )
    assert provider.calls == 1
    assert scaled.last_routed_at == T0
    assert pushed[-1]["updated_at"] == due.isoformat()

    routed_at = due + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        [routed] = live.route_etas(technician_ids=handed_over, now=routed_at)
    assert provider.calls == 2
    assert provider.origins[-1] == Point(39.72, -104.97)
    assert BookingEta.objects.get(booking=booking).last_routed_at == routed_at
    assert pushed[-1]["eta"] == routed.eta.isoformat()


def test_the_routing_thread_works_apart_from_whoever_asks() -> None:
    done = threading.Event()
    runs: list[tuple[str, set[int]]] = []

    def work(keys: set[int]) -> None:
        runs.append((threading.current_thread().name, keys))
        done.set()

    router = RoutingThread(work, name="routing-under-test")
    router.request([1])
    assert runs == [(threading.current_thread().name, {1})]  # not deferred: at once

    router.defer()
    try:
        router.request([2, 3])
        assert done.wait(5)
    finally:
        router.defer(False)
    assert runs[1] == ("routing-under-test", {2, 3})


@pytest.fixture
def serving() -> Iterator[None]:
    """ETAs as `doorstep serve` works them out: at the end of each ingest batch."""
    REFRESHER.defer()
    yield
    REFRESHER.defer(False)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("serving")
def test_under_serve_no_ping_waits_for_routing(provider: CountingProvider) -> None:
    booking = BookingFactory()
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)  # routed at once
    BookingEta.objects.filter(booking=booking).update(
        last_routed_at=timezone.now() - etas.ROUTING_INTERVAL
    )
    provider.while_routing = lambda: time.sleep(0.5)  # a slow server
    ping(booking.resource, 39.72, -104.97, timezone.now())

    started = time.monotonic()
    REFRESHER.run_pending()  # what the ingest's thread does after each batch
    answered = time.monotonic() - started

    assert answered < 0.5
    assert BookingEta.objects.get(booking=booking).position_recorded_at is not None
    deadline = time.monotonic() + 5
    while provider.calls < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert provider.threads == [threading.current_thread().name, ROUTER.name]


# --- status.json ---------------------------------------------------------------------


def status(client, code: str):  # type: ignore[no-untyped-def]
    return client.get(reverse("visit_link_status", args=[code]))


def test_status_of_a_scheduled_visit_has_no_eta_and_no_position(client) -> None:  # type: ignore[no-untyped-def]
    booking = BookingFactory()
    ping(booking.resource, 39.72, -104.97, T0)
    response = status(client, issue_visit_link(booking=booking))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == BookingStatus.SCHEDULED
    assert body["eta"] is body["minutes"] is body["distance_m"] is None
    assert body["latitude"] is body["longitude"] is None


def test_status_while_traveling_shows_the_eta_and_the_position_taken_since(
    client, provider: CountingProvider
) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking(at=T0 - timedelta(minutes=1))
    ping(booking.resource, 39.72, -104.97, T0)
    live.refresh_etas(technician_ids=[booking.resource_id], now=T0)
    body = status(client, issue_visit_link(booking=booking)).json()
    eta = BookingEta.objects.get(booking=booking)
    assert body["status"] == BookingStatus.TRAVELING
    assert body["eta"] == eta.eta.isoformat()
    assert body["distance_m"] == round(eta.distance_m)
    assert isinstance(body["minutes"], int)
    assert (body["latitude"], body["longitude"]) == (39.72, -104.97)
    assert body["updated_at"] == T0.isoformat()


def test_status_never_shows_a_position_from_before_setting_off(
    client, provider: CountingProvider
) -> None:  # type: ignore[no-untyped-def]
    technician = ResourceFactory()
    ping(technician, 39.72, -104.97, T0 - timedelta(minutes=3))
    booking = traveling_booking(at=T0 - timedelta(minutes=1), resource=technician)
    live.start_eta(booking_id=booking.pk, now=T0 - timedelta(minutes=1))
    body = status(client, issue_visit_link(booking=booking)).json()
    assert body["status"] == BookingStatus.TRAVELING
    assert body["eta"] is not None  # worked out from that position, which stays hidden
    assert body["latitude"] is body["longitude"] is None


@pytest.mark.parametrize(
    "moves",
    [
        [BookingStatus.IN_PROGRESS],
        [BookingStatus.IN_PROGRESS, BookingStatus.COMPLETED],
        [BookingStatus.SCHEDULED],
    ],
)
def test_status_after_traveling_shows_nothing_of_the_trip(
    client, provider: CountingProvider, moves: list[str]
) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking(at=T0 - timedelta(minutes=5))
    ping(booking.resource, 39.72, -104.97, T0 - timedelta(minutes=1))
    live.refresh_etas(technician_ids=[booking.resource_id], now=T0)
    for move in moves:
        services.set_status(booking=booking, status=move, completion_note="")
    # What the event would do; the answer must not depend on it having run.
    body = status(client, issue_visit_link(booking=booking)).json()
    assert body["status"] == moves[-1]
    assert body["eta"] is body["minutes"] is body["distance_m"] is None
    assert body["latitude"] is body["longitude"] is None


def test_status_of_a_canceled_visit_says_only_canceled(client) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking()
    services.set_status(booking=booking, status=BookingStatus.CANCELED, cancel_reason="Sick")
    body = status(client, issue_visit_link(booking=booking)).json()
    assert body["status"] == BookingStatus.CANCELED
    assert body["latitude"] is body["eta"] is None


def test_status_of_an_unknown_code_is_404(client) -> None:  # type: ignore[no-untyped-def]
    BookingFactory()
    assert status(client, "not-a-code-of-ours").status_code == 404


def test_status_of_a_blocked_code_is_404(client, provider: CountingProvider) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking()
    code = issue_visit_link(booking=booking)
    block(link=booking.visit_links.get())
    response = status(client, code)
    assert response.status_code == 404
    assert "latitude" not in response.json()


def test_status_of_an_expired_code_is_404(client, provider: CountingProvider) -> None:  # type: ignore[no-untyped-def]
    booking = traveling_booking()
    code = issue_visit_link(booking=booking)
    expire_now(link=booking.visit_links.get())
    assert status(client, code).status_code == 404


def test_status_of_a_code_for_another_visit_shows_that_visit_only(
    client, provider: CountingProvider
) -> None:  # type: ignore[no-untyped-def]
    mine = BookingFactory()
    theirs = traveling_booking(at=T0 - timedelta(minutes=1))
    ping(theirs.resource, 39.72, -104.97, T0)
    body = status(client, issue_visit_link(booking=mine)).json()
    assert body["status"] == BookingStatus.SCHEDULED
    assert body["latitude"] is None


@pytest.mark.parametrize("valid", [True, False])
def test_status_answers_keep_the_code_private(client, valid: bool) -> None:  # type: ignore[no-untyped-def]
    booking = BookingFactory()
    code = issue_visit_link(booking=booking) if valid else "unknown"
    response = status(client, code)
    assert response.status_code == (200 if valid else 404)
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"


def test_status_is_rate_limited_like_the_page(client, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from doorstep.portal import visit_link_views

    monkeypatch.setattr(visit_link_views, "RATE_LIMIT", 2)
    monkeypatch.setattr(visit_link_views, "_clock", lambda: 1_000_000.0 + 7)
    code = issue_visit_link(booking=BookingFactory())
    assert [status(client, code).status_code for _ in range(3)] == [200, 200, 429]


def test_status_refuses_writes(client) -> None:  # type: ignore[no-untyped-def]
    code = issue_visit_link(booking=BookingFactory())
    assert client.post(reverse("visit_link_status", args=[code])).status_code == 405


@pytest.mark.parametrize("count", [1, 30])
def test_refreshing_many_technicians_costs_the_same_queries_as_one(
    count: int,
    provider: CountingProvider,
    pushed: list[dict[str, object]],
    django_assert_max_num_queries,
) -> None:  # type: ignore[no-untyped-def]
    bookings = [traveling_booking(at=T0 - timedelta(minutes=1)) for _ in range(count)]
    for booking in bookings:
        ping(booking.resource, 39.72, -104.97, T0)
    live.refresh_etas(technician_ids=[b.resource_id for b in bookings], now=T0)
    assert provider.calls == count  # each technician's first refresh is routed
    with django_assert_max_num_queries(9):
        refreshed = live.refresh_etas(
            technician_ids=[b.resource_id for b in bookings], now=T0 + timedelta(seconds=5)
        )
    assert len(refreshed) == count
    assert provider.calls == count  # within 30 s: scaled, not routed again
    assert BookingEta.objects.filter(computed_at=T0 + timedelta(seconds=5)).count() == count
