"""The "new documents" message for a document of a site or a piece of equipment itself.

Such a document concerns the account, not one visit: the account's main person hears of
it, with a link to the portal page that shows it (the site's history or the equipment's
page). Those pages need a sign-in, so a main person who cannot sign in is not told of a
page they cannot open: their row is skipped with that reason, for the office to see.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from doorstep.customers.models import Contact
from doorstep.history.models import Document
from doorstep.notifications import rendering, rules
from doorstep.notifications.models import MessageType, Notification, NotificationState
from doorstep.notifications.outbox import SETTING_OF, MessageSettings, idempotency_key, insert

CANNOT_SIGN_IN = "the contact cannot sign in to the portal, where the document is shown"


def page_of(document: Document) -> str:
    """The portal page that lists the document, as an address a mail client can open."""
    if document.asset_id is not None:
        path = reverse("portal:equipment", args=[document.asset_id]) + "#equipment-documents"
    else:
        path = f"{reverse('portal:history')}?site={document.site_id}#site-documents"
    return rendering.absolute_url(path)


def place_name(document: Document) -> str:
    place = document.asset if document.asset_id is not None else document.site
    return str(getattr(place, "name", "") or place)


def can_sign_in(contact: Contact) -> bool:
    user = contact.user
    return user is not None and user.is_active


def record_place_document(*, document: Document, now: datetime | None = None) -> list[Notification]:
    """Write the message of a published site or equipment document, once per recipient."""
    now = now or timezone.now()
    document = Document.objects.select_related(
        "account__primary_contact__user", "site", "asset"
    ).get(pk=document.pk)
    message_settings = MessageSettings.load()
    portal = message_settings.portal
    account = document.account
    contact = account.primary_contact
    policy = rules.Policy(
        message_enabled=portal.notifications_enabled
        and getattr(portal, SETTING_OF[MessageType.DOCUMENTS]),
        communication_type=portal.communication_type,
        send_to=rules.PRIMARY_CONTACT,
        account_excluded=account.pk in message_settings.excluded_account_ids,
    )
    deliveries = rules.deliveries(
        policy=policy, primary=message_settings.recipient(contact), reported_by=None
    )
    rows = []
    if contact is not None and not can_sign_in(contact):
        deliveries = [
            delivery if delivery.skip_reason else replace(delivery, skip_reason=CANNOT_SIGN_IN)
            for delivery in deliveries
        ]
    for delivery in deliveries:
        skipped = bool(delivery.skip_reason)
        rendered = (
            rendering.Rendered("", "", "")
            if skipped
            else render(
                document=document,
                channel=delivery.channel,
                contact=contact,
                language=delivery.language,
                message_settings=message_settings,
            )
        )
        rows.append(
            Notification(
                document=document,
                message_type=MessageType.DOCUMENTS,
                channel=delivery.channel,
                contact=contact,
                address=delivery.address,
                language=delivery.language,
                subject=rendered.subject,
                body=rendered.body,
                body_html=rendered.body_html,
                state=NotificationState.SKIPPED if skipped else NotificationState.PENDING,
                skip_reason=delivery.skip_reason,
                next_attempt_at=None if skipped else now,
                idempotency_key=idempotency_key(
                    booking_id=f"document{document.pk}",
                    message_type=MessageType.DOCUMENTS,
                    delivery=delivery,
                    version="",
                ),
                created_at=now,
            )
        )
    return insert(rows)


def render(
    *,
    document: Document,
    channel: str,
    contact: Contact | None,
    language: str,
    message_settings: MessageSettings,
) -> rendering.Rendered:
    """The message as the recipient reads it, in their language and the company's look."""
    language = rendering.message_language(language, portal=message_settings.portal)
    context: dict[str, object] = {
        "contact": contact,
        "place": place_name(document),
        "document_title": document.title,
        "link": page_of(document),
    }
    return rendering.render_message(
        name="place_documents",
        context=context,
        channel=channel,
        language=language,
        portal=message_settings.portal.in_language(language),
        zone=ZoneInfo(document.account.time_zone),
    )
