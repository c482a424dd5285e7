"""The booking list groups visits by the company's days, not by UTC's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from doorstep.configuration.models import PortalSettings
from tests.factories import BookingFactory

LIST = reverse("admin:scheduling_booking_changelist")


@pytest.mark.django_db
def test_an_evening_visit_is_listed_under_its_day_in_the_company_zone(
    staff_client: Client,
) -> None:
    PortalSettings.objects.filter(pk=PortalSettings.load().pk).update(time_zone="America/Denver")
    start = datetime(2030, 1, 8, 2, 0, tzinfo=UTC)  # 19:00 on the 7th in Denver
    BookingFactory(start=start, end=start + timedelta(hours=1))

    on_the_7th = staff_client.get(LIST, {"start__year": 2030, "start__month": 1, "start__day": 7})
    on_the_8th = staff_client.get(LIST, {"start__year": 2030, "start__month": 1, "start__day": 8})

    assert on_the_7th.context["cl"].result_count == 1
    assert on_the_8th.context["cl"].result_count == 0
