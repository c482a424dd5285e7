"""Phone numbers typed in the national form of the contact's country."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from doorstep.customers import services
from doorstep.customers.models import Contact
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("US", "720 555 0199", "+17205550199"),
        ("GB", "07400 123456", "+447400123456"),
        ("FR", "06 12 34 56 78", "+33612345678"),
        ("US", "+44 7400 123456", "+447400123456"),  # a foreign number with its prefix
    ],
)
def test_a_saved_contacts_number_is_read_in_its_accounts_country(
    country: str, typed: str, stored: str
) -> None:
    contact = Contact(
        account=AccountFactory(country=country), first_name="Ana", email="ana@example.test"
    )
    contact.phone = typed

    services.save_contact(contact=contact)

    contact.refresh_from_db()
    assert contact.phone.as_e164 == stored


def test_the_profile_service_reads_a_national_number_too() -> None:
    contact = ContactFactory(account=AccountFactory(country="US"))

    services.update_profile(
        contact=contact,
        first_name="Ana",
        last_name="",
        phone="720 555 0199",
        preferred_language="en",
        communication_preference="sms",
    )

    contact.refresh_from_db()
    assert contact.phone.as_e164 == "+17205550199"


def test_a_number_that_is_not_one_is_still_refused() -> None:
    contact = Contact(account=AccountFactory(country="US"), first_name="Ana")
    contact.phone = "555"

    with pytest.raises(ValidationError) as refused:
        services.save_contact(contact=contact)

    assert "phone" in refused.value.message_dict
