"""How django-allauth fits the portal.

No open sign-up (customers come by invitation), and the first sign-in lands on the profile.
Account emails (sign-in codes, password resets, address checks) carry the company's name
and go out in the contact's language.

Wrong passwords slow guessing down per address and per network address (the
`login_failed` limits), but that must not let a stranger lock a customer out: while an
address is paused, the sign-in page offers a code by email, and a browser where this
sign-in succeeded before (a signed "known device" cookie) keeps its own allowance of
tries instead of sharing the address's.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.notifications.rendering import email_language, email_look, message_language
from doorstep.portal.language import page_language

KNOWN_DEVICE_COOKIE = "doorstep_known_device"
KNOWN_DEVICE_SALT = "doorstep.portal.known-device"
KNOWN_DEVICE_AGE = 365 * 24 * 3600
# Wrong passwords from a known device: counted per device (ACCOUNT_RATE_LIMITS).
KNOWN_DEVICE_FAILURES = "login_failed_known_device"
TOO_MANY_ATTEMPTS = "too_many_login_attempts"


@dataclass(frozen=True)
class Sender:
    """What allauth's email templates call the site: the company, at its portal's address."""

    name: str
    domain: str


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

    # --- Attempt limits a customer can get through ---------------------------------------

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        device = known_device(request, credentials.get("email", ""))
        if device is None:
            super().pre_authenticate(request, **credentials)
            return
        if not ratelimit.consume(request, action=KNOWN_DEVICE_FAILURES, key=device, dry_run=True):
            raise self.validation_error(TOO_MANY_ATTEMPTS)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        device = known_device(request, credentials.get("email", ""))
        if device is not None:
            ratelimit.consume(request, action=KNOWN_DEVICE_FAILURES, key=device)

    def post_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> Any:
        # Only once every step is done (password or code, then the second factor).
        response = super().post_login(request, user, **kwargs)
        if isinstance(response, HttpResponse):
            remember_device(response, address=user.get_username())
        return response

    def add_message(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        # "Signed in as …" is written the moment the person signs in, while the request
        # still speaks the browser's language: it is in the page's language from then on,
        # the person's own, as the page that shows it is.
        with translation.override(page_language(request)):
            super().add_message(request, *args, **kwargs)

    # --- Account emails ----------------------------------------------------------------------

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        contact = (
            Contact.objects.filter(email__iexact=email, user__isnull=False)
            .select_related("account")
            .first()
        )
        language = message_language(
            contact.preferred_language if contact else translation.get_language() or ""
        )
        # The company's words (its name, footer, contact lines) in the email's language.
        portal = PortalSettings.load().in_language(language)
        # The domain reads as the portal's address, so the email's HTML links it.
        sender = Sender(name=portal.company_name, domain=settings.DOORSTEP_BASE_URL.rstrip("/"))
        zone = ZoneInfo(contact.account.time_zone) if contact else timezone.get_current_timezone()
        with translation.override(language), timezone.override(zone):
            super().send_mail(
                our_wording(template_prefix),
                email,
                {"current_site": sender, "portal": portal, "contact": contact, **context},
            )

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        """allauth's email, from the company, with an HTML part in the layout of its other
        messages (every address in it a link), whatever email allauth sends."""
        message: EmailMessage = super().render_mail(template_prefix, email, context, headers)
        portal = context.get("portal") or PortalSettings.load()
        message.reply_to = portal.email_reply_to_addresses
        if isinstance(message, EmailMultiAlternatives) and not message.alternatives:
            html = render_to_string(
                "notifications/messages/email.html",
                {
                    **email_look(portal),
                    "subject": message.subject,
                    "text": message.body,
                    **email_language(translation.get_language() or settings.LANGUAGE_CODE),
                },
            )
            message.attach_alternative(html, "text/html")
        return message

    def get_from_email(self) -> str:
        # The sender's name in the email's language (send_mail() has switched to it).
        return PortalSettings.load().in_language(translation.get_language()).email_from

    def format_email_subject(self, subject: str) -> str:
        company = PortalSettings.load().word("company_name", translation.get_language())
        return f"{subject.strip()} · {company}"


def our_wording(template_prefix: str) -> str:
    """The templates of an account email in our own words ("account/email/login_code" is
    "notifications/account/login_code"), or allauth's for an email we have no words for."""
    ours = "notifications/account/" + template_prefix.replace("/email/", "/").removeprefix(
        "account/"
    )
    try:
        get_template(f"{ours}_subject.txt")
    except TemplateDoesNotExist:
        return template_prefix
    return ours


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        # An external identity can be linked from the profile, not used to create a sign-in.
        return False


def _verify_first() -> SafeString:
    return format_html(
        '{} <a href="{}">{}</a>{}',
        gettext_lazy("Before you add two-factor sign-in, confirm your email address: open"),
        reverse_lazy("account_email"),
        gettext_lazy("your email address"),
        gettext_lazy(", send the confirmation again, and follow the email we send you."),
    )


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    # allauth refuses a second factor while an address is unconfirmed, and its own words
    # leave the customer there: ours say how to confirm it and link to the page for it.
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "unverified_email": lazy(_verify_first, SafeString)(),
    }


class LoginForm(AllauthLoginForm):  # type: ignore[misc]
    """allauth's sign-in form, which can tell the page that the address is paused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The portal's labels: sentence case, no colon.
        self.label_suffix = ""
        if "remember" in self.fields:
            self.fields["remember"].label = gettext_lazy("Remember me")

    @property
    def locked(self) -> bool:
        return any(error.code == TOO_MANY_ATTEMPTS for error in self.non_field_errors().as_data())


def address_digest(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:32]


def remember_device(response: HttpResponse, *, address: str) -> None:
    """Mark this browser as one the sign-in for `address` succeeded on."""
    value = signing.dumps(
        {"a": address_digest(address), "d": secrets.token_urlsafe(16)}, salt=KNOWN_DEVICE_SALT
    )
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        value,
        max_age=KNOWN_DEVICE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def known_device(request: HttpRequest, address: str) -> str | None:
    """This browser's device id, when the sign-in for `address` succeeded on it before."""
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE)
    if not raw or not address:
        return None
    try:
        value = signing.loads(raw, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("a") != address_digest(address):
        return None
    device = value.get("d")
    return device if isinstance(device, str) else None
