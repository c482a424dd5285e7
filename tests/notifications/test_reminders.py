"""The daily reminder job: who is due, once per visit and start, once a day, caught up."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.notifications import outbox
from doorstep.notifications.models import (
    MessageType,
    Notification,
    NotificationState,
    ReminderRun,
    ReminderScheduleStart,
)
from doorstep.notifications.outbox import load_for_messages, record_many
from doorstep.notifications.reminders import (
    reminder_version,
    run_due_reminders,
    send_reminders,
)
from doorstep.notifications.tasks import remind_when_due
from doorstep.scheduling import services
from doorstep.scheduling.models import Booking, BookingStatus, WorkOrderSource
from tests.factories import BookingFactory, ResourceFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

# A Monday at the default reminder time; the visits below are placed around it.
TEN = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)


def portal_settings(**values: object) -> PortalSettings:
    settings = PortalSettings.load()
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def visit(contact, start, *, status=BookingStatus.SCHEDULED, resource=None):  # type: ignore[no-untyped-def]
    """A visit for the contact, put straight in the database: no confirmation is written."""
    work_order = WorkOrderFactory(
        account=contact.account,
        reported_by=contact,
        source=WorkOrderSource.BACK_OFFICE,
        incident_type__display_name="Boiler service",
    )
    return BookingFactory(
        work_order=work_order,
        resource=resource or ResourceFactory(display_name="Alex R."),
        start=start,
        end=start + timedelta(hours=1),
        status=status,
        completed_at=start + timedelta(hours=1) if status == BookingStatus.COMPLETED else None,
    )


def reminders(booking: Booking) -> list[Notification]:
    return list(
        Notification.objects.filter(booking=booking, message_type=MessageType.REMINDER).order_by(
            "channel", "pk"
        )
    )


# --- who is due -----------------------------------------------------------------------------


def test_a_visit_within_the_window_is_reminded_by_email_and_sms(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(reminder_days_before=2)
    booking = visit(contact, TEN + timedelta(hours=29))  # Tuesday 08:00 in Denver

    run = send_reminders(now=TEN)

    email, sms = reminders(booking)
    assert (email.channel, sms.channel) == ("email", "sms")
    assert email.state == sms.state == NotificationState.PENDING
    assert email.address == "pat@example.test"
    assert sms.address == "+13035550101"
    assert email.subject == "Reminder: your visit on Tuesday 5 March"
    assert "Hello Pat" in email.body
    assert "Boiler service visit on Tuesday 5 March 2030, between 08:00 and 09:00" in email.body
    assert "[visit link]" in sms.body
    assert email.calendar == ""
    assert email.next_attempt_at == TEN
    assert email.idempotency_key.endswith(f":{reminder_version(booking.start)}")
    assert (run.bookings_reminded, run.messages, run.skipped) == (1, 2, 0)


@pytest.mark.parametrize(
    "status", [BookingStatus.TRAVELING, BookingStatus.COMPLETED, BookingStatus.CANCELED]
)
def test_only_scheduled_visits_are_reminded(contact, status) -> None:  # type: ignore[no-untyped-def]
    booking = visit(contact, TEN + timedelta(hours=2), status=status)

    send_reminders(now=TEN)

    assert not reminders(booking)


def test_the_window_is_the_configured_number_of_days_ahead(contact) -> None:  # type: ignore[no-untyped-def]
    # Whole days in the company's zone (UTC here): Monday's run covers up to Wednesday.
    portal_settings(reminder_days_before=2)
    last_moment = visit(contact, TEN + timedelta(days=2, hours=13, minutes=59))
    too_far = visit(contact, TEN + timedelta(days=2, hours=14))

    send_reminders(now=TEN)

    assert len(reminders(last_moment)) == 2
    assert not reminders(too_far)


def test_a_visit_that_has_started_is_not_reminded(contact) -> None:  # type: ignore[no-untyped-def]
    started = visit(contact, TEN)
    earlier = visit(contact, TEN - timedelta(hours=3))

    send_reminders(now=TEN)

    assert not reminders(started)
    assert not reminders(earlier)


def test_zero_days_sends_no_reminders(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(reminder_days_before=0)
    booking = visit(contact, TEN + timedelta(hours=2))

    assert run_due_reminders(now=TEN) is None
    send_reminders(now=TEN)

    assert not reminders(booking)
    assert not ReminderRun.objects.filter(day__isnull=False).exists()


def test_reminders_switched_off_write_nothing(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(notify_reminder=False)
    booking = visit(contact, TEN + timedelta(hours=2))

    send_reminders(now=TEN)

    assert not reminders(booking)


def test_excluded_accounts_get_skipped_reminders_with_the_reason(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings().excluded_accounts.add(contact.account)
    booking = visit(contact, TEN + timedelta(hours=2))

    run = send_reminders(now=TEN)
    send_reminders(now=TEN + timedelta(minutes=30))

    rows = reminders(booking)
    assert len(rows) == 2
    assert {row.state for row in rows} == {NotificationState.SKIPPED}
    assert {row.skip_reason for row in rows} == {"the account is on the exclusion list"}
    assert {row.body for row in rows} == {""}
    assert (run.messages, run.skipped) == (0, 2)


def test_excluded_service_types_get_skipped_reminders(contact) -> None:  # type: ignore[no-untyped-def]
    booking = visit(contact, TEN + timedelta(hours=2))
    portal_settings().excluded_incident_types.add(booking.work_order.incident_type)

    send_reminders(now=TEN)

    assert {row.skip_reason for row in reminders(booking)} == {
        "the service type is on the exclusion list"
    }


# --- once per visit and start ------------------------------------------------------------------


def test_a_visit_is_reminded_once_for_its_start(contact) -> None:  # type: ignore[no-untyped-def]
    booking = visit(contact, TEN + timedelta(hours=20))

    send_reminders(now=TEN)
    second = send_reminders(now=TEN + timedelta(hours=4))

    assert len(reminders(booking)) == 2
    assert (second.bookings_reminded, second.messages) == (0, 0)


def test_a_moved_visit_is_reminded_of_its_new_start(contact) -> None:  # type: ignore[no-untyped-def]
    booking = visit(contact, TEN + timedelta(hours=20))
    send_reminders(now=TEN)

    services.reschedule(
        booking=booking,
        start=booking.start + timedelta(hours=2),
        end=booking.end + timedelta(hours=2),
    )
    send_reminders(now=TEN + timedelta(hours=1))

    rows = reminders(booking)
    assert len(rows) == 4
    booking.refresh_from_db()
    assert sum(row.idempotency_key.endswith(reminder_version(booking.start)) for row in rows) == 2


def test_the_reminder_tells_the_customer_of_the_visit(contact) -> None:  # type: ignore[no-untyped-def]
    # Rescheduled and Canceled go only to visits the customer was told of: a reminder counts.
    booking = visit(contact, TEN + timedelta(hours=20))
    send_reminders(now=TEN)

    assert outbox.was_told(booking.pk)


# --- once a day, caught up, at the configured time ------------------------------------------------


def test_the_job_run_twice_the_same_day_writes_nothing_new(contact) -> None:  # type: ignore[no-untyped-def]
    visit(contact, TEN + timedelta(hours=20))

    first = run_due_reminders(now=TEN)
    later = visit(contact, TEN + timedelta(hours=22))
    again = run_due_reminders(now=TEN + timedelta(hours=5))

    assert first is not None
    assert first.day == TEN.date()
    assert again is None
    assert not reminders(later)
    assert Notification.objects.filter(message_type=MessageType.REMINDER).count() == 2


def test_the_job_waits_for_its_time_of_day(contact) -> None:  # type: ignore[no-untyped-def]
    ReminderRun.objects.create(
        day=TEN.date() - timedelta(days=1), started_at=TEN - timedelta(days=1), finished_at=TEN
    )
    booking = visit(contact, TEN + timedelta(hours=20))

    assert run_due_reminders(now=TEN - timedelta(minutes=1)) is None
    assert not reminders(booking)
    assert run_due_reminders(now=TEN) is not None
    assert len(reminders(booking)) == 2


def test_a_missed_day_is_caught_up_at_the_next_check(contact) -> None:  # type: ignore[no-untyped-def]
    # The server ran on Saturday at 10:00, then was down until Monday 09:00: Sunday's run,
    # which would have reminded the Monday 09:30 visit, is made up at once.
    run_due_reminders(now=TEN - timedelta(days=2))
    early_monday = visit(contact, TEN - timedelta(minutes=30))
    tuesday = visit(contact, TEN + timedelta(hours=23))

    caught_up = run_due_reminders(now=TEN - timedelta(hours=1))
    todays = run_due_reminders(now=TEN + timedelta(minutes=1))

    assert caught_up is not None
    assert caught_up.day == TEN.date() - timedelta(days=1)
    assert len(reminders(early_monday)) == 2
    assert todays is not None
    assert todays.day == TEN.date()
    assert len(reminders(tuesday)) == 2
    assert run_due_reminders(now=TEN + timedelta(hours=3)) is None


def test_a_new_reminder_time_applies_without_a_restart(contact) -> None:  # type: ignore[no-untyped-def]
    ReminderRun.objects.create(
        day=TEN.date() - timedelta(days=1), started_at=TEN - timedelta(days=1), finished_at=TEN
    )
    booking = visit(contact, TEN + timedelta(hours=20))
    eleven = TEN + timedelta(hours=1)

    portal_settings(reminder_time=time(12, 0))
    assert run_due_reminders(now=eleven) is None

    portal_settings(reminder_time=time(10, 30))
    run = run_due_reminders(now=eleven)

    assert run is not None
    assert run.day == TEN.date()
    assert len(reminders(booking)) == 2


def test_reminders_switched_on_late_in_the_day_run_that_day(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(notify_reminder=False)
    assert run_due_reminders(now=TEN) is None

    portal_settings(notify_reminder=True)
    booking = visit(contact, TEN + timedelta(hours=20))

    assert run_due_reminders(now=TEN + timedelta(hours=4)) is not None
    assert len(reminders(booking)) == 2


def test_a_run_by_hand_leaves_the_days_run_to_come(contact) -> None:  # type: ignore[no-untyped-def]
    visit(contact, TEN + timedelta(hours=20))
    by_hand = send_reminders(now=TEN - timedelta(hours=2))
    newly_due = visit(contact, TEN + timedelta(hours=23))

    days_run = run_due_reminders(now=TEN)

    assert by_hand.day is None
    assert days_run is not None
    assert (days_run.bookings_reminded, days_run.messages) == (1, 2)
    assert len(reminders(newly_due)) == 2


def test_a_fresh_install_sends_no_reminders_on_its_first_start(contact) -> None:  # type: ignore[no-untyped-def]
    # Loaded (the demo company, an import) and first started at 19:47: the day's run at
    # 10:00 happened before the install existed, so nobody is messaged now.
    tomorrow = visit(contact, TEN + timedelta(days=1))

    assert run_due_reminders(now=TEN + timedelta(hours=9, minutes=47)) is None
    assert run_due_reminders(now=TEN + timedelta(hours=10)) is None
    assert not reminders(tomorrow)
    assert not ReminderRun.objects.exists()

    # The next day's run is the install's own: it happens at its time.
    assert run_due_reminders(now=TEN + timedelta(days=1) - timedelta(minutes=1)) is None
    assert run_due_reminders(now=TEN + timedelta(days=1)) is not None


def test_days_missed_since_the_first_start_are_caught_up(contact) -> None:  # type: ignore[no-untyped-def]
    run_due_reminders(now=TEN - timedelta(days=3, hours=2))  # first started, before 10:00
    booking = visit(contact, TEN + timedelta(hours=20))

    # Down from then until today 09:00: yesterday's run is made up at once.
    caught_up = run_due_reminders(now=TEN - timedelta(hours=1))

    assert caught_up is not None
    assert caught_up.day == TEN.date() - timedelta(days=1)
    assert len(reminders(booking)) == 2


def test_the_scheduled_task_runs_the_job_once_a_day(contact) -> None:  # type: ignore[no-untyped-def]
    ReminderScheduleStart.objects.create(started_at=timezone.now() - timedelta(days=1))
    portal_settings(reminder_time=time(0, 0))
    booking = visit(contact, timezone.now() + timedelta(hours=2))

    assert remind_when_due.call() == 2
    assert remind_when_due.call() == 0
    assert len(reminders(booking)) == 2


# --- writing many at once ----------------------------------------------------------------------


def test_record_many_writes_what_record_writes(contact) -> None:  # type: ignore[no-untyped-def]
    booking = visit(contact, TEN + timedelta(hours=20))
    version = reminder_version(booking.start)
    [loaded] = load_for_messages(Booking.objects.filter(pk=booking.pk))

    many = record_many(
        bookings=[loaded],
        message_type=MessageType.REMINDER,
        versions={booking.pk: version},
        now=TEN,
    )
    Notification.objects.all().delete()
    one = outbox.record(
        booking=booking, message_type=MessageType.REMINDER, version=version, now=TEN
    )

    fields = ("channel", "address", "subject", "body", "body_html", "state", "idempotency_key")
    assert [[getattr(row, f) for f in fields] for row in many] == [
        [getattr(row, f) for f in fields] for row in one
    ]
    record_many(
        bookings=[loaded],
        message_type=MessageType.REMINDER,
        versions={booking.pk: version},
        now=TEN,
    )
    assert Notification.objects.count() == 2


def due_visits(contact, count: int) -> None:  # type: ignore[no-untyped-def]
    portal_settings(reminder_days_before=7)
    resource = ResourceFactory()
    for n in range(count):
        visit(contact, TEN + timedelta(hours=1 + n), resource=resource)


@pytest.mark.parametrize("count", [5, 50])
def test_a_batch_takes_the_same_queries_however_many_visits(
    contact, count, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    due_visits(contact, count)

    # Settings and exclusions 3, the due visits 1, the run's record 1; then for each
    # batch its earlier reminders, its bookings, their contacts and the insert.
    with django_assert_num_queries(5 + 4):
        run = send_reminders(now=TEN, batch_size=50)

    assert run.messages == 2 * count


def test_each_batch_adds_the_same_queries(contact, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    due_visits(contact, 50)

    with django_assert_num_queries(5 + 5 * 4):
        run = send_reminders(now=TEN, batch_size=10)

    assert run.messages == 100


# --- the command -----------------------------------------------------------------------------


def test_the_command_writes_the_reminders_and_says_how_many(contact) -> None:  # type: ignore[no-untyped-def]
    booking = visit(contact, timezone.now() + timedelta(hours=2))
    out = io.StringIO()

    call_command("remind", stdout=out)

    assert out.getvalue().strip() == "Wrote 2 reminders for 1 visit."
    assert len(reminders(booking)) == 2
    assert ReminderRun.objects.get().day is None


def test_the_dry_run_lists_what_would_be_sent_and_writes_nothing(contact) -> None:  # type: ignore[no-untyped-def]
    booking = visit(contact, timezone.now() + timedelta(hours=2))
    out = io.StringIO()

    call_command("remind", "--dry-run", stdout=out)

    listing = out.getvalue()
    assert booking.reference in listing
    assert "America/Denver" in listing
    assert "email pat@example.test; sms +13035550101" in listing
    assert "1 visit would get a reminder. Nothing was written." in listing
    assert not Notification.objects.exists()
    assert not ReminderRun.objects.exists()


def test_the_command_says_why_when_reminders_are_off(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(reminder_days_before=0)
    visit(contact, timezone.now() + timedelta(hours=2))
    out = io.StringIO()

    call_command("remind", stdout=out)

    assert "No reminders: the portal settings send reminders 0 days before" in out.getvalue()
    assert not Notification.objects.exists()
