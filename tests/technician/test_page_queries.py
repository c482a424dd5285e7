"""The number of queries of the technician's day, whatever the number of visits in it.

The page is asked for once before it is counted, as after any earlier visit: the portal
settings are then in the cache, where they stay between requests. The test commits for
real, since settings read inside a test's own transaction are never kept for others.
"""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from doorstep.scheduling.models import BookingStatus
from doorstep.workforce.models import Resource
from tests.factories import ContactFactory, ResourceFactory, TimelineNoteFactory, UserFactory
from tests.technician.test_views import VISITS_URL, visit_at

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def technician() -> Resource:
    technician = ResourceFactory(user=UserFactory(), time_zone="America/Denver")
    for hour in (8, 10, 12, 14):
        booking = visit_at(technician, day=0, hour=hour)
        ContactFactory(account=booking.work_order.account)
        TimelineNoteFactory(work_order=booking.work_order, customer_visible=True)
        TimelineNoteFactory(work_order=booking.work_order, customer_visible=False)
    visit_at(technician, day=0, hour=16, status=BookingStatus.TRAVELING)
    visit_at(technician, day=1, hour=9)
    visit_at(technician, day=1, hour=11)
    return technician


def test_the_day_reads_a_fixed_number_of_queries(
    client: Client, technician: Resource, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client.force_login(technician.user)
    client.get(VISITS_URL)

    # The user with their technician row (so the layout's check whether the user is a
    # customer and the technician's language cost nothing), the visits with their work
    # orders and customers, and the notes the customer may read. The session is cached.
    with django_assert_num_queries(3):
        response = client.get(VISITS_URL)

    assert response.content.decode().count('class="visit visit--') == 7
