"""The customer portal's pages. Views parse input and call services; nothing else."""

from __future__ import annotations

from typing import Any

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_safe

from doorstep.access import invitations
from doorstep.access.codes import normalise
from doorstep.customers import services as customers
from doorstep.customers.models import Contact
from doorstep.customers.phones import phone_region
from doorstep.portal import selectors
from doorstep.portal.adapters import remember_device
from doorstep.portal.context_processors import portal_settings
from doorstep.portal.forms import InvitationForm, ProfileForm
from doorstep.portal.fragments import render_fragment


def contact_of(request: HttpRequest) -> Contact:
    """The signed-in person's contact; any other visitor has nothing to see here."""
    contact = getattr(request.user, "contact", None)
    if contact is None:
        raise Http404("No customer account is linked to this sign-in.")
    return contact  # type: ignore[no-any-return]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "contact", None) is None:
        if getattr(request.user, "technician", None) is not None:
            return redirect("technician:visits")
        if request.user.is_staff:
            return redirect("admin:index")
    contact = contact_of(request)
    visits = render_fragment(
        "portal/fragments/home.html",
        {
            "first_name": contact.first_name,
            "home": selectors.home(contact),
            "tab": "past" if request.GET.get("tab") == "past" else "upcoming",
            "portal": portal_settings(request),
            # Each visit's equipment links to its page (a visit link's page has none).
            "equipment_links": True,
        },
    )
    return render(request, "portal/home.html", {"contact": contact, "content": visits})


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("portal/favicon.svg"), permanent=True)


# The code of an opened invitation link, kept for the form while it is filled in.
INVITATION_COOKIE = "invitation_code"
INVITATION_COOKIE_SALT = "doorstep.portal.invitation"
INVITATION_COOKIE_SECONDS = 3600
MAX_INVITATION_CODE_LENGTH = 100  # longer than any code: the form says what is wrong


def _show_invitation_form(code: str) -> HttpResponse:
    """Leave the code's address at once, for the form's, keeping the code for the form.

    The code must not stay in the address bar or reach a Referer, and a page sent under
    "no-referrer" cannot post its form: browsers then send `Origin: null`, which the
    CSRF check refuses. So `/invite/<code>/` only hands the code over, in a cookie that
    only the form's address gets, and the form lives at `/invite/`.
    """
    response = redirect("portal:invite")
    response.set_signed_cookie(
        INVITATION_COOKIE,
        code[:MAX_INVITATION_CODE_LENGTH],
        salt=INVITATION_COOKIE_SALT,
        max_age=INVITATION_COOKIE_SECONDS,
        path=reverse("portal:invite"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, code: str = "") -> HttpResponse:
    # Opening the link only shows the form: mail scanners that follow links must not
    # use the code up. It is consumed by the POST alone.
    if request.method == "GET" and code:
        return _show_invitation_form(code)
    if request.method == "POST":
        form = InvitationForm(request.POST)
        # Every code tried counts, per network address and per code, before anything is
        # looked up: guessing stays pointless however many tries run at once.
        if form.is_valid() and not ratelimit.consume(
            request, action="redeem_invitation", key=normalise(form.cleaned_data["code"])
        ):
            form.add_error(
                "code",
                gettext(
                    "Too many invitation codes were tried from here. Wait ten minutes and try "
                    "again, or ask us for help."
                ),
            )
        if form.is_valid():
            try:
                user = invitations.redeem_invitation(
                    code=form.cleaned_data["code"], password=form.cleaned_data["password1"]
                )
            except invitations.InvitationRefused as refusal:
                form.add_error(
                    "password1" if "password" in refusal.message.lower() else "code",
                    refusal.message,
                )
            else:
                login(request, user, backend="doorstep.users.backends.ModelBackend")
                messages.success(
                    request, gettext("Welcome! Your password is set and you are signed in.")
                )
                response = redirect("portal:profile")
                remember_device(response, address=user.email)
                response.delete_cookie(INVITATION_COOKIE, path=reverse("portal:invite"))
                return response
    else:
        opened = request.get_signed_cookie(
            INVITATION_COOKIE,
            default="",
            salt=INVITATION_COOKIE_SALT,
            max_age=INVITATION_COOKIE_SECONDS,
        )
        form = InvitationForm(initial={"code": opened})
    return render(request, "portal/invite.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    contact = contact_of(request)
    first_visit = contact.profile_reviewed_at is None
    region = phone_region(contact.account)
    if request.method == "POST" and "skip" in request.POST:
        customers.skip_profile(contact=contact)
        return redirect("portal:home")
    if request.method == "POST":
        form = ProfileForm(request.POST, region=region)
        if form.is_valid():
            try:
                customers.update_profile(contact=contact, **_profile_fields(form.cleaned_data))
            except ValidationError as error:
                _add_model_errors(form, error)
            else:
                messages.success(request, gettext("Your profile is saved."))
                return redirect("portal:home")
        contact.refresh_from_db()
    else:
        form = ProfileForm(
            region=region,
            initial={
                "first_name": contact.first_name,
                "last_name": contact.last_name,
                "phone": contact.phone,
                # Without one of their own, the language they are reading: saving the
                # profile keeps what they see rather than the list's first.
                "preferred_language": contact.preferred_language or translation.get_language(),
                "communication_preference": contact.communication_preference,
            },
        )
    return render(
        request,
        "portal/profile.html",
        {
            "form": form,
            "contact": contact,
            "first_visit": first_visit,
            "external_sign_in": bool(settings.SOCIALACCOUNT_PROVIDERS),
        },
    )


def _profile_fields(cleaned: dict[str, Any]) -> dict[str, Any]:
    return {**cleaned, "phone": cleaned.get("phone") or ""}


def _add_model_errors(form: ProfileForm, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)
