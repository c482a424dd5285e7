"""Webhook endpoints, and the outbox of what is sent to them: every event is a row first."""

from __future__ import annotations

from datetime import datetime

from django.db import models

from doorstep.core.models import TimeStampedModel


class EventType(models.TextChoices):
    BOOKING_CREATED = "booking.created", "Visit booked"
    BOOKING_RESCHEDULED = "booking.rescheduled", "Visit moved"
    BOOKING_CANCELED = "booking.canceled", "Visit canceled"
    BOOKING_STATUS_CHANGED = "booking.status_changed", "Visit status changed"
    BOOKING_ETA_CHANGED = "booking.eta_changed", "Arrival time changed"
    BOOKING_RUNNING_LATE = "booking.running_late", "Technician running late"
    FEEDBACK_RECEIVED = "feedback.received", "Feedback received"
    NOTIFICATION_FAILED = "notification.failed", "Message failed"
    INVITATION_REDEEMED = "invitation.redeemed", "Invitation redeemed"
    CONTACT_UPDATED = "contact.updated", "Customer changed their profile"
    DOCUMENT_PUBLISHED = "document.published", "Document published to the customer"
    VISIT_REPORT_READY = "visit.report_ready", "Service report ready"
    PLAN_CHANGE_REQUESTED = "service_plan.change_requested", "Customer asked to change a plan"
    TEST = "webhook.test", "Test event"


class WebhookEndpoint(TimeStampedModel):
    """A URL of the company's own system that hears of the events it asked for."""

    url = models.URLField("URL", max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(
        default=list,
        blank=True,
        help_text="The event types sent to this endpoint; none means every one.",
    )
    service_type = models.ForeignKey(
        "catalog.IncidentType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="When set, only events about visits of this service type are sent.",
    )
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    secret = models.CharField(max_length=100, help_text="Signs every event (whsec_…).")
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(
        null=True, blank=True, help_text="Until then, events are signed with both secrets."
    )
    failing_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The first failed attempt since the last success; disabled after 5 days.",
    )

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return (
            event_type == EventType.TEST or not self.event_types or (event_type in self.event_types)
        )

    def secrets(self, *, now: datetime) -> list[str]:
        """The secrets that sign an event now: the new one, and the old one for a while."""
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            return [self.secret, self.previous_secret]
        return [self.secret]


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint: the same `event_id` (the webhook-id) on every attempt."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField("webhook-id", max_length=64)
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    resource = models.CharField(
        max_length=60, blank=True, help_text="What the event is about, as type:id."
    )
    payload = models.JSONField(help_text="The body sent, as JSON.")
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_once_per_endpoint"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["resource", "event_type"], name="webhook_delivery_resource"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint}"


class WebhookAttempt(models.Model):
    """One try at posting a delivery, for the log."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField("status", null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    response_body = models.TextField("answer (first bytes)", blank=True)
    worker = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["delivery", "started_at", "pk"]
        verbose_name = "webhook attempt"

    def __str__(self) -> str:
        return f"{self.status_code or self.error} at {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class ResourceSequence(models.Model):
    """The last sequence number given to an event about one resource (booking:12, …)."""

    resource = models.CharField(max_length=60, unique=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.resource} #{self.last}"
