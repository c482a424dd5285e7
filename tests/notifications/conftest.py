"""Shared data for the notification tests: a contact who takes email and texts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from doorstep.scheduling import services
from doorstep.scheduling.models import WorkOrderSource
from tests.factories import AccountFactory, ContactFactory, ResourceFactory, WorkOrderFactory


@pytest.fixture
def contact():  # type: ignore[no-untyped-def]
    account = AccountFactory(time_zone="America/Denver")
    person = ContactFactory(
        account=account,
        first_name="Pat",
        email="pat@example.test",
        phone="+13035550101",
        communication_preference="both",
    )
    account.primary_contact = person
    account.save()
    return person


def book(contact, *, source=WorkOrderSource.PORTAL, start=None):  # type: ignore[no-untyped-def]
    start = start or (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    work_order = WorkOrderFactory(
        account=contact.account,
        reported_by=contact,
        source=source,
        incident_type__display_name="Boiler service",
    )
    return services.create_booking(
        work_order=work_order,
        resource=ResourceFactory(display_name="Alex R."),
        start=start,
        end=start + timedelta(hours=1),
    )
