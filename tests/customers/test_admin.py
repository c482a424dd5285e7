"""The back office pages for accounts, contacts, locations and assets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from doorstep.customers.models import Account, Contact
from tests import factories
from tests.admin_pages import assert_list_queries_do_not_grow

ACCOUNTS = reverse("admin:customers_account_changelist")
CONTACTS = reverse("admin:customers_contact_changelist")


def account_page(account: Account) -> str:
    return reverse("admin:customers_account_change", args=[account.pk])


def test_primary_contact_is_chosen_among_the_account_contacts(staff_client: Client) -> None:
    account = factories.AccountFactory()
    own = factories.ContactFactory(account=account)
    factories.ContactFactory()

    form = staff_client.get(account_page(account)).context["adminform"].form

    assert list(form.fields["primary_contact"].queryset) == [own]


def test_a_new_account_explains_where_the_primary_contact_comes_from(staff_client: Client) -> None:
    form = staff_client.get(reverse("admin:customers_account_add")).context["adminform"].form

    assert not form.fields["primary_contact"].queryset.exists()
    assert "save; then choose the primary contact" in form.fields["primary_contact"].help_text


def test_account_page_has_contacts_locations_and_assets(staff_client: Client) -> None:
    account = factories.AccountFactory()
    factories.ContactFactory(account=account, first_name="Robin")
    location = factories.FunctionalLocationFactory(account=account, name="Boiler house")
    factories.FunctionalLocationFactory(name="Somebody else's shed")
    factories.AssetFactory(account=account, functional_location=location, name="Heat pump")

    response = staff_client.get(account_page(account))

    prefixes = [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]
    assert prefixes == ["contacts", "functional_locations", "assets"]
    assets = response.context["inline_admin_formsets"][2].formset
    assert list(assets.forms[0].fields["functional_location"].queryset) == [location]
    content = response.content.decode()
    assert "Robin" in content
    assert "Heat pump" in content


def test_account_is_added_with_its_contacts(staff_client: Client) -> None:
    data = {
        "name": "Harbour Bakery",
        "active": "on",
        "address_line1": "3 Quay Street",
        "city": "Denver",
        "country": "US",
        "time_zone": "America/Denver",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-first_name": "Kim",
        "contacts-0-email": "kim@example.test",
        "contacts-0-communication_preference": "email",
        "contacts-0-preferred_language": "en",
        "functional_locations-TOTAL_FORMS": "0",
        "functional_locations-INITIAL_FORMS": "0",
        "assets-TOTAL_FORMS": "0",
        "assets-INITIAL_FORMS": "0",
    }

    response = staff_client.post(reverse("admin:customers_account_add"), data)

    assert response.status_code == 302
    account = Account.objects.get(name="Harbour Bakery")
    assert [contact.email for contact in account.contacts.all()] == ["kim@example.test"]


def test_contact_who_prefers_texts_needs_a_phone_number(staff_client: Client) -> None:
    account = factories.AccountFactory()

    response = staff_client.post(
        reverse("admin:customers_contact_add"),
        {
            "account": account.pk,
            "first_name": "Lee",
            "email": "lee@example.test",
            "communication_preference": "sms",
            "preferred_language": "en",
        },
    )

    assert response.status_code == 200
    assert "This contact prefers text messages: enter a mobile number." in (
        response.content.decode()
    )
    assert not Contact.objects.exists()


def test_account_list_counts_contacts(staff_client: Client) -> None:
    account = factories.AccountFactory(name="Three People Inc")
    factories.ContactFactory.create_batch(3, account=account)

    response = staff_client.get(ACCOUNTS)

    (row,) = response.context["cl"].result_list
    assert row.contact_count == 3


def test_accounts_are_found_by_a_contact_email(staff_client: Client) -> None:
    contact = factories.ContactFactory(email="dana@bakery.test")
    factories.ContactFactory(account=contact.account)
    factories.ContactFactory()

    response = staff_client.get(ACCOUNTS, {"q": "dana@bakery"})

    assert list(response.context["cl"].result_list) == [contact.account]
    assert response.context["cl"].result_list[0].contact_count == 2


def test_accounts_filter_by_city_and_active(staff_client: Client) -> None:
    boulder = factories.AccountFactory(city="Boulder")
    factories.AccountFactory(city="Boulder", active=False)
    factories.AccountFactory(city="Denver")

    response = staff_client.get(ACCOUNTS, {"city": "Boulder", "active__exact": "1"})

    assert list(response.context["cl"].result_list) == [boulder]


@pytest.mark.parametrize("term", ["Morgan", "morgan@", "+13035559876", "Acme Farm"])
def test_contacts_are_found_by_name_email_phone_and_account(
    staff_client: Client, term: str
) -> None:
    contact = factories.ContactFactory(
        first_name="Morgan",
        email="morgan@example.test",
        phone="+13035559876",
        account__name="Acme Farm",
    )
    factories.ContactFactory(first_name="Someone", last_name="Else", account__name="Else")

    response = staff_client.get(CONTACTS, {"q": term})

    assert list(response.context["cl"].result_list) == [contact]


def test_contacts_filter_by_preference_and_language(staff_client: Client) -> None:
    contact = factories.ContactFactory(communication_preference="both", preferred_language="fr")
    factories.ContactFactory(communication_preference="both")
    factories.ContactFactory(preferred_language="fr")

    response = staff_client.get(
        CONTACTS, {"communication_preference__exact": "both", "preferred_language__exact": "fr"}
    )

    assert list(response.context["cl"].result_list) == [contact]


def test_asset_filters_by_where_it_is_installed(staff_client: Client) -> None:
    located = factories.AssetFactory(functional_location=factories.FunctionalLocationFactory())
    at_home = factories.AssetFactory()
    url = reverse("admin:customers_asset_changelist")

    at_location = staff_client.get(url, {"installed_at": "location"})
    at_account = staff_client.get(url, {"installed_at": "account"})

    assert list(at_location.context["cl"].result_list) == [located]
    assert list(at_account.context["cl"].result_list) == [at_home]


# --- List pages -------------------------------------------------------------------------------


def _account_row() -> Model:
    account = factories.AccountFactory()
    factories.ContactFactory.create_batch(2, account=account)
    return account


def _asset_row() -> Model:
    location = factories.FunctionalLocationFactory()
    return factories.AssetFactory(account=location.account, functional_location=location)


LIST_ROWS: dict[str, Callable[[], Model]] = {
    "admin:customers_account_changelist": _account_row,
    "admin:customers_contact_changelist": lambda: factories.ContactFactory(
        user=factories.UserFactory()
    ),
    "admin:customers_functionallocation_changelist": lambda: _asset_row().functional_location,  # type: ignore[attr-defined]
    "admin:customers_asset_changelist": _asset_row,
}


@pytest.mark.parametrize("url_name", LIST_ROWS)
def test_list_page_queries_do_not_grow_with_rows(
    staff_client: Client, url_name: str, django_assert_max_num_queries: Any
) -> None:
    assert_list_queries_do_not_grow(
        staff_client, reverse(url_name), LIST_ROWS[url_name], django_assert_max_num_queries
    )


def test_a_contact_cannot_be_moved_to_another_account(staff_client: Client) -> None:
    from tests.factories import AccountFactory, ContactFactory

    contact = ContactFactory()
    other = AccountFactory()
    url = reverse("admin:customers_contact_change", args=[contact.pk])

    page = staff_client.get(url).content.decode()
    assert 'name="account"' not in page
    staff_client.post(
        url,
        {
            "account": other.pk,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "email": contact.email,
            "phone": str(contact.phone),
            "communication_preference": contact.communication_preference,
            "preferred_language": contact.preferred_language,
        },
    )
    contact.refresh_from_db()
    assert contact.account_id != other.pk


@pytest.mark.parametrize("typed", ["720 555 0199", "(720) 555-0199"])
def test_staff_type_a_number_as_dialled_in_the_accounts_country(
    staff_client: Client, typed: str
) -> None:
    account = factories.AccountFactory(country="US")

    response = staff_client.post(
        reverse("admin:customers_contact_add"),
        {
            "account": account.pk,
            "first_name": "Lee",
            "phone": typed,
            "communication_preference": "sms",
            "preferred_language": "en",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Contact.objects.get().phone.as_e164 == "+17205550199"


def test_staff_still_get_a_reason_for_a_number_that_is_not_one(staff_client: Client) -> None:
    account = factories.AccountFactory(country="US")

    response = staff_client.post(
        reverse("admin:customers_contact_add"),
        {
            "account": account.pk,
            "first_name": "Lee",
            "phone": "555",
            "communication_preference": "sms",
            "preferred_language": "en",
        },
    )

    assert response.status_code == 200
    assert 'value="555"' in response.content.decode()
    assert not Contact.objects.exists()
