"""What the customer was told of a visit's trip: the arrival time, and how often it slipped."""

from __future__ import annotations

from django.db import models


class RunningLate(models.Model):
    """The arrival time a booking's customer was last told for the trip under way.

    Set afresh each time the technician sets off. "On the way" tells the first arrival
    time; a "running late" message goes when the arrival time passes the end of the time
    window by more than the margin in the portal settings and slipped by more than that
    margin again since the time last told, once per slip (the slip's number is in the
    message's idempotency key, so two deciders at once write it once).
    """

    booking = models.OneToOneField(
        "scheduling.Booking",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="running_late",
    )
    trip = models.PositiveIntegerField(
        default=0, help_text="Which of the visit's set-offs this is (1 for the first)."
    )
    told_eta = models.DateTimeField(
        "arrival time told", null=True, blank=True, help_text="Empty while none was told."
    )
    slips = models.PositiveSmallIntegerField(
        default=0, help_text="Running-late messages written for this trip."
    )
    told_at = models.DateTimeField("told")

    class Meta:
        verbose_name = "arrival time told"

    def __str__(self) -> str:
        return f"Booking {self.booking_id}, trip {self.trip}: {self.slips} running-late messages"


class VisitCalendar(models.Model):
    """The SEQUENCE of a visit's calendar event: 0 in its first invitation, one more for
    each update or cancellation sent after, so calendars apply them in order."""

    booking = models.OneToOneField(
        "scheduling.Booking",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="calendar_sequence",
    )
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "visit calendar sequence"

    def __str__(self) -> str:
        return f"Booking {self.booking_id}: calendar sequence {self.sequence}"
