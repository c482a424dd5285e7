"""The reminder job: every Scheduled visit starting within the reminder window hears of it
once for each time it is planned to start.

The scheduler checks every minute (`tasks.remind_when_due`) and runs the job once its
day's time in the portal settings has come and that day's run is not recorded yet. A
day missed (the server was down) is run at the next check, and since "due" looks ahead
from the moment of the run, the visits that day would have covered and that are still
ahead are covered then. `doorstep remind` runs the job by hand.

The job writes thousands of rows, so it does not go through `outbox.record` (a few
queries a message): `record_many` writes a batch of bookings' messages with the same
rules, the same rendering and the same idempotency keys, in a fixed number of queries.
"""

from __future__ import annotations

import hashlib
import time as stopwatch
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.notifications import rules
from doorstep.notifications.models import (
    MessageType,
    Notification,
    NotificationState,
    ReminderRun,
)
from doorstep.notifications.outbox import (
    CALENDAR_METHOD,
    SETTING_OF,
    Rendered,
    _recipient,
    render,
)
from doorstep.portal.calendar import visit_calendar
from doorstep.scheduling.models import Booking, BookingQuerySet, BookingStatus

# Bookings written per batch: a few hundred keeps each insert short (SQLite has one
# writer at a time) while the queries per batch stay a small, fixed number.
BATCH_SIZE = 500
IDEMPOTENCY_KEY_LENGTH: int = Notification._meta.get_field("idempotency_key").max_length  # type: ignore[assignment]

# What a message reads from its booking besides the contacts, loaded with it.
MESSAGE_RELATIONS = ("work_order__account", "work_order__incident_type", "resource")


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
        """`outbox._recipient`, once for each contact."""
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
    *, booking_id: int, message_type: str, delivery: rules.Delivery, version: str
) -> str:
    """The outbox key of one delivery: booking, message, channel, address and version.

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


def _deliveries(
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
) -> list[Notification]:
    """One booking's rows: its deliveries, rendered, or skipped with their reason."""
    work_order = booking.work_order
    contacts = {c.pk: c for c in (work_order.account.primary_contact, work_order.reported_by) if c}
    method = CALENDAR_METHOD.get(message_type)
    rows = []
    for delivery in _deliveries(booking, message_type, message_settings):
        contact = contacts.get(delivery.contact_id)
        skipped = bool(delivery.skip_reason)
        rendered = (
            Rendered("", "", "")
            if skipped
            else render(
                booking=booking,
                message_type=message_type,
                channel=delivery.channel,
                contact=contact,
                language=delivery.language,
                portal=message_settings.portal,
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
                calendar=(
                    visit_calendar(booking, method=method).decode()
                    if method and delivery.channel == rules.EMAIL and not skipped
                    else ""
                ),
                state=NotificationState.SKIPPED if skipped else NotificationState.PENDING,
                skip_reason=delivery.skip_reason,
                next_attempt_at=None if skipped else now,
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
    wake_sender: bool = True,
) -> list[Notification]:
    """Write one message for each of the bookings in one insert (outbox.record uses it too).

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
        )
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if wake_sender and any(row.state == NotificationState.PENDING for row in rows):
        _wake_sender()
    return rows


def _wake_sender() -> None:
    from doorstep.notifications.tasks import send_notifications

    transaction.on_commit(send_notifications.enqueue)


# --- which bookings are due -----------------------------------------------------------------


def why_no_reminders(portal: PortalSettings) -> str:
    """Why the portal settings send no reminders at all, or "" when they send some."""
    if not portal.notifications_enabled:
        return "notifications are switched off in the portal settings."
    if not portal.notify_reminder:
        return "the reminder message is switched off in the portal settings."
    if portal.reminder_days_before == 0:
        return "the portal settings send reminders 0 days before a visit, which means none."
    return ""


def due_bookings(*, now: datetime, days: int) -> BookingQuerySet:
    """Scheduled visits that start after `now` and at most `days` days later."""
    return Booking.objects.filter(
        status=BookingStatus.SCHEDULED, start__gt=now, start__lte=now + timedelta(days=days)
    )


def reminder_version(start: datetime) -> str:
    """The idempotency version of a visit's reminder: its start, so a moved visit hears again."""
    return start.astimezone(UTC).isoformat()


def _batches_to_remind(*, now: datetime, days: int, batch_size: int) -> Iterator[list[Booking]]:
    """The due bookings not yet reminded of their present start, a batch at a time.

    Three queries a batch: the reminders its bookings already have, then those not yet
    reminded with their contacts. "Due" is asked again when they are read, so a visit
    canceled or moved while the job runs is left alone.
    """
    due = due_bookings(now=now, days=days)
    starts = list(due.order_by("pk").values_list("pk", "start"))
    for first in range(0, len(starts), batch_size):
        versions = {pk: reminder_version(start) for pk, start in starts[first : first + batch_size]}
        reminded = {
            booking_id
            for booking_id, key in Notification.objects.filter(
                booking_id__in=versions, message_type=MessageType.REMINDER
            ).values_list("booking_id", "idempotency_key")
            if key.endswith(f":{versions[booking_id]}")
        }
        remaining = [pk for pk in versions if pk not in reminded]
        if remaining and (batch := load_for_messages(due.filter(pk__in=remaining).order_by("pk"))):
            yield batch


# --- running the job --------------------------------------------------------------------------


def send_reminders(
    *, now: datetime, day: date | None = None, batch_size: int = BATCH_SIZE
) -> ReminderRun:
    """Write a reminder for every due visit not yet reminded of its start; record the run.

    `day` is the day whose scheduled run this is, None for a run by hand. Each batch is
    its own insert rather than one transaction for the run: a run stopped half-way keeps
    what it wrote, the next run writes only the rest, and on SQLite other writers wait
    for one batch at most, not for the whole run.
    """
    began = stopwatch.perf_counter()
    message_settings = MessageSettings.load()
    portal = message_settings.portal
    bookings = messages = skipped = 0
    if not why_no_reminders(portal):
        for batch in _batches_to_remind(
            now=now, days=portal.reminder_days_before, batch_size=batch_size
        ):
            rows = record_many(
                bookings=batch,
                message_type=MessageType.REMINDER,
                versions={booking.pk: reminder_version(booking.start) for booking in batch},
                now=now,
                message_settings=message_settings,
                wake_sender=False,
            )
            bookings += len({row.booking_id for row in rows})
            sent = sum(row.state == NotificationState.PENDING for row in rows)
            messages += sent
            skipped += len(rows) - sent
    run = ReminderRun(
        day=day,
        started_at=now,
        finished_at=now + timedelta(seconds=stopwatch.perf_counter() - began),
        bookings_reminded=bookings,
        messages=messages,
        skipped=skipped,
    )
    # Two runs of one day at once (a check enqueued twice) write the same rows, which the
    # outbox keeps once; the day keeps the row of the run that finished first.
    ReminderRun.objects.bulk_create([run], ignore_conflicts=True)
    if messages:
        _wake_sender()
    return run


def scheduled_day(*, now: datetime, at: time) -> date:
    """The day (UTC) of the latest scheduled run at or before `now`, given the time of day."""
    moment = now.astimezone(UTC)
    return moment.date() if moment.time() >= at else moment.date() - timedelta(days=1)


def run_due_reminders(*, now: datetime | None = None) -> ReminderRun | None:
    """The scheduler's check: run the job if the latest scheduled run has not happened.

    The time is read from the portal settings at every check, so a new time applies at
    once. With reminders switched off nothing is recorded, so switching them on later
    in the day runs that day's job at the next check.
    """
    now = now or timezone.now()
    portal = PortalSettings.load()
    if why_no_reminders(portal):
        return None
    day = scheduled_day(now=now, at=portal.reminder_time)
    if ReminderRun.objects.filter(day__gte=day).exists():
        return None
    return send_reminders(now=now, day=day)


# --- what a run would write ---------------------------------------------------------------


@dataclass(frozen=True)
class PlannedReminder:
    booking: Booking
    deliveries: list[rules.Delivery]  # skipped ones included, with their reason


def plan_reminders(*, now: datetime, batch_size: int = BATCH_SIZE) -> list[PlannedReminder]:
    """What `send_reminders` would write now, without writing anything."""
    message_settings = MessageSettings.load()
    portal = message_settings.portal
    if why_no_reminders(portal):
        return []
    planned = []
    for batch in _batches_to_remind(
        now=now, days=portal.reminder_days_before, batch_size=batch_size
    ):
        for booking in batch:
            deliveries = _deliveries(booking, MessageType.REMINDER, message_settings)
            if deliveries:
                planned.append(PlannedReminder(booking=booking, deliveries=deliveries))
    return planned
