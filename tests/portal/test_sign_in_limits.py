"""Wrong passwords slow guessing down without locking the customer out."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from tests.factories import ContactFactory, UserFactory

PASSWORD = "correct horse battery staple"  # UserFactory's
ADDRESS = "robin@example.test"
SIGN_IN = reverse("account_login")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_attempts_counted() -> Iterator[None]:
    # The attempt limits count in the cache, which outlives a test: start from none, and
    # leave none behind for the tests that run next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def customer() -> Contact:
    contact: Contact = ContactFactory(
        email=ADDRESS, user=UserFactory(email=ADDRESS), preferred_language="en"
    )
    return contact


def try_password(client: Client, password: str, address: str = ADDRESS) -> str:
    response = client.post(SIGN_IN, {"login": address, "password": password})
    return response.content.decode() if response.status_code == 200 else ""


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def sign_out(client: Client) -> None:
    # As the customer does; the test client's logout() would forget every cookie.
    client.post(reverse("account_logout"))
    assert not signed_in(client)


def five_wrong_passwords(client: Client, address: str = ADDRESS) -> None:
    for _ in range(5):
        try_password(client, "not it", address)


def emailed_code(address: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [address]][-1:]
    found = re.search(r"^([A-Z]{4}-[A-Z]{4})$", message.body, re.MULTILINE)
    assert found, message.body
    return found.group(1)


def test_after_the_limit_the_page_says_why_and_offers_a_code_by_email(
    client: Client, customer: Contact
) -> None:
    five_wrong_passwords(client)

    page = try_password(client, PASSWORD)

    assert not signed_in(client)
    assert "Passwords are paused for this address" in page
    assert "Email me a sign-in code" in page
    assert f'name="email" value="{ADDRESS}"' in page


def test_the_code_by_email_signs_the_customer_in_while_passwords_are_paused(
    client: Client, customer: Contact
) -> None:
    five_wrong_passwords(client)

    response = client.post(reverse("account_request_login_code"), {"email": ADDRESS})
    assert response["Location"].startswith(reverse("account_confirm_login_code"))
    response = client.post(reverse("account_confirm_login_code"), {"code": emailed_code(ADDRESS)})

    assert signed_in(client)
    assert response["Location"] == reverse("portal:profile")


def test_the_customers_own_browser_still_signs_in_with_the_password(
    client: Client, customer: Contact
) -> None:
    try_password(client, PASSWORD)
    assert signed_in(client)
    sign_out(client)
    stranger = Client()

    five_wrong_passwords(stranger)
    try_password(stranger, PASSWORD)
    assert not signed_in(stranger)
    try_password(client, PASSWORD)

    assert signed_in(client)


def test_guessing_from_the_customers_own_browser_is_limited_too(
    client: Client, customer: Contact
) -> None:
    try_password(client, PASSWORD)
    sign_out(client)

    five_wrong_passwords(client)
    page = try_password(client, PASSWORD)

    assert not signed_in(client)
    assert "Too many failed" in page


def test_a_browser_known_for_one_address_gets_no_allowance_for_another(
    client: Client, customer: Contact
) -> None:
    ContactFactory(email="other@example.test", user=UserFactory(email="other@example.test"))
    try_password(client, PASSWORD)
    sign_out(client)

    five_wrong_passwords(client, "other@example.test")
    try_password(client, PASSWORD, "other@example.test")

    assert not signed_in(client)


def test_sign_in_codes_can_be_asked_for_only_a_few_times_a_minute(
    client: Client, customer: Contact
) -> None:
    for _ in range(3):
        Client().post(reverse("account_request_login_code"), {"email": ADDRESS})

    response = client.post(reverse("account_request_login_code"), {"email": ADDRESS})

    assert response.status_code == 200
    assert "Too many failed" in response.content.decode()
    assert len(mail.outbox) == 3


def test_three_wrong_codes_end_the_attempt(client: Client, customer: Contact) -> None:
    client.post(reverse("account_request_login_code"), {"email": ADDRESS})
    right = emailed_code(ADDRESS)

    for _ in range(3):
        client.post(reverse("account_confirm_login_code"), {"code": "BBBB-BBBB"})
    client.post(reverse("account_confirm_login_code"), {"code": right})

    assert not signed_in(client)


def test_the_sign_in_code_email_carries_the_company_name_and_the_contacts_language(
    client: Client, customer: Contact
) -> None:
    portal = PortalSettings.load()
    portal.company_name = "Acme Heating"
    portal.save()
    Contact.objects.filter(pk=customer.pk).update(preferred_language="es")

    client.post(reverse("account_request_login_code"), {"email": ADDRESS})

    [message] = mail.outbox
    assert "Acme Heating" in message.subject
    assert "Acme Heating" in message.body
    assert "localhost" not in message.subject + message.body.split("\n")[0]
    assert "código" in message.body.lower()
