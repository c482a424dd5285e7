"""A contact's language through the API: none of their own unless one is named, and it can
be cleared again (the company's default language then speaks to them)."""

from __future__ import annotations

import pytest

from doorstep.customers.models import Contact
from tests.api.rest.conftest import ApiClient
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_a_contact_created_without_a_language_has_none_and_one_can_be_cleared(
    api: ApiClient,
) -> None:
    account = AccountFactory()
    created = api.call(
        "POST",
        "/api/v1/contacts",
        {"account": account.pk, "first_name": "Ana", "email": "ana@example.test"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["language"] == ""

    path = f"/api/v1/contacts/{created.json()['id']}"
    assert api.call("PATCH", path, {"language": "es"}).json()["language"] == "es"
    cleared = api.call("PATCH", path, {"language": ""})

    assert cleared.status_code == 200, cleared.content
    assert Contact.objects.get(pk=created.json()["id"]).preferred_language == ""
