"""The reminder job: every Scheduled visit starting within the reminder window hears of it
once for each time it is planned to start.

The scheduler checks every minute (`tasks.remind_when_due`) and runs the job once its
day's time in the portal settings has come and that day's run is not recorded yet. A
day missed since the install first started (the server was down) is run at the next
check, and since "due" looks ahead from the moment of the run, the visits that day would
have covered and that are still ahead are covered then. `doorstep remind` runs the job by hand.

The job writes thousands of rows, so it does not go through `outbox.record` (a few
queries a message): `outbox.record_many` writes a batch of bookings' messages with the
same rules, the same rendering and the same idempotency keys, in a fixed number of queries.
"""

from __future__ import annotations

import time as stopwatch
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.notifications import rules
from doorstep.notifications.models import (
    MessageType,
    Notification,
    NotificationState,
    ReminderRun,
    ReminderScheduleStart,
)
from doorstep.notifications.outbox import (
    MessageSettings,
    deliveries_of,
    load_for_messages,
    record_many,
    wake_sender,
)
from doorstep.scheduling.models import Booking, BookingQuerySet, BookingStatus

# Bookings written per batch: a few hundred keeps each insert short (SQLite has one
# writer at a time) while the queries per batch stay a small, fixed number.
BATCH_SIZE = 500


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


def due_bookings(*, now: datetime, days: int, zone: tzinfo = UTC) -> BookingQuerySet:
    """Scheduled visits that start after `now` and on a day at most `days` days ahead.

    Days are calendar days in `zone` (the company's): with 1, a run on Monday at any time
    reminds every visit of Tuesday, so each is reminded the day before at the run's time.
    """
    return Booking.objects.filter(
        status=BookingStatus.SCHEDULED, start__gt=now, start__lt=window_end(now, days, zone)
    )


def window_end(now: datetime, days: int, zone: tzinfo) -> datetime:
    """The midnight in `zone` that ends the day `days` days after `now`'s."""
    last_day = now.astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time(0), zone)


def reminder_version(start: datetime) -> str:
    """The idempotency version of a visit's reminder: its start, so a moved visit hears again."""
    return start.astimezone(UTC).isoformat()


def _batches_to_remind(
    *, now: datetime, days: int, zone: tzinfo, batch_size: int
) -> Iterator[list[Booking]]:
    """The due bookings not yet reminded of their present start, a batch at a time.

    Three queries a batch: the reminders its bookings already have, then those not yet
    reminded with their contacts. "Due" is asked again when they are read, so a visit
    canceled or moved while the job runs is left alone.
    """
    due = due_bookings(now=now, days=days, zone=zone)
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
            now=now, days=portal.reminder_days_before, zone=portal.zone, batch_size=batch_size
        ):
            rows = record_many(
                bookings=batch,
                message_type=MessageType.REMINDER,
                versions={booking.pk: reminder_version(booking.start) for booking in batch},
                now=now,
                message_settings=message_settings,
                wake=False,
            )
            # A visit whose every message is skipped (an exclusion) was not reminded.
            bookings += len(
                {row.booking_id for row in rows if row.state == NotificationState.PENDING}
            )
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
        wake_sender()
    return run


def scheduled_day(*, now: datetime, at: time, zone: tzinfo = UTC) -> date:
    """The day of the latest scheduled run at or before `now`, at the time of day `at`.

    Both the day and the time are the company's, in `zone`.
    """
    moment = now.astimezone(zone)
    return moment.date() if moment.time() >= at else moment.date() - timedelta(days=1)


def run_due_reminders(*, now: datetime | None = None) -> ReminderRun | None:
    """The scheduler's check: run the job if the latest scheduled run has not happened.

    The time is read from the portal settings at every check, so a new time applies at
    once. With reminders switched off nothing is recorded, so switching them on later
    in the day runs that day's job at the next check.
    """
    now = now or timezone.now()
    first_started = first_start(now=now)
    portal = PortalSettings.load()
    if why_no_reminders(portal):
        return None
    day = scheduled_day(now=now, at=portal.reminder_time, zone=portal.zone)
    if datetime.combine(day, portal.reminder_time, portal.zone) < first_started:
        return None  # due before this install first started: nobody missed it
    if ReminderRun.objects.filter(day__gte=day).exists():
        return None
    return send_reminders(now=now, day=day)


def first_start(*, now: datetime) -> datetime:
    """When the reminder schedule first ran on this install; `now` at its very first check.

    Only runs due since then are caught up: a fresh install (or one just loaded with the
    demo company) does not send the reminders of a day it never saw. An install that
    ran reminders before this was recorded started no later than its first run.
    """
    start = ReminderScheduleStart.objects.filter(pk=1).first()
    if start is None:
        earliest = ReminderRun.objects.order_by("started_at").first()
        first = min(now, earliest.started_at) if earliest else now
        start, _ = ReminderScheduleStart.objects.get_or_create(pk=1, defaults={"started_at": first})
    return start.started_at


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
        now=now, days=portal.reminder_days_before, zone=portal.zone, batch_size=batch_size
    ):
        for booking in batch:
            deliveries = deliveries_of(booking, MessageType.REMINDER, message_settings)
            if deliveries:
                planned.append(PlannedReminder(booking=booking, deliveries=deliveries))
    return planned
