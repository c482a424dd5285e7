"""The number of queries of the portal's busiest pages, whatever the number of visits.

Each page is asked for once before it is counted, as after any other visitor: the portal
settings are then in the cache, where they stay between requests. These tests commit for
real, since settings read inside a test's own transaction are never kept for others.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from doorstep.access.visit_links import issue_visit_link
from doorstep.catalog.models import IncidentType
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.scheduling.models import Booking, BookingStatus, VisitFeedback
from tests.factories import (
    AccountFactory,
    AssetFactory,
    BookingFactory,
    ContactFactory,
    IncidentTypeFactory,
    IncidentTypeSkillFactory,
    ResourceFactory,
    ResourceSkillFactory,
    ServicePlanFactory,
    UserFactory,
    WorkingHoursFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)
DENVER = ZoneInfo("America/Denver")


@pytest.fixture
def services() -> list[IncidentType]:
    settings = PortalSettings.load()
    settings.minimum_lead_days, settings.maximum_lead_days = 1, 7
    settings.save()
    services = [IncidentTypeFactory(description="What we check.") for _ in range(3)]
    technician = ResourceFactory(home_latitude="39.739200", home_longitude="-104.990300")
    for service in services:
        skill = IncidentTypeSkillFactory(incident_type=service).skill
        ResourceSkillFactory(resource=technician, skill=skill, proficiency=5)
    for weekday in range(7):
        WorkingHoursFactory(
            resource=technician, weekday=weekday, start_time=time(8), end_time=time(16)
        )
    return services


@pytest.fixture
def contact(services: list[IncidentType]) -> Contact:
    """A customer with visits of every kind: upcoming, on the way, done, rated, canceled."""
    contact = ContactFactory(
        user=UserFactory(),
        account=AccountFactory(time_zone="America/Denver"),
        profile_reviewed_at=timezone.now(),
    )
    AssetFactory(account=contact.account)
    AssetFactory(account=contact.account)
    kinds = [BookingStatus.SCHEDULED] * 4 + [BookingStatus.TRAVELING, BookingStatus.IN_PROGRESS]
    kinds += [BookingStatus.COMPLETED] * 3 + [BookingStatus.CANCELED]
    for n, status in enumerate(kinds):
        visit_of(contact, services[n % 3], days=n - 5, status=status)
    VisitFeedback.objects.create(
        booking=Booking.objects.filter(status=BookingStatus.COMPLETED).first(), rating=4
    )
    return contact


def visit_of(contact: Contact, service: IncidentType, *, days: int, status: str) -> Booking:
    start = datetime.combine(
        timezone.localdate(timezone=DENVER) + timedelta(days=days), time(9), tzinfo=DENVER
    )
    return BookingFactory(
        work_order=WorkOrderFactory(
            account=contact.account,
            incident_type=service,
            asset=contact.account.assets.first(),
        ),
        start=start,
        end=start + timedelta(hours=1),
        status=status,
        completed_at=start + timedelta(hours=1) if status == BookingStatus.COMPLETED else None,
        cancel_reason="We moved house." if status == BookingStatus.CANCELED else "",
    )


@pytest.fixture
def customer(client: Client, contact: Contact) -> Client:
    client.force_login(contact.user)
    return client


@pytest.mark.parametrize(("tab", "shown"), [("upcoming", 1 + 5), ("past", 1 + 4)])
def test_home_reads_a_fixed_number_of_queries(
    customer: Client,
    tab: str,
    shown: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    path = f"{reverse('portal:home')}?tab={tab}"
    # The first time, the portal settings too, and the visits are written (then cached):
    # a column they show that the query does not read would cost a query per visit here.
    with django_assert_num_queries(3):
        customer.get(path)

    # The user with their contact, and the account's visits with their service type,
    # equipment, technician and feedback. The session comes from the cache.
    with django_assert_num_queries(2):
        response = customer.get(path)

    page = response.content.decode()
    assert "Upcoming (5)" in page
    assert page.count('class="visit visit--') == shown


@pytest.mark.parametrize("plans", [1, 6])
def test_the_plans_page_reads_a_fixed_number_of_queries(
    customer: Client,
    contact: Contact,
    services: list[IncidentType],
    plans: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for n in range(plans):
        ServicePlanFactory(
            account=contact.account,
            service_type=services[n % 3],
            asset=contact.account.assets.first() if n % 2 else None,
            every=1 + n,
        )
    customer.get(reverse("portal:plans"))

    # The user with their contact and its account, the plans with their service type,
    # equipment and site, the visits of those services, and the open change requests.
    with django_assert_num_queries(4):
        response = customer.get(reverse("portal:plans"))

    assert response.content.decode().count('class="visit plan"') == plans


def test_the_booking_page_reads_a_fixed_number_of_queries(
    customer: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    customer.get(reverse("portal:book"))

    # The user with their contact and its account, the equipment, and the service types
    # with their descriptions. The session comes from the cache.
    with django_assert_num_queries(3):
        response = customer.get(reverse("portal:book"))

    assert response.content.decode().count('name="service_type"') == 3


def test_the_times_of_a_day_read_a_fixed_number_of_queries(
    customer: Client,
    services: list[IncidentType],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    day = (timezone.localdate(timezone=DENVER) + timedelta(days=2)).isoformat()
    path = f"{reverse('portal:times')}?service_type={services[0].pk}&day={day}"
    customer.get(path)

    # The user with their contact and its account (the session is cached), the service
    # type, the skills it needs, and the technicians with their skills, hours, time off
    # and bookings.
    with django_assert_num_queries(8):
        response = customer.get(path)

    assert response.content.decode().count('name="start"') == 8  # 08:00 to 15:00


def test_the_visit_link_page_reads_a_fixed_number_of_queries(
    client: Client, contact: Contact, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    booking = Booking.objects.filter(status=BookingStatus.SCHEDULED).first()
    assert booking is not None
    path = reverse("visit_link", args=[issue_visit_link(booking=booking)])
    with django_assert_num_queries(2):  # the first time, the portal settings too
        client.get(path)

    with django_assert_num_queries(1):  # the link with its visit
        response = client.get(path)

    assert "Your upcoming visit" in response.content.decode()


def test_a_signed_in_person_is_read_with_their_sign_in(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    """The technician app and the customer pages read who the person is with the user row."""
    technician = ResourceFactory(user=UserFactory())
    browser = Client()
    browser.force_login(technician.user)
    browser.get(reverse("technician:visits"))

    with django_assert_num_queries(2) as counted:
        response = browser.get(reverse("technician:visits"))

    assert response.status_code == 200
    people = [q["sql"] for q in counted.captured_queries if 'FROM "users_user"' in q["sql"]]
    assert len(people) == 1
    assert '"workforce_resource"' in people[0]
    assert '"customers_contact"' in people[0]
