"""The notification log as office staff read it: why a message was skipped, the company's days."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from doorstep.configuration.models import PortalSettings
from doorstep.notifications.models import Notification, NotificationState, ReminderRun
from tests.factories import BookingFactory

# 03:00 UTC on the 8th is 20:00 on the 7th in Denver.
DENVER_EVENING = datetime(2030, 1, 8, 3, 0, tzinfo=UTC)
LOG = reverse("admin:notifications_notification_changelist")


@pytest.fixture
def denver_company(db: None) -> None:
    PortalSettings.objects.filter(pk=PortalSettings.load().pk).update(time_zone="America/Denver")


def logged(**fields: object) -> Notification:
    defaults: dict[str, object] = {
        "booking": BookingFactory(),
        "message_type": "reminder",
        "channel": "sms",
        "address": "+13035550101",
        "idempotency_key": f"test:{Notification.objects.count()}",
        "created_at": DENVER_EVENING,
    }
    return Notification.objects.create(**(defaults | fields))


@pytest.mark.usefixtures("denver_company")
def test_the_list_says_why_a_message_was_skipped(staff_client: Client) -> None:
    logged(state=NotificationState.SKIPPED, skip_reason="the account is on the exclusion list")
    logged(state=NotificationState.SENT, channel="email", address="pat@example.test")

    html = staff_client.get(LOG).content.decode()

    assert "Skipped: the account is on the exclusion list" in html
    assert "Sent" in html


@pytest.mark.usefixtures("denver_company")
def test_the_log_shows_and_groups_times_by_the_companys_days(staff_client: Client) -> None:
    logged()

    listed = staff_client.get(LOG).content.decode()
    on_the_7th = staff_client.get(
        LOG, {"created_at__year": 2030, "created_at__month": 1, "created_at__day": 7}
    )
    on_the_8th = staff_client.get(
        LOG, {"created_at__year": 2030, "created_at__month": 1, "created_at__day": 8}
    )

    assert "Jan. 7, 2030, 8 p.m." in listed
    assert on_the_7th.context["cl"].result_count == 1
    assert on_the_8th.context["cl"].result_count == 0


@pytest.mark.usefixtures("denver_company")
def test_a_messages_own_page_shows_the_companys_time(staff_client: Client) -> None:
    row = logged()

    html = staff_client.get(
        reverse("admin:notifications_notification_change", args=[row.pk])
    ).content.decode()

    assert "Jan. 7, 2030, 8 p.m." in html


@pytest.mark.usefixtures("denver_company")
def test_a_reminder_runs_page_shows_the_companys_time(staff_client: Client) -> None:
    run = ReminderRun.objects.create(
        day=DENVER_EVENING.date(), started_at=DENVER_EVENING, finished_at=DENVER_EVENING
    )

    listed = staff_client.get(reverse("admin:notifications_reminderrun_changelist"))
    page = staff_client.get(reverse("admin:notifications_reminderrun_change", args=[run.pk]))

    assert "Jan. 7, 2030, 8 p.m." in listed.content.decode()
    assert "Jan. 7, 2030, 8 p.m." in page.content.decode()
