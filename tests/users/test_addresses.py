"""A sign-in signs in only with an address it proved; a claim on someone else's proves nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from doorstep.users.models import User
from tests.factories import ContactFactory, UserFactory, invite

PASSWORD = "correct horse battery staple"  # UserFactory's
NEW_PASSWORD = "a long enough password 42"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_attempts_counted() -> Iterator[None]:
    # The attempt limits count in the cache, which outlives a test: start from none, and
    # leave none behind for the tests that run next.
    cache.clear()
    yield
    cache.clear()


def sign_in(client: Client, email: str, password: str = PASSWORD) -> None:
    client.post(reverse("account_login"), {"login": email, "password": password})


def signed_in_as(client: Client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).email if user_id else None


def code_in_last_email_to(address: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [address]][-1:]
    found = re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]+)*)\s*$", message.body, re.MULTILINE)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def customer(client: Client) -> User:
    user: User = ContactFactory(
        email="pat@example.test", user=UserFactory(email="pat@example.test")
    ).user
    sign_in(client, "pat@example.test")
    assert signed_in_as(client) == "pat@example.test"
    return user


def test_an_added_address_is_only_a_pending_change_until_its_code_is_typed(
    client: Client, customer: User
) -> None:
    client.post(reverse("account_email"), {"action_add": "1", "email": "owner@example.test"})

    # Nothing is stored for the new address: it cannot be chosen as the primary one...
    assert not EmailAddress.objects.filter(email="owner@example.test").exists()
    client.post(reverse("account_email"), {"action_primary": "1", "email": "owner@example.test"})
    customer.refresh_from_db()
    assert customer.email == "pat@example.test"
    # ...nor used to sign in.
    client.logout()
    sign_in(client, "owner@example.test")
    assert signed_in_as(client) is None
    sign_in(client, "pat@example.test")
    assert signed_in_as(client) == "pat@example.test"


def test_an_added_address_replaces_the_old_one_once_its_code_is_typed(
    client: Client, customer: User
) -> None:
    response = client.post(
        reverse("account_email"), {"action_add": "1", "email": "new@example.test"}
    )
    assert response["Location"] == reverse("account_email_verification_sent")

    client.post(
        reverse("account_email_verification_sent"),
        {"code": code_in_last_email_to("new@example.test")},
    )

    customer.refresh_from_db()
    assert customer.email == "new@example.test"
    assert list(EmailAddress.objects.filter(user=customer).values_list("email", "verified")) == [
        ("new@example.test", True)
    ]
    client.logout()
    sign_in(client, "pat@example.test")
    assert signed_in_as(client) is None
    sign_in(client, "new@example.test")
    assert signed_in_as(client) == "new@example.test"


def test_an_unproved_claim_does_not_block_the_owners_invitation(
    client: Client, customer: User
) -> None:
    client.post(reverse("account_email"), {"action_add": "1", "email": "owner@example.test"})
    client.post(reverse("account_email"), {"action_primary": "1", "email": "owner@example.test"})
    owner = ContactFactory(email="owner@example.test")
    sent = invite(contact=owner)
    other = Client()

    response = other.post(
        reverse("portal:invite"),
        {"code": sent.code, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.user is not None
    assert owner.user.email == "owner@example.test"
    assert owner.user.check_password(NEW_PASSWORD)
    customer.refresh_from_db()
    assert customer.email == "pat@example.test"


def test_redeeming_an_invitation_proves_the_address_and_makes_it_primary() -> None:
    contact = ContactFactory(email="Lee@Example.test")
    sent = invite(contact=contact)

    from doorstep.access.invitations import redeem_invitation

    user = redeem_invitation(code=sent.code, password=NEW_PASSWORD)

    assert list(
        EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")
    ) == [("lee@example.test", True, True)]


def test_an_old_claim_stored_unproved_cannot_sign_in_before_its_code_is_typed(
    client: Client,
) -> None:
    # Before addresses had to be proved, a customer could make a claimed address the one
    # they sign in with. Signing in with it now asks for the code sent to that mailbox.
    claimer = UserFactory(email="mine@example.test")
    EmailAddress.objects.filter(user=claimer).delete()
    User.objects.filter(pk=claimer.pk).update(email="claimed@example.test")
    EmailAddress.objects.create(
        user=claimer, email="claimed@example.test", verified=False, primary=True
    )

    response = client.post(
        reverse("account_login"), {"login": "claimed@example.test", "password": PASSWORD}
    )

    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_as(client) is None
    assert [m.to for m in mail.outbox] == [["claimed@example.test"]]
