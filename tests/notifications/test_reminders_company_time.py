"""The reminder time is the company's: "the day before at 18:00" in Denver means Denver's."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from doorstep.notifications.models import ReminderRun, ReminderScheduleStart
from doorstep.notifications.reminders import run_due_reminders
from tests.notifications.test_reminders import portal_settings, reminders, visit

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")
# A Monday in Denver, in winter (UTC-7).
MONDAY = datetime(2030, 1, 7, tzinfo=DENVER)


@pytest.fixture(autouse=True)
def started_long_ago() -> None:
    ReminderScheduleStart.objects.create(pk=1, started_at=MONDAY - timedelta(days=30))
    sunday = MONDAY - timedelta(days=1)
    ReminderRun.objects.create(day=sunday.date(), started_at=sunday, finished_at=sunday)


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute)


def test_the_day_before_at_six_runs_at_six_in_the_companys_zone(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(time_zone="America/Denver", reminder_days_before=1, reminder_time=time(18, 0))
    tuesday = MONDAY + timedelta(days=1)
    early = visit(contact, at(tuesday, 8))
    late = visit(contact, at(tuesday, 17, 30))
    wednesday = visit(contact, at(tuesday + timedelta(days=1), 0, 30))

    # 18:00 UTC is 11:00 in Denver: too early.
    assert run_due_reminders(now=at(MONDAY, 11)) is None
    run = run_due_reminders(now=at(MONDAY, 18))

    assert run is not None
    assert run.day == MONDAY.date()
    assert len(reminders(early)) == len(reminders(late)) == 2
    assert not reminders(wednesday)  # the day before it is Tuesday


def test_a_run_late_in_the_evening_belongs_to_the_companys_day(contact) -> None:  # type: ignore[no-untyped-def]
    # 22:00 in Denver is 05:00 UTC the next day: the run is still Monday's.
    portal_settings(time_zone="America/Denver", reminder_time=time(22, 0))

    run = run_due_reminders(now=at(MONDAY, 22, 5))

    assert run is not None
    assert run.day == MONDAY.date()
    assert run_due_reminders(now=at(MONDAY + timedelta(days=1), 6)) is None


def test_with_the_defaults_a_visit_is_reminded_the_day_before(contact) -> None:  # type: ignore[no-untyped-def]
    portal_settings(time_zone="America/Denver")  # 1 day before, at 10:00
    tuesday_morning = visit(contact, at(MONDAY + timedelta(days=1), 9))
    tuesday_noon = visit(contact, at(MONDAY + timedelta(days=1), 12))

    run_due_reminders(now=at(MONDAY, 10))

    [email, _sms] = reminders(tuesday_morning)
    assert email.created_at.astimezone(DENVER).date() == MONDAY.date()
    assert len(reminders(tuesday_noon)) == 2
