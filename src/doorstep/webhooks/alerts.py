"""Telling the office that an endpoint was switched off."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from doorstep.configuration.models import PortalSettings
from doorstep.notifications.rendering import email_language, email_look
from doorstep.users.models import User
from doorstep.webhooks.models import WebhookEndpoint

logger = logging.getLogger(__name__)


def tell_staff_disabled(*, endpoint: WebhookEndpoint, reason: str) -> None:
    """Email the active staff, once the switch-off is committed: from the company's sender,
    with its reply-to, in the layout of its other emails."""
    addresses = list(
        User.objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not addresses:
        return
    portal = PortalSettings.load()
    language = str(settings.LANGUAGE_CODE)
    with translation.override(language):
        subject = _("Webhook endpoint switched off: %(url)s") % {"url": endpoint.url[:100]}
        body = _(
            "Doorstep stopped sending events to %(url)s.\n\n%(reason)s\n\n"
            "Fix the receiver, then switch the endpoint on again in the back office "
            "(Webhooks → Webhook endpoints) and replay the failed deliveries."
        ) % {"url": endpoint.url, "reason": reason}
        html = render_to_string(
            "notifications/messages/email.html",
            {**email_look(portal), "subject": subject, "text": body, **email_language(language)},
        )
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=portal.email_from,
        to=addresses,
        reply_to=portal.email_reply_to_addresses,
    )
    message.attach_alternative(html, "text/html")

    def send() -> None:
        try:
            message.send()
        except Exception:  # the switch-off stands; the log says the email did not go
            logger.exception(
                "Could not email staff that webhook endpoint %s was switched off", endpoint.pk
            )

    transaction.on_commit(send)
