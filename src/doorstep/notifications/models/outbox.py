"""The outbox: every message is a row before it is a message."""

from __future__ import annotations

from django.db import models


class MessageType(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    CONFIRMED = "confirmed", "Booking confirmed"
    REMINDER = "reminder", "Reminder"
    TRAVELING = "traveling", "Technician on the way"
    RUNNING_LATE = "running_late", "Running late"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELED = "canceled", "Canceled"
    COMPLETED = "completed", "Completed"
    TURNED_BACK = "turned_back", "Technician turned back"
    DOCUMENTS = "documents", "New documents"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class NotificationState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class Notification(models.Model):
    """One message to one recipient on one channel, from the moment its cause is saved."""

    booking = models.ForeignKey(
        "scheduling.Booking",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    invitation = models.ForeignKey(
        "access.Invitation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="For invitation messages, which concern a person rather than a visit.",
    )
    document = models.ForeignKey(
        "history.Document",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="For a new document of a site or a piece of equipment, which concerns "
        "the account rather than one visit.",
    )
    message_type = models.CharField("message", max_length=20, choices=MessageType.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="recipient",
    )
    address = models.CharField(
        "to", max_length=254, blank=True, help_text="Email address or phone number (E.164)."
    )
    language = models.CharField(max_length=10, default="en")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    body_html = models.TextField("body (HTML)", blank=True)
    visit_start = models.DateTimeField(
        "visit time told",
        null=True,
        blank=True,
        help_text="The visit's start as this message gave it; a later move is announced "
        "when the visit is more than 10 minutes from the start in the latest message.",
    )
    calendar = models.TextField(
        "calendar attachment", blank=True, help_text="The .ics sent with the email, if any."
    )
    state = models.CharField(
        max_length=10, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    skip_reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=300, unique=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "notification"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(booking__isnull=False)
                | models.Q(invitation__isnull=False)
                | models.Q(document__isnull=False),
                name="notification_about_a_visit_an_invitation_or_a_document",
                violation_error_message="A message is about a visit, an invitation or a document.",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["booking", "message_type"], name="notification_booking_type"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_message_type_display()} by {self.get_channel_display()} to {self.address}"
        )


class DeliveryAttempt(models.Model):
    """One try at handing a notification to its provider, kept for the log."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    started_at = models.DateTimeField()
    handed_over_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the last of the message left for the provider. An attempt cut short "
        "before then never reached it; one cut short after may have.",
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    worker = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["notification", "started_at", "pk"]
        verbose_name = "delivery attempt"

    def __str__(self) -> str:
        return f"{'Sent' if self.succeeded else 'Failed'} at {self.started_at:%Y-%m-%d %H:%M:%S}"
