"""How long ago the live ETA was worked out reads in seconds, then minutes, then hours."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from doorstep.access.visit_links import issue_visit_link
from doorstep.scheduling import services
from doorstep.scheduling.models import BookingStatus
from doorstep.tracking import live
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1, "Updated 1 second ago."),
        (45, "Updated 45 seconds ago."),
        (60, "Updated 1 minute ago."),
        (267, "Updated 4 minutes ago."),
        (3500, "Updated 58 minutes ago."),
        (2 * 3600 + 5, "Updated 2 hours ago."),
    ],
)
def test_the_age_of_the_eta_reads_in_the_largest_whole_unit(
    client: Client, seconds: int, text: str
) -> None:
    booking = BookingFactory()
    services.set_status(booking=booking, status=BookingStatus.TRAVELING)
    live.start_eta(booking_id=booking.pk, now=timezone.now() - timedelta(seconds=seconds))
    code = issue_visit_link(booking=booking)

    page = client.get(f"/t/{code}/").content.decode()

    assert text in page
