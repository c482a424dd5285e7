from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from doorstep.customers.models import CommunicationPreference, Contact
from tests.factories import (
    AccountFactory,
    AssetFactory,
    ContactFactory,
    FunctionalLocationFactory,
)

pytestmark = pytest.mark.django_db


def errors_of(instance) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as raised:
        instance.full_clean()
    return raised.value.message_dict


def test_contact_needs_an_email_or_a_phone() -> None:
    contact = ContactFactory.build(account=AccountFactory(), email="", phone="")

    assert "Enter an email address or a phone number" in errors_of(contact)["email"][0]


def test_contact_without_email_or_phone_is_refused_by_the_database_too() -> None:
    with pytest.raises(IntegrityError):
        ContactFactory(email="", phone="")


def test_contact_preferring_sms_needs_a_mobile_number() -> None:
    contact = ContactFactory.build(
        account=AccountFactory(), phone="", communication_preference=CommunicationPreference.SMS
    )

    assert errors_of(contact)["phone"] == [
        "This contact prefers text messages: enter a mobile number."
    ]


def test_contact_phone_must_be_a_real_number_and_is_kept_in_e164() -> None:
    account = AccountFactory()
    assert "phone" in errors_of(ContactFactory.build(account=account, phone="12"))

    contact = ContactFactory.build(account=account, phone="+1 (303) 555-0142")
    contact.full_clean()
    contact.save()
    assert Contact.objects.get(pk=contact.pk).phone.as_e164 == "+13035550142"


def test_contact_email_is_unique_per_account_ignoring_case() -> None:
    first = ContactFactory(email="pat@example.test")
    twin = ContactFactory.build(account=first.account, email="PAT@example.test")

    assert "already has a contact with this email" in str(errors_of(twin))
    # The same person may be a contact of another account (a property manager).
    ContactFactory.build(account=AccountFactory(), email="pat@example.test").full_clean()


def test_coordinates_come_in_pairs_and_in_range() -> None:
    half = AccountFactory.build(longitude=None)
    assert "Enter both latitude and longitude" in str(errors_of(half))

    assert "latitude" in errors_of(AccountFactory.build(latitude=Decimal("91")))
    assert "longitude" in errors_of(AccountFactory.build(longitude=Decimal("-181")))
    AccountFactory.build(latitude=None, longitude=None).full_clean()


def test_half_coordinates_are_refused_by_the_database() -> None:
    with pytest.raises(IntegrityError):
        AccountFactory(latitude=Decimal("39.7"), longitude=None)


def test_account_time_zone_and_country_are_checked() -> None:
    errors = errors_of(AccountFactory.build(time_zone="Mars/Olympus", country="XX"))

    assert "time_zone" in errors
    assert "two-letter ISO code" in errors["country"][0]


def test_primary_contact_must_belong_to_the_account() -> None:
    account = AccountFactory()
    account.primary_contact = ContactFactory()

    assert "primary_contact" in errors_of(account)

    account.primary_contact = ContactFactory(account=account)
    account.full_clean()


def test_asset_location_must_belong_to_the_same_account() -> None:
    asset = AssetFactory.build(
        account=AccountFactory(), functional_location=FunctionalLocationFactory()
    )

    assert "functional_location" in errors_of(asset)


def test_asset_serial_number_is_unique_per_account_but_may_be_blank() -> None:
    asset = AssetFactory(serial_number="ABC-1")
    assert "serial number" in str(
        errors_of(AssetFactory.build(account=asset.account, serial_number="ABC-1"))
    )
    AssetFactory(account=asset.account, serial_number="")
    AssetFactory.build(account=asset.account, serial_number="").full_clean()


def test_address_reads_in_the_countrys_order() -> None:
    us = AccountFactory.build(address_line1="1 Main St", city="Denver", postal_code="80202")
    fr = AccountFactory.build(
        address_line1="1 rue de la Paix", city="Paris", postal_code="75002", country="FR"
    )

    assert us.one_line_address == "1 Main St, Denver 80202"
    assert fr.one_line_address == "1 rue de la Paix, 75002 Paris"
