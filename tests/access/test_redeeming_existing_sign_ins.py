"""An invitation sets the password of a customer's own sign-in, and of no other."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from doorstep.users.models import User
from tests.factories import ContactFactory, ResourceFactory, UserFactory, invite

PASSWORD = "a long enough password 42"
THEIR_PASSWORD = "correct horse battery staple"  # UserFactory's
ADDRESS = "shared@example.test"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_attempts_counted() -> Iterator[None]:
    # The attempt limits count in the cache, which outlives a test: start from none, and
    # leave none behind for the tests that run next.
    cache.clear()
    yield
    cache.clear()


def staff() -> User:
    return UserFactory(email=ADDRESS, is_staff=True)


def superuser() -> User:
    return UserFactory(email=ADDRESS, is_superuser=True)


def office_group_member() -> User:
    user: User = UserFactory(email=ADDRESS)
    user.groups.add(Group.objects.create(name="Dispatch"))
    return user


def technician() -> User:
    return ResourceFactory(user=UserFactory(email=ADDRESS)).user  # type: ignore[no-any-return]


def contact_of_another_account() -> User:
    return ContactFactory(email=ADDRESS, user=UserFactory(email=ADDRESS)).user  # type: ignore[no-any-return]


def switched_off() -> User:
    return UserFactory(email=ADDRESS, is_active=False)


@pytest.mark.parametrize(
    ("existing", "message"),
    [
        (staff, "already signs in to the back office"),
        (superuser, "already signs in to the back office"),
        (office_group_member, "already signs in to the back office"),
        (technician, "already signs in to the technician app"),
        (contact_of_another_account, "You already have a sign-in"),
        (switched_off, "is switched off"),
    ],
    ids=lambda value: getattr(value, "__name__", "message"),
)
def test_redeeming_refuses_a_sign_in_that_is_not_only_this_customers(
    client: Client, existing: Callable[[], User], message: str
) -> None:
    user = existing()
    contact = ContactFactory(email=ADDRESS)  # the office typed the same address on a contact
    sent = invite(contact=contact)

    response = client.post(
        reverse("portal:invite"), {"code": sent.code, "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.check_password(THEIR_PASSWORD)
    contact.refresh_from_db()
    assert contact.user is None
    sent.invitation.refresh_from_db()
    assert sent.invitation.used_at is None  # still usable once the office sorts it out


def test_redeeming_again_resets_the_password_of_the_customers_own_sign_in(client: Client) -> None:
    user = UserFactory(email=ADDRESS)
    contact = ContactFactory(email=ADDRESS, user=user)
    sent = invite(contact=contact)

    response = client.post(
        reverse("portal:invite"), {"code": sent.code, "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
