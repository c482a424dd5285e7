"""How django-allauth fits the portal.

No open sign-up (customers come by invitation), and the first sign-in lands on the profile.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Customers come in through an invitation from the company, never by signing up.
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user: Any = request.user
        contact = getattr(user, "contact", None)
        if contact is not None and contact.profile_reviewed_at is None:
            return reverse("portal:profile")
        if contact is None and getattr(user, "technician", None) is not None:
            return reverse("technician:visits")
        if user.is_staff and contact is None:
            return reverse("admin:index")
        return str(super().get_login_redirect_url(request))


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        # An external identity can be linked from the profile, not used to create a sign-in.
        return False
