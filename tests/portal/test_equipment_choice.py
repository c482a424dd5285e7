"""The booking page's equipment choice tells identical models apart by where they are."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from tests.factories import AssetFactory, FunctionalLocationFactory
from tests.portal.test_booking import BOOK, contact, customer  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_two_identical_models_read_differently_by_their_site(
    customer: Client,  # noqa: F811
    contact: Contact,  # noqa: F811
) -> None:
    PortalSettings.objects.update_or_create(pk=1, defaults={"asset_selection_enabled": True})
    account = contact.account
    for name, street in (("Rental unit", "12 Elm Street"), ("Home", "40 Oak Avenue")):
        AssetFactory(
            account=account,
            name="Carrier 59TP6 furnace",
            serial_number="",
            functional_location=FunctionalLocationFactory(
                account=account, name=name, address_line1=street
            ),
        )
    AssetFactory(
        account=account, name="Carrier 59TP6 furnace", serial_number="", functional_location=None
    )

    page = customer.get(BOOK).content.decode()

    labels = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", page)
    assert sorted(labels) == [
        "Carrier 59TP6 furnace · Home, 40 Oak Avenue",
        "Carrier 59TP6 furnace · Rental unit, 12 Elm Street",
        "Carrier 59TP6 furnace · main address",
    ]
