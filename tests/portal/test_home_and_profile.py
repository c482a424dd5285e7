from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorstep.customers.models import Contact
from doorstep.scheduling.models import BookingStatus
from tests.factories import (
    BookingFactory,
    ContactFactory,
    UserFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def contact() -> Contact:
    user = UserFactory(email="casey@example.test")
    return ContactFactory(user=user, email="casey@example.test", profile_reviewed_at=timezone.now())


@pytest.fixture
def customer(client: Client, contact: Contact) -> Client:
    client.force_login(contact.user)
    return client


def booking_for(contact: Contact, status: str, days: int, service: str = "Boiler service"):  # type: ignore[no-untyped-def]
    start = (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    extra = (
        {"completed_at": start + timedelta(hours=1)} if status == BookingStatus.COMPLETED else {}
    )
    return BookingFactory(
        work_order=WorkOrderFactory(account=contact.account, incident_type__display_name=service),
        status=status,
        start=start,
        end=start + timedelta(hours=1),
        **extra,
    )


def test_home_needs_a_sign_in(client: Client) -> None:
    response = client.get(reverse("portal:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_home_groups_visits_as_the_customer_expects(customer: Client, contact: Contact) -> None:
    traveling = booking_for(contact, BookingStatus.TRAVELING, 0, "Water heater repair")
    second_traveling = booking_for(contact, BookingStatus.TRAVELING, 0, "Drain cleaning")
    scheduled = booking_for(contact, BookingStatus.SCHEDULED, 3)
    working = booking_for(contact, BookingStatus.IN_PROGRESS, 0)
    old = booking_for(contact, BookingStatus.COMPLETED, -10)
    older = booking_for(contact, BookingStatus.CANCELED, -20)
    someone_else = BookingFactory(status=BookingStatus.SCHEDULED)

    home = customer.get(reverse("portal:home")).context["home"]

    assert home.active.booking == traveling
    assert {v.booking for v in home.upcoming} == {second_traveling, scheduled, working}
    assert [v.booking for v in home.past] == [old, older]
    page = customer.get(reverse("portal:home")).content.decode()
    assert scheduled.reference in page
    assert someone_else.reference not in page
    assert "can no longer be moved or canceled" in page
    past_page = customer.get(reverse("portal:home") + "?tab=past").content.decode()
    assert old.reference in past_page


def test_times_are_shown_in_the_visits_time_zone(customer: Client, contact: Contact) -> None:
    booking = booking_for(contact, BookingStatus.SCHEDULED, 2)
    local = timezone.localtime(booking.start, booking.time_zone)

    page = customer.get(reverse("portal:home")).content.decode()

    assert f"{local:%H:%M}–" in page
    assert local.tzname() in page  # MST or MDT for the Denver account


def test_empty_home_says_what_to_do(customer: Client) -> None:
    page = customer.get(reverse("portal:home")).content.decode()

    assert "You have no upcoming visits" in page


def test_staff_without_a_contact_go_to_the_back_office(staff_client: Client) -> None:
    response = staff_client.get(reverse("portal:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_sign_in_without_a_contact_gets_404(client: Client) -> None:
    client.force_login(UserFactory())

    assert client.get(reverse("portal:home")).status_code == 404
    assert client.get(reverse("portal:profile")).status_code == 404


def test_first_sign_in_lands_on_the_profile(client: Client) -> None:
    contact = ContactFactory(
        user=UserFactory(email="first@example.test"), email="first@example.test"
    )

    response = client.post(
        reverse("account_login"), {"login": "first@example.test", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:profile")
    client.post(reverse("portal:profile"), {"skip": "1"})
    contact.refresh_from_db()
    assert contact.profile_reviewed_at is not None
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "first@example.test", "password": PASSWORD}
    )
    assert response["Location"] == reverse("portal:home")


def test_profile_saves_the_contacts_choices(customer: Client, contact: Contact) -> None:
    response = customer.post(
        reverse("portal:profile"),
        {
            "first_name": "Casey",
            "last_name": "Nguyen",
            "phone": "+1 303 555 0177",
            "preferred_language": "es",
            "communication_preference": "both",
        },
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.last_name, contact.phone.as_e164, contact.preferred_language) == (
        "Nguyen",
        "+13035550177",
        "es",
    )
    assert contact.communication_preference == "both"
    assert contact.user.last_name == "Nguyen"


def test_profile_refuses_sms_without_a_phone_and_keeps_what_was_typed(
    customer: Client, contact: Contact
) -> None:
    contact.phone = ""
    contact.save()

    response = customer.post(
        reverse("portal:profile"),
        {
            "first_name": "Casey",
            "last_name": "Typed",
            "phone": "",
            "preferred_language": "en",
            "communication_preference": "sms",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "We need your mobile number to send you text messages." in page
    assert "This contact" not in page  # spoken to the customer, not about them
    assert 'value="Typed"' in page
    contact.refresh_from_db()
    assert contact.last_name != "Typed"


@pytest.mark.parametrize("typed", ["720 555 0199", "(720) 555-0199", "720.555.0199"])
def test_profile_takes_a_number_in_the_national_form_of_the_accounts_country(
    customer: Client, contact: Contact, typed: str
) -> None:
    contact.account.country = "US"
    contact.account.save()

    response = customer.post(
        reverse("portal:profile"),
        {
            "first_name": "Casey",
            "phone": typed,
            "preferred_language": "en",
            "communication_preference": "sms",
        },
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.phone.as_e164 == "+17205550199"


def test_profile_example_and_refusal_speak_the_accounts_national_form(
    customer: Client, contact: Contact
) -> None:
    contact.account.country = "GB"
    contact.account.save()

    response = customer.post(
        reverse("portal:profile"),
        {"phone": "12", "preferred_language": "en", "communication_preference": "email"},
    )

    page = response.content.decode()
    assert "This does not look like a phone number." in page
    # The example sits in invisible marks that keep it left to right in Arabic text.
    assert "for example \u206807400 123456\u2069" in page
    assert 'value="12"' in page


def test_failed_sign_ins_are_rate_limited(client: Client) -> None:
    ContactFactory(user=UserFactory(email="target@example.test"), email="target@example.test")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "target@example.test", "password": "wrong"})

    response = client.post(
        reverse("account_login"), {"login": "target@example.test", "password": PASSWORD}
    )

    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "Too many failed" in response.content.decode()


def test_nobody_can_sign_up_without_an_invitation(client: Client) -> None:
    page = client.get(reverse("account_signup")).content.decode()
    response = client.post(
        reverse("account_signup"),
        {"email": "stranger@example.test", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert "Sign Up Closed" in page
    assert response.status_code in (200, 403)
    from doorstep.users.models import User

    assert not User.objects.filter(email="stranger@example.test").exists()


def test_every_visit_on_its_way_offers_the_same_actions_wherever_it_shows(
    customer: Client, contact: Contact
) -> None:
    # The first is the "Technician on the way" card, the second is in the upcoming list.
    first = booking_for(contact, BookingStatus.TRAVELING, 0, "Water heater repair")
    second = booking_for(contact, BookingStatus.TRAVELING, 0, "Drain cleaning")

    page = customer.get(reverse("portal:home")).content.decode()

    for booking in (first, second):
        assert f'href="{reverse("portal:cancel", args=[booking.pk])}"' in page
        assert f'href="{reverse("portal:live", args=[booking.pk])}"' in page
        assert f'href="{reverse("portal:modify", args=[booking.pk])}"' not in page


def test_every_visit_on_its_way_offers_the_live_map(customer: Client, contact: Contact) -> None:
    first = booking_for(contact, BookingStatus.TRAVELING, 0, "Water heater repair")
    second = booking_for(contact, BookingStatus.TRAVELING, 0, "Drain cleaning")

    page = customer.get(reverse("portal:home")).content.decode()

    for booking in (first, second):
        assert reverse("portal:live", args=[booking.pk]) in page
    live = customer.get(reverse("portal:live", args=[first.pk]))
    assert live.status_code == 200
    assert "on the way" in live.content.decode()
    assert (
        customer.get(
            reverse("portal:live", args=[BookingFactory(status=BookingStatus.TRAVELING).pk])
        ).status_code
        == 404
    )
    scheduled = booking_for(contact, BookingStatus.SCHEDULED, 3)
    assert customer.get(reverse("portal:live", args=[scheduled.pk])).status_code == 302
