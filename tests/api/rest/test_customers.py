"""Accounts, contacts, sites and equipment through the API, as a CRM would sync them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from doorstep.access.models import Invitation
from doorstep.configuration.choices import InvitePolicy
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Account, Asset, Contact
from tests.api.rest.conftest import ApiClient
from tests.factories import (
    AccountFactory,
    AssetFactory,
    BookingFactory,
    ContactFactory,
    FunctionalLocationFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db


def an_account(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Bluebird Bakery",
        "address_line1": "1200 Larimer St",
        "city": "Denver",
        "postal_code": "80204",
        "country": "US",
        "time_zone": "America/Denver",
        **fields,
    }


def test_an_account_is_created_read_and_listed(api: ApiClient) -> None:
    created = api.call("POST", "/api/v1/accounts", an_account(external_id="crm-17"))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Bluebird Bakery"
    assert body["external_id"] == "crm-17"
    assert created["Location"].endswith(f"/api/v1/accounts/{body['id']}")
    assert created["ETag"]

    read = api.call("GET", f"/api/v1/accounts/{body['id']}")
    assert read.json() == body
    assert read["ETag"] == created["ETag"]

    listed = api.call("GET", "/api/v1/accounts?external_id=crm-17")
    assert [account["id"] for account in listed.json()["results"]] == [body["id"]]


def test_a_nightly_sync_by_external_id_creates_once_then_updates(api: ApiClient) -> None:
    first = api.call("PUT", "/api/v1/accounts/by-external-id/crm-17", an_account())
    again = api.call("PUT", "/api/v1/accounts/by-external-id/crm-17", an_account(name="Bluebird"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    account = Account.objects.get()
    assert (account.name, account.external_id) == ("Bluebird", "crm-17")


def test_bad_input_names_each_field_and_saves_nothing(api: ApiClient) -> None:
    response = api.call(
        "POST", "/api/v1/accounts", an_account(country="Atlantis", latitude=91, name="")
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert problem["title"]
    fields = {error["field"] for error in problem["errors"]}
    assert {"country", "latitude", "name"} <= fields
    assert all(error["message"] for error in problem["errors"])
    assert not Account.objects.exists()


def test_a_model_rule_is_refused_with_the_api_field_name(api: ApiClient) -> None:
    account = AccountFactory()
    elsewhere = FunctionalLocationFactory()  # a site of another account
    response = api.call(
        "POST",
        "/api/v1/assets",
        {"account": account.pk, "site": elsewhere.pk, "name": "Furnace"},
    )
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["site"]
    assert not Asset.objects.exists()


def test_a_second_record_with_the_same_external_id_is_refused(api: ApiClient) -> None:
    AccountFactory(external_id="crm-17")
    response = api.call("POST", "/api/v1/accounts", an_account(external_id="crm-17"))
    assert response.status_code == 400
    assert "external ID" in str(response.json()["errors"])


def test_a_change_over_a_newer_one_is_refused(api: ApiClient) -> None:
    account = AccountFactory()
    read = api.call("GET", f"/api/v1/accounts/{account.pk}")
    api.call("PATCH", f"/api/v1/accounts/{account.pk}", {"name": "Changed by the office"})
    stale = api.call(
        "PATCH", f"/api/v1/accounts/{account.pk}", {"name": "Mine"}, **{"If-Match": read["ETag"]}
    )
    assert stale.status_code == 412
    assert "changed since you read it" in stale.json()["detail"]
    account.refresh_from_db()
    assert account.name == "Changed by the office"

    fresh = api.call("GET", f"/api/v1/accounts/{account.pk}")
    ok = api.call(
        "PATCH", f"/api/v1/accounts/{account.pk}", {"name": "Mine"}, **{"If-Match": fresh["ETag"]}
    )
    assert ok.status_code == 200
    assert ok["ETag"] != fresh["ETag"]


def test_an_account_with_visits_cannot_be_deleted(api: ApiClient) -> None:
    booking = BookingFactory()
    account = booking.work_order.account
    response = api.call("DELETE", f"/api/v1/accounts/{account.pk}")
    assert response.status_code == 409
    assert "visits" in response.json()["detail"]
    assert Account.objects.filter(pk=account.pk).exists()

    unused = AccountFactory()
    assert api.call("DELETE", f"/api/v1/accounts/{unused.pk}").status_code == 204
    assert api.call("GET", f"/api/v1/accounts/{unused.pk}").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_contact_pushed_by_the_api_is_invited_like_any_other(api: ApiClient) -> None:
    settings = PortalSettings.load()
    settings.invite_contacts = InvitePolicy.NEW_CONTACTS
    settings.save()
    account = AccountFactory()
    response = api.call(
        "POST",
        "/api/v1/contacts",
        {
            "account": account.pk,
            "first_name": "Rosa",
            "email": "Rosa@Example.test",
            "language": "es",
            "preferred_messages": "email",
        },
    )
    assert response.status_code == 201, response.content
    contact = Contact.objects.get()
    assert (contact.email, contact.preferred_language) == ("rosa@example.test", "es")
    assert response.json()["has_portal_sign_in"] is False
    assert Invitation.objects.filter(email="rosa@example.test").exists()


def test_a_contact_who_wants_texts_needs_a_mobile_number(api: ApiClient) -> None:
    response = api.call(
        "POST",
        "/api/v1/contacts",
        {
            "account": AccountFactory().pk,
            "first_name": "Rosa",
            "preferred_messages": "sms",
            "email": "rosa@example.test",
        },
    )
    assert response.status_code == 400
    assert "phone" in {error["field"] for error in response.json()["errors"]}


def test_lists_walk_in_pages_and_pick_up_changes_since(api: ApiClient) -> None:
    accounts = AccountFactory.create_batch(7)
    seen: list[int] = []
    page = api.call("GET", "/api/v1/accounts?page_size=3").json()
    while True:
        seen += [account["id"] for account in page["results"]]
        if not page["next"]:
            break
        page = api.call("GET", page["next"]).json()
    assert sorted(seen) == sorted(account.pk for account in accounts)

    last_seen = api.call("GET", f"/api/v1/accounts/{seen[-1]}").json()["updated_at"]
    changed = accounts[0]
    api.call("PATCH", f"/api/v1/accounts/{changed.pk}", {"name": "Renamed"})
    response = api.call("GET", f"/api/v1/accounts?{urlencode({'updated_since': last_seen})}")
    ids = [account["id"] for account in response.json()["results"]]
    assert changed.pk in ids


def test_equipment_and_sites_are_listed_with_their_account(api: ApiClient) -> None:
    site = FunctionalLocationFactory()
    AssetFactory(account=site.account, functional_location=site)
    WorkOrderFactory(account=site.account)
    sites = api.call("GET", "/api/v1/sites").json()["results"]
    assets = api.call("GET", "/api/v1/assets").json()["results"]
    assert sites[0]["account"] == site.account.pk
    assert assets[0]["site"] == site.pk


def test_a_contact_of_another_account_cannot_be_primary(api: ApiClient) -> None:
    account = AccountFactory()
    stranger = ContactFactory()
    response = api.call("PATCH", f"/api/v1/accounts/{account.pk}", {"primary_contact": stranger.pk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "primary_contact"
