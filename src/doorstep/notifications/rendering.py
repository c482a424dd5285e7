"""Rendering messages: what the recipient reads, in their language and the company's look."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import get_language_info

from doorstep.access.models import Invitation
from doorstep.access.visit_links import CODE_BYTES, visit_link_url
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.notifications import rules
from doorstep.notifications.models import MessageType
from doorstep.notifications.placeholders import INVITATION_CODE, INVITATION_LINK, VISIT_LINK
from doorstep.notifications.segments import MAX_SEGMENTS, plain_typography, segment_count
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
    language = message_language(language, portal=portal)
    portal = portal.in_language(language)
    context = {
        "booking": booking,
        "work_order": booking.work_order,
        "service_type": booking.work_order.incident_type.word(
            "display_name", language, company_language=portal.default_language
        ),
        "start": timezone.localtime(booking.start, zone),
        "end": timezone.localtime(booking.end, zone),
        "completed_at": timezone.localtime(booking.completed_at, zone)
        if booking.completed_at
        else None,
        "technician": booking.resource.display_name if portal.show_technician_details else "",
        "contact": contact,
        "link": VISIT_LINK,
        "survey": portal.include_survey and message_type == MessageType.COMPLETED,
        **(extra or {}),
    }

    return render_message(
        name=message_type,
        context=context,
        channel=channel,
        language=language,
        portal=portal,
        zone=zone,
    )


def render_message(
    *,
    name: str,
    context: dict[str, object],
    channel: str,
    language: str,
    portal: PortalSettings,
    zone: ZoneInfo,
) -> Rendered:
    """One message's templates (`notifications/messages/<name>…`) read with `context` and
    the company's settings in the recipient's language (`portal`): the text of an SMS, or
    an email's subject, text and HTML in the company's look.

    Dates in templates follow the active time zone and language: the visit's and the
    contact's own ("martes 24 de noviembre").
    """

    context = {**context, "portal": portal}

    def text(part: str) -> str:
        return one_period(render_to_string(f"notifications/messages/{name}{part}", context))

    with translation.override(language), timezone.override(zone):
        if channel == rules.SMS:
            body = sms_text(text(".sms.txt"))
            if segment_count(with_real_link(body)) > MAX_SEGMENTS:
                # The brief wording: no reference and no service name, the link kept.
                context["brief"] = True
                body = sms_text(text(".sms.txt"))
            return Rendered(subject="", body=body, body_html="")
        subject = " ".join(text(".subject.txt").split())
        body = text(".txt").strip()
        html = render_to_string(
            "notifications/messages/email.html",
            {
                **context,
                **email_look(portal),
                "subject": subject,
                "text": body,
                **email_language(language),
            },
        )
    return Rendered(subject=subject, body=body, body_html=html, language=language)


# A name ending in a period ("Comfort Co.", "A/C svc.") where a sentence ends: one period.
DOUBLE_PERIOD = re.compile(r"(?<!\.)\.(\u2069?)\.(?!\.)")


def one_period(text: str) -> str:
    """The text with a sentence that ends on a name ending in a period ending once."""
    return DOUBLE_PERIOD.sub(r"\1.", text)


def sms_text(text: str) -> str:
    """A text message's words on one line, its typography in plain GSM-7 where it has a twin."""
    return " ".join(plain_typography(text).split())


def with_real_link(body: str) -> str:
    """The text as the sender sends it: a visit link of the real length in the placeholder."""
    return body.replace(VISIT_LINK, visit_link_url("0" * math.ceil(CODE_BYTES * 4 / 3)))


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


def message_language(language: str, *, portal: PortalSettings | None = None) -> str:
    """The contact's language when the portal speaks it, else the company's default one
    (a portal setting: from `portal` when the caller holds the settings, as a batch of
    messages does, else read from the cache), as the portal's pages fall back to.

    Dates follow the same choice, so nobody reads an English sentence with a German day.
    """
    offered = {code for code, _name in settings.LANGUAGES}
    if language in offered:
        return language
    company = (portal or PortalSettings.load()).default_language
    return company if company in offered else str(settings.LANGUAGE_CODE)


def email_language(language: str) -> dict[str, str]:
    """What an email's layout says of its language: its code and its direction."""
    return {
        "language": language,
        "direction": "rtl" if get_language_info(language)["bidi"] else "ltr",
    }


def render_invitation(*, invitation: Invitation, portal: PortalSettings) -> Rendered:
    """The invitation email, in the contact's saved language, with placeholders for its code."""
    contact = invitation.contact
    language = message_language(contact.preferred_language if contact else "", portal=portal)
    portal = portal.in_language(language)
    zone = ZoneInfo(contact.account.time_zone) if contact else ZoneInfo("UTC")
    context = {
        "contact": contact,
        "code": INVITATION_CODE,
        "link": INVITATION_LINK,
        "expires_at": invitation.expires_at.astimezone(zone),
        "portal": portal,
    }

    def text(part: str) -> str:
        return " ".join(render_to_string(f"notifications/email/invitation{part}", context).split())

    with translation.override(language), timezone.override(zone):
        body = render_to_string("notifications/email/invitation.txt", context).strip()
        subject = text(".subject.txt")
        html = render_to_string(
            "notifications/email/invitation.html",
            {
                **context,
                **email_look(portal),
                "subject": subject,
                "text": body,
                "button": text(".button.txt"),
                **email_language(language),
            },
        )
    return Rendered(subject=subject, body=body, body_html=html, language=language)
