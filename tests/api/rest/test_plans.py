"""Service plans and customers' change requests through the API, as a CRM syncs them."""

from __future__ import annotations

from typing import Any

import pytest

from doorstep.core.models import Deletion
from doorstep.plans.models import ChangeRequest, ServicePlan
from tests.api.rest.conftest import ApiClient
from tests.factories import (
    AccountFactory,
    AssetFactory,
    ChangeRequestFactory,
    ContactFactory,
    FunctionalLocationFactory,
    IncidentTypeFactory,
    ServicePlanFactory,
)

pytestmark = pytest.mark.django_db
PLANS = "/api/v1/service-plans"
REQUESTS = "/api/v1/service-plan-change-requests"


def a_plan(**fields: Any) -> dict[str, Any]:
    account = fields.pop("account", None) or AccountFactory()
    return {
        "account": account.pk,
        "name": "Boiler care",
        "service_type": IncidentTypeFactory().pk,
        "every": 12,
        "unit": "months",
        "starts_on": "2027-10-01",
        **fields,
    }


def test_a_plan_is_created_read_listed_and_synced_by_external_id(api: ApiClient) -> None:
    account = AccountFactory()
    boiler = AssetFactory(account=account)
    created = api.call("POST", PLANS, a_plan(account=account, asset=boiler.pk))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["asset"] == boiler.pk
    assert (body["status"], body["ends_on"], body["site"]) == ("active", None, None)
    assert api.call("GET", f"{PLANS}/{body['id']}").json() == body
    listed = api.call("GET", f"{PLANS}?account={account.pk}").json()["results"]
    assert [plan["id"] for plan in listed] == [body["id"]]
    assert api.call("GET", f"{PLANS}?account={account.pk + 1}").json()["results"] == []

    first = api.call("PUT", f"{PLANS}/by-external-id/agr-9", a_plan(account=account))
    again = api.call("PUT", f"{PLANS}/by-external-id/agr-9", a_plan(account=account, every=6))
    assert (first.status_code, again.status_code) == (201, 200)
    assert ServicePlan.objects.get(external_id="agr-9").every == 6


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"every": 0}, "every"),
        ({"every": 61}, "every"),
        ({"every": 300, "unit": "weeks"}, "every"),
        ({"unit": "days"}, "unit"),
        ({"starts_on": "2027-02-30"}, "starts_on"),
        ({"ends_on": "2027-01-01"}, "ends_on"),
        ({"status": "dormant"}, "status"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"customer_note": "x" * 2001}, "customer_note"),
        ({"service_type": 999999}, "service_type"),
    ],
)
def test_a_plan_that_cannot_be_kept_is_refused_field_by_field(
    api: ApiClient, fields: dict[str, Any], field: str
) -> None:
    response = api.call("POST", PLANS, a_plan(**fields))
    assert response.status_code == 400, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not ServicePlan.objects.exists()


def test_equipment_or_a_site_of_another_account_is_refused(api: ApiClient) -> None:
    account = AccountFactory()
    for fields, field in (
        ({"asset": AssetFactory().pk}, "asset"),
        ({"site": FunctionalLocationFactory().pk}, "site"),
    ):
        response = api.call("POST", PLANS, a_plan(account=account, **fields))
        assert response.status_code == 400
        assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not ServicePlan.objects.exists()


def test_a_deleted_plan_leaves_a_tombstone_and_takes_its_requests(api: ApiClient) -> None:
    change = ChangeRequestFactory(plan__external_id="agr-1")
    assert api.call("DELETE", f"{PLANS}/{change.plan_id}").status_code == 204
    assert not ChangeRequest.objects.exists()
    assert Deletion.objects.filter(external_id="agr-1").exists()
    feed = api.call("GET", "/api/v1/deletions").json()["results"]
    assert sorted((row["resource"], row["id"]) for row in feed) == [
        ("service-plan-change-requests", change.pk),
        ("service-plans", change.plan_id),
    ]


def test_equipment_a_plan_covers_cannot_be_deleted(api: ApiClient) -> None:
    plan = ServicePlanFactory(asset=AssetFactory())
    response = api.call("DELETE", f"/api/v1/assets/{plan.asset_id}")
    assert response.status_code == 409
    assert ServicePlan.objects.filter(pk=plan.pk).exists()


def test_change_requests_are_listed_open_or_handled_and_marked_handled_once(
    api: ApiClient,
) -> None:
    contact = ContactFactory()
    change = ChangeRequestFactory(plan__account=contact.account, contact=contact)
    ChangeRequestFactory()
    assert len(api.call("GET", f"{REQUESTS}?handled=false").json()["results"]) == 2
    assert api.call("GET", f"{REQUESTS}?handled=true").json()["results"] == []

    first = api.call("POST", f"{REQUESTS}/{change.pk}/handled")
    assert first.status_code == 200
    assert first.json()["handled"] is True
    again = api.call("POST", f"{REQUESTS}/{change.pk}/handled")
    assert again.json()["handled_at"] == first.json()["handled_at"]
    handled = api.call("GET", f"{REQUESTS}?handled=true").json()["results"]
    assert [(item["id"], item["contact"], item["text"]) for item in handled] == [
        (change.pk, contact.pk, change.text)
    ]


def test_change_requests_cannot_be_written_through_the_api(api: ApiClient) -> None:
    plan = ServicePlanFactory()
    response = api.call("POST", REQUESTS, {"plan": plan.pk, "text": "Pause it"})
    assert response.status_code == 405
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("query", ["handled=perhaps", "account=x", "account=0", "created_since=no"])
def test_odd_list_filters_are_refused_with_a_reason(api: ApiClient, query: str) -> None:
    path = PLANS if query.startswith("account") else REQUESTS
    response = api.call("GET", f"{path}?{query}")
    assert response.status_code == 400
    assert response.json()["errors"]
