"""The back office's door: Django's admin, entered through the portal's own sign-in.

There is one sign-in for everyone (allauth's: password, then the second factor when the
sign-in has one, under the same attempt limits), so the admin's own login form is never
shown: `/admin/login/` only sends people on. A staff sign-in that must have a second
factor and has none is sent to set one up before any back-office page opens.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from doorstep.users.selectors import must_set_up_two_factor


class BackOfficeSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not must_set_up_two_factor(request.user)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Send the visitor to where they can enter; never check a password here."""
        user = request.user
        back_to = self.page_asked_for(request)
        if not user.is_authenticated:
            query = urlencode({REDIRECT_FIELD_NAME: back_to})
            return HttpResponseRedirect(f"{reverse('account_login')}?{query}")
        if not (user.is_active and user.is_staff):
            # Sending them to the sign-in page would bring them straight back here.
            return render(request, "users/not_back_office.html", status=403)
        if must_set_up_two_factor(user):
            messages.info(
                request,
                "The back office needs a second step at sign-in for your account: set up "
                "an authenticator app or a security key, then open the back office again.",
            )
            return HttpResponseRedirect(reverse("mfa_index"))
        return HttpResponseRedirect(back_to)

    def page_asked_for(self, request: HttpRequest) -> str:
        wanted = request.GET.get(REDIRECT_FIELD_NAME, "")
        if wanted and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return wanted
        return reverse("admin:index", current_app=self.name)
