"""What changes a sign-in's address.

A sign-in signs in only with an address someone proved: the office that typed it (back
office, command line, demo), an invitation redeemed from that mailbox, or a code sent to
it (allauth's own verification, for an address the customer adds later). Until then an
address is not a sign-in name, cannot become the primary one, and blocks nobody.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction


@transaction.atomic
def confirm_address(*, user: AbstractBaseUser) -> None:
    """Make the address the sign-in signs in with (its `email`) verified and primary.

    Claims on the same address that other sign-ins never verified are dropped: they
    proved nothing, and the owner of the mailbox has now proved it.
    """
    email = user.get_username().strip().lower()  # the email: users have no other name
    EmailAddress.objects.filter(email__iexact=email, verified=False).exclude(
        user_id=user.pk
    ).delete()
    EmailAddress.objects.filter(user_id=user.pk, primary=True).exclude(email__iexact=email).update(
        primary=False
    )
    EmailAddress.objects.update_or_create(
        user_id=user.pk,
        email__iexact=email,
        defaults={"email": email, "verified": True, "primary": True},
        create_defaults={"user_id": user.pk, "email": email, "verified": True, "primary": True},
    )
