"""How late the customer was last told a visit would be."""

from __future__ import annotations

from django.db import models


class RunningLate(models.Model):
    """The last "running late" level a booking's customer was told of.

    Level 1 means the ETA passed the end of the arrival window by more than the margin in
    the portal settings, level 2 by more than twice the margin, and so on; a message goes
    only when the level rises above the one stored here.
    """

    booking = models.OneToOneField(
        "scheduling.Booking",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="running_late",
    )
    level = models.PositiveSmallIntegerField(
        help_text="How many margins past the arrival window the customer was last told of."
    )
    told_at = models.DateTimeField("told")

    class Meta:
        verbose_name = "running-late level"

    def __str__(self) -> str:
        return f"Booking {self.booking_id}: running late, level {self.level}"
