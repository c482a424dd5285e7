"""Work orders, the visits booked for them, and the history of each visit."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from doorstep.core.models import ExternalId, PostalAddress, QuickLoad, TimeStampedModel


class WorkOrderSource(models.TextChoices):
    PORTAL = "portal", "Customer portal"
    API = "api", "API"
    BACK_OFFICE = "back_office", "Back office"


class WorkOrder(ExternalId, PostalAddress, TimeStampedModel):
    """A job for a customer. Its service address is copied when it is created.

    Copied rather than looked up, so that a visit's address never changes behind the
    customer's back when an account or a location is edited later.
    """

    # Null until the row exists: the number is made from the row's id (see services).
    number = models.CharField(max_length=20, unique=True, null=True, editable=False)  # noqa: DJ001
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="work_orders"
    )
    reported_by = models.ForeignKey(
        "customers.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_work_orders",
        verbose_name="reported by",
    )
    incident_type = models.ForeignKey(
        "catalog.IncidentType",
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name="service type",
    )
    asset = models.ForeignKey(
        "customers.Asset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_orders",
    )
    # The site the work is at, when it is one of the account's sites; the address above is
    # copied from it (or from the account) and stays as it was if the site later changes.
    site = models.ForeignKey(
        "customers.FunctionalLocation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_orders",
    )
    instructions = models.TextField(blank=True, help_text="For the technician.")
    source = models.CharField(
        max_length=20, choices=WorkOrderSource.choices, default=WorkOrderSource.BACK_OFFICE
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "work order"
        constraints = [
            *ExternalId.external_id_constraints("work_order"),
            *PostalAddress.coordinate_constraints("work_order"),
        ]

    def __str__(self) -> str:
        return self.number or "New work order"


class TimelineNote(models.Model):
    """A note on a work order's timeline, for the office only or for the customer too."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField()
    customer_visible = models.BooleanField(
        "visible to the customer",
        default=False,
        help_text="Shown to the customer in the portal. Otherwise only the office sees it.",
    )
    created_at = models.DateTimeField("written", default=timezone.now, editable=False)

    class Meta:
        ordering = ["work_order", "created_at"]
        verbose_name = "timeline note"

    def __str__(self) -> str:
        return self.text if len(self.text) <= 60 else f"{self.text[:59]}…"


class BookingStatus(models.TextChoices):
    SCHEDULED = "scheduled", gettext_lazy("Scheduled")
    TRAVELING = "traveling", gettext_lazy("Traveling")
    IN_PROGRESS = "in_progress", gettext_lazy("In Progress")
    COMPLETED = "completed", gettext_lazy("Completed")
    CANCELED = "canceled", gettext_lazy("Canceled")


# The status machine. Turning back (Traveling → Scheduled) exists because a technician
# who set off may be called elsewhere; nothing leaves Completed or Canceled.
ALLOWED_STATUS_MOVES: dict[str, frozenset[str]] = {
    BookingStatus.SCHEDULED: frozenset({BookingStatus.TRAVELING, BookingStatus.CANCELED}),
    BookingStatus.TRAVELING: frozenset(
        {BookingStatus.IN_PROGRESS, BookingStatus.CANCELED, BookingStatus.SCHEDULED}
    ),
    BookingStatus.IN_PROGRESS: frozenset({BookingStatus.COMPLETED}),
    BookingStatus.COMPLETED: frozenset(),
    BookingStatus.CANCELED: frozenset(),
}

OPEN_STATUSES = frozenset(
    {BookingStatus.SCHEDULED, BookingStatus.TRAVELING, BookingStatus.IN_PROGRESS}
)


class BookingQuerySet(models.QuerySet["Booking"]):
    def open(self) -> BookingQuerySet:
        """Bookings that still hold the technician's time."""
        return self.filter(status__in=OPEN_STATUSES)

    def overlapping(self, start: datetime, end: datetime) -> BookingQuerySet:
        return self.filter(start__lt=end, end__gt=start)


class Booking(ExternalId, TimeStampedModel):
    """One visit of one technician for a work order, in a time window."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="bookings")
    resource = models.ForeignKey(
        "workforce.Resource",
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name="technician",
    )
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=BookingStatus.choices, default=BookingStatus.SCHEDULED
    )
    cancel_reason = models.TextField("reason for canceling", blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_via_portal = models.BooleanField("booked by the customer", default=False)
    reference = models.CharField(
        max_length=12,
        unique=True,
        editable=False,
        help_text="The short reference the customer quotes.",
    )

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            *ExternalId.external_id_constraints("booking"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="booking_end_after_start",
                violation_error_message="A booking must end after it starts.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=BookingStatus.COMPLETED)
                | models.Q(completed_at__isnull=False),
                name="booking_completed_has_completion_time",
                violation_error_message="A completed booking needs its completion time.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=BookingStatus.values),
                name="booking_status_known",
                violation_error_message="Unknown booking status.",
            ),
        ]
        indexes = [models.Index(fields=["resource", "start", "end"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def time_zone(self) -> ZoneInfo:
        return ZoneInfo(self.work_order.account.time_zone)

    def can_move_to(self, status: str) -> bool:
        return status in ALLOWED_STATUS_MOVES[self.status]

    def allowed_moves(self) -> list[str]:
        return [s for s in BookingStatus.values if s in ALLOWED_STATUS_MOVES[self.status]]

    def can_modify(self) -> bool:
        """Whether the visit may still be moved or canceled: not once work has started."""
        return self.status in {BookingStatus.SCHEDULED, BookingStatus.TRAVELING}


class BookingStatusChange(models.Model):
    """A record of one status move, kept for the visit's history."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=BookingStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=BookingStatus.choices)
    changed_at = models.DateTimeField(db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["booking", "changed_at", "pk"]
        verbose_name = "status change"

    def __str__(self) -> str:
        before = self.get_from_status_display() or "new"
        return f"{before} → {self.get_to_status_display()}"


class VisitFeedback(QuickLoad):
    """A customer's rating of a completed visit: at most one per booking.

    Written by `scheduling.feedback.give_feedback`, which checks who may give it and when.
    """

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(
        validators=[
            MinValueValidator(1, message="The rating goes from 1 to 5."),
            MaxValueValidator(5, message="The rating goes from 1 to 5."),
        ],
        help_text="From 1 (very poor) to 5 (excellent).",
    )
    comment = models.TextField(blank=True)
    given_by = models.ForeignKey(
        "customers.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit_feedback",
        verbose_name="given by",
    )
    created_at = models.DateTimeField("given", default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "visit feedback"
        verbose_name_plural = "visit feedback"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5),
                name="visit_feedback_rating_1_to_5",
                violation_error_message="The rating goes from 1 to 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.booking}"
