"""Reading sign-ins."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

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


# Who must have a second factor before the back office opens (DOORSTEP_STAFF_REQUIRE_MFA).
TWO_FACTOR_REQUIREMENTS = ("superusers", "staff", "off")


def must_set_up_two_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the back office waits until this staff sign-in has a second factor.

    An authenticator app or a security key counts; recovery codes alone do not. A value
    nobody can read is taken as the strictest ("staff"), and `doorstep check` reports it.
    """
    required = settings.DOORSTEP_STAFF_REQUIRE_MFA
    if required == "off" or not getattr(user, "is_staff", False):
        return False
    if required == "superusers" and not getattr(user, "is_superuser", False):
        return False
    return not Authenticator.objects.filter(
        user_id=user.pk, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()
