"""Visit links: issuing the codes that messages carry, finding a valid one, and staff's controls.

A visit link opens one booking's page at `/t/<code>/` without signing in, so the code
is the only secret: 192 random bits, shown once (in the message) and stored as a hash.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from doorstep.access.models import VisitLink, VisitLinkState
from doorstep.access.models.visit_links import VALIDITY_AFTER_VISIT
from doorstep.core import events
from doorstep.core.errors import DomainError
from doorstep.core.prepared import PreparedQuery
from doorstep.customers.models import Contact
from doorstep.scheduling.models import Booking, BookingStatus, BookingStatusChange
from doorstep.users.models import User

logger = logging.getLogger(__name__)

# 24 bytes give 192 bits and 32 URL-safe characters: short enough for a text message.
CODE_BYTES = 24
# Longer than any code we issue: not worth hashing, and keeps junk out of the work.
MAX_CODE_LENGTH = 64
# What the visit page, its calendar file and its live state read of a link and its visit:
# the other columns of the six tables would only cost time to read (a third of the query).
VISIT_PAGE_COLUMNS = (
    "booking_id",
    "contact_id",
    "valid_until",
    "blocked_at",
    "booking__status",
    "booking__start",
    "booking__end",
    "booking__reference",
    "booking__cancel_reason",
    "booking__completed_at",
    "booking__updated_at",
    "booking__resource",
    "booking__work_order",
    "booking__work_order__address_line1",
    "booking__work_order__address_line2",
    "booking__work_order__city",
    "booking__work_order__postal_code",
    "booking__work_order__country",
    "booking__work_order__latitude",
    "booking__work_order__longitude",
    "booking__work_order__account__time_zone",
    "booking__work_order__incident_type__display_name",
    "booking__work_order__incident_type__translations",
    "booking__work_order__asset__name",
    "booking__work_order__asset__serial_number",
    "booking__resource__display_name",
    "booking__resource__photo",
    "booking__feedback__id",
    "contact__preferred_language",  # the page speaks the recipient's language
)


class VisitLinkRefused(DomainError):
    pass


def hash_visit_code(code: str) -> str:
    # Not codes.hash_code: that one forgives case and look-alike letters for typed codes,
    # which would throw away most of the randomness of a URL-safe code.
    return hashlib.sha256(code.encode()).hexdigest()


@transaction.atomic
def issue_visit_link(
    *,
    booking: Booking,
    contact: Contact | None = None,
    notification_id: int | None = None,
    now: datetime | None = None,
) -> str:
    """A new code for the booking and its recipient; only its hash is kept, so keep the code.

    `notification_id` is the message that carries it, which the back office shows.
    """
    now = now or timezone.now()
    if contact is not None and contact.account_id != booking.work_order.account_id:
        raise VisitLinkRefused(
            f"{contact} is not a contact of {booking.work_order.account}, "
            f"so they cannot get a link to visit {booking.reference}."
        )
    code = secrets.token_urlsafe(CODE_BYTES)
    VisitLink.objects.create(
        booking=booking,
        contact=contact,
        notification_id=notification_id,
        code_hash=hash_visit_code(code),
        created_at=now,
    )
    return code


def visit_link_url(code: str) -> str:
    return settings.DOORSTEP_BASE_URL.rstrip("/") + reverse("visit_link", args=[code])


def _links_with_visit(code_hash: str) -> QuerySet[VisitLink]:
    return (
        VisitLink.objects.select_related(
            "booking__work_order__account",
            "booking__work_order__incident_type",
            "booking__work_order__asset",
            "booking__resource",
            "booking__feedback",
            "contact",
        )
        .only(*VISIT_PAGE_COLUMNS)
        .filter(code_hash=code_hash, blocked_at__isnull=True)
        .order_by()[:1]
    )


# Compiled once: the busiest door of all spent more on building this query than on the rest.
_link_with_visit = PreparedQuery(_links_with_visit, str)


def find_valid_link(code: str, *, now: datetime | None = None) -> VisitLink | None:
    """The link behind a code with its visit, or None when unknown, expired or blocked.

    One query: the link, its booking, work order, account, service type, equipment,
    technician and feedback, which is all the visit page shows (and, for a canceled
    visit only, a second: when it was canceled). The link's end is worked out here from
    the row, by the rule of `VisitLinkQuerySet.with_expiry()`: the page is the busiest
    door of all, and that annotation in SQL cost it more than the rest of the page.
    """
    if not code or len(code) > MAX_CODE_LENGTH:
        return None
    now = now or timezone.now()
    found = _link_with_visit(hash_visit_code(code))
    if not found:
        return None
    link = found[0]
    link.booking_canceled_at = (
        _cancel_time(link.booking) if link.booking.status == BookingStatus.CANCELED else None
    )
    link.expires_at = link.valid_until or _default_end(link)
    return link if link.state(now) == VisitLinkState.VALID else None


def _default_end(link: VisitLink) -> datetime | None:
    """A week after the visit is completed or canceled; None while it is still to come."""
    booking = link.booking
    if booking.status == BookingStatus.COMPLETED:
        ended_at = booking.completed_at
    elif booking.status == BookingStatus.CANCELED:
        ended_at = link.booking_canceled_at or booking.updated_at
    else:
        return None
    return ended_at + VALIDITY_AFTER_VISIT if ended_at is not None else None


def _cancel_time(booking: Booking) -> datetime | None:
    """When the booking was canceled: its latest move to Canceled."""
    return (
        BookingStatusChange.objects.filter(booking=booking, to_status=BookingStatus.CANCELED)
        .order_by("-changed_at", "-pk")
        .values_list("changed_at", flat=True)
        .first()
    )


def valid_link_facts(code: str, *, now: datetime | None = None) -> VisitLink | None:
    """The valid link behind a code with its booking id and end only: a cheap check."""
    if not code or len(code) > MAX_CODE_LENGTH:
        return None
    now = now or timezone.now()
    found: VisitLink | None = (
        VisitLink.objects.valid(now)
        .filter(code_hash=hash_visit_code(code))
        .only("pk", "booking_id")
        .first()
    )
    return found


@transaction.atomic
def extend(
    *, link: VisitLink, until: datetime, by: User | None = None, now: datetime | None = None
) -> VisitLink:
    """Keep the link working until `until`, which must be later than its current end."""
    now = now or timezone.now()
    locked = _locked(link)
    if locked.blocked_at is not None:
        raise VisitLinkRefused("This code is blocked, and a blocked code stays blocked.")
    if until <= now:
        raise VisitLinkRefused("A code can only be extended to a time in the future.")
    if locked.expires_at is None:
        raise VisitLinkRefused(
            "This code has no end yet: it works until 7 days after the visit is completed "
            "or canceled, so there is nothing to extend."
        )
    if until <= locked.expires_at:
        raise VisitLinkRefused("The new end must be later than the code's current end.")
    locked.valid_until = until
    locked.save(update_fields=["valid_until"])
    logger.info("Visit link %s of %s extended to %s by %s", link.pk, link.booking_id, until, by)
    return _refreshed(link)


@transaction.atomic
def expire_now(
    *, link: VisitLink, by: User | None = None, now: datetime | None = None
) -> VisitLink:
    """End the link at once. Unlike blocking, it can be extended again later."""
    now = now or timezone.now()
    locked = _locked(link)
    if locked.blocked_at is not None:
        raise VisitLinkRefused("This code is blocked already.")
    if locked.expires_at is not None and locked.expires_at <= now:
        raise VisitLinkRefused("This code has expired already.")
    locked.valid_until = now
    locked.save(update_fields=["valid_until"])
    logger.info("Visit link %s of %s expired by %s", link.pk, link.booking_id, by)
    events.publish("visit_link.revoked", link_id=link.pk, booking_id=link.booking_id)
    return _refreshed(link)


@transaction.atomic
def block(*, link: VisitLink, by: User | None = None, now: datetime | None = None) -> VisitLink:
    """Stop the link for good: for a code that reached the wrong person."""
    now = now or timezone.now()
    locked = _locked(link)
    if locked.blocked_at is not None:
        raise VisitLinkRefused("This code is blocked already.")
    locked.blocked_at = now
    locked.blocked_by = by
    locked.save(update_fields=["blocked_at", "blocked_by"])
    logger.info("Visit link %s of %s blocked by %s", link.pk, link.booking_id, by)
    events.publish("visit_link.revoked", link_id=link.pk, booking_id=link.booking_id)
    return _refreshed(link)


def _locked(link: VisitLink) -> VisitLink:
    # Lock the link row only (not the booking the expiry reads), so two people changing
    # the same code one after the other each see the other's change.
    return VisitLink.objects.select_for_update(of=("self",)).with_expiry().get(pk=link.pk)


def _refreshed(link: VisitLink) -> VisitLink:
    """The link as now stored, with its expiry; the caller's copy is brought up to date too."""
    fresh = VisitLink.objects.with_expiry().get(pk=link.pk)
    link.valid_until, link.blocked_at = fresh.valid_until, fresh.blocked_at
    link.blocked_by_id = fresh.blocked_by_id
    link.expires_at, link.booking_canceled_at = fresh.expires_at, fresh.booking_canceled_at
    return fresh
