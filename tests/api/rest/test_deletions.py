"""Deletions reach a sync: every deleted record, cascades too, in the `/deletions` feed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from doorstep.access.models import Scope
from doorstep.api.rest import urls
from doorstep.api.rest.deletions import RESOURCE_OF
from doorstep.core.models import Deletion
from doorstep.webhooks.models import WebhookEndpoint
from doorstep.webhooks.services import new_secret, send_test_event
from tests.api.rest.conftest import ApiClient
from tests.api.rest.test_keys import RESOURCES
from tests.factories import (
    AccountFactory,
    AssetFactory,
    BookingFactory,
    ContactFactory,
    FunctionalLocationFactory,
    IncidentTypeFactory,
    ResourceFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db


def deleted(api: ApiClient, **query: str) -> list[tuple[str, int, str]]:
    response = api.call("GET", f"/api/v1/deletions?{urlencode(query)}")
    assert response.status_code == 200, response.content
    return [(row["resource"], row["id"], row["external_id"]) for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("resource", "factory"),
    [
        ("accounts", AccountFactory),
        ("contacts", ContactFactory),
        ("sites", FunctionalLocationFactory),
        ("assets", AssetFactory),
        ("service-types", IncidentTypeFactory),
        ("technicians", ResourceFactory),
    ],
)
def test_a_record_deleted_through_the_api_is_in_the_feed(
    api: ApiClient, resource: str, factory: type
) -> None:
    record = factory(external_id=f"ext-{resource}")
    assert api.call("DELETE", f"/api/v1/{resource}/{record.pk}").status_code == 204
    assert (resource, record.pk, f"ext-{resource}") in deleted(api)


def test_what_goes_with_a_deleted_account_is_in_the_feed_too(api: ApiClient) -> None:
    contact = ContactFactory(external_id="person-1")
    site = FunctionalLocationFactory(account=contact.account)
    asset = AssetFactory(account=contact.account, functional_location=site)
    api.call("DELETE", f"/api/v1/accounts/{contact.account.pk}")
    feed = deleted(api)
    assert {
        ("accounts", contact.account.pk),
        ("contacts", contact.pk),
        ("sites", site.pk),
        ("assets", asset.pk),
    } <= {(resource, pk) for resource, pk, _ in feed}
    assert ("contacts", contact.pk, "person-1") in feed
    assert deleted(api, resource="assets") == [("assets", asset.pk, "")]


def test_the_feed_is_read_since_a_time(api: ApiClient) -> None:
    first, second = AccountFactory.create_batch(2)
    api.call("DELETE", f"/api/v1/accounts/{first.pk}")
    since = api.call("GET", "/api/v1/deletions").json()["results"][-1]["deleted_at"]
    api.call("DELETE", f"/api/v1/accounts/{second.pk}")
    later = api.call("GET", "/api/v1/deletions").json()["results"][-1]["deleted_at"]
    assert later > since
    assert [pk for _, pk, _ in deleted(api, deleted_since=later)] == [second.pk]


def test_a_refused_deletion_leaves_no_trace(api: ApiClient) -> None:
    booking = BookingFactory()
    assert api.call("DELETE", f"/api/v1/technicians/{booking.resource_id}").status_code == 409
    assert deleted(api) == []


def test_every_resource_a_sync_mirrors_has_a_name_in_the_feed() -> None:
    models = {
        viewset.queryset.model for prefix, viewset, _ in urls.router.registry if prefix in RESOURCES
    }
    assert len(models) == len(RESOURCES)
    assert {model._meta.label_lower for model in models} <= set(RESOURCE_OF)


# --- Deleted in the back office ---------------------------------------------------------------


def an_endpoint(**fields: object) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        url="https://hooks.example.test/doorstep", secret=new_secret(), **fields
    )


BACK_OFFICE = [
    ("accounts", "customers_account", lambda: AccountFactory(external_id="ext-1")),
    ("contacts", "customers_contact", lambda: ContactFactory(external_id="ext-1")),
    (
        "sites",
        "customers_functionallocation",
        lambda: FunctionalLocationFactory(external_id="ext-1"),
    ),
    ("assets", "customers_asset", lambda: AssetFactory(external_id="ext-1")),
    ("service-types", "catalog_incidenttype", lambda: IncidentTypeFactory(external_id="ext-1")),
    ("technicians", "workforce_resource", lambda: ResourceFactory(external_id="ext-1")),
    ("work-orders", "scheduling_workorder", lambda: WorkOrderFactory(external_id="ext-1")),
    ("webhook-endpoints", "webhooks_webhookendpoint", an_endpoint),
]
BACK_OFFICE_IDS = [resource for resource, _, _ in BACK_OFFICE]


@pytest.mark.parametrize(("resource", "page", "make"), BACK_OFFICE, ids=BACK_OFFICE_IDS)
def test_a_record_deleted_in_the_back_office_is_in_the_feed(
    api: ApiClient, staff_client: Client, resource: str, page: str, make: Callable[[], Any]
) -> None:
    record = make()
    response = staff_client.post(reverse(f"admin:{page}_delete", args=[record.pk]), {"post": "yes"})
    assert response.status_code == 302, response.content
    external_id = getattr(record, "external_id", "")
    assert deleted(api) == [(resource, record.pk, external_id)]


@pytest.mark.parametrize(("resource", "page", "make"), BACK_OFFICE, ids=BACK_OFFICE_IDS)
def test_records_deleted_together_with_delete_selected_are_in_the_feed(
    api: ApiClient, staff_client: Client, resource: str, page: str, make: Callable[[], Any]
) -> None:
    first = make()
    if hasattr(first, "external_id"):  # unique where set: the second one takes it
        type(first).objects.filter(pk=first.pk).update(external_id="")
    second = make()
    response = staff_client.post(
        reverse(f"admin:{page}_changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302, response.content
    assert not type(first).objects.filter(pk__in=[first.pk, second.pk]).exists()
    assert {(r, pk) for r, pk, _ in deleted(api, resource=resource)} == {
        (resource, first.pk),
        (resource, second.pk),
    }


def test_what_goes_with_an_account_deleted_in_the_back_office_is_in_the_feed(
    api: ApiClient, staff_client: Client
) -> None:
    contact = ContactFactory(external_id="person-1")
    site = FunctionalLocationFactory(account=contact.account)
    staff_client.post(
        reverse("admin:customers_account_delete", args=[contact.account.pk]), {"post": "yes"}
    )
    assert {(r, pk) for r, pk, _ in deleted(api)} == {
        ("accounts", contact.account.pk),
        ("contacts", contact.pk),
        ("sites", site.pk),
    }


def test_a_contact_removed_from_its_account_page_is_in_the_feed(
    api: ApiClient, staff_client: Client
) -> None:
    contact = ContactFactory(external_id="person-1")
    account = contact.account
    page = reverse("admin:customers_account_change", args=[account.pk])
    form = staff_client.get(page).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": str(contact.pk),
            "contacts-0-account": str(account.pk),
            "contacts-0-first_name": contact.first_name,
            "contacts-0-DELETE": "on",
        }
    )
    for prefix in ("functional_locations", "assets"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = staff_client.post(page, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    assert deleted(api) == [("contacts", contact.pk, "person-1")]


def test_an_endpoint_deleted_through_the_api_is_in_the_feed_without_its_deliveries(
    api_for: Callable[..., ApiClient],
) -> None:
    api = api_for([Scope.READ, Scope.WEBHOOKS])
    endpoint = an_endpoint()
    send_test_event(endpoint=endpoint)
    assert api.call("DELETE", f"/api/v1/webhook-endpoints/{endpoint.pk}").status_code == 204
    assert deleted(api) == [("webhook-endpoints", endpoint.pk, "")]
    assert Deletion.objects.count() == 1
