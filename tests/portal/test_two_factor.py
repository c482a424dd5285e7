"""Adding two-factor sign-in from the portal: nobody is left at a dead end."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from doorstep.access import invitations
from doorstep.users.models import User
from tests.factories import ContactFactory, UserFactory, invite

pytestmark = pytest.mark.django_db


def test_redeeming_an_invitation_proves_the_address_so_two_factor_can_be_added(
    client: Client,
) -> None:
    contact = ContactFactory(email="casey@example.test")
    sent = invite(contact)
    user = invitations.redeem_invitation(code=sent.code, password="a long new password 42")
    client.force_login(user)

    response = client.get(reverse("mfa_activate_totp"))

    assert EmailAddress.objects.get(user=user).verified
    # On to the next step (confirming the password), not sent back with a refusal.
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_an_unconfirmed_address_is_told_how_to_confirm_it_with_a_link(client: Client) -> None:
    user: User = UserFactory(email="casey@example.test")
    ContactFactory(user=user, email="casey@example.test")
    EmailAddress.objects.filter(user=user).update(verified=False)
    client.force_login(user)

    response = client.get(reverse("mfa_activate_totp"), follow=True)

    page = response.content.decode()
    assert "confirm your email address" in page
    assert f'<a href="{reverse("account_email")}">your email address</a>' in page
