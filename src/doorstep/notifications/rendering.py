"""Rendering messages: what the recipient reads, in their language and the company's look."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from doorstep.access.models import Invitation
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.notifications import rules
from doorstep.notifications.models import MessageType
from doorstep.notifications.placeholders import INVITATION_CODE, INVITATION_LINK, VISIT_LINK
from doorstep.scheduling.models import Booking


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    body_html: str
    language: str = ""


def render(
    *,
    booking: Booking,
    message_type: str,
    channel: str,
    contact: Contact | None,
    language: str,
    portal: PortalSettings,
    extra: Mapping[str, object] | None = None,
) -> Rendered:
    """The message as the recipient will read it, in their language and the company's look.

    `extra` adds to what the templates read (the arrival time of "on the way" messages).
    """
    zone = ZoneInfo(booking.work_order.account.time_zone)
    context = {
        "booking": booking,
        "work_order": booking.work_order,
        "service_type": booking.work_order.incident_type.display_name,
        "start": timezone.localtime(booking.start, zone),
        "end": timezone.localtime(booking.end, zone),
        "completed_at": timezone.localtime(booking.completed_at, zone)
        if booking.completed_at
        else None,
        "technician": booking.resource.display_name if portal.show_technician_details else "",
        "contact": contact,
        "portal": portal,
        "link": VISIT_LINK,
        "survey": portal.include_survey and message_type == MessageType.COMPLETED,
        **(extra or {}),
    }

    language = message_language(language, message_type)
    folder = (
        "notifications/messages/"
        if language == settings.LANGUAGE_CODE
        else f"notifications/messages/{language}/"
    )

    def text(part: str) -> str:
        return render_to_string(f"{folder}{message_type}{part}", context)

    # Dates in templates follow the active time zone and language: the visit's and the
    # contact's own ("martes 24 de noviembre").
    with translation.override(language), timezone.override(zone):
        if channel == rules.SMS:
            body = text(".sms.txt").strip()
            return Rendered(subject="", body=" ".join(body.split()), body_html="")
        subject = " ".join(text(".subject.txt").split())
        body = text(".txt").strip()
        html = render_to_string(
            "notifications/messages/email.html",
            {
                **context,
                **email_look(portal),
                "subject": subject,
                "text": body,
                "language": language,
            },
        )
    return Rendered(subject=subject, body=body, body_html=html)


def absolute_url(url: str) -> str:
    """The address as a mail client far from the site can open it: on the site's base URL."""
    if urlsplit(url).scheme:
        return url
    return urljoin(settings.DOORSTEP_BASE_URL.rstrip("/") + "/", url)


def email_look(portal: PortalSettings) -> dict[str, object]:
    """What every email's layout reads beyond its text: the company's header image, at an
    address that works outside the site."""
    image = absolute_url(portal.header_image.url) if portal.header_image else ""
    return {"portal": portal, "header_image_url": image}


def message_language(language: str, message_type: str) -> str:
    """The contact's language when the message is written in it, else the default one.

    Dates follow the same choice, so nobody reads an English sentence with a German day.
    """
    if language == settings.LANGUAGE_CODE:
        return language
    try:
        get_template(f"notifications/messages/{language}/{message_type}.txt")
    except TemplateDoesNotExist:
        return str(settings.LANGUAGE_CODE)
    return language


def render_invitation(*, invitation: Invitation, portal: PortalSettings) -> Rendered:
    """The invitation email, in the contact's saved language, with placeholders for its code."""
    contact = invitation.contact
    language = invitation_language(contact.preferred_language if contact else "")
    folder = (
        "notifications/email/"
        if language == settings.LANGUAGE_CODE
        else f"notifications/email/{language}/"
    )
    zone = ZoneInfo(contact.account.time_zone) if contact else ZoneInfo("UTC")
    context = {
        "contact": contact,
        "code": INVITATION_CODE,
        "link": INVITATION_LINK,
        "expires_at": invitation.expires_at.astimezone(zone),
        "portal": portal,
    }

    def text(part: str) -> str:
        return " ".join(render_to_string(f"{folder}invitation{part}", context).split())

    with translation.override(language), timezone.override(zone):
        body = render_to_string(f"{folder}invitation.txt", context).strip()
        subject = text(".subject.txt")
        html = render_to_string(
            "notifications/email/invitation.html",
            {
                **context,
                **email_look(portal),
                "subject": subject,
                "text": body,
                "button": text(".button.txt"),
                "language": language,
            },
        )
    return Rendered(subject=subject, body=body, body_html=html, language=language)


def invitation_language(language: str) -> str:
    """The contact's language when the invitation is written in it, else the default one."""
    if not language or language == settings.LANGUAGE_CODE:
        return str(settings.LANGUAGE_CODE)
    try:
        get_template(f"notifications/email/{language}/invitation.txt")
    except TemplateDoesNotExist:
        return str(settings.LANGUAGE_CODE)
    return language
