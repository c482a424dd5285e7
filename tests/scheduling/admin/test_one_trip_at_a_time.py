"""The back office cannot set a technician off to a second visit while on the way to one."""

from __future__ import annotations

import pytest
from django.test import Client

from doorstep.scheduling.models import BookingStatus
from tests.scheduling.admin.pages import (
    at,
    booking_page,
    error_text,
    inline_management,
    scheduled_booking,
    shown_times,
)

pytestmark = pytest.mark.django_db


def test_setting_off_to_a_second_visit_is_refused_with_the_first_named(
    staff_client: Client,
) -> None:
    first = scheduled_booking(status=BookingStatus.TRAVELING)
    second = scheduled_booking(resource=first.resource, start=at(11), end=at(12))
    url = booking_page(second)

    response = staff_client.post(
        url,
        inline_management(staff_client, url) | shown_times(second) | {"new_status": "traveling"},
    )

    assert response.status_code == 200
    assert f"already on the way to visit {first.reference}" in error_text(response)
    second.refresh_from_db()
    assert second.status == BookingStatus.SCHEDULED
