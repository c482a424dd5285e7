"""`doorstep remind --dry-run` counts only the visits that would hear, and says why not."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.notifications.models import Notification
from tests.factories import AccountFactory, ContactFactory
from tests.notifications.test_reminders import visit

pytestmark = pytest.mark.django_db


def test_excluded_visits_are_listed_with_the_reason_but_not_counted(contact) -> None:  # type: ignore[no-untyped-def]
    heard = visit(contact, timezone.now() + timedelta(hours=2))
    # An excluded account whose contact has no mobile number either.
    excluded = ContactFactory(
        account=AccountFactory(name="Do Not Disturb Ltd"),
        email="office@donotdisturb.test",
        phone="",
        communication_preference="sms",
    )
    silent = visit(excluded, timezone.now() + timedelta(hours=3))
    PortalSettings.load().excluded_accounts.add(excluded.account)
    out = io.StringIO()

    call_command("remind", "--dry-run", stdout=out)

    listing = out.getvalue()
    assert heard.reference in listing
    [silent_line] = [line for line in listing.splitlines() if silent.reference in line]
    assert "skipped: the account is on the exclusion list" in silent_line
    assert "no mobile number" not in silent_line
    assert "1 visit would get a reminder; 1 visit skipped, for the reasons above." in listing
    assert not Notification.objects.exists()


def test_the_run_counts_the_same_visits_as_the_dry_run(contact) -> None:  # type: ignore[no-untyped-def]
    visit(contact, timezone.now() + timedelta(hours=2))
    excluded = ContactFactory(account=AccountFactory(), email="x@example.test")
    visit(excluded, timezone.now() + timedelta(hours=3))
    PortalSettings.load().excluded_accounts.add(excluded.account)
    dry, real = io.StringIO(), io.StringIO()

    call_command("remind", "--dry-run", stdout=dry)
    call_command("remind", stdout=real)

    assert "1 visit would get a reminder; 1 visit skipped" in dry.getvalue()
    assert "Wrote 2 reminders for 1 visit (1 skipped, see the notification log)." in real.getvalue()
