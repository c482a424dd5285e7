"""Writing messages into the outbox, inside the transaction of the change that causes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from doorstep.configuration.models import PortalSettings
from doorstep.core.events import Event
from doorstep.customers.models import Contact
from doorstep.notifications import rules
from doorstep.notifications.models import (
    Invitation,
    MessageType,
    Notification,
    NotificationState,
)
from doorstep.scheduling.models import Booking, BookingStatus, WorkOrderSource

# Put in the stored body where the visit link goes. The link's code is made when the
# message is sent and never stored in clear, so the log shows this placeholder instead.
VISIT_LINK = "[visit link]"
# Likewise for an invitation's code and link: the code exists only as a hash.
INVITATION_CODE = "[invitation code]"
INVITATION_LINK = "[invitation link]"

SETTING_OF: dict[str, str] = {
    MessageType.INVITATION: "notify_invitation",
    MessageType.CONFIRMED: "notify_booking_confirmed",
    MessageType.REMINDER: "notify_reminder",
    MessageType.TRAVELING: "notify_traveling",
    MessageType.RUNNING_LATE: "notify_running_late",
    MessageType.RESCHEDULED: "notify_rescheduled",
    MessageType.CANCELED: "notify_canceled",
    MessageType.COMPLETED: "notify_completed",
}
CALENDAR_METHOD: dict[str, str] = {
    MessageType.CONFIRMED: "REQUEST",
    MessageType.RESCHEDULED: "REQUEST",
    MessageType.CANCELED: "CANCEL",
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    body_html: str


def _recipient(contact: Contact | None) -> rules.Recipient | None:
    if contact is None:
        return None
    return rules.Recipient(
        contact_id=contact.pk,
        email=contact.email,
        phone=contact.phone.as_e164 if contact.phone else "",
        preference=contact.communication_preference,
        language=contact.preferred_language,
    )


def render(
    *,
    booking: Booking,
    message_type: str,
    channel: str,
    contact: Contact | None,
    language: str,
    portal: PortalSettings,
) -> Rendered:
    """The message as the recipient will read it, in their language and the company's look."""
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
            "notifications/messages/email.html", {**context, "subject": subject, "text": body}
        )
    return Rendered(subject=subject, body=body, body_html=html)


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


def record(
    *, booking: Booking, message_type: str, version: str = "", now: datetime | None = None
) -> list[Notification]:
    """Write this message's notifications for the booking, once per idempotency key.

    One booking through the same path as the reminder job's batches, so a message is
    built one way only.
    """
    from doorstep.notifications.reminders import load_for_messages, record_many

    [loaded] = load_for_messages(Booking.objects.filter(pk=booking.pk))
    return record_many(
        bookings=[loaded],
        message_type=message_type,
        versions={loaded.pk: version},
        now=now or timezone.now(),
    )


def record_invitation(*, invitation: Invitation, now: datetime | None = None) -> Notification:
    """The invitation email as an outbox row, with placeholders where its code goes."""
    now = now or timezone.now()
    portal = PortalSettings.load()
    contact = invitation.contact
    reason = ""
    if not (portal.notifications_enabled and portal.notify_invitation):
        reason = "invitation messages are switched off"
    elif contact is not None and portal.excluded_accounts.filter(pk=contact.account_id).exists():
        reason = "the account is on the exclusion list"
    language = message_language(contact.preferred_language if contact else "en", "invitation")
    zone = ZoneInfo(contact.account.time_zone) if contact else ZoneInfo("UTC")
    context = {
        "contact": contact,
        "code": INVITATION_CODE,
        "link": INVITATION_LINK,
        "expires_at": invitation.expires_at.astimezone(zone),
        "portal": portal,
    }
    with translation.override(language), timezone.override(zone):
        body = render_to_string("notifications/email/invitation.txt", context).strip()
        html = render_to_string("notifications/email/invitation.html", context)
    notification = Notification(
        invitation=invitation,
        message_type=MessageType.INVITATION,
        channel=rules.EMAIL,
        contact=contact,
        address=invitation.email,
        language=language,
        subject=f"Your invitation to {portal.company_name}'s customer portal",
        body="" if reason else body,
        body_html="" if reason else html,
        state=NotificationState.SKIPPED if reason else NotificationState.PENDING,
        skip_reason=reason,
        next_attempt_at=None if reason else now,
        idempotency_key=f"invitation:{invitation.pk}",
        created_at=now,
    )
    notification.save()
    return notification


def was_told(booking_id: int) -> bool:
    """Whether the customer heard of this visit: a confirmation or reminder went to them."""
    return (
        Notification.objects.filter(
            booking_id=booking_id,
            message_type__in=[MessageType.CONFIRMED, MessageType.REMINDER],
        )
        .exclude(state__in=[NotificationState.SKIPPED, NotificationState.FAILED])
        .exists()
    )


# --- what each event writes ----------------------------------------------------------------


def on_booking_created(event: Event) -> None:
    booking = Booking.objects.select_related("work_order").get(pk=event.payload["booking_id"])
    if booking.work_order.source in (WorkOrderSource.PORTAL, WorkOrderSource.API):
        record(booking=booking, message_type=MessageType.CONFIRMED)


def on_booking_rescheduled(event: Event) -> None:
    if was_told(event.payload["booking_id"]):
        booking = Booking.objects.get(pk=event.payload["booking_id"])
        record(
            booking=booking,
            message_type=MessageType.RESCHEDULED,
            version=event.payload["new_start"],
        )


def on_booking_canceled(event: Event) -> None:
    if was_told(event.payload["booking_id"]):
        booking = Booking.objects.get(pk=event.payload["booking_id"])
        record(booking=booking, message_type=MessageType.CANCELED)


def on_status_changed(event: Event) -> None:
    to_status = event.payload["to_status"]
    if to_status not in (BookingStatus.TRAVELING, BookingStatus.COMPLETED):
        return
    booking = Booking.objects.get(pk=event.payload["booking_id"])
    if to_status == BookingStatus.TRAVELING:
        # A technician who turned back and sets off again is on the way again.
        trips = booking.status_changes.filter(to_status=BookingStatus.TRAVELING).count()
        record(booking=booking, message_type=MessageType.TRAVELING, version=str(trips))
    else:
        record(booking=booking, message_type=MessageType.COMPLETED)
