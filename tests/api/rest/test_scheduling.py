"""Visits through the API: the times the portal offers, booking them, moving them along,
as a dispatch system does; every change through the portal's and back office's services."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from doorstep.access.models import Scope
from doorstep.api.rest.scheduling import BookingSerializer, BookingViewSet
from doorstep.scheduling import selectors
from doorstep.scheduling.models import Booking, BookingStatus, BookingStatusChange, WorkOrder
from doorstep.scheduling.travel import Point
from tests.api.rest.conftest import ApiClient, a_visit_with_its_records, bookable_world
from tests.factories import (
    AssetFactory,
    BookingFactory,
    FunctionalLocationFactory,
    IncidentTypeFactory,
    ResourceFactory,
    TimelineNoteFactory,
)

pytestmark = pytest.mark.django_db
DENVER = ZoneInfo("America/Denver")


@pytest.fixture
def world() -> dict[str, Any]:
    return bookable_world()


def in_two_days() -> str:
    return (timezone.now().astimezone(DENVER).date() + timedelta(days=2)).isoformat()


def slots_for(api: ApiClient, **query: Any) -> list[dict[str, str]]:
    response = api.call("GET", f"/api/v1/slots?{urlencode(query)}")
    assert response.status_code == 200, response.content
    return list(response.json())


def test_slots_are_the_times_the_portal_offers(api: ApiClient, world: dict[str, Any]) -> None:
    account = world["contact"].account
    day = in_two_days()
    offered = slots_for(
        api, service_type=world["service"].pk, account=account.pk, **{"from": day, "to": day}
    )
    portal = selectors.available_slots(
        incident_type=world["service"],
        location=Point(float(account.latitude), float(account.longitude)),
        time_zone=account.time_zone,
        first_day=datetime.fromisoformat(day).date(),
        last_day=datetime.fromisoformat(day).date(),
        now=timezone.now(),
    )
    assert [datetime.fromisoformat(slot["start"]) for slot in offered] == [
        slot.start for slot in portal
    ]
    assert offered

    by_point = slots_for(
        api,
        service_type=world["service"].pk,
        latitude=account.latitude,
        longitude=account.longitude,
        time_zone="America/Denver",
        **{"from": day, "to": day},
    )
    assert by_point == offered


def test_slots_keep_to_the_lead_times(api: ApiClient, world: dict[str, Any]) -> None:
    today = timezone.now().astimezone(DENVER).date().isoformat()
    account = world["contact"].account
    query = {"service_type": world["service"].pk, "account": account.pk, "from": today}
    assert slots_for(api, **query, to=today) == []  # the minimum lead is one day


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"account": 1, "site": 1},
        {"latitude": "39.7"},
        {"latitude": "91", "longitude": "0"},
        {"from": "2030-01-10", "to": "2030-01-01"},
        {"time_zone": "Mars/Olympus", "latitude": "1", "longitude": "1"},
    ],
)
def test_slots_refuse_an_unclear_place_and_say_why(
    api: ApiClient, world: dict[str, Any], query: dict[str, str]
) -> None:
    query = {"service_type": world["service"].pk, **query}
    response = api.call("GET", f"/api/v1/slots?{urlencode(query)}")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_slots_of_a_site_and_of_a_service_not_offered_online(
    api: ApiClient, world: dict[str, Any]
) -> None:
    site = FunctionalLocationFactory(account=world["contact"].account)
    day = in_two_days()
    assert slots_for(api, service_type=world["service"].pk, site=site.pk, **{"from": day})
    hidden = IncidentTypeFactory(portal_enabled=False)
    response = api.call("GET", f"/api/v1/slots?service_type={hidden.pk}&site={site.pk}")
    assert response.status_code == 422
    assert "cannot be booked online" in response.json()["detail"]


def a_booking(world: dict[str, Any], start: str, **fields: Any) -> dict[str, Any]:
    return {
        "service_type": world["service"].pk,
        "contact": world["contact"].pk,
        "start": start,
        **fields,
    }


def first_slot(api: ApiClient, world: dict[str, Any]) -> str:
    query = {"service_type": world["service"].pk, "account": world["contact"].account.pk}
    return slots_for(api, **query, **{"from": in_two_days()})[0]["start"]


def test_an_offered_time_is_booked_as_in_the_portal(api: ApiClient, world: dict[str, Any]) -> None:
    start = first_slot(api, world)
    body = a_booking(world, start, external_id="fsm-1", work_order_external_id="job-1")
    response = api.call("POST", "/api/v1/bookings", body)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["technician"], body["external_id"]) == (
        "scheduled",
        world["technician"].pk,
        "fsm-1",
    )
    assert datetime.fromisoformat(body["start"]) == datetime.fromisoformat(start)
    assert body["allowed_statuses"] == ["traveling", "canceled"]
    assert start not in [slot["start"] for slot in slots_for_same_day(api, world, start)]
    assert Booking.objects.get().work_order.source == "api"
    order = api.call("GET", "/api/v1/work-orders?external_id=job-1").json()["results"]
    assert [work_order["id"] for work_order in order] == [response.json()["work_order"]]
    listed = api.call("GET", "/api/v1/bookings?external_id=fsm-1").json()["results"]
    assert [booking["id"] for booking in listed] == [body["id"]]


def slots_for_same_day(api: ApiClient, world: dict[str, Any], start: str) -> list[dict[str, str]]:
    day = datetime.fromisoformat(start).astimezone(DENVER).date().isoformat()
    query = {"service_type": world["service"].pk, "account": world["contact"].account.pk}
    return slots_for(api, **query, **{"from": day, "to": day})


def test_a_time_not_offered_is_refused_and_nothing_is_booked(
    api: ApiClient, world: dict[str, Any]
) -> None:
    start = datetime.fromisoformat(first_slot(api, world)) + timedelta(minutes=7)
    response = api.call("POST", "/api/v1/bookings", a_booking(world, start.isoformat()))
    assert response.status_code == 422
    assert "Choose one of the times offered" in response.json()["detail"]
    assert not Booking.objects.exists()


def test_any_time_with_a_technician_needs_dispatch_and_warns_like_the_back_office(
    api_for: Callable[..., ApiClient], world: dict[str, Any]
) -> None:
    novice = ResourceFactory(display_name="Nina")
    start = timezone.now() + timedelta(days=3)
    body = a_booking(
        world, start.isoformat(), technician=novice.pk, end=(start + timedelta(hours=2)).isoformat()
    )
    refused = api_for().call("POST", "/api/v1/bookings", body)
    assert refused.status_code == 403
    assert "“dispatch” scope" in refused.json()["detail"]

    dispatch = api_for(scopes={Scope.READ, Scope.WRITE, Scope.DISPATCH})
    response = dispatch.call("POST", "/api/v1/bookings", body)
    assert response.status_code == 201, response.content
    warnings = " ".join(response.json()["warnings"])
    assert "Nina is not qualified" in warnings
    assert "does not work" in warnings
    booking = Booking.objects.get()
    assert (booking.resource, booking.work_order.source) == (novice, "api")


def test_a_visit_is_moved_to_another_offered_time(api: ApiClient, world: dict[str, Any]) -> None:
    first, second, *_ = slots_for_same_day(api, world, first_slot(api, world))
    booked = api.call("POST", "/api/v1/bookings", a_booking(world, first["start"])).json()
    moved = api.call(
        "POST", f"/api/v1/bookings/{booked['id']}/reschedule", {"start": second["start"]}
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["start"] == second["start"]
    off_grid = datetime.fromisoformat(second["start"]) + timedelta(minutes=5)
    refused = api.call(
        "POST", f"/api/v1/bookings/{booked['id']}/reschedule", {"start": off_grid.isoformat()}
    )
    assert refused.status_code == 422


def test_cancel_needs_a_reason_and_tells_the_customer(api: ApiClient) -> None:
    booking = BookingFactory()
    without = api.call("POST", f"/api/v1/bookings/{booking.pk}/cancel", {})
    assert without.status_code == 400
    assert without.json()["errors"][0]["field"] == "reason"
    response = api.call("POST", f"/api/v1/bookings/{booking.pk}/cancel", {"reason": "Moved out"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["cancel_reason"]) == ("canceled", "Moved out")
    assert any("canceled: Moved out" in comment["text"] for comment in body["comments"])
    again = api.call("POST", f"/api/v1/bookings/{booking.pk}/cancel", {"reason": "Twice"})
    assert again.status_code == 422


def test_status_moves_follow_the_status_machine_with_dispatch_only(
    api_for: Callable[..., ApiClient],
) -> None:
    booking = BookingFactory()
    path = f"/api/v1/bookings/{booking.pk}/status"
    assert api_for().call("POST", path, {"status": "traveling"}).status_code == 403
    dispatch = api_for(scopes={Scope.READ, Scope.DISPATCH})
    skipped = dispatch.call("POST", path, {"status": "completed"})
    assert skipped.status_code == 422
    assert "can only become Traveling or Canceled" in skipped.json()["detail"]
    for status in ("traveling", "in_progress", "completed"):
        response = dispatch.call("POST", path, {"status": status})
        assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    assert list(
        BookingStatusChange.objects.filter(booking=booking).values_list("to_status", flat=True)
    ) == ["traveling", "in_progress", "completed"]
    assert dispatch.call("POST", path, {"status": "sideways"}).status_code == 400


def test_visits_and_what_belongs_to_them_are_read(api: ApiClient) -> None:
    booking = a_visit_with_its_records()
    visit = api.call("GET", f"/api/v1/bookings/{booking.pk}").json()
    assert visit["comments"][0]["text"] == "Gate code 1234"
    assert visit["account"] == booking.work_order.account_id
    order = api.call("GET", f"/api/v1/work-orders/{booking.work_order_id}").json()
    assert order["comments"] == visit["comments"]
    messages = api.call("GET", "/api/v1/notifications").json()["results"]
    assert [(m["booking"], m["subject"]) for m in messages] == [(booking.pk, "Your visit")]
    assert "body" not in messages[0]  # bodies carry visit codes
    links = api.call("GET", "/api/v1/visit-links").json()["results"]
    assert [(link["booking"], link["state"]) for link in links] == [(booking.pk, "valid")]
    feedback = api.call("GET", "/api/v1/feedback").json()["results"]
    assert [(f["booking"], f["rating"]) for f in feedback] == [(booking.pk, 5)]
    assert api.call("DELETE", f"/api/v1/feedback/{feedback[0]['id']}").status_code == 405


def test_a_visit_link_is_ended_and_blocked_through_the_back_office_rules(api: ApiClient) -> None:
    a_visit_with_its_records()
    link = api.call("GET", "/api/v1/visit-links").json()["results"][0]
    path = f"/api/v1/visit-links/{link['id']}"
    assert api.call("POST", f"{path}/expire").json()["state"] == "expired"
    later = (timezone.now() + timedelta(days=30)).isoformat()
    assert api.call("POST", f"{path}/extend", {"until": later}).json()["state"] == "valid"
    assert api.call("POST", f"{path}/block").json()["state"] == "blocked"
    refused = api.call("POST", f"{path}/extend", {"until": later})
    assert refused.status_code == 422
    assert "stays blocked" in refused.json()["detail"]


def test_dispatch_moves_a_visit_to_any_time_and_technician_with_warnings(
    api_for: Callable[..., ApiClient],
) -> None:
    booking = BookingFactory()
    other = ResourceFactory(display_name="Omar")
    later = booking.start + timedelta(days=1)
    body = {"start": later.isoformat(), "technician": other.pk}
    path = f"/api/v1/bookings/{booking.pk}/reschedule"
    assert api_for().call("POST", path, body).status_code == 403
    response = api_for(scopes={Scope.WRITE, Scope.DISPATCH}).call("POST", path, body)
    assert response.status_code == 200, response.content
    moved = response.json()
    assert (moved["technician"], datetime.fromisoformat(moved["start"])) == (other.pk, later)
    assert datetime.fromisoformat(moved["end"]) - later == booking.end - booking.start
    assert any("Omar does not work" in warning for warning in moved["warnings"])


def test_a_visit_without_a_contact_is_moved_by_dispatch_only(api: ApiClient) -> None:
    booking = BookingFactory()
    later = booking.start + timedelta(days=1)
    response = api.call(
        "POST", f"/api/v1/bookings/{booking.pk}/reschedule", {"start": later.isoformat()}
    )
    assert response.status_code == 422
    assert "no contact" in response.json()["detail"]


def test_an_external_id_already_taken_is_refused_and_nothing_is_booked(
    api: ApiClient, world: dict[str, Any]
) -> None:
    first, second, *_ = slots_for_same_day(api, world, first_slot(api, world))
    taken = {"external_id": "fsm-1", "work_order_external_id": "job-1"}
    api.call("POST", "/api/v1/bookings", a_booking(world, first["start"], **taken))
    for name, value in taken.items():
        body = a_booking(world, second["start"], **{name: value})
        response = api.call("POST", "/api/v1/bookings", body)
        assert response.status_code == 422, response.content
        assert "already has this external ID" in response.json()["detail"]
    assert Booking.objects.count() == 1


# --- Booking at a site ------------------------------------------------------------------------


def a_site_across_town(world: dict[str, Any], **fields: Any) -> Any:
    return FunctionalLocationFactory(
        account=world["contact"].account,
        address_line1="9 Warehouse Row",
        latitude=Decimal("39.780000"),
        longitude=Decimal("-104.960000"),
        **fields,
    )


def test_a_time_offered_at_a_site_is_booked_at_that_site(
    api: ApiClient, world: dict[str, Any]
) -> None:
    # The account itself is not on the map: only the site is, and no equipment is there.
    account = world["contact"].account
    account.latitude = account.longitude = None
    account.save()
    site = a_site_across_town(world)
    query = {"service_type": world["service"].pk, "site": site.pk, "from": in_two_days()}
    start = slots_for(api, **query)[0]["start"]

    response = api.call("POST", "/api/v1/bookings", a_booking(world, start, site=site.pk))

    assert response.status_code == 201, response.content
    assert response.json()["address"].startswith("9 Warehouse Row")
    assert response.json()["site"] == site.pk  # read back as booked, without equipment
    work_order = Booking.objects.get().work_order
    assert (work_order.latitude, work_order.longitude) == (site.latitude, site.longitude)
    assert work_order.site == site


def test_a_site_of_another_account_is_refused_and_nothing_is_booked(
    api: ApiClient, world: dict[str, Any]
) -> None:
    elsewhere = FunctionalLocationFactory()
    start = first_slot(api, world)
    response = api.call("POST", "/api/v1/bookings", a_booking(world, start, site=elsewhere.pk))
    assert response.status_code == 422
    assert "The site must belong to the account" in response.json()["detail"]
    assert not Booking.objects.exists()


def test_a_dispatch_booking_by_hand_goes_to_the_site(
    api_for: Callable[..., ApiClient], world: dict[str, Any]
) -> None:
    site = a_site_across_town(world)
    start = timezone.now() + timedelta(days=3)
    body = a_booking(
        world,
        start.isoformat(),
        technician=world["technician"].pk,
        end=(start + timedelta(hours=1)).isoformat(),
        site=site.pk,
    )
    dispatch = api_for(scopes={Scope.READ, Scope.WRITE, Scope.DISPATCH})
    response = dispatch.call("POST", "/api/v1/bookings", body)
    assert response.status_code == 201, response.content
    assert response.json()["address"].startswith("9 Warehouse Row")


# --- The answer about a visit, built directly ---------------------------------------------------


@pytest.mark.parametrize("zone", ["UTC", "America/Denver"])
def test_a_visit_reads_exactly_as_the_generic_serializer_writes_it(zone: str) -> None:
    plain = BookingFactory()
    busy = a_visit_with_its_records()
    site = FunctionalLocationFactory(account=busy.work_order.account)
    asset = AssetFactory(account=busy.work_order.account, functional_location=site)
    WorkOrder.objects.filter(pk=busy.work_order_id).update(asset=asset)
    TimelineNoteFactory(work_order=busy.work_order, text="Staff only", customer_visible=False)
    done = BookingFactory(status=BookingStatus.COMPLETED, completed_at=timezone.now())
    called_off = BookingFactory(status=BookingStatus.CANCELED, cancel_reason="Moved away")
    ids = [plain.pk, busy.pk, done.pk, called_off.pk]
    visits = BookingViewSet.queryset.filter(pk__in=ids).order_by("pk")
    context = {"warnings": ["Nina is not qualified"]}

    with timezone.override(ZoneInfo(zone)):
        for visit in visits:
            serializer = BookingSerializer(context=context)
            generic = serializers.ModelSerializer.to_representation(serializer, visit)
            assert json.loads(JSONRenderer().render(serializer.to_representation(visit))) == (
                json.loads(JSONRenderer().render(generic))
            ), visit
