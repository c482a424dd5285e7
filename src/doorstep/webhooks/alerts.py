"""Telling the office that an endpoint was switched off."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from doorstep.users.models import User
from doorstep.webhooks.models import WebhookEndpoint

logger = logging.getLogger(__name__)


def tell_staff_disabled(*, endpoint: WebhookEndpoint, reason: str) -> None:
    """Email the active staff, once the switch-off is committed."""
    addresses = list(
        User.objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not addresses:
        return
    subject = _("Webhook endpoint switched off: %(url)s") % {"url": endpoint.url[:100]}
    body = _(
        "Doorstep stopped sending events to %(url)s.\n\n%(reason)s\n\n"
        "Fix the receiver, then switch the endpoint on again in the back office "
        "(Webhooks → Webhook endpoints) and replay the failed deliveries."
    ) % {"url": endpoint.url, "reason": reason}

    def send() -> None:
        try:
            send_mail(subject, body, None, addresses)
        except Exception:  # the switch-off stands; the log says the email did not go
            logger.exception(
                "Could not email staff that webhook endpoint %s was switched off", endpoint.pk
            )

    transaction.on_commit(send)
