"""Adding two-factor sign-in from the portal: nobody is left at a dead end."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.template.loader import render_to_string
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


def test_the_recovery_codes_page_has_its_buttons_apart_and_a_way_back(rf) -> None:  # type: ignore[no-untyped-def]
    user: User = UserFactory()
    request = rf.get("/accounts/2fa/recovery-codes/")
    request.user = user

    page = render_to_string(
        "mfa/recovery_codes/index.html",
        {
            "unused_codes": ["11112222", "33334444"],
            "total_count": 10,
            "can_view_codes": True,
            "can_download_codes": True,
            "can_generate_codes": True,
        },
        request=request,
    )

    actions = re.search(r'<div class="actions">(.*?)</div>', page, re.DOTALL)
    assert actions is not None
    assert actions.group(1).count('class="button') == 2  # one button each, spaced apart
    assert f'href="{reverse("mfa_index")}"' in page
    assert f'href="{reverse("portal:profile")}"' in page


def test_allauths_pages_show_their_actions_as_separate_buttons(client: Client) -> None:
    user: User = UserFactory()
    ContactFactory(user=user, email=user.email)
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)

    page = client.get(reverse("mfa_index")).content.decode()

    assert 'class="button button--danger"' in page  # "Deactivate"
    main = page.split("<main", 1)[1]
    assert "<li>" not in main
    assert main.count('<div class="actions">') >= 2
