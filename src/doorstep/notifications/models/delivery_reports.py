"""Delivery reports that came before the message they name was recorded as sent."""

from __future__ import annotations

from django.db import models


class EarlyDeliveryReport(models.Model):
    """A provider's final report about an id no message carries yet.

    A provider may report (Twilio within a second) before the worker that handed the
    message over has committed the id it was given; the report waits here and is applied
    once that id is recorded, or forgotten after a day if no message of ours ever has it.
    """

    provider_message_id = models.CharField(max_length=200, db_index=True)
    outcome = models.CharField(max_length=10)  # callbacks.DeliveryOutcome: delivered or failed
    reason = models.TextField(blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)  # the provider's time, if given
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = "early delivery report"

    def __str__(self) -> str:
        return f"{self.outcome} for {self.provider_message_id}"
