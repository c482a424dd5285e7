"""Customers' ratings of completed visits: giving one, and the averages the office reads.

Kept apart from `services.py` because feedback is a small world of its own: who may
rate which visit and when, and how the ratings add up per technician and service type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from doorstep.configuration.models import PortalSettings
from doorstep.core import events
from doorstep.core.errors import DomainError
from doorstep.customers.models import Contact
from doorstep.scheduling import locking
from doorstep.scheduling.models import Booking, BookingStatus, VisitFeedback

LOWEST_RATING = 1
HIGHEST_RATING = 5
MAX_COMMENT_LENGTH = 2000


class FeedbackRefused(DomainError):
    pass


class FeedbackAlreadyGiven(FeedbackRefused):
    """Feedback for this visit exists: the portal thanks the customer rather than scolds."""


ALREADY_GIVEN = gettext_noop("Feedback for this visit has already been given. Thank you!")
# Why a visit that is not completed cannot be rated yet, a whole sentence for each status.
_NOT_YET: dict[str, Promise] = {
    BookingStatus.SCHEDULED: gettext_lazy(
        "This visit has not taken place yet. You can rate a visit once it is completed."
    ),
    BookingStatus.TRAVELING: gettext_lazy(
        "The technician is on the way to this visit. You can rate a visit once it is completed."
    ),
    BookingStatus.IN_PROGRESS: gettext_lazy(
        "Work on this visit is under way. You can rate a visit once it is completed."
    ),
    BookingStatus.CANCELED: gettext_lazy(
        "This visit was canceled. You can rate a visit once it is completed."
    ),
}


def check_feedback_possible(*, booking: Booking, contact: Contact | None) -> None:
    """Raise the reason `contact` cannot rate `booking` now; return if they can.

    `contact` is None for someone who holds a valid visit link to `booking` and is not
    signed in: the door that checked the link vouches for them (a link's recipient, when
    it has one, is passed as the contact instead). The portal asks this before it shows
    the form; `give_feedback` asks it again under lock.
    """
    if contact is not None and booking.work_order.account_id != contact.account_id:
        raise FeedbackRefused(gettext("Only someone at the visit's customer account can rate it."))
    if not PortalSettings.load().include_survey:
        raise FeedbackRefused(gettext("We are not collecting feedback on visits at the moment."))
    if booking.status != BookingStatus.COMPLETED:
        raise FeedbackRefused(str(_NOT_YET[booking.status]))
    if VisitFeedback.objects.filter(booking_id=booking.pk).exists():
        raise FeedbackAlreadyGiven(gettext(ALREADY_GIVEN))


@transaction.atomic
def give_feedback(
    *,
    booking: Booking,
    contact: Contact | None,
    rating: int,
    comment: str = "",
    now: datetime | None = None,
) -> VisitFeedback:
    """Record a rating (1–5) and comment of a completed visit, once per visit.

    `contact` is who gives it, or None for a visit link's holder (see
    `check_feedback_possible`).
    """
    # Read the status under lock so a visit being changed in the back office at the same
    # moment is judged as it ends up, and two submissions of the same form queue here.
    locked = locking.lock_booking(booking.pk)
    check_feedback_possible(booking=locked, contact=contact)
    if isinstance(rating, bool) or not LOWEST_RATING <= rating <= HIGHEST_RATING:
        raise FeedbackRefused(
            gettext("Choose a rating from %(lowest)s to %(highest)s.")
            % {"lowest": LOWEST_RATING, "highest": HIGHEST_RATING}
        )
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise FeedbackRefused(
            gettext("Please keep the comment under %(limit)s characters (it has %(length)s).")
            % {"limit": MAX_COMMENT_LENGTH, "length": len(comment)}
        )
    try:
        with transaction.atomic():
            feedback = VisitFeedback.objects.create(
                booking=locked,
                rating=rating,
                comment=comment,
                given_by=contact,
                created_at=now or timezone.now(),
            )
            events.publish("feedback.received", feedback_id=feedback.pk, booking_id=locked.pk)
            return feedback
    except IntegrityError:
        # The lock above does not cover a write that bypasses this service (SQLite has
        # no row locks at all); the unique booking column is the last word.
        if VisitFeedback.objects.filter(booking_id=locked.pk).exists():
            raise FeedbackAlreadyGiven(gettext(ALREADY_GIVEN)) from None
        raise


# --- What the office reads ------------------------------------------------------------------


@dataclass(frozen=True)
class RatingSummary:
    """How one technician or one service type is rated: the average and how many ratings."""

    name: str
    count: int
    average: float


def ratings_per_technician(feedback: QuerySet[VisitFeedback]) -> list[RatingSummary]:
    """The average rating and the number of ratings of each technician in `feedback`."""
    return _summaries(feedback, "booking__resource_id", "booking__resource__display_name")


def ratings_per_service_type(feedback: QuerySet[VisitFeedback]) -> list[RatingSummary]:
    """The average rating and the number of ratings of each service type in `feedback`."""
    return _summaries(
        feedback,
        "booking__work_order__incident_type_id",
        "booking__work_order__incident_type__name",
    )


def _summaries(feedback: QuerySet[VisitFeedback], key: str, name: str) -> list[RatingSummary]:
    # order_by() first: the model's default ordering would otherwise split the groups.
    rows = (
        feedback.order_by()
        .values(key, name)
        .annotate(count=Count("pk"), average=Avg("rating"))
        .order_by(name, key)
    )
    return [
        RatingSummary(name=row[name], count=row["count"], average=round(float(row["average"]), 2))
        for row in rows
    ]
