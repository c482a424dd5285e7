"""Parts of pages kept in the cache: rendered once, and never shown once what they show changed."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from doorstep.access.visit_links import issue_visit_link
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.portal.fragments import fragment_key
from doorstep.scheduling import services
from doorstep.scheduling.models import Booking, BookingStatus
from tests.factories import BookingFactory, ContactFactory, UserFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db
HOME = reverse("portal:home")


@pytest.fixture
def contact() -> Contact:
    return ContactFactory(user=UserFactory(), profile_reviewed_at=timezone.now())


@pytest.fixture
def customer(client: Client, contact: Contact) -> Client:
    client.force_login(contact.user)
    return client


def booking_for(contact: Contact, service: str = "Boiler service") -> Booking:
    start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return BookingFactory(
        work_order=WorkOrderFactory(account=contact.account, incident_type__display_name=service),
        start=start,
        end=start + timedelta(hours=1),
    )


def without_tokens(response: Any) -> str:
    """The page as a person sees it: the sign-out form's token differs on every answer."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def rendered(response: Any) -> list[str]:
    return [template.name for template in response.templates]


def test_the_home_page_writes_its_visits_once_then_reads_them_from_the_cache(
    customer: Client, contact: Contact
) -> None:
    booking_for(contact)

    first = customer.get(HOME)
    second = customer.get(HOME)

    assert "portal/fragments/home.html" in rendered(first)
    assert "portal/fragments/home.html" not in rendered(second)
    assert without_tokens(second) == without_tokens(first)


def test_a_visit_that_moves_on_shows_its_new_status_at_once(
    customer: Client, contact: Contact
) -> None:
    booking = booking_for(contact)
    assert "Scheduled" in customer.get(HOME).content.decode()

    services.set_status(booking=booking, status=BookingStatus.TRAVELING)

    page = customer.get(HOME).content.decode()
    assert "Technician on the way" in page
    assert "Traveling" in page


def test_a_renamed_service_type_shows_at_once(customer: Client, contact: Contact) -> None:
    booking = booking_for(contact, service="Boiler service")
    assert "Boiler service" in customer.get(HOME).content.decode()
    service_type = booking.work_order.incident_type
    service_type.display_name = "Boiler check-up"
    service_type.save()

    page = customer.get(HOME).content.decode()

    assert "Boiler check-up" in page
    assert "Boiler service" not in page


def test_a_settings_change_shows_at_once(customer: Client, contact: Contact) -> None:
    booking_for(contact)
    customer.get(HOME)
    settings = PortalSettings.load()
    settings.page_title = "Your Front Range visits"
    settings.save()

    assert "<h1>Your Front Range visits</h1>" in customer.get(HOME).content.decode()


def test_customers_never_see_each_others_visits(client: Client, contact: Contact) -> None:
    mine = booking_for(contact)
    neighbour = ContactFactory(user=UserFactory(), profile_reviewed_at=timezone.now())
    theirs = booking_for(neighbour)
    client.force_login(contact.user)
    client.get(HOME)

    client.force_login(neighbour.user)
    page = client.get(HOME).content.decode()

    assert theirs.reference in page
    assert mine.reference not in page


def test_the_visit_link_page_shows_a_completed_visit_at_once(client: Client) -> None:
    booking = BookingFactory()
    path = reverse("visit_link", args=[issue_visit_link(booking=booking)])
    assert "Your upcoming visit" in client.get(path).content.decode()
    for status in (BookingStatus.TRAVELING, BookingStatus.IN_PROGRESS, BookingStatus.COMPLETED):
        services.set_status(booking=booking, status=status)

    second = client.get(path)

    assert "Your visit is complete" in second.content.decode()
    assert "portal/fragments/visit.html" in rendered(second)
    assert "portal/fragments/visit.html" not in rendered(client.get(path))


def test_the_key_changes_with_any_column_of_a_loaded_row() -> None:
    booking = Booking.objects.select_related("work_order__account").get(pk=BookingFactory().pk)
    before = fragment_key("portal/fragments/visit.html", {"booking": booking})

    booking.work_order.account.time_zone = "Europe/Paris"

    assert fragment_key("portal/fragments/visit.html", {"booking": booking}) != before


def test_a_context_value_the_key_cannot_read_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot be part of a cached fragment"):
        fragment_key("portal/fragments/visit.html", {"thing": object()})


@pytest.mark.parametrize(
    "values",
    [
        [True, 1, "1", 1.0, None, "None", "", 0, False],
        [{"a": 1}, [("a", 1)], ["a", 1], ("a", 1), {"a": "1"}],
        [[1, 2], [[1, 2]], [1, [2]], [[1], 2], []],
        [{"a": {"b": 1, "c": 2}}, {"a": {"b": 1}, "c": 2}],
        [mark_safe("<b>"), "&lt;b&gt;", Decimal("1.0"), Decimal("1.00")],
    ],
)
def test_values_that_show_differently_have_different_keys(values: list[Any]) -> None:
    keys = {fragment_key("portal/fragments/visit.html", {"value": value}) for value in values}

    assert len(keys) == len(values)


def test_a_value_object_in_a_column_counts_with_its_value() -> None:
    contact = ContactFactory(phone="+13035550142")
    before = fragment_key("portal/fragments/visit.html", {"contact": contact})

    contact.phone = "+13035550143"
    contact.phone = Contact._meta.get_field("phone").to_python(contact.phone)

    assert fragment_key("portal/fragments/visit.html", {"contact": contact}) != before
