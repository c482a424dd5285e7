"""The reminder job's runs: one row per run, which is what makes the daily job run once a day."""

from __future__ import annotations

from django.db import models


class ReminderRun(models.Model):
    """One run of the reminder job and what it wrote.

    A scheduled run stands for one of the company's days (in its time zone) and is
    written when it ends: a day with a row is done, a day without one is run at the
    next check, however late. A run
    started by hand (`doorstep remind`) has no day, so the day's own run still happens
    and adds only what became due since.
    """

    day = models.DateField(
        null=True,
        blank=True,
        unique=True,
        help_text=(
            "The company's day whose scheduled run this was; empty for a run started by hand."
        ),
    )
    started_at = models.DateTimeField("started")
    finished_at = models.DateTimeField("finished")
    bookings_reminded = models.PositiveIntegerField(default=0)
    messages = models.PositiveIntegerField(default=0, help_text="Reminders written to be sent.")
    skipped = models.PositiveIntegerField(
        default=0, help_text="Reminders written as skipped, with their reason in the log."
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "reminder run"

    def __str__(self) -> str:
        when = f"{self.day:%Y-%m-%d}" if self.day else "by hand"
        return f"Reminder run {when} at {self.started_at:%Y-%m-%d %H:%M} UTC"


class ReminderScheduleStart(models.Model):
    """When the reminder schedule first ran on this install: one row, written once.

    A scheduled run due before this moment is not "missed": the install did not exist
    yet, or had not started. Without it, the first start after loading data (the demo
    company, an import) would catch up yesterday's run and message customers at once.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    started_at = models.DateTimeField("first started")

    class Meta:
        verbose_name = "reminder schedule start"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="one_reminder_schedule_start")
        ]

    def __str__(self) -> str:
        return f"Reminder schedule first started at {self.started_at:%Y-%m-%d %H:%M} UTC"
