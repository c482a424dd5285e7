"""Reading sign-ins."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from doorstep.users.models import User


def sign_in_for_address(email: str) -> User | None:
    """The sign-in that this address belongs to: its sign-in name, or an address it verified.

    An address someone added and never verified belongs to nobody.
    """
    email = email.strip()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    verified = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    return verified.user if verified is not None else None
