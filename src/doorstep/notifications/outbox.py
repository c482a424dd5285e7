"""Writing messages into the outbox, inside the transaction of the change that causes them.

Every message of a booking is written by `record_many`, a batch of bookings at a time in a
fixed number of queries: the reminder job calls it with thousands of visits, `record` with
one. Both use the same rules, the same rendering and the same idempotency keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone, translation

from doorstep.access.models import Invitation
from doorstep.configuration.models import PortalSettings
from doorstep.core import events
from doorstep.customers.models import Contact
from doorstep.notifications import rendering, rules
from doorstep.notifications.calendars import next_calendar_sequence
from doorstep.notifications.models import (
    MessageType,
    Notification,
    NotificationState,
)
from doorstep.scheduling.calendar import Attendee, visit_calendar
from doorstep.scheduling.models import Booking

SETTING_OF: dict[str, str] = {
    MessageType.INVITATION: "notify_invitation",
    MessageType.CONFIRMED: "notify_booking_confirmed",
    MessageType.REMINDER: "notify_reminder",
    MessageType.TRAVELING: "notify_traveling",
    MessageType.RUNNING_LATE: "notify_running_late",
    MessageType.RESCHEDULED: "notify_rescheduled",
    MessageType.CANCELED: "notify_canceled",
    MessageType.COMPLETED: "notify_completed",
    MessageType.TURNED_BACK: "notify_turned_back",
    MessageType.DOCUMENTS: "notify_documents",
}
CALENDAR_METHOD: dict[str, str] = {
    MessageType.CONFIRMED: "REQUEST",
    MessageType.RESCHEDULED: "REQUEST",
    MessageType.CANCELED: "CANCEL",
}
# Messages that give the visit's time: a later move is measured from the latest of them.
TELLS_VISIT_TIME = frozenset(
    {
        MessageType.CONFIRMED,
        MessageType.REMINDER,
        MessageType.RESCHEDULED,
        MessageType.TURNED_BACK,
    }
)
IDEMPOTENCY_KEY_LENGTH: int = Notification._meta.get_field("idempotency_key").max_length  # type: ignore[assignment]

# What a message reads from its booking besides the contacts, loaded with it.
MESSAGE_RELATIONS = ("work_order__account", "work_order__incident_type", "resource")


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


def record(
    *,
    booking: Booking,
    message_type: str,
    version: str = "",
    now: datetime | None = None,
    extra: Mapping[str, object] | None = None,
    send_at: datetime | None = None,
) -> list[Notification]:
    """Write this message's notifications for the booking, once per idempotency key.

    One booking through `record_many`, the path of the reminder job's batches, so a
    message is built one way only. A message with a calendar file takes the visit's next
    calendar sequence, which is a move's version unless one is given. `extra` is more for the
    templates to read; `send_at` holds the message back until then.
    """
    [loaded] = load_for_messages(Booking.objects.filter(pk=booking.pk))
    sequence = None
    if message_type in CALENDAR_METHOD:
        sequence = next_calendar_sequence(booking_id=loaded.pk)
        if message_type == MessageType.RESCHEDULED:
            # Each announced move is news, even back to a time announced before.
            version = version or f"seq{sequence}"
    return record_many(
        bookings=[loaded],
        message_type=message_type,
        versions={loaded.pk: version},
        now=now or timezone.now(),
        extra=extra,
        send_at=send_at,
        calendar_sequence=sequence,
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
    rendered = rendering.render_invitation(invitation=invitation, portal=portal)
    notification = Notification(
        invitation=invitation,
        message_type=MessageType.INVITATION,
        channel=rules.EMAIL,
        contact=contact,
        address=invitation.email,
        language=rendered.language,
        subject=rendered.subject,
        body="" if reason else rendered.body,
        body_html="" if reason else rendered.body_html,
        state=NotificationState.SKIPPED if reason else NotificationState.PENDING,
        skip_reason=reason,
        next_attempt_at=None if reason else now,
        idempotency_key=f"invitation:{invitation.pk}",
        created_at=now,
    )
    notification.save()
    if notification.state == NotificationState.PENDING:
        wake_sender()
    return notification


def told_start(booking_id: int) -> datetime | None:
    """The visit's start in the latest message that gave it to the customer; None when no
    message about its time reached them (skipped and failed ones did not)."""
    return (
        Notification.objects.filter(booking_id=booking_id, visit_start__isnull=False)
        .exclude(state__in=[NotificationState.SKIPPED, NotificationState.FAILED])
        .order_by("-created_at", "-pk")
        .values_list("visit_start", flat=True)
        .first()
    )


def was_told(booking_id: int) -> bool:
    """Whether the customer heard of this visit: a message gave them its time."""
    return told_start(booking_id) is not None


# --- writing many bookings' messages at once -----------------------------------------------


@dataclass(frozen=True)
class MessageSettings:
    """The portal settings and the exclusion lists, read once for many messages."""

    portal: PortalSettings
    excluded_account_ids: frozenset[int]
    excluded_service_type_ids: frozenset[int]
    # Each contact as the rules see them, worked out once: reading a phone number is slow.
    _recipients: dict[int, rules.Recipient | None] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @classmethod
    def load(cls) -> MessageSettings:
        portal = PortalSettings.load()
        return cls(
            portal=portal,
            excluded_account_ids=frozenset(portal.excluded_accounts.values_list("pk", flat=True)),
            excluded_service_type_ids=frozenset(
                portal.excluded_incident_types.values_list("pk", flat=True)
            ),
        )

    def recipient(self, contact: Contact | None) -> rules.Recipient | None:
        """`_recipient`, once for each contact."""
        if contact is None:
            return None
        if contact.pk not in self._recipients:
            self._recipients[contact.pk] = _recipient(contact)
        return self._recipients[contact.pk]

    def policy(self, booking: Booking, message_type: str) -> rules.Policy:
        """What the portal settings say of this message for this booking, without a query."""
        portal = self.portal
        work_order = booking.work_order
        return rules.Policy(
            message_enabled=portal.notifications_enabled
            and getattr(portal, SETTING_OF[message_type]),
            communication_type=portal.communication_type,
            send_to=portal.send_messages_to,
            account_excluded=work_order.account_id in self.excluded_account_ids,
            service_type_excluded=work_order.incident_type_id in self.excluded_service_type_ids,
        )


def load_for_messages(bookings: QuerySet[Booking]) -> list[Booking]:
    """The bookings with all that their messages read, in two queries however many.

    The contacts are read apart from the bookings: the primary contact is most often
    the person who reported the work too, and many visits share an account, so each
    contact is made (and its phone number parsed) once, not twice for every visit.
    """
    loaded = list(bookings.select_related(*MESSAGE_RELATIONS))
    contact_ids = {
        contact_id
        for booking in loaded
        for contact_id in (
            booking.work_order.account.primary_contact_id,
            booking.work_order.reported_by_id,
        )
        if contact_id is not None
    }
    contacts = Contact.objects.in_bulk(contact_ids)
    for booking in loaded:
        work_order = booking.work_order
        account = work_order.account
        account.primary_contact = contacts.get(account.primary_contact_id or 0)
        work_order.reported_by = contacts.get(work_order.reported_by_id or 0)
    return loaded


def idempotency_key(
    *, booking_id: int | str, message_type: str, delivery: rules.Delivery, version: str
) -> str:
    """The outbox key of one delivery: booking (or what else the message is about, as
    "document12"), message, channel, address and version.

    An address long enough to push the key past its column (email allows 254
    characters) is replaced by its SHA-256, which keeps the key unique and stable.
    """
    address = delivery.address or f"contact{delivery.contact_id}"
    parts = [str(booking_id), message_type, delivery.channel, address, version]
    key = ":".join(parts)
    if len(key) > IDEMPOTENCY_KEY_LENGTH:
        parts[3] = "sha256-" + hashlib.sha256(address.lower().encode()).hexdigest()
        key = ":".join(parts)
    return key


def deliveries_of(
    booking: Booking,
    message_type: str,
    message_settings: MessageSettings,
) -> list[rules.Delivery]:
    work_order = booking.work_order
    return rules.deliveries(
        policy=message_settings.policy(booking, message_type),
        primary=message_settings.recipient(work_order.account.primary_contact),
        reported_by=message_settings.recipient(work_order.reported_by),
    )


def _rows(
    *,
    booking: Booking,
    message_type: str,
    version: str,
    now: datetime,
    message_settings: MessageSettings,
    extra: Mapping[str, object] | None = None,
    send_at: datetime | None = None,
    calendar_sequence: int | None = None,
) -> list[Notification]:
    """One booking's rows: its deliveries, rendered, or skipped with their reason."""
    work_order = booking.work_order
    contacts = {c.pk: c for c in (work_order.account.primary_contact, work_order.reported_by) if c}
    method = CALENDAR_METHOD.get(message_type)
    rows = []
    for delivery in deliveries_of(booking, message_type, message_settings):
        contact = contacts.get(delivery.contact_id)
        skipped = bool(delivery.skip_reason)
        calendar = ""
        if method and delivery.channel == rules.EMAIL and not skipped:
            attendee = Attendee(email=delivery.address, name=contact.full_name if contact else "")
            # The service type's and company's names in the recipient's language.
            with translation.override(
                rendering.message_language(delivery.language, portal=message_settings.portal)
            ):
                calendar = visit_calendar(
                    booking, method=method, sequence=calendar_sequence or 0, attendee=attendee
                ).decode()
        rendered = (
            rendering.Rendered("", "", "")
            if skipped
            else rendering.render(
                booking=booking,
                message_type=message_type,
                channel=delivery.channel,
                contact=contact,
                language=delivery.language,
                portal=message_settings.portal,
                extra=extra,
            )
        )
        rows.append(
            Notification(
                booking=booking,
                message_type=message_type,
                channel=delivery.channel,
                contact=contact,
                address=delivery.address,
                language=delivery.language,
                subject=rendered.subject,
                body=rendered.body,
                body_html=rendered.body_html,
                visit_start=booking.start if message_type in TELLS_VISIT_TIME else None,
                calendar=calendar,
                state=NotificationState.SKIPPED if skipped else NotificationState.PENDING,
                skip_reason=delivery.skip_reason,
                next_attempt_at=None if skipped else (send_at or now),
                idempotency_key=idempotency_key(
                    booking_id=booking.pk,
                    message_type=message_type,
                    delivery=delivery,
                    version=version,
                ),
                created_at=now,
            )
        )
    return rows


def record_many(
    *,
    bookings: Sequence[Booking],
    message_type: str,
    versions: Mapping[int, str],
    now: datetime,
    message_settings: MessageSettings | None = None,
    wake: bool = True,
    extra: Mapping[str, object] | None = None,
    send_at: datetime | None = None,
    calendar_sequence: int | None = None,
) -> list[Notification]:
    """Write one message for each of the bookings in one insert (`record` uses it too).

    `bookings` are read with `load_for_messages`; `versions` maps a
    booking's id to its idempotency version ("" when missing). A row whose key is in the
    outbox already stays as it is. Queries: three for the settings unless they are
    given, and one insert, however many bookings (messages with a calendar attachment,
    which reminders are not, read the settings once more for each email).
    """
    message_settings = message_settings or MessageSettings.load()
    rows = [
        row
        for booking in bookings
        for row in _rows(
            booking=booking,
            message_type=message_type,
            version=versions.get(booking.pk, ""),
            now=now,
            message_settings=message_settings,
            extra=extra,
            send_at=send_at,
            calendar_sequence=calendar_sequence,
        )
    ]
    return insert(rows, wake=wake)


def insert(rows: list[Notification], *, wake: bool = True) -> list[Notification]:
    """Write the rows in one insert, leaving any whose key is in the outbox already; wake
    the sender when one is to go out.

    A row about nothing (no visit, invitation or document) is refused here, loudly: the
    table's check would refuse it on PostgreSQL, but SQLite's insert-or-ignore drops it
    without a word, and a message would be lost on one database only.
    """
    if not all(row.booking_id or row.invitation_id or row.document_id for row in rows):
        raise ValueError("A message is about a visit, an invitation or a document.")
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if wake and any(row.state == NotificationState.PENDING for row in rows):
        wake_sender()
    return rows


def wake_sender() -> None:
    """Have a worker send what is pending, once the current transaction commits.

    Through an event, so the outbox knows nothing of tasks: `apps.py` has the sending
    task listen to it.
    """
    events.publish("notifications.pending")
