"""Deletions reach a sync: every deleted record, cascades too, in the `/deletions` feed."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from doorstep.api.rest import urls
from doorstep.api.rest.deletions import RESOURCE_OF
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
