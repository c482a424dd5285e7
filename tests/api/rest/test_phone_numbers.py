"""Phone numbers sent through the API as people write them, in the account's country."""

from __future__ import annotations

from typing import Any

import pytest

from doorstep.customers.models import Contact
from tests.api.rest.conftest import ApiClient
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def a_contact(account: Any, phone: str) -> dict[str, Any]:
    return {
        "account": account.pk,
        "first_name": "Rosa",
        "email": "rosa@example.test",
        "phone": phone,
    }


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("US", "720 555 0199", "+17205550199"),
        ("US", "(720) 555-0199", "+17205550199"),
        ("FR", "06 12 34 56 78", "+33612345678"),
        ("DE", "030 1234567", "+49301234567"),
        ("US", "+33 6 12 34 56 78", "+33612345678"),  # an international one stays as it is
    ],
)
def test_a_national_number_is_read_in_the_account_country_and_stored_in_e164(
    api: ApiClient, country: str, typed: str, stored: str
) -> None:
    account = AccountFactory(country=country)
    response = api.call("POST", "/api/v1/contacts", a_contact(account, typed))
    assert response.status_code == 201, response.content
    assert response.json()["phone"] == stored
    assert Contact.objects.get().phone.as_e164 == stored


def test_a_change_of_number_is_read_in_the_account_country_too(api: ApiClient) -> None:
    contact = ContactFactory(account=AccountFactory(country="US"))
    response = api.call("PATCH", f"/api/v1/contacts/{contact.pk}", {"phone": "303-555-0142"})
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "+13035550142"


@pytest.mark.parametrize("typed", ["555", "call me", "+1 720 555 01999999", "0" * 300])
def test_an_unreadable_number_is_a_400_naming_the_field(api: ApiClient, typed: str) -> None:
    response = api.call("POST", "/api/v1/contacts", a_contact(AccountFactory(country="US"), typed))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["field"] for error in errors] == ["phone"]
    assert not Contact.objects.exists()


def test_no_number_is_no_number(api: ApiClient) -> None:
    response = api.call("POST", "/api/v1/contacts", a_contact(AccountFactory(), ""))
    assert response.status_code == 201, response.content
    assert response.json()["phone"] == ""
