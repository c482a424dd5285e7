"""A service report is written in the customer's language, else the company's default one."""

from __future__ import annotations

import pytest
from django.test import override_settings

from doorstep.configuration.models import PortalSettings
from doorstep.history.reports import report_language
from tests.factories import BookingFactory, ContactFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


def company_language(code: str) -> None:
    portal = PortalSettings.load()
    portal.default_language = code
    portal.save()


@override_settings(LANGUAGE_CODE="en")
@pytest.mark.parametrize(("own", "written_in"), [("", "fr"), ("ar", "ar")])
def test_the_report_speaks_the_customer_s_language_else_the_company_s(
    own: str, written_in: str
) -> None:
    company_language("fr")
    contact = ContactFactory(preferred_language=own)
    booking = BookingFactory(
        work_order=WorkOrderFactory(account=contact.account, reported_by=contact)
    )

    assert report_language(booking) == written_in
