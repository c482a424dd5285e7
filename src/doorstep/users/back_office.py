"""The back office's door: Django's admin, entered through the portal's own sign-in.

There is one sign-in for everyone (allauth's: password, then the second factor when the
sign-in has one, under the same attempt limits), so the admin's own login form is never
shown: `/admin/login/` only sends people on. A staff sign-in that must have a second
factor and has none is sent to set one up before any back-office page opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from doorstep.users.selectors import must_set_up_two_factor

# The index and the side bar lead with the business, in the order office staff work
# through it; each app's models in the order given, the rest after them by name.
BUSINESS_ORDER: dict[str, tuple[str, ...]] = {
    "configuration": ("portalsettings",),
    "scheduling": ("booking", "workorder", "visitfeedback", "timelinenote"),
    "customers": ("account", "contact", "functionallocation", "asset"),
    "workforce": ("resource", "skill", "timeoff"),
    "catalog": ("incidenttype",),
    "notifications": ("notification", "reminderrun"),
    "access": ("invitation", "visitlink"),
    "tracking": (),
    "users": ("user",),
}
# Sections named for what is left in them once the developer ones are moved out.
SECTION_NAMES = {"access": "Invitations and visit links"}
# What integrators and administrators set up once, kept out of office staff's way in
# one group at the end: (app label, model name), "*" for every model of the app.
DEVELOPER_AND_SYSTEM = (
    ("access", "apikey"),
    ("webhooks", "*"),
    ("api", "*"),
    ("auth", "*"),
    ("account", "*"),
    ("socialaccount", "*"),
    ("mfa", "*"),
    ("django_tasks_database", "*"),
    ("crontask", "*"),
)
DEVELOPER_GROUP_LABEL = "developer"


class BackOfficeSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not must_set_up_two_factor(request.user)

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        """The business's sections first, then one "Developer and system" group.

        One app's own page (`app_label`) lists that app's models, as Django does.
        """
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
        business: list[dict[str, Any]] = []
        developer: list[dict[str, Any]] = []
        for app in apps:
            label = app["app_label"]
            models = [m for m in app["models"] if not _is_developer(label, m)]
            developer.extend(m for m in app["models"] if _is_developer(label, m))
            if models:
                order = BUSINESS_ORDER.get(label, ())
                models.sort(key=lambda m: _position(order, m["object_name"].lower()))
                name = SECTION_NAMES.get(label, app["name"])
                business.append({**app, "name": name, "models": models})
        apps_order = list(BUSINESS_ORDER)
        business.sort(key=lambda app: _position(apps_order, app["app_label"]))
        if developer:
            developer.sort(key=lambda m: str(m["name"]).lower())
            business.append(
                {
                    "name": gettext("Developer and system"),
                    "app_label": DEVELOPER_GROUP_LABEL,
                    # No page of its own: the caption leads to this place on the index.
                    "app_url": reverse("admin:index", current_app=self.name)
                    + f"#{DEVELOPER_GROUP_LABEL}",
                    "has_module_perms": True,
                    "models": developer,
                }
            )
        return business

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


def _is_developer(app_label: str, model: dict[str, Any]) -> bool:
    name = model["object_name"].lower()
    return any(
        label == app_label and wanted in ("*", name) for label, wanted in DEVELOPER_AND_SYSTEM
    )


def _position(order: Sequence[str], name: str) -> tuple[int, str]:
    return (order.index(name), "") if name in order else (len(order), name)
