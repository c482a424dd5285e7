"""Visit links: the codes in messages that open one visit's page without signing in."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from doorstep.core.models import QuickLoad
from doorstep.scheduling.models import BookingStatus, BookingStatusChange

# How long a link keeps working after its visit is over, unless staff set another end.
VALIDITY_AFTER_VISIT = timedelta(days=7)


class VisitLinkState(models.TextChoices):
    VALID = "valid", "Valid"
    EXPIRED = "expired", "Expired"
    BLOCKED = "blocked", "Blocked"


def _cancel_time() -> models.Subquery:
    """When the link's booking was canceled: its latest move to Canceled."""
    return models.Subquery(
        BookingStatusChange.objects.filter(
            booking_id=models.OuterRef("booking_id"), to_status=BookingStatus.CANCELED
        )
        .order_by("-changed_at", "-pk")
        .values("changed_at")[:1],
        output_field=models.DateTimeField(),
    )


class VisitLinkQuerySet(models.QuerySet["VisitLink"]):
    def with_expiry(self) -> VisitLinkQuerySet:
        """Annotate `expires_at` (None: not yet known) and `booking_canceled_at`.

        The default end is computed here rather than stored, so that a link follows its
        visit: completed or canceled late, it still works for a week after.
        """
        if "expires_at" in self.query.annotations:
            return self
        # The two attributes are declared on VisitLink, for code that is handed a link;
        # django-stubs would declare them a second time from annotate(), hence the ignores.
        annotated = self.annotate(booking_canceled_at=_cancel_time())  # type: ignore[no-redef]
        ended_at = models.Case(
            models.When(
                booking__status=BookingStatus.COMPLETED, then=models.F("booking__completed_at")
            ),
            # Without a status change (a booking loaded already canceled), its last edit.
            models.When(
                booking__status=BookingStatus.CANCELED,
                then=Coalesce(models.F("booking_canceled_at"), models.F("booking__updated_at")),
            ),
            default=models.Value(None),
            output_field=models.DateTimeField(),
        )
        default_end = models.ExpressionWrapper(
            ended_at + models.Value(VALIDITY_AFTER_VISIT), output_field=models.DateTimeField()
        )
        expires_at = Coalesce(models.F("valid_until"), default_end)
        return annotated.annotate(expires_at=expires_at)  # type: ignore[no-redef]

    def blocked(self) -> VisitLinkQuerySet:
        return self.filter(blocked_at__isnull=False)

    def expired(self, now: datetime) -> VisitLinkQuerySet:
        return self.with_expiry().filter(models.Q(expires_at__lte=now), blocked_at__isnull=True)

    def valid(self, now: datetime) -> VisitLinkQuerySet:
        return self.with_expiry().filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now),
            blocked_at__isnull=True,
        )


class VisitLink(QuickLoad):
    """A code that opens one booking's page for one recipient, stored only as a hash.

    Staff call it a "booking notification code". A link without `valid_until` works
    until a week after its visit is completed or canceled; staff may set another end,
    or block it for good.
    """

    booking = models.ForeignKey(
        "scheduling.Booking", on_delete=models.CASCADE, related_name="visit_links"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit_links",
        verbose_name="recipient",
    )
    notification = models.ForeignKey(
        "notifications.Notification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit_links",
        verbose_name="message",
        help_text="The message that carried the code.",
    )
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("issued")
    valid_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Empty: until 7 days after the visit is completed or canceled.",
    )
    blocked_at = models.DateTimeField(null=True, blank=True)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = VisitLinkQuerySet.as_manager()

    # Set by VisitLinkQuerySet.with_expiry(); absent on rows read without it.
    expires_at: datetime | None
    booking_canceled_at: datetime | None

    class Meta:
        db_table = "notifications_visitlink"
        ordering = ["-created_at", "-pk"]
        verbose_name = "booking notification code"
        verbose_name_plural = "booking notification codes"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(blocked_by__isnull=True) | models.Q(blocked_at__isnull=False),
                name="visit_link_blocked_by_only_when_blocked",
                violation_error_message="Only a blocked code has someone who blocked it.",
            ),
        ]

    def __str__(self) -> str:
        return f"Code for {self.booking}"

    def state(self, now: datetime) -> VisitLinkState:
        """Needs the row read through `with_expiry()`."""
        if self.blocked_at is not None:
            return VisitLinkState.BLOCKED
        if self.expires_at is not None and self.expires_at <= now:
            return VisitLinkState.EXPIRED
        return VisitLinkState.VALID
