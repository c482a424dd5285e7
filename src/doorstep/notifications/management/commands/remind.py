"""`doorstep remind`: run the reminder job now, or list what it would write."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from doorstep.configuration.models import PortalSettings
from doorstep.notifications.reminders import (
    PlannedReminder,
    plan_reminders,
    send_reminders,
    why_no_reminders,
)


class Command(BaseCommand):
    help = (
        "Write the reminders due now into the outbox, for every scheduled visit within the "
        "reminder window that has not had one for its present time. The daily job does this "
        "on its own at the reminder time of the portal settings, and still runs that day."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the visits that would get a reminder, and by which channel; write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reason = why_no_reminders(PortalSettings.load())
        if reason:
            self.stdout.write(f"No reminders: {reason}")
            return
        now = timezone.now()
        if options["dry_run"]:
            planned = plan_reminders(now=now)
            for reminder in planned:
                self.stdout.write(_describe(reminder))
            # A visit whose every delivery is skipped (an exclusion, no address) gets none.
            reminded = sum(any(not d.skip_reason for d in r.deliveries) for r in planned)
            not_reminded = len(planned) - reminded
            also = (
                f"; {_count(not_reminded, 'visit')} skipped, for the reasons above"
                if not_reminded
                else ""
            )
            self.stdout.write(
                f"{_count(reminded, 'visit')} would get a reminder{also}. Nothing was written."
            )
            return
        run = send_reminders(now=now)
        skipped = f" ({run.skipped} skipped, see the notification log)" if run.skipped else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {_count(run.messages, 'reminder')} for "
                f"{_count(run.bookings_reminded, 'visit')}{skipped}."
            )
        )


def _describe(reminder: PlannedReminder) -> str:
    booking = reminder.booking
    start = timezone.localtime(booking.start, booking.time_zone)
    to = "; ".join(
        f"{d.channel} {d.address or '-'}" + (f" skipped: {d.skip_reason}" if d.skip_reason else "")
        for d in reminder.deliveries
    )
    return (
        f"{booking.reference}  {start:%a %d %b %Y %H:%M} {booking.time_zone.key}  "
        f"{booking.work_order.incident_type.display_name}  → {to}"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
